SELECT
  "a"."actor_id" AS "actor_id",
  "a"."first_name" AS "first_name",
  "a"."last_name" AS "last_name",
  string_agg(DISTINCT "c"."name"::text || ': ' || (SELECT string_agg("f"."title"::text, ', ' ORDER BY "f"."title" NULLS FIRST) FROM "public"."film" AS "f" JOIN "public"."film_category" AS "fc" ON "f"."film_id" = "fc"."film_id" JOIN "public"."film_actor" AS "fa" ON "f"."film_id" = "fa"."film_id" WHERE "fc"."category_id" = "c"."category_id" AND "fa"."actor_id" = "a"."actor_id")::text, '; ' ORDER BY "c"."name"::text || ': ' || (SELECT string_agg("f"."title"::text, ', ' ORDER BY "f"."title" NULLS FIRST) FROM "public"."film" AS "f" JOIN "public"."film_category" AS "fc" ON "f"."film_id" = "fc"."film_id" JOIN "public"."film_actor" AS "fa" ON "f"."film_id" = "fa"."film_id" WHERE "fc"."category_id" = "c"."category_id" AND "fa"."actor_id" = "a"."actor_id")::text) AS "film_info"
FROM "public"."actor" AS "a"
  LEFT JOIN "public"."film_actor" AS "fa" ON "a"."actor_id" = "fa"."actor_id"
  LEFT JOIN "public"."film_category" AS "fc" ON "fa"."film_id" = "fc"."film_id"
  LEFT JOIN "public"."category" AS "c" ON "fc"."category_id" = "c"."category_id"
GROUP BY "a"."actor_id", "a"."first_name", "a"."last_name"
