package mysqlview

import (
	"errors"
	"strings"
	"testing"
)

func TestTranslateDML(t *testing.T) {
	trig := Options{TargetSchema: "public", TriggerTable: "film"}
	bools := Options{TriggerTable: "orders", BoolColumns: map[string]bool{"t.flag": true, "orders.paid": true}}
	mapped := Options{Table: func(n string) string { return `"tgt"."` + strings.ToUpper(n) + `"` }}
	cases := []struct {
		name, in string
		opt      Options
		want     string
	}{
		{"insert values", "INSERT INTO film_text (film_id, title, description) VALUES (new.film_id, new.title, new.description)", trig,
			`INSERT INTO "public"."film_text" ("film_id", "title", "description") VALUES (NEW."film_id", NEW."title", NEW."description")`},
		{"insert several rows and default", "INSERT INTO `t` VALUES (1, DEFAULT), (2, NULL)", Options{},
			`INSERT INTO "t" VALUES (1, DEFAULT), (2, NULL)`},
		{"insert set form", "INSERT INTO t SET a = 1, b = CONCAT(OLD.x, 'y')", trig,
			`INSERT INTO "public"."t" ("a", "b") VALUES (1, OLD."x"::text || 'y')`},
		{"insert default values", "INSERT INTO t () VALUES ()", Options{}, `INSERT INTO "t" DEFAULT VALUES`},
		{"insert select", "INSERT INTO t (a) SELECT b FROM u WHERE c = NEW.c", trig,
			`INSERT INTO "public"."t" ("a") SELECT "b" FROM "public"."u" WHERE "c" = NEW."c"`},
		{"insert boolean column", "INSERT INTO t (flag, n) VALUES (1, NEW.paid)", bools,
			`INSERT INTO "t" ("flag", "n") VALUES (TRUE, NEW."paid"::int)`},
		{"update", "UPDATE film_text SET title=new.title, description=new.description, film_id=new.film_id WHERE film_id=old.film_id", trig,
			`UPDATE "public"."film_text" SET "title" = NEW."title", "description" = NEW."description", "film_id" = NEW."film_id" WHERE "film_id" = OLD."film_id"`},
		{"update with alias and boolean", "UPDATE t AS x SET x.flag = 0, n = n + 1 WHERE x.flag", bools,
			`UPDATE "t" AS "x" SET "flag" = FALSE, "n" = "n" + 1 WHERE "x"."flag"`},
		{"update reading another column", "UPDATE t SET a = b, b = c + 1", Options{}, `UPDATE "t" SET "a" = "b", "b" = "c" + 1`},
		{"delete", "DELETE FROM sakila.film_text WHERE film_id = old.film_id", Options{SourceSchema: "sakila", TargetSchema: "public", TriggerTable: "film"},
			`DELETE FROM "public"."film_text" WHERE "film_id" = OLD."film_id"`},
		{"delete with Table mapping", "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)", mapped,
			`DELETE FROM "tgt"."T" WHERE EXISTS (SELECT 1 FROM "tgt"."U" WHERE "u"."id" = "t"."id")`},
		{"delete all", "DELETE FROM t", Options{}, `DELETE FROM "t"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := TranslateDML(c.in, c.opt)
			if err != nil {
				t.Fatalf("TranslateDML(%s): %v", c.in, err)
			}
			if got != c.want {
				t.Errorf("TranslateDML(%s)\n got: %s\nwant: %s", c.in, got, c.want)
			}
		})
	}
}

func TestTranslateDMLUnsupported(t *testing.T) {
	cases := []struct{ in, want string }{
		{"REPLACE INTO t VALUES (1)", "unsupported REPLACE"},
		{"INSERT IGNORE INTO t VALUES (1)", "unsupported INSERT IGNORE"},
		{"INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2", "unsupported INSERT ... ON DUPLICATE KEY UPDATE"},
		{"UPDATE t, u SET t.a = u.a WHERE t.id = u.id", "unsupported multiple-table UPDATE"},
		{"UPDATE t SET a = 1 ORDER BY id LIMIT 1", "unsupported ORDER BY or LIMIT in UPDATE"},
		{"UPDATE t SET a = a + 1, b = a", "unsupported UPDATE that reads column a after setting it (MySQL uses the new value)"},
		{"UPDATE IGNORE t SET a = 1", "unsupported UPDATE IGNORE"},
		{"DELETE t FROM t JOIN u ON t.id = u.id", "unsupported multiple-table DELETE"},
		{"DELETE FROM t WHERE a = @x", "unsupported user variable @x"},
	}
	for _, c := range cases {
		_, err := TranslateDML(c.in, Options{})
		if err == nil || err.Error() != c.want || !errors.Is(err, ErrUnsupported) {
			t.Errorf("TranslateDML(%s): error %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := TranslateDML("SELECT 1", Options{}); err == nil || !strings.Contains(err.Error(), "not an INSERT, UPDATE or DELETE") {
		t.Errorf("SELECT: error %v", err)
	}
}

func TestTranslateExpr(t *testing.T) {
	trig := Options{TriggerTable: "orders", BoolColumns: map[string]bool{"orders.paid": true}}
	cases := []struct {
		fn   func(string, Options) (string, error)
		in   string
		want string
	}{
		{TranslateExpr, "NOW()", "LOCALTIMESTAMP(0)"},
		{TranslateExpr, "new.a + OLD.`B`", `NEW."a" + OLD."B"`},
		{TranslateExpr, "NEW.paid", `NEW."paid"`},
		{TranslateExpr, "NEW.qty", `NEW."qty"`},
		{TranslateCond, "NEW.qty", `NEW."qty" <> 0`},
		{TranslateCond, "NEW.paid = 1", `NEW."paid"`},
		{TranslateCond, "(old.title != new.title) or (old.description != new.description)", `OLD."title" <> NEW."title" OR OLD."description" <> NEW."description"`},
		{func(e string, o Options) (string, error) { return TranslateAssigned(e, "orders", "paid", o) }, "1", "TRUE"},
		{func(e string, o Options) (string, error) { return TranslateAssigned(e, "orders", "paid", o) }, "NEW.qty", `NEW."qty" <> 0`},
		{func(e string, o Options) (string, error) { return TranslateAssigned(e, "orders", "qty", o) }, "NEW.a > 1", `(NEW."a" > 1)::int`},
	}
	for _, c := range cases {
		got, err := c.fn(c.in, trig)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.in, got, c.want)
		}
	}
	// Without TriggerTable, new.a is an ordinary qualified column.
	if got, err := TranslateExpr("new.a", Options{}); err != nil || got != `"new"."a"` {
		t.Errorf("new.a outside a trigger: %q, %v", got, err)
	}
	for _, bad := range []string{"1 FROM t", "a AS b", "a, b", "*", "1; DROP TABLE t"} {
		if got, err := TranslateExpr(bad, Options{}); err == nil {
			t.Errorf("TranslateExpr(%q) = %q, want an error", bad, got)
		}
	}
}
