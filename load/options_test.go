package load_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTaskFileAndOptions drives a migration from a YAML task file with
// table patterns, cast rules and a password from the environment, then
// checks --dry-run, --schema-only/--data-only, --json and --if-exists.
func TestTaskFileAndOptions(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `
		CREATE TABLE keep_me (id INT PRIMARY KEY, flag TINYINT(1) NOT NULL DEFAULT 0, note VARCHAR(20),
		  price DECIMAL(8,2), qty INT, total DECIMAL(10,2) AS (price * qty) STORED,
		  CONSTRAINT qty_positive CHECK (qty > 0));
		INSERT INTO keep_me (id, flag, note, price, qty) VALUES (1, 1, 'a', 1.50, 2), (2, 0, NULL, 2.00, 3);
		CREATE TABLE skip_log (id INT PRIMARY KEY);
		INSERT INTO skip_log VALUES (1);
		CREATE TABLE other (id INT PRIMARY KEY);
		INSERT INTO other VALUES (7);`); err != nil {
		t.Fatal(err)
	}
	// The task file names no password: it comes from the environment.
	noPass := strings.Replace(src, "root:ferry@", "root@", 1)
	taskFile := filepath.Join(t.TempDir(), "task.yaml")
	os.WriteFile(taskFile, []byte(fmt.Sprintf(`source: %s
target: ${TEST_TARGET_URL}
tables: "%[2]s.*,!%[2]s.skip_log"
parallel: 2
casts:
  - {type: "tinyint(1)", to: smallint}
  - {column: "keep_me.note", to: text}
`, noPass, name)), 0o600)
	t.Setenv("FERRY_SOURCE_PASSWORD", "ferry")
	t.Setenv("TEST_TARGET_URL", dst)

	// Dry run prints DDL and changes nothing.
	code, out, errs := ferry(t, "migrate", "-f", taskFile, "--dry-run", "--state-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("dry run: %d %s", code, errs)
	}
	for _, want := range []string{`CREATE TABLE "public"."keep_me"`, `"flag" smallint`, `"note" text`, `GENERATED ALWAYS AS`, `CHECK`, `PRIMARY KEY`} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "skip_log") {
		t.Errorf("dry run includes the excluded table:\n%s", out)
	}
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n != 0 {
		t.Fatalf("dry run created %d tables", n)
	}

	// Schema only, then data only, with a JSON summary.
	state := t.TempDir()
	if code, _, errs := ferry(t, "migrate", "-f", taskFile, "--schema-only", "--state-dir", state); code != 0 {
		t.Fatalf("schema-only: %s", errs)
	}
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM keep_me`); n != 0 {
		t.Fatalf("schema-only copied %d rows", n)
	}
	code, out, errs = ferry(t, "migrate", "-f", taskFile, "--data-only", "--json", "--state-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("data-only: %s\n%s", errs, out)
	}
	var rep struct {
		OK          bool  `json:"ok"`
		RowsWritten int64 `json:"rows_written"`
		Tables      []struct {
			Source      string `json:"source"`
			RowsWritten int64  `json:"rows_written"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if !rep.OK || rep.RowsWritten != 3 || len(rep.Tables) != 2 {
		t.Errorf("json summary: %+v", rep)
	}
	if got := pgScalar[string](t, pg, `SELECT total::text FROM keep_me WHERE id = 2`); got != "6.00" {
		t.Errorf("generated column total = %s, want 6.00", got)
	}
	if _, err := pg.Exec(ctx, `INSERT INTO keep_me (id, flag, qty) VALUES (9, 0, -1)`); err == nil {
		t.Error("CHECK (qty > 0) was not carried over")
	}
	if got := pgScalar[int16](t, pg, `SELECT flag FROM keep_me WHERE id = 1`); got != 1 {
		t.Errorf("cast tinyint(1) → smallint: flag = %d", got)
	}

	// Rerunning into the filled target stops; --if-exists truncate reloads.
	if code, _, errs := ferry(t, "migrate", "-f", taskFile, "--state-dir", t.TempDir()); code == 0 || !strings.Contains(errs, "not empty") {
		t.Errorf("rerun into a filled target: exit %d, %s", code, errs)
	}
	if code, _, errs := ferry(t, "migrate", "-f", taskFile, "--if-exists", "truncate", "--data-only", "--state-dir", t.TempDir()); code != 0 {
		t.Errorf("--if-exists truncate: %s", errs)
	}
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM keep_me`); n != 2 {
		t.Errorf("after truncate + reload: %d rows, want 2", n)
	}
}

// TestSchemaPerDatabase: --target-schema "" maps each source database to a
// schema of its name.
func TestSchemaPerDatabase(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t1 (id INT PRIMARY KEY); INSERT INTO t1 VALUES (1), (2);`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst, "--target-schema", "")
	assertSameData(t, src, dst, name)
}

// TestRerunFinishedTask: the same command with the same state dir after a
// finished run starts over (here with --if-exists drop) instead of
// resuming a completed checkpoint.
func TestRerunFinishedTask(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2);`); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	args := []string{"migrate", "--source", src, "--target", dst, "--state-dir", state}
	if code, _, errs := ferry(t, args...); code != 0 {
		t.Fatal(errs)
	}
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t VALUES (3);`); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := ferry(t, args...); code == 0 || !strings.Contains(errs, "not empty") {
		t.Fatalf("rerun into the filled target: exit %d: %s", code, errs)
	}
	if code, _, errs := ferry(t, append(args, "--if-exists", "drop")...); code != 0 {
		t.Fatal(errs)
	}
	assertSameData(t, src, dst, "public")
}

// TestDataOnlyIntoTablesWithTriggers: --schema-only creates keys, foreign
// keys and triggers; the later --data-only load must not fire them (no
// extra audit rows, no FK failures from load order).
func TestDataOnlyIntoTablesWithTriggers(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `
		CREATE TABLE parent (id INT PRIMARY KEY);
		CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id));
		CREATE TABLE audit (id INT PRIMARY KEY AUTO_INCREMENT, child_id INT);
		CREATE TRIGGER child_audit AFTER INSERT ON child FOR EACH ROW INSERT INTO audit (child_id) VALUES (NEW.id);
		INSERT INTO parent SELECT seq FROM seq_1_to_100;
		INSERT INTO child SELECT seq, 1 + seq % 100 FROM seq_1_to_5000;`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst, "--schema-only")
	out := mustMigrate(t, "--source", src, "--target", dst, "--data-only")
	t.Log(out)
	assertSameData(t, src, dst, "public")
	pg := openPG(t, dst)
	// The trigger exists and works after the load.
	pg.Exec(ctx, `INSERT INTO child VALUES (9999, 1)`)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM audit`); n != 5001 {
		t.Errorf("audit has %d rows, want 5000 copied + 1 from the trigger", n)
	}
}

// TestIndexNameTakenInTarget: an unrelated target index holding a name the
// migration needs stops the run before anything changes (it would have
// been skipped as "already exists", losing a UNIQUE constraint).
func TestIndexNameTakenInTarget(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(50), UNIQUE KEY email_uq (email));
		INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');`); err != nil {
		t.Fatal(err)
	}
	if err := env.Postgres.Exec(ctx, name, `CREATE TABLE other (email text); CREATE INDEX email_uq ON other (email);`); err != nil {
		t.Fatal(err)
	}
	code, _, errs := ferry(t, "migrate", "--source", src, "--target", dst, "--state-dir", t.TempDir())
	if code == 0 || !strings.Contains(errs, "email_uq") || !strings.Contains(errs, "already used by") {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n != 1 {
		t.Errorf("target has %d tables, want only the unrelated one", n)
	}
	mustMigrate(t, "--source", src, "--target", dst, "--target-schema", "app")
	assertSameData(t, src, dst, "app")
}
