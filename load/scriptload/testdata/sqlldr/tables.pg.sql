-- Target tables for the SQL*Loader fixtures.
CREATE TABLE emp (emp_id integer PRIMARY KEY, name varchar(40), hired timestamp(0), salary numeric(10,2), note text, dept varchar(10));
INSERT INTO emp VALUES (99, 'removed by TRUNCATE', NULL, NULL, NULL, NULL);
CREATE TABLE fixed_t (code char(4), qty integer, ts timestamp, flag boolean, src text, rn integer);
CREATE TABLE tabbed (a integer, b text, c timestamptz);
INSERT INTO tabbed VALUES (0, 'removed by REPLACE', NULL);
CREATE TABLE ws (x text, y numeric, z text);
