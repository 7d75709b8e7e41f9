-- employees: comma separated, optionally enclosed, header skipped
OPTIONS (SKIP=1, ERRORS=0)
LOAD DATA
CHARACTERSET UTF8
INFILE 'emp.csv'
BADFILE 'emp.bad'
DISCARDFILE 'emp.dsc'
INTO TABLE emp
TRUNCATE
FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"'
TRAILING NULLCOLS
(
  emp_id      INTEGER EXTERNAL,
  name        CHAR(40),
  hired       DATE "DD-MON-YYYY",
  salary      DECIMAL EXTERNAL NULLIF salary=BLANKS,
  note        CHAR NULLIF (note = 'n/a'),
  skipme      FILLER CHAR,
  dept        CHAR
)
