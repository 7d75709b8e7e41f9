CREATE OR REPLACE FUNCTION "public"."payment_payment_date_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$
#variable_conflict use_column
BEGIN
  NEW."payment_date" := LOCALTIMESTAMP(0);
  RETURN NEW;
END
$ferry$;

CREATE OR REPLACE TRIGGER "payment_date" BEFORE INSERT ON "public"."payment" FOR EACH ROW EXECUTE FUNCTION "public"."payment_payment_date_fn"();
