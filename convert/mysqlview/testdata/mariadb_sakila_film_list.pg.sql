SELECT
  "film"."film_id" AS "FID",
  "film"."title" AS "title",
  "film"."description" AS "description",
  "category"."name" AS "category",
  "film"."rental_rate" AS "price",
  "film"."length" AS "length",
  "film"."rating" AS "rating",
  string_agg("actor"."first_name"::text || ' ' || "actor"."last_name"::text, ', ') AS "actors"
FROM "public"."category"
  LEFT JOIN "public"."film_category" ON "category"."category_id" = "film_category"."category_id"
  LEFT JOIN "public"."film" ON "film_category"."film_id" = "film"."film_id"
  JOIN "public"."film_actor" ON "film"."film_id" = "film_actor"."film_id"
  JOIN "public"."actor" ON "film_actor"."actor_id" = "actor"."actor_id"
GROUP BY "film"."film_id", "category"."name"
