package scriptload

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/oraclescript"
	"github.com/ferrydb/ferry/source/sqlplus"
	"github.com/ferrydb/ferry/target/postgres"
)

// pg is the package's PostgreSQL (only PostgreSQL: no MariaDB needed).
var pg *sandbox.Server

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	err := sandbox.EnsureInstalled(ctx)
	var dir string
	if err == nil {
		dir, err = os.MkdirTemp("", "ferry-scriptload-")
	}
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err == nil {
		pg, err = sandbox.StartPostgres(ctx, filepath.Join(dir, "pg"))
	}
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = pg.Stop()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var dbSeq struct {
	sync.Mutex
	n int
}

// freshDB creates an empty database, runs ddl files in it and returns a
// pool on it.
func freshDB(t *testing.T, ddl ...string) (*pgxpool.Pool, string) {
	t.Helper()
	ctx := context.Background()
	dbSeq.Lock()
	dbSeq.n++
	name := fmt.Sprintf("t%d_%s", dbSeq.n, strings.ToLower(regexp.MustCompile(`\W+`).ReplaceAllString(t.Name(), "_")))
	dbSeq.Unlock()
	if len(name) > 50 {
		name = name[:50]
	}
	if err := pg.CreateDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
	for _, f := range ddl {
		if err := pg.ExecFile(ctx, name, f); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := postgres.ParseURL(pg.DSN(name)) // ferry's settings: UTC sessions
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, pg.DSN(name)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func loadScripts(t *testing.T, pool *pgxpool.Pool, opt Options, paths ...string) ([]TableCount, ScriptStats, error) {
	t.Helper()
	ctx := context.Background()
	if opt.Logger == nil {
		opt.Logger = quiet
	}
	s := oraclescript.NewSession(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	l, err := Begin(ctx, pool, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	st, err := OracleScripts(ctx, l, paths, sqlplus.Options{}, s)
	if err != nil {
		l.Rollback()
		return nil, st, err
	}
	counts, err := l.Commit(ctx)
	return counts, st, err
}

func query(t *testing.T, pool *pgxpool.Pool, sql string) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(context.Background(), "SELECT ("+sql+")::text").Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// insertCounts counts INSERT INTO <table> per table in a script, with a
// regular expression (independently of the parser).
func insertCounts(t *testing.T, path string) map[string]int64 {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, m := range regexp.MustCompile(`(?im)^\s*INSERT\s+INTO\s+(\w+)`).FindAllStringSubmatch(string(raw), -1) {
		out[strings.ToLower(m[1])]++
	}
	return out
}

func TestOracleSampleScripts(t *testing.T) {
	root := filepath.Join(sandbox.SharedDir(t), "oracle")
	for _, c := range []struct {
		name, ddl, script string
		spots             map[string]string
	}{
		{"hr", "hr.pg.sql", "human_resources/hr_populate.sql", map[string]string{
			"SELECT hire_date FROM employees WHERE employee_id = 100":             "2013-06-17 00:00:00",
			"SELECT commission_pct FROM employees WHERE employee_id = 145":        "0.40",
			"SELECT salary FROM employees WHERE employee_id = 100":                "24000.00",
			"SELECT manager_id IS NULL FROM employees WHERE employee_id = 100":    "true",
			"SELECT country_name FROM countries WHERE country_id = 'US'":          "United States of America",
			"SELECT state_province IS NULL FROM locations WHERE location_id=1000": "true",
			"SELECT end_date FROM job_history WHERE employee_id = 102":            "2016-07-24 00:00:00",
		}},
		{"co", "co.pg.sql", "customer_orders/co_populate.sql", map[string]string{
			"SELECT order_tms FROM orders WHERE order_id = 1":                                 "2021-02-04 13:20:22.245677",
			"SELECT unit_price FROM order_items WHERE order_id=1 AND line_item_id=2":          "30.69",
			"SELECT shipment_id IS NULL FROM order_items WHERE order_id=1 AND line_item_id=1": "true",
			"SELECT product_name FROM products WHERE product_id = 1":                          "Boy's Shirt (White)",
			"SELECT product_details->>'gender' FROM products WHERE product_id = 4":            "Boy's",
			"SELECT product_details->>'brand' FROM products WHERE product_id = 4":             "INTERLOO",
			"SELECT physical_address FROM stores WHERE store_id = 2":                          "Redwood Shores\n    500 Oracle Parkway\n    Redwood Shores, CA 94065",
			"SELECT longitude FROM stores WHERE store_id = 2":                                 "-122.267237",
			"SELECT web_address IS NULL FROM stores WHERE store_id = 2":                       "true",
			// identity restarted past the loaded keys
			"SELECT nextval(pg_get_serial_sequence('orders', 'order_id')) > (SELECT max(order_id) FROM orders)": "true",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			script := filepath.Join(root, c.script)
			if _, err := os.Stat(script); err != nil {
				t.Skipf("sample script missing: %v", err)
			}
			pool, _ := freshDB(t, filepath.Join("testdata", c.ddl))
			start := time.Now()
			counts, st, err := loadScripts(t, pool, Options{}, script)
			if err != nil {
				t.Fatal(err)
			}
			want := insertCounts(t, script)
			if len(counts) != len(want) {
				t.Errorf("loaded %v, want tables %v", counts, want)
			}
			var total int64
			for _, tc := range counts {
				name := strings.TrimPrefix(tc.Table, "public.")
				n := query(t, pool, "SELECT count(*) FROM "+name)
				if tc.Rows != want[name] || n != fmt.Sprint(want[name]) {
					t.Errorf("%s: reported %d, table has %s, script has %d INSERTs", name, tc.Rows, n, want[name])
				}
				total += tc.Rows
			}
			for q, w := range c.spots {
				if got := query(t, pool, q); got != w {
					t.Errorf("%s: got %q want %q", q, got, w)
				}
			}
			t.Logf("%s: %d rows into %d tables in %v (%d statements, %d ignored, %d DDL skipped)", c.script, total, len(counts), time.Since(start).Round(time.Millisecond), st.Statements, st.Ignored, st.DDL)
		})
	}
}

func TestTypesAndErrors(t *testing.T) {
	dir := t.TempDir()
	ddl := filepath.Join(dir, "ddl.sql")
	if err := os.WriteFile(ddl, []byte(`CREATE SCHEMA app;
CREATE TABLE app.t (id bigint GENERATED ALWAYS AS IDENTITY, i integer, n numeric(10,3), f double precision, b boolean,
  r bytea, j jsonb, d date, ts timestamp, tz timestamptz, s text, c char(3), g integer GENERATED ALWAYS AS (i * 2) STORED);`), 0o644); err != nil {
		t.Fatal(err)
	}
	pool, _ := freshDB(t, ddl)
	script := filepath.Join(dir, "data.sql")
	write := func(s string) {
		if err := os.WriteFile(script, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`SET DEFINE OFF
INSERT INTO t VALUES (1, 2.5, 1e2, 1.5D, 1, HEXTORAW('00ff'), '{"a": "b''c"}', DATE '2020-02-29', TO_TIMESTAMP('2020-01-02 03:04:05.123456789', 'YYYY-MM-DD HH24:MI:SS.FF'),
  TO_TIMESTAMP_TZ('2020-01-02 03:04:05 +02:00', 'YYYY-MM-DD HH24:MI:SS TZH:TZM'), 'tab	and \ back & amp', 'ab');
INSERT INTO t (id, i, n, b, r, s) VALUES (2, -2.5, '3.25', 0, '0A0B', '');
INSERT INTO t (i, ts, d, id) VALUES (3, '01-FEB-21', '2021-03-04', 30);
COMMIT;
`)
	counts, _, err := loadScripts(t, pool, Options{Schema: "app"}, script)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].Rows != 3 || counts[0].Table != "app.t" {
		t.Fatalf("counts %v", counts)
	}
	got := query(t, pool, `SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', id, i, n, f, b, encode(r, 'hex'), j->>'a', d, ts, tz, s, c, g), E'\n' ORDER BY id) FROM app.t`)
	want := strings.Join([]string{
		"1|3|100.000|1.5|t|00ff|b'c|2020-02-29|2020-01-02 03:04:05.123457|2020-01-02 01:04:05+00|tab\tand \\ back & amp|ab |6",
		"2|-3|3.250||f|0a0b|||||||-6",
		"30|3||||||2021-03-04|2021-02-01 00:00:00||||6",
	}, "\n")
	// the integer 2.5 rounds half away from zero like Oracle's NUMBER(p,0)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if q := query(t, pool, "SELECT s IS NULL FROM app.t WHERE id = 2"); q != "true" {
		t.Errorf("'' should load as NULL")
	}
	if q := query(t, pool, "SELECT nextval(pg_get_serial_sequence('app.t', 'id'))"); q != "31" {
		t.Errorf("identity not restarted past the loaded keys: nextval %s, want 31", q)
	}

	for _, c := range []struct{ script, msg string }{
		{"INSERT INTO t (i) VALUES (1);\nINSERT INTO t (i)\n VALUES ('x');\n", "data.sql:2: \"app\".\"t\" column i: 'x' is not a number"},
		{"INSERT INTO t (d) VALUES (TO_DATE('2020-01-01 10:00', 'YYYY-MM-DD HH24:MI'));\n", "time of day"},
		{"INSERT INTO t (nope) VALUES (1);\n", "has no column \"nope\""},
		{"INSERT INTO nothere VALUES (1);\n", "data.sql:1: table \"app\".\"nothere\" does not exist"},
		{"INSERT INTO t (c) VALUES ('ok');\nINSERT INTO t (c) VALUES ('toolong');\nINSERT INTO t (c) VALUES ('ok');\n", "data.sql:2: loading into \"app\".\"t\""},
		{"INSERT INTO t (i) VALUES (1);\nUPDATE t SET i = 2;\n", "data.sql:2: UPDATE cannot be loaded"},
	} {
		write(c.script)
		before := query(t, pool, "SELECT count(*) FROM app.t")
		_, _, err := loadScripts(t, pool, Options{Schema: "app"}, script)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: got %v, want %q", c.script, err, c.msg)
		}
		if after := query(t, pool, "SELECT count(*) FROM app.t"); after != before {
			t.Errorf("%q: a failed load left rows: %s -> %s", c.script, before, after)
		}
	}
}
