SELECT
  "dept_emp"."emp_no" AS "emp_no",
  max("dept_emp"."from_date") AS "from_date",
  max("dept_emp"."to_date") AS "to_date"
FROM "public"."dept_emp"
GROUP BY "dept_emp"."emp_no"
