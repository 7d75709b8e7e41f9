CREATE OR REPLACE FUNCTION "public"."film_upd_film_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$
#variable_conflict use_column
BEGIN
  IF OLD."title" <> NEW."title" OR OLD."description" <> NEW."description" OR OLD."film_id" <> NEW."film_id" THEN
    UPDATE "public"."film_text" SET "title" = NEW."title", "description" = NEW."description", "film_id" = NEW."film_id" WHERE "film_id" = OLD."film_id";
  END IF;
  RETURN NULL;
END
$ferry$;

CREATE OR REPLACE TRIGGER "upd_film" AFTER UPDATE ON "public"."film" FOR EACH ROW EXECUTE FUNCTION "public"."film_upd_film_fn"();
