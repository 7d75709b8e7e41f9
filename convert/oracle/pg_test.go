package oracle

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/sqlplus"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	_, dsn, _ := env.FreshDBs(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

type connExec struct{ c *pgx.Conn }

func (e connExec) Exec(ctx context.Context, sql string) error {
	_, err := e.c.Exec(ctx, sql)
	return err
}

// readScript reads a script's statements with the SQL*Plus reader.
func readScript(t *testing.T, path string) []Statement {
	t.Helper()
	sts, err := sqlplus.ReadAll([]string{path}, sqlplus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []Statement
	for _, s := range sts {
		if s.Kind != sqlplus.Command {
			out = append(out, FromSQLPlus(s))
		}
	}
	return out
}

// apply converts and applies statements in one transaction, failing the
// test on any failure.
func apply(t *testing.T, conn *pgx.Conn, sts []Statement, schema string) *Result {
	t.Helper()
	ctx := context.Background()
	res := Convert(sts, Options{Schema: schema})
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	failures, err := Apply(ctx, connExec{tx.Conn()}, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Errorf("%v\n%s", f, f.SQL)
	}
	if len(failures) > 0 {
		t.FailNow()
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return res
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// scriptCounts counts what a script declares, with plain regular
// expressions over the statement texts (independently of the converter).
type scriptCounts struct {
	tables, views, sequences, identities, comments, indexes int
	pk, uk, fk, check                                       int
	keyIndexes                                              int // CREATE UNIQUE INDEX x + a key constraint named x
}

var (
	reCreateTable = regexp.MustCompile(`(?is)^\s*CREATE\s+TABLE\b`)
	reAlterTable  = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\b`)
	reView        = regexp.MustCompile(`(?is)^\s*CREATE\s+(OR\s+REPLACE\s+)?(FORCE\s+)?VIEW\b`)
	reSequence    = regexp.MustCompile(`(?is)^\s*CREATE\s+SEQUENCE\b`)
	reComment     = regexp.MustCompile(`(?is)^\s*COMMENT\s+ON\b`)
	reIndex       = regexp.MustCompile(`(?is)^\s*CREATE\s+(UNIQUE\s+|BITMAP\s+)?INDEX\s+(\w+)`)
	reIdentity    = regexp.MustCompile(`(?i)\bAS\s+IDENTITY\b`)
	rePK          = regexp.MustCompile(`(?i)\bPRIMARY\s+KEY\b`)
	reUK          = regexp.MustCompile(`(?i)\bUNIQUE\b`)
	reFK          = regexp.MustCompile(`(?i)\bREFERENCES\b`)
	reCheck       = regexp.MustCompile(`(?i)\bCHECK\s*\(`)
	reKeyName     = regexp.MustCompile(`(?i)\bCONSTRAINT\s+(\w+)\s+(PRIMARY\s+KEY|UNIQUE)\b`)
)

func countScript(sts []Statement) scriptCounts {
	var c scriptCounts
	keyNames := map[string]bool{}
	var uniqueIdx []string
	for _, s := range sts {
		txt := s.Text
		switch {
		case reCreateTable.MatchString(txt), reAlterTable.MatchString(txt):
			if reCreateTable.MatchString(txt) {
				c.tables++
			}
			c.identities += len(reIdentity.FindAllString(txt, -1))
			c.pk += len(rePK.FindAllString(txt, -1))
			c.uk += len(reUK.FindAllString(txt, -1))
			c.fk += len(reFK.FindAllString(txt, -1))
			c.check += len(reCheck.FindAllString(txt, -1))
			for _, m := range reKeyName.FindAllStringSubmatch(txt, -1) {
				keyNames[strings.ToLower(m[1])] = true
			}
		case reView.MatchString(txt):
			c.views++
		case reSequence.MatchString(txt):
			c.sequences++
		case reComment.MatchString(txt):
			c.comments++
		case reIndex.MatchString(txt):
			c.indexes++
			m := reIndex.FindStringSubmatch(txt)
			if strings.TrimSpace(strings.ToUpper(m[1])) == "UNIQUE" {
				uniqueIdx = append(uniqueIdx, strings.ToLower(m[2]))
			}
		}
	}
	for _, n := range uniqueIdx {
		if keyNames[n] {
			c.keyIndexes++
		}
	}
	return c
}

// TestHRAndCOSchemasCreate converts HR's and CO's create scripts, applies
// them, and checks that PostgreSQL's catalog holds as many tables,
// constraints, indexes, sequences, views and comments as the scripts
// declare.
func TestHRAndCOSchemasCreate(t *testing.T) {
	ds := sandbox.SharedDir(t)
	for _, tc := range []struct{ schema, file string }{
		{"hr", "oracle/human_resources/hr_create.sql"},
		{"co", "oracle/customer_orders/co_create.sql"},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			conn := connect(t)
			sts := readScript(t, filepath.Join(ds, tc.file))
			want := countScript(sts)
			res := apply(t, conn, sts, tc.schema)
			for _, it := range res.Items {
				if len(it.Object.Items) > 0 {
					t.Errorf("%s %s needs manual work: %+v", it.Object.Kind, it.Object.Name, it.Object.Items)
				}
			}
			rel := func(kind string) int {
				return count(t, conn, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = $2`, tc.schema, kind)
			}
			con := func(kind string) int {
				return count(t, conn, `SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 AND c.contype = $2`, tc.schema, kind)
			}
			checks := []struct {
				what      string
				got, want int
			}{
				{"tables", rel("r"), want.tables},
				{"views", rel("v"), want.views},
				{"sequences (incl. identities)", rel("S"), want.sequences + want.identities},
				{"primary keys", con("p"), want.pk},
				{"unique constraints", con("u"), want.uk},
				{"foreign keys", con("f"), want.fk},
				{"check constraints", con("c"), want.check},
				// Key constraints build their own index; an Oracle unique
				// index of the same name is that index.
				{"indexes", rel("i"), want.indexes + want.pk + want.uk - want.keyIndexes},
				{"comments", count(t, conn, `SELECT count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND d.classoid = 'pg_class'::regclass`, tc.schema), want.comments},
			}
			for _, c := range checks {
				t.Logf("%s: %d", c.what, c.got)
				if c.got != c.want {
					t.Errorf("%s: %d in pg_catalog, %d in the script", c.what, c.got, c.want)
				}
				if c.want == 0 && c.what != "check constraints" && c.what != "unique constraints" {
					t.Errorf("%s: the script declares none; the count is not testing anything", c.what)
				}
			}
		})
	}
}

// rows returns each row of a query as its columns' text joined by "|"
// (NULL as "").
func rows(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rs, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				parts[i] = v.(string)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func execAll(t *testing.T, conn *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, s := range sqls {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func sameRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\n want:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestViewsReturnRows loads a few hand-made rows into the converted HR and
// CO schemas and checks what their views return (expectations worked out
// by hand from Oracle's semantics).
func TestViewsReturnRows(t *testing.T) {
	ds := sandbox.SharedDir(t)
	conn := connect(t)
	apply(t, conn, readScript(t, filepath.Join(ds, "oracle/human_resources/hr_create.sql")), "hr")
	apply(t, conn, readScript(t, filepath.Join(ds, "oracle/customer_orders/co_create.sql")), "co")
	execAll(t, conn,
		`INSERT INTO hr.regions VALUES (1, 'Europe'), (2, 'Americas')`,
		`INSERT INTO hr.countries VALUES ('UK', 'United Kingdom', 1), ('US', 'United States of America', 2)`,
		`INSERT INTO hr.locations VALUES (1000, '8204 Arthur St', NULL, 'London', NULL, 'UK'), (1400, '2014 Jabberwocky Rd', '26192', 'Southlake', 'Texas', 'US')`,
		`INSERT INTO hr.jobs VALUES ('AD_PRES', 'President', 20080, 40000), ('IT_PROG', 'Programmer', 4000, 10000)`,
		`INSERT INTO hr.departments VALUES (10, 'Administration', NULL, 1400), (60, 'IT', NULL, 1400), (40, 'Human Resources', NULL, 1000)`,
		`INSERT INTO hr.employees VALUES
			(100, 'Steven', 'King', 'SKING', '515.123.4567', '2013-06-17', 'AD_PRES', 24000, NULL, NULL, 10),
			(103, 'Alexander', 'Hunold', 'AHUNOLD', '590.423.4567', '2016-01-03', 'IT_PROG', 9000, NULL, 100, 60),
			(104, 'Bruce', 'Ernst', 'BERNST', '590.423.4568', '2017-05-21', 'IT_PROG', 6000, 0.15, 103, 60),
			(178, 'Kimberely', 'Grant', 'KGRANT', '011.44.1644.429263', '2017-05-24', 'IT_PROG', 7000, 0.15, 100, NULL)`,
	)
	// Kimberely Grant has no department: the view's inner joins drop her.
	sameRows(t, "hr.emp_details_view", rows(t, conn, `SELECT employee_id::text, department_name, job_title, city, country_name, region_name, salary::text, commission_pct::text FROM hr.emp_details_view ORDER BY employee_id`), []string{
		"100|Administration|President|Southlake|United States of America|Americas|24000.00|",
		"103|IT|Programmer|Southlake|United States of America|Americas|9000.00|",
		"104|IT|Programmer|Southlake|United States of America|Americas|6000.00|0.15",
	})

	execAll(t, conn,
		`INSERT INTO co.customers VALUES (1, 'ann@example.com', 'Ann'), (2, 'bob@example.com', 'Bob')`,
		`INSERT INTO co.stores (store_id, store_name, web_address, physical_address) VALUES (1, 'Online', 'https://shop.example.com', NULL), (2, 'Town', NULL, '1 High St')`,
		`INSERT INTO co.products (product_id, product_name, unit_price, product_details) VALUES
			(1, 'Pen', 1.50, '{"colour": "blue", "reviews": [{"rating": 8, "review": "good"}, {"rating": 6, "review": "ok"}]}'),
			(2, 'Ink', 3.00, '{"reviews": []}'),
			(3, 'Pad', 2.00, NULL)`,
		`INSERT INTO co.orders VALUES (1, '2024-01-02 10:00:00', 1, 'COMPLETE', 1), (2, '2024-01-03 11:00:00', 2, 'OPEN', 2)`,
		`INSERT INTO co.order_items VALUES (1, 1, 1, 1.50, 2, NULL), (1, 2, 2, 3.00, 1, NULL), (2, 1, 1, 1.50, 4, NULL)`,
	)
	sameRows(t, "co.customer_order_products", rows(t, conn, `SELECT order_id::text, full_name, order_total::text, items FROM co.customer_order_products ORDER BY order_id`), []string{
		"1|Ann|6.00|Pen, Ink",
		"2|Bob|6.00|Pen",
	})
	sameRows(t, "co.product_orders", rows(t, conn, `SELECT product_name, order_status, total_sales::text, order_count::text FROM co.product_orders ORDER BY 1, 2`), []string{
		"Ink|COMPLETE|3.00|1",
		"Pen|COMPLETE|3.00|1",
		"Pen|OPEN|6.00|1",
	})
	// JSON_TABLE: one row per review; a product whose reviews array is
	// empty gives one row of NULLs (NESTED PATH is an outer join); a NULL
	// document gives none.
	sameRows(t, "co.product_reviews", rows(t, conn, `SELECT product_name, rating::text, avg_rating::text, review FROM co.product_reviews ORDER BY 1, 2`), []string{
		"Ink|||",
		"Pen|6|7.00|ok",
		"Pen|8|7.00|good",
	})
	sameRows(t, "co.store_orders", rows(t, conn, `SELECT total, store_name, address, order_status, order_count::text, total_sales::text FROM co.store_orders ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 4 NULLS FIRST`), []string{
		"|Online|https://shop.example.com|COMPLETE|1|6.00",
		"|Town|1 High St|OPEN|1|6.00",
		"GRAND TOTAL||||2|12.00",
		"STATUS TOTAL|||COMPLETE|1|6.00",
		"STATUS TOTAL|||OPEN|1|6.00",
		"STORE TOTAL|Online|https://shop.example.com||1|6.00",
		"STORE TOTAL|Town|1 High St||1|6.00",
	})
}
