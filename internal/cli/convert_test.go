package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/internal/sandbox"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

func pgCount(t *testing.T, dsn, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestConvertHRToTarget runs `ferry convert` on HR's create and code
// scripts against a PostgreSQL database and checks what it created and
// the files it wrote.
func TestConvertHRToTarget(t *testing.T) {
	ds := sandbox.SharedDir(t)
	_, dsn, _ := env.FreshDBs(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Main([]string{"convert", "--from", "oracle", "--to", "postgres",
		filepath.Join(ds, "oracle/human_resources/hr_create.sql"), filepath.Join(ds, "oracle/human_resources/hr_code.sql"),
		"--schema", "hr", "--target", dsn, "--out", out}, nil, &stdout, &stderr)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "applied ") {
		t.Errorf("no apply summary in:\n%s", stdout.String())
	}
	for what, c := range map[string]struct {
		sql  string
		want int
	}{
		"tables":     {`SELECT count(*) FROM pg_tables WHERE schemaname = 'hr'`, 7},
		"views":      {`SELECT count(*) FROM pg_views WHERE schemaname = 'hr'`, 1},
		"procedures": {`SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'hr' AND p.prokind = 'p'`, 2},
		"triggers":   {`SELECT count(*) FROM pg_trigger WHERE tgrelid = 'hr.employees'::regclass AND NOT tgisinternal`, 2},
	} {
		if got := pgCount(t, dsn, c.sql); got != c.want {
			t.Errorf("%s: %d, want %d", what, got, c.want)
		}
	}
	for _, f := range []string{"00-schema.sql", "01-sequences.sql", "02-tables.sql", "03-constraints.sql", "04-indexes.sql", "05-views.sql", "06-code.sql", "07-comments.sql", "action-items.md", "action-items.json", "objects.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

// TestConvertReportsFailures applies a script with an object PostgreSQL
// rejects: the exit code is non-zero, the failure names the object, its
// file:line and PostgreSQL's error, and nothing is committed.
func TestConvertReportsFailures(t *testing.T) {
	_, dsn, _ := env.FreshDBs(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "bad.sql")
	if err := os.WriteFile(script, []byte(`CREATE TABLE t_ok (id NUMBER(9) PRIMARY KEY);

CREATE VIEW v_bad AS SELECT nope FROM t_ok;

CREATE TABLE t_later (id NUMBER(9));
CREATE INDEX t_missing_ix ON t_missing (id);
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"convert", "--from", "oracle", script, "--target", dsn}, nil, &stdout, &stderr)
	if code == ExitOK {
		t.Fatalf("exit 0 although objects failed:\n%s", stdout.String())
	}
	for _, want := range []string{"FAILED view v_bad (" + script + ":3)", `column "nope" does not exist`, "FAILED index t_missing_ix (" + script + ":6)", "nothing was committed"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if n := pgCount(t, dsn, `SELECT count(*) FROM pg_tables WHERE tablename IN ('t_ok', 't_later')`); n != 0 {
		t.Errorf("%d tables committed after a failure", n)
	}
	// --keep-going commits what applied, and still fails.
	stdout.Reset()
	code = Main([]string{"convert", "--from", "oracle", script, "--target", dsn, "--keep-going"}, nil, &stdout, &stderr)
	if code == ExitOK {
		t.Fatalf("--keep-going: exit 0 although objects failed")
	}
	if n := pgCount(t, dsn, `SELECT count(*) FROM pg_tables WHERE tablename IN ('t_ok', 't_later')`); n != 2 {
		t.Errorf("--keep-going: %d tables committed, want 2\n%s", n, stdout.String())
	}
}

// TestConvertIncludedFileOnce converts a directory where inc.sql sorts
// before main.sql, which includes it (@@inc.sql): its table is converted
// once, so applying it succeeds.
func TestConvertIncludedFileOnce(t *testing.T) {
	_, dsn, _ := env.FreshDBs(t)
	dir := t.TempDir()
	for name, text := range map[string]string{
		"inc.sql":  "CREATE TABLE t_inc (id NUMBER(9) PRIMARY KEY);\n",
		"main.sql": "@@inc.sql\nCREATE VIEW v_inc AS SELECT id FROM t_inc;\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"convert", "--from", "oracle", dir, "--target", dsn}, nil, &stdout, &stderr)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if n := pgCount(t, dsn, `SELECT count(*) FROM pg_class WHERE relname IN ('t_inc', 'v_inc')`); n != 2 {
		t.Errorf("%d relations, want 2\n%s", n, stdout.String())
	}
}

// TestConvertThenLoadSamples converts HR's and CO's create scripts into a
// database, loads their populate scripts with `ferry load --from
// oracle-script`, and checks the converted views against the same
// figures computed from the base tables.
func TestConvertThenLoadSamples(t *testing.T) {
	ds := sandbox.SharedDir(t)
	_, dsn, _ := env.FreshDBs(t)
	for _, s := range []struct{ schema, create, populate string }{
		{"hr", "oracle/human_resources/hr_create.sql", "oracle/human_resources/hr_populate.sql"},
		{"co", "oracle/customer_orders/co_create.sql", "oracle/customer_orders/co_populate.sql"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main([]string{"convert", "--from", "oracle", filepath.Join(ds, s.create), "--schema", s.schema, "--target", dsn}, nil, &stdout, &stderr); code != ExitOK {
			t.Fatalf("convert %s: exit %d\n%s\n%s", s.create, code, stdout.String(), stderr.String())
		}
		if code := Main([]string{"load", "--from", "oracle-script", filepath.Join(ds, s.populate), "--schema", s.schema, "--target", dsn}, nil, &stdout, &stderr); code != ExitOK {
			t.Fatalf("load %s: exit %d\n%s\n%s", s.populate, code, stdout.String(), stderr.String())
		}
	}
	checks := []struct {
		what       string
		view, base string
	}{
		{"HR employees with a department", `SELECT count(*) FROM hr.emp_details_view`,
			`SELECT count(*) FROM hr.employees WHERE department_id IS NOT NULL`},
		{"HR view salary sum", `SELECT sum(salary)::bigint FROM hr.emp_details_view WHERE region_name = 'Americas'`,
			`SELECT sum(e.salary)::bigint FROM hr.employees e JOIN hr.departments d USING (department_id) JOIN hr.locations l USING (location_id) JOIN hr.countries c USING (country_id) JOIN hr.regions r USING (region_id) WHERE r.region_name = 'Americas'`},
		{"CO orders with items", `SELECT count(*) FROM co.customer_order_products`,
			`SELECT count(DISTINCT order_id) FROM co.order_items`},
		{"CO order totals", `SELECT sum(order_total)::bigint FROM co.customer_order_products`,
			`SELECT sum(quantity * unit_price)::bigint FROM co.order_items`},
		{"CO items listed", `SELECT sum(array_length(string_to_array(items, ', '), 1)) FROM co.customer_order_products`,
			`SELECT count(*) FROM co.order_items`},
		{"CO grand total", `SELECT total_sales::bigint FROM co.store_orders WHERE total = 'GRAND TOTAL'`,
			`SELECT sum(quantity * unit_price)::bigint FROM co.order_items`},
		{"CO product/status pairs", `SELECT count(*) FROM co.product_orders`,
			`SELECT count(DISTINCT (p.product_name, o.order_status)) FROM co.orders o JOIN co.order_items i USING (order_id) JOIN co.products p USING (product_id)`},
		{"CO reviews", `SELECT count(rating) FROM co.product_reviews`,
			`SELECT count(*) FROM co.products p, jsonb_array_elements(p.product_details -> 'reviews') r`},
	}
	for _, c := range checks {
		got, want := pgCount(t, dsn, c.view), pgCount(t, dsn, c.base)
		t.Logf("%s: %d", c.what, got)
		if got != want || want == 0 {
			t.Errorf("%s: view gives %d, base tables %d", c.what, got, want)
		}
	}
}
