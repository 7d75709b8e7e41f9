-- Hand-written PostgreSQL DDL for the Oracle HR sample schema
-- (../shared/datasets/oracle/human_resources/hr_create.sql), used to test
-- loading hr_populate.sql. Oracle DATE -> timestamp(0), NUMBER(p) -> integer
-- or numeric(p,s). Foreign keys included, the circular one too.
CREATE TABLE regions (region_id integer PRIMARY KEY, region_name varchar(25));
CREATE TABLE countries (country_id char(2) PRIMARY KEY, country_name varchar(60), region_id integer REFERENCES regions);
CREATE TABLE locations (location_id integer PRIMARY KEY, street_address varchar(40), postal_code varchar(12),
  city varchar(30) NOT NULL, state_province varchar(25), country_id char(2) REFERENCES countries);
CREATE TABLE departments (department_id integer PRIMARY KEY, department_name varchar(30) NOT NULL,
  manager_id integer, location_id integer REFERENCES locations);
CREATE TABLE jobs (job_id varchar(10) PRIMARY KEY, job_title varchar(35) NOT NULL, min_salary integer, max_salary integer);
CREATE TABLE employees (employee_id integer PRIMARY KEY, first_name varchar(20), last_name varchar(25) NOT NULL,
  email varchar(25) NOT NULL UNIQUE, phone_number varchar(20), hire_date timestamp(0) NOT NULL,
  job_id varchar(10) NOT NULL REFERENCES jobs, salary numeric(8,2) CHECK (salary > 0), commission_pct numeric(2,2),
  manager_id integer REFERENCES employees, department_id integer REFERENCES departments);
ALTER TABLE departments ADD CONSTRAINT dept_mgr_fk FOREIGN KEY (manager_id) REFERENCES employees;
CREATE TABLE job_history (employee_id integer NOT NULL REFERENCES employees, start_date timestamp(0) NOT NULL,
  end_date timestamp(0) NOT NULL, job_id varchar(10) NOT NULL REFERENCES jobs, department_id integer REFERENCES departments,
  PRIMARY KEY (employee_id, start_date), CHECK (end_date > start_date));
