CREATE OR REPLACE FUNCTION "public"."rental_rental_date_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$
#variable_conflict use_column
BEGIN
  NEW."rental_date" := LOCALTIMESTAMP(0);
  RETURN NEW;
END
$ferry$;

CREATE OR REPLACE TRIGGER "rental_date" BEFORE INSERT ON "public"."rental" FOR EACH ROW EXECUTE FUNCTION "public"."rental_rental_date_fn"();
