package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/internal/cli"
	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/verify"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

func sharedDir(t *testing.T) string { return sandbox.SharedDir(t) }

func freshDBs(t *testing.T) (src, dst, name string) { return env.FreshDBs(t) }

// freshPG creates an empty PostgreSQL database and returns its URL.
func freshPG(t *testing.T, name string) string {
	t.Helper()
	if err := env.Postgres.CreateDatabase(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return env.Postgres.DSN(name)
}

var sakilaOnce struct {
	sync.Once
	err error
}

// sakila loads MySQL's sakila sample into the MariaDB sandbox (once per
// test binary; tests only read it) and returns its URL.
func sakila(t *testing.T) string {
	t.Helper()
	dir := sharedDir(t)
	sakilaOnce.Do(func() {
		for _, f := range []string{"sakila-mv-schema.sql", "sakila-mv-data.sql"} {
			if err := env.MariaDB.ExecFile(context.Background(), "", filepath.Join(dir, "mysql", "sakila", f)); err != nil {
				sakilaOnce.err = err
				return
			}
		}
	})
	if sakilaOnce.err != nil {
		t.Fatal(sakilaOnce.err)
	}
	return env.MariaDB.DSN("sakila")
}

// ferry runs the CLI in-process.
func ferry(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustMigrate(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := ferry(t, append([]string{"migrate", "--state-dir", t.TempDir()}, args...)...)
	if code != 0 {
		t.Fatalf("ferry migrate exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	return out
}

// runVerify runs ferry verify with --json, checks the exit code and
// returns the report.
func runVerify(t *testing.T, wantCode int, args ...string) *verify.Report {
	t.Helper()
	code, out, errs := ferry(t, append([]string{"verify", "--json"}, args...)...)
	if code != wantCode {
		t.Fatalf("ferry verify %s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(redactArgs(args), " "), code, wantCode, out, errs)
	}
	rep := &verify.Report{}
	if err := json.Unmarshal([]byte(out), rep); err != nil {
		t.Fatalf("ferry verify printed no JSON report: %v\nstdout:\n%s\nstderr:\n%s", err, out, errs)
	}
	return rep
}

func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.Contains(a, "://") {
			a = cli.Redact(a)
		}
		out[i] = a
	}
	return out
}

// tableResult finds a table's result by its source table name (without
// the database).
func tableResult(t *testing.T, results []verify.TableResult, name string) verify.TableResult {
	t.Helper()
	for _, r := range results {
		if strings.HasSuffix(r.Source, "."+name) {
			return r
		}
	}
	t.Fatalf("no result for table %s", name)
	return verify.TableResult{}
}

// assertAllOK fails for every table that is not OK.
func assertAllOK(t *testing.T, rep *verify.Report) {
	t.Helper()
	if !rep.OK {
		t.Errorf("report is not OK")
	}
	for _, r := range rep.Final() {
		if r.Status != verify.StatusOK {
			t.Errorf("%s: %s (missing %d %v, extra %d %v, changed %d %v) %s", r.Source, r.Status, r.Missing, r.MissingKeys, r.Extra, r.ExtraKeys, r.Changed, r.ChangedRows, r.Error)
		}
	}
}

// keys flattens single-column keys, sorted numerically when they are
// numbers.
func keys(list [][]string) []string {
	out := make([]string, len(list))
	for i, k := range list {
		out[i] = strings.Join(k, ",")
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) < len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

func changedKeys(rows []verify.ChangedRow) map[string]string {
	out := map[string]string{}
	for _, r := range rows {
		out[strings.Join(r.Key, ",")] = strings.Join(r.Columns, ",")
	}
	return out
}

func openPG(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(context.Background(), "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// pgExec runs statements on the target with triggers off, so a corruption
// changes exactly what it says (no ON UPDATE timestamps, no cascades).
func pgExec(t *testing.T, c *pgx.Conn, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if _, err := c.Exec(ctx, "SET session_replication_role = DEFAULT"); err != nil {
		t.Fatal(err)
	}
}

func pgScalar[T any](t *testing.T, c *pgx.Conn, q string, args ...any) T {
	t.Helper()
	var v T
	if err := c.QueryRow(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
