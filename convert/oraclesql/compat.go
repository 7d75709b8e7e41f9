package oraclesql

import "sort"

// CompatSchema is the schema holding the helper functions translated SQL
// calls where PostgreSQL's built-ins behave differently from Oracle's.
const CompatSchema = "ferry_ora"

// compatFuncs are the helper functions, by name. Each is IMMUTABLE (usable
// in indexes and generated columns) and NULL in → NULL out, like Oracle.
var compatFuncs = map[string][]string{
	"is_json": {`CREATE OR REPLACE FUNCTION ferry_ora.is_json(s text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  IF s IS NULL THEN RETURN NULL; END IF;
  PERFORM s::json;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $f$`},
	"substr": {`CREATE OR REPLACE FUNCTION ferry_ora.substr(s text, p numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE WHEN s IS NULL OR p IS NULL THEN NULL
  WHEN trunc(p) >= 0 THEN NULLIF(substr(s, greatest(trunc(p), 1)::int), '')
  WHEN -trunc(p) > length(s) THEN NULL
  ELSE NULLIF(substr(s, (length(s) + trunc(p) + 1)::int), '') END
$f$`, `CREATE OR REPLACE FUNCTION ferry_ora.substr(s text, p numeric, l numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE WHEN s IS NULL OR p IS NULL OR l IS NULL OR trunc(l) < 1 THEN NULL
  WHEN trunc(p) >= 0 THEN NULLIF(substr(s, greatest(trunc(p), 1)::int, trunc(l)::int), '')
  WHEN -trunc(p) > length(s) THEN NULL
  ELSE NULLIF(substr(s, (length(s) + trunc(p) + 1)::int, trunc(l)::int), '') END
$f$`},
	"instr": {`CREATE OR REPLACE FUNCTION ferry_ora.instr(s text, sub text, p numeric DEFAULT 1, occ numeric DEFAULT 1) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE
  n int := 0;
  i int;
  ls int;
  lsub int;
BEGIN
  IF s IS NULL OR sub IS NULL OR p IS NULL OR occ IS NULL THEN RETURN NULL; END IF;
  IF trunc(occ) < 1 THEN
    RAISE EXCEPTION 'INSTR occurrence % is out of range', occ USING ERRCODE = '22003';
  END IF;
  IF trunc(p) = 0 THEN RETURN 0; END IF;
  ls := length(s);
  lsub := length(sub);
  IF p > 0 THEN
    i := trunc(p);
    WHILE i <= ls - lsub + 1 LOOP
      IF substr(s, i, lsub) = sub THEN
        n := n + 1;
        IF n = trunc(occ) THEN RETURN i; END IF;
      END IF;
      i := i + 1;
    END LOOP;
  ELSE
    i := least(ls + trunc(p) + 1, ls - lsub + 1);
    WHILE i >= 1 LOOP
      IF substr(s, i, lsub) = sub THEN
        n := n + 1;
        IF n = trunc(occ) THEN RETURN i; END IF;
      END IF;
      i := i - 1;
    END LOOP;
  END IF;
  RETURN 0;
END $f$`},
	"add_months": {`CREATE OR REPLACE FUNCTION ferry_ora.add_months(d timestamp, n numeric) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE WHEN d IS NULL OR n IS NULL THEN NULL
  WHEN date_trunc('day', d) = date_trunc('month', d) + interval '1 month' - interval '1 day'
    THEN date_trunc('month', d + make_interval(months => trunc(n)::int)) + interval '1 month' - interval '1 day' + (d - date_trunc('day', d))
  ELSE d + make_interval(months => trunc(n)::int) END
$f$`},
	"months_between": {`CREATE OR REPLACE FUNCTION ferry_ora.months_between(d1 timestamp, d2 timestamp) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE WHEN d1 IS NULL OR d2 IS NULL THEN NULL
  WHEN extract(day FROM d1) = extract(day FROM d2)
    OR (date_trunc('day', d1) = date_trunc('month', d1) + interval '1 month' - interval '1 day'
        AND date_trunc('day', d2) = date_trunc('month', d2) + interval '1 month' - interval '1 day')
    THEN ((extract(year FROM d1) - extract(year FROM d2)) * 12 + extract(month FROM d1) - extract(month FROM d2))::numeric
  ELSE ((extract(year FROM d1) - extract(year FROM d2)) * 12 + extract(month FROM d1) - extract(month FROM d2))::numeric
    + ((extract(day FROM d1) - extract(day FROM d2))
       + (extract(epoch FROM d1::time) - extract(epoch FROM d2::time)) / 86400)::numeric / 31 END
$f$`},
	"last_day": {`CREATE OR REPLACE FUNCTION ferry_ora.last_day(d timestamp) RETURNS timestamp
LANGUAGE sql IMMUTABLE AS $f$
SELECT date_trunc('month', d) + interval '1 month' - interval '1 day' + (d - date_trunc('day', d))
$f$`},
}

// CompatSQL returns the statements creating the ferry_ora schema and the
// named helper functions (all of them when names is nil), to run before
// any translated SQL.
func CompatSQL(names []string) []string {
	if names == nil {
		for n := range compatFuncs {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := []string{"CREATE SCHEMA IF NOT EXISTS ferry_ora"}
	for _, n := range names {
		out = append(out, compatFuncs[n]...)
	}
	return out
}
