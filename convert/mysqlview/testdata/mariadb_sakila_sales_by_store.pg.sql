SELECT
  "c"."city"::text || ',' || "cy"."country"::text AS "store",
  "m"."first_name"::text || ' ' || "m"."last_name"::text AS "manager",
  sum("p"."amount") AS "total_sales"
FROM "public"."payment" AS "p"
  JOIN "public"."rental" AS "r" ON "p"."rental_id" = "r"."rental_id"
  JOIN "public"."inventory" AS "i" ON "r"."inventory_id" = "i"."inventory_id"
  JOIN "public"."store" AS "s" ON "i"."store_id" = "s"."store_id"
  JOIN "public"."address" AS "a" ON "s"."address_id" = "a"."address_id"
  JOIN "public"."city" AS "c" ON "a"."city_id" = "c"."city_id"
  JOIN "public"."country" AS "cy" ON "c"."country_id" = "cy"."country_id"
  JOIN "public"."staff" AS "m" ON "s"."manager_staff_id" = "m"."staff_id"
GROUP BY "s"."store_id"
ORDER BY "cy"."country" NULLS FIRST, "c"."city" NULLS FIRST
