CREATE OR REPLACE FUNCTION "public"."customer_customer_create_date_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$
#variable_conflict use_column
BEGIN
  NEW."create_date" := LOCALTIMESTAMP(0);
  RETURN NEW;
END
$ferry$;

CREATE OR REPLACE TRIGGER "customer_create_date" BEFORE INSERT ON "public"."customer" FOR EACH ROW EXECUTE FUNCTION "public"."customer_customer_create_date_fn"();
