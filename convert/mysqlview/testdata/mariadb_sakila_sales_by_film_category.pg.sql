SELECT
  "c"."name" AS "category",
  sum("p"."amount") AS "total_sales"
FROM "public"."payment" AS "p"
  JOIN "public"."rental" AS "r" ON "p"."rental_id" = "r"."rental_id"
  JOIN "public"."inventory" AS "i" ON "r"."inventory_id" = "i"."inventory_id"
  JOIN "public"."film" AS "f" ON "i"."film_id" = "f"."film_id"
  JOIN "public"."film_category" AS "fc" ON "f"."film_id" = "fc"."film_id"
  JOIN "public"."category" AS "c" ON "fc"."category_id" = "c"."category_id"
GROUP BY "c"."name"
ORDER BY sum("p"."amount") DESC NULLS LAST
