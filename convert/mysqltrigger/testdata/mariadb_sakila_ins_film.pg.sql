CREATE OR REPLACE FUNCTION "public"."film_ins_film_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$
#variable_conflict use_column
BEGIN
  INSERT INTO "public"."film_text" ("film_id", "title", "description") VALUES (NEW."film_id", NEW."title", NEW."description");
  RETURN NULL;
END
$ferry$;

CREATE OR REPLACE TRIGGER "ins_film" AFTER INSERT ON "public"."film" FOR EACH ROW EXECUTE FUNCTION "public"."film_ins_film_fn"();
