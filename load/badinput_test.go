package load_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: each mistake gives a clear one-line error, a non-zero exit,
// and leaves the target untouched.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE a (id INT PRIMARY KEY); INSERT INTO a VALUES (1);
		CREATE TABLE b (id INT PRIMARY KEY); INSERT INTO b VALUES (1);
		CREATE USER IF NOT EXISTS 'nopriv'@'%' IDENTIFIED BY 'pw';`); err != nil {
		t.Fatal(err)
	}
	if err := env.Postgres.Exec(ctx, name, `CREATE TABLE b (id int); INSERT INTO b VALUES (42);`); err != nil {
		t.Fatal(err)
	}
	badYAML := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(badYAML, []byte("source: x\nparalel: 3\n"), 0o600)
	brokenYAML := filepath.Join(t.TempDir(), "broken.yaml")
	os.WriteFile(brokenYAML, []byte("source: [unclosed\n"), 0o600)

	host := env.MariaDB.Host
	port := env.MariaDB.Port
	_ = port
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unreachable host", []string{"--source", "mysql://root:ferry@127.0.0.1:1/x", "--target", dst}, "unreachable"},
		{"wrong password", []string{"--source", strings.Replace(src, ":ferry@", ":wrong@", 1), "--target", dst}, "access denied"},
		{"wrong target password", []string{"--source", src, "--target", strings.Replace(dst, ":ferry@", ":wrong@", 1)}, "authentication failed"},
		{"missing privileges", []string{"--source", "mysql://nopriv:pw@" + env.MariaDB.Addr() + "/" + name, "--target", dst}, "privilege"},
		{"no such database", []string{"--source", env.MariaDB.DSN("nope_db"), "--target", dst}, "does not exist"},
		{"no such target database", []string{"--source", src, "--target", env.Postgres.DSN("nope_db")}, "does not exist"},
		{"malformed DSN", []string{"--source", "mysql://root:ferry@[" + host, "--target", dst}, "malformed"},
		{"wrong scheme", []string{"--source", "oracle://x@y/z", "--target", dst}, "not supported"},
		{"unknown task key", []string{"-f", badYAML}, "paralel"},
		{"broken task file", []string{"-f", brokenYAML}, "not valid"},
		{"missing task file", []string{"-f", "/nonexistent/task.yaml"}, "no such file"},
		{"bad if-exists", []string{"--source", src, "--target", dst, "--if-exists", "maybe"}, "--if-exists"},
		{"non-empty target", []string{"--source", src, "--target", dst}, "is not empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := ferry(t, append([]string{"migrate", "--state-dir", t.TempDir()}, c.args...)...)
			if code == 0 {
				t.Fatalf("exit 0, want failure\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "ferry: ") || !strings.Contains(strings.ToLower(last), strings.ToLower(c.want)) {
				t.Errorf("stderr last line %q, want a 'ferry: ' line mentioning %q\nfull stderr:\n%s", last, c.want, errs)
			}
			if strings.Contains(errs, "ferry@") || strings.Contains(errs, ":wrong@") || strings.Contains(errs, ":pw@") {
				t.Errorf("stderr leaks a password: %s", errs)
			}
		})
	}
	// Nothing was created in the target: table a does not exist, b is as it was.
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n != 1 {
		t.Errorf("target has %d tables after failed runs, want 1 (untouched)", n)
	}
	if v := pgScalar[int32](t, pg, `SELECT id FROM b`); v != 42 {
		t.Errorf("target table b changed: %d", v)
	}
	// The user can then choose: --if-exists drop replaces it.
	mustMigrate(t, "--source", src, "--target", dst, "--if-exists", "drop")
	assertSameData(t, src, dst, "public")
}
