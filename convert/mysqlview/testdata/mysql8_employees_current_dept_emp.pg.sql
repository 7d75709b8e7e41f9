SELECT
  "l"."emp_no" AS "emp_no",
  "d"."dept_no" AS "dept_no",
  "l"."from_date" AS "from_date",
  "l"."to_date" AS "to_date"
FROM "public"."dept_emp" AS "d"
  JOIN "public"."dept_emp_latest_date" AS "l" ON "d"."emp_no" = "l"."emp_no" AND "d"."from_date" = "l"."from_date" AND "l"."to_date" = "d"."to_date"
