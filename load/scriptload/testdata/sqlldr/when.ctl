LOAD DATA INFILE 'bad.dat' APPEND INTO TABLE emp
WHEN (name = 'ok')
FIELDS TERMINATED BY ','
(emp_id, name, hired DATE "DD-MON-YYYY")
