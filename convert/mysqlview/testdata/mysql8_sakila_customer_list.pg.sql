SELECT
  "cu"."customer_id" AS "ID",
  "cu"."first_name"::text || ' ' || "cu"."last_name"::text AS "name",
  "a"."address" AS "address",
  "a"."postal_code" AS "zip code",
  "a"."phone" AS "phone",
  "city"."city" AS "city",
  "country"."country" AS "country",
  CASE WHEN "cu"."active" THEN 'active' ELSE '' END AS "notes",
  "cu"."store_id" AS "SID"
FROM "public"."customer" AS "cu"
  JOIN "public"."address" AS "a" ON "cu"."address_id" = "a"."address_id"
  JOIN "public"."city" ON "a"."city_id" = "city"."city_id"
  JOIN "public"."country" ON "city"."country_id" = "country"."country_id"
