package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferrydb/ferry/internal/sandbox"
)

// insertsPerTable counts the INSERT statements of a populate script per
// table with a plain text scan, independent of the script reader: each
// "INSERT INTO name" (in a statement or inside a PL/SQL block) inserts
// one row in HR's and CO's scripts.
func insertsPerTable(t *testing.T, path string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range regexp.MustCompile(`(?i)\bINSERT\s+INTO\s+([a-z_][a-z0-9_$#]*)`).FindAllStringSubmatch(string(b), -1) {
		out[strings.ToLower(m[1])]++
	}
	return out
}

// oracleCLI runs ferry with args and fails the test on a non-zero exit.
func oracleCLI(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Main(args, nil, &stdout, &stderr); code != ExitOK {
		t.Fatalf("ferry %s: exit %d\n%s\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func pgScalar(t *testing.T, conn *pgx.Conn, sql string, args ...any) string {
	t.Helper()
	var s *string
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if s == nil {
		return "<NULL>"
	}
	return *s
}

// TestOracleEndToEnd is the path through the CLI on real
// PostgreSQL, with nothing hand-written: `ferry convert` of HR's create
// and code scripts and of CO's create script into a database, `ferry load
// --from oracle-script` of their populate scripts, then row counts against
// the INSERTs of the scripts, spot values, and the behaviour of HR's
// converted PL/SQL (update_job_history + add_job_history, secure_employees
// + secure_dml).
func TestOracleEndToEnd(t *testing.T) {
	ds := sandbox.SharedDir(t)
	_, dsn, _ := env.FreshDBs(t)
	hr := filepath.Join(ds, "oracle", "human_resources")
	co := filepath.Join(ds, "oracle", "customer_orders")

	oracleCLI(t, "convert", "--from", "oracle", filepath.Join(hr, "hr_create.sql"), filepath.Join(hr, "hr_code.sql"), "--schema", "hr", "--target", dsn)
	oracleCLI(t, "load", "--from", "oracle-script", filepath.Join(hr, "hr_populate.sql"), "--schema", "hr", "--target", dsn)
	oracleCLI(t, "convert", "--from", "oracle", filepath.Join(co, "co_create.sql"), "--schema", "co", "--target", dsn)
	oracleCLI(t, "load", "--from", "oracle-script", filepath.Join(co, "co_populate.sql"), "--schema", "co", "--target", dsn)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn) // default search_path: the converted code must not depend on it
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// Every table of the converted schemas holds as many rows as its
	// script has INSERTs.
	for _, s := range []struct{ schema, populate string }{
		{"hr", filepath.Join(hr, "hr_populate.sql")},
		{"co", filepath.Join(co, "co_populate.sql")},
	} {
		want := insertsPerTable(t, s.populate)
		rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, s.schema)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, tab := range tables {
			n := pgCount(t, dsn, `SELECT count(*) FROM `+pgx.Identifier{s.schema, tab}.Sanitize())
			total += n
			if n != want[tab] {
				t.Errorf("%s.%s: %d rows, the script has %d INSERTs", s.schema, tab, n, want[tab])
			}
			delete(want, tab)
		}
		for tab, n := range want {
			t.Errorf("%s.%s: %d INSERTs in the script but no such table converted", s.schema, tab, n)
		}
		t.Logf("%s: %d tables, %d rows", s.schema, len(tables), total)
	}

	// Spot values: a date, a decimal, NULLs, a quote.
	for _, c := range []struct{ sql, want string }{
		{`SELECT hire_date::text FROM hr.employees WHERE employee_id = 145`, "2014-10-01 00:00:00"},
		{`SELECT commission_pct::text FROM hr.employees WHERE employee_id = 145`, "0.40"},
		{`SELECT salary::text FROM hr.employees WHERE employee_id = 145`, "14000.00"},
		{`SELECT commission_pct::text FROM hr.employees WHERE employee_id = 100`, "<NULL>"},
		{`SELECT manager_id::text FROM hr.employees WHERE employee_id = 100`, "<NULL>"},
		{`SELECT product_name FROM co.products WHERE product_id = 1`, "Boy's Shirt (White)"},
		{`SELECT unit_price::text FROM co.products WHERE product_id = 1`, "29.55"},
		{`SELECT product_details ->> 'gender' FROM co.products WHERE product_id = 2`, "Women's"},
	} {
		if got := pgScalar(t, conn, c.sql); got != c.want {
			t.Errorf("%s: %q, want %q", c.sql, got, c.want)
		}
	}

	// secure_employees is disabled, as hr_code.sql leaves it.
	if got := pgScalar(t, conn, `SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = 'hr.employees'::regclass AND tgname = 'secure_employees'`); got != "D" {
		t.Errorf("secure_employees tgenabled = %q, want D (hr_code.sql disables it)", got)
	}

	// update_job_history → add_job_history: changing an employee's job or
	// department inserts the old job into job_history; another change does
	// not.
	before := pgCount(t, dsn, `SELECT count(*) FROM hr.job_history`)
	if _, err := conn.Exec(ctx, `UPDATE hr.employees SET job_id = 'SA_REP' WHERE employee_id = 103`); err != nil {
		t.Fatalf("update job_id: %v", err)
	}
	if _, err := conn.Exec(ctx, `UPDATE hr.employees SET department_id = 80 WHERE employee_id = 104`); err != nil {
		t.Fatalf("update department_id: %v", err)
	}
	if _, err := conn.Exec(ctx, `UPDATE hr.employees SET salary = salary + 1 WHERE employee_id = 105`); err != nil {
		t.Fatalf("update salary: %v", err)
	}
	if n := pgCount(t, dsn, `SELECT count(*) FROM hr.job_history`); n != before+2 {
		t.Errorf("job_history: %d rows after two job/department changes, want %d", n, before+2)
	}
	for _, c := range []struct{ emp, want string }{
		{"103", "2016-01-03 00:00:00|IT_PROG|60|true"},
		{"104", "2017-05-21 00:00:00|IT_PROG|60|true"},
		{"105", "<NULL>"},
	} {
		got := pgScalar(t, conn, `SELECT (SELECT start_date::text || '|' || job_id || '|' || department_id || '|' ||
			(end_date BETWEEN localtimestamp(0) - interval '5 minutes' AND localtimestamp(0))
			FROM hr.job_history WHERE employee_id = $1::int AND end_date > '2020-01-01')`, c.emp)
		if got != c.want {
			t.Errorf("job_history of employee %s: %q, want %q", c.emp, got, c.want)
		}
	}
	if got := pgScalar(t, conn, `SELECT job_id || '|' || department_id FROM hr.employees WHERE employee_id = 104`); got != "IT_PROG|80" {
		t.Errorf("employee 104 after the update: %q", got)
	}

	// secure_employees enabled: DML outside business hours raises, inside
	// passes. The clock is pinned by recreating the converted secure_dml
	// (read back from the database) with a fixed timestamp for its
	// SYSDATE, so the test passes whatever the time of day.
	def := pgScalar(t, conn, `SELECT pg_get_functiondef('hr.secure_dml'::regproc)`)
	const now = "LOCALTIMESTAMP(0)"
	if strings.Count(strings.ToUpper(def), now) != 2 {
		t.Fatalf("secure_dml does not read the clock as %s twice:\n%s", now, def)
	}
	pin := func(at string) {
		t.Helper()
		sql := regexp.MustCompile(`(?i)LOCALTIMESTAMP\(0\)`).ReplaceAllString(def, "TIMESTAMP '"+at+"'")
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("pin secure_dml's clock: %v\n%s", err, sql)
		}
	}
	if _, err := conn.Exec(ctx, `ALTER TABLE hr.employees ENABLE TRIGGER secure_employees`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ at, want string }{
		{"2024-06-09 12:00:00", "P2205"}, // Sunday noon
		{"2024-06-12 19:30:00", "P2205"}, // Wednesday evening
		{"2024-06-12 10:00:00", ""},      // Wednesday morning
	} {
		pin(c.at)
		_, err := conn.Exec(ctx, `UPDATE hr.employees SET phone_number = phone_number WHERE employee_id = 106`)
		var pe *pgconn.PgError
		got := ""
		if err != nil {
			if !errors.As(err, &pe) {
				t.Fatalf("at %s: %v", c.at, err)
			}
			got = pe.Code
			if !strings.Contains(pe.Message, "normal office hours") {
				t.Errorf("at %s: message %q", c.at, pe.Message)
			}
		}
		if got != c.want {
			t.Errorf("UPDATE at %s with secure_employees enabled: SQLSTATE %q, want %q", c.at, got, c.want)
		}
	}
}
