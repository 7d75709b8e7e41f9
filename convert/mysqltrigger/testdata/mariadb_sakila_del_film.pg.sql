CREATE OR REPLACE FUNCTION "public"."film_del_film_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$
#variable_conflict use_column
BEGIN
  DELETE FROM "public"."film_text" WHERE "film_id" = OLD."film_id";
  RETURN NULL;
END
$ferry$;

CREATE OR REPLACE TRIGGER "del_film" AFTER DELETE ON "public"."film" FOR EACH ROW EXECUTE FUNCTION "public"."film_del_film_fn"();
