-- Minimal hand-written PostgreSQL DDL for the HR tables that hr_code.sql
-- uses (the schema converter, convert/oracle, produces the full schema).
CREATE TABLE jobs (
  job_id varchar(10) PRIMARY KEY,
  job_title varchar(35) NOT NULL
);
CREATE TABLE departments (
  department_id numeric(4) PRIMARY KEY,
  department_name varchar(30) NOT NULL
);
CREATE TABLE employees (
  employee_id numeric(6) PRIMARY KEY,
  last_name varchar(25) NOT NULL,
  email varchar(25) NOT NULL UNIQUE,
  hire_date timestamp(0) NOT NULL,
  job_id varchar(10) NOT NULL REFERENCES jobs,
  salary numeric(8,2) CHECK (salary > 0),
  department_id numeric(4) REFERENCES departments
);
CREATE TABLE job_history (
  employee_id numeric(6) NOT NULL REFERENCES employees,
  start_date timestamp(0) NOT NULL,
  end_date timestamp(0) NOT NULL,
  job_id varchar(10) NOT NULL REFERENCES jobs,
  department_id numeric(4) REFERENCES departments,
  PRIMARY KEY (employee_id, start_date),
  CHECK (end_date > start_date)
);
INSERT INTO jobs VALUES ('IT_PROG', 'Programmer'), ('SA_REP', 'Sales Representative');
INSERT INTO departments VALUES (60, 'IT'), (80, 'Sales');
INSERT INTO employees VALUES
  (103, 'Hunold', 'AHUNOLD', '2016-01-03', 'IT_PROG', 9000, 60),
  (104, 'Ernst', 'BERNST', '2017-05-21', 'IT_PROG', 6000, 60);
