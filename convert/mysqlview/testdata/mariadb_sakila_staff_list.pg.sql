SELECT
  "s"."staff_id" AS "ID",
  "s"."first_name"::text || ' ' || "s"."last_name"::text AS "name",
  "a"."address" AS "address",
  "a"."postal_code" AS "zip code",
  "a"."phone" AS "phone",
  "city"."city" AS "city",
  "country"."country" AS "country",
  "s"."store_id" AS "SID"
FROM "public"."staff" AS "s"
  JOIN "public"."address" AS "a" ON "s"."address_id" = "a"."address_id"
  JOIN "public"."city" ON "a"."city_id" = "city"."city_id"
  JOIN "public"."country" ON "city"."country_id" = "country"."country_id"
