package load_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCDCRenameTable: RENAME TABLE during CDC, as online schema change
// tools (gh-ost, pt-online-schema-change) end: a ghost table created and
// filled while ferry streams, then swapped in with RENAME TABLE t TO
// _t_del, _t_gho TO t; and ALTER TABLE u RENAME TO u2. The target follows (tables
// and their index names as a full load would name them), rows written
// before, during and after go to the right table, a restart decodes with
// the renamed schema, and the tables end equal. Index names stay as they
// were created (the ghost table's index does not clash with the original
// table's), also after the tables that held the names are gone. A rename out of the
// task's selection pauses.
func TestCDCRenameTable(t *testing.T) {
	if testing.Short() {
		t.Skip("CDC end to end; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), KEY ix_v (v));
		INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_300;
		CREATE TABLE u (id INT PRIMARY KEY, n INT); INSERT INTO u SELECT seq, seq FROM seq_1_to_20;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"--source", src, "--target", dst, "--state-dir", state, "--tables", name + ".*"}
	cmd, out := startCDC(t, bin, args...)
	waitStreaming(t, out)

	for _, s := range []string{
		`CREATE TABLE _t_gho (id INT PRIMARY KEY, v VARCHAR(20), w INT NOT NULL DEFAULT 7, KEY ix_v (v))`,
		`INSERT INTO _t_gho (id, v) SELECT id, v FROM t WHERE id <= 150`,
		`UPDATE t SET v = 'changed' WHERE id = 3; REPLACE INTO _t_gho (id, v) VALUES (3, 'changed')`,
		`INSERT INTO _t_gho (id, v) SELECT id, v FROM t WHERE id > 150`,
		`INSERT INTO t VALUES (301, 'late'); INSERT INTO _t_gho (id, v) VALUES (301, 'late')`,
		`RENAME TABLE t TO _t_del, _t_gho TO t`,
		`INSERT INTO t (id, v, w) VALUES (400, 'after swap', 1); UPDATE t SET w = id WHERE id < 20; DELETE FROM t WHERE id BETWEEN 50 AND 60`,
		`DROP TABLE _t_del`,
		`ALTER TABLE t DROP INDEX ix_v, ADD INDEX ix_w (w)`,
		`ALTER TABLE u RENAME TO u2`,
		`INSERT INTO u2 VALUES (21, 21); UPDATE u2 SET n = -n WHERE id < 5`,
	} {
		if err := env.MariaDB.Exec(ctx, name, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	waitSchema(t, dst, "u2", "n", "", out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	pg := openPG(t, dst)
	if got := pgScalar[string](t, pg, `SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'`); got != "t,u2" {
		t.Errorf("target tables: %s, want t,u2", got)
	}
	if got := pgScalar[string](t, pg, `SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'`); got != "_t_gho_pkey,ix_w,u_pkey" {
		// Index names stay what they were, as with PostgreSQL's own
		// ALTER TABLE RENAME; DROP INDEX finds the ghost's.
		t.Errorf("target indexes: %s, want _t_gho_pkey,ix_w,u_pkey", got)
	}

	// Restart: decoding and planning use the renamed tables.
	stopCDC(t, cmd, out)
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t (id, v, w) VALUES (500, 'down', 5); UPDATE u2 SET n = 0 WHERE id = 21`); err != nil {
		t.Fatal(err)
	}
	cmd, out = startCDC(t, bin, args...)
	waitStreaming(t, out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)

	// A rename out of the selection pauses, naming the statement.
	if err := env.MariaDB.Exec(ctx, name, `CREATE DATABASE IF NOT EXISTS `+name+`_elsewhere; RENAME TABLE u2 TO `+name+`_elsewhere.u3`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(out.String(), "moves a replicated table out of the task's selection") || !strings.Contains(out.String(), "--skip-ddl-at") {
			t.Errorf("rename out of the selection: exit %v, want a pause naming it:\n%s", err, out)
		}
	case <-time.After(60 * time.Second):
		stopCDC(t, cmd, out)
		t.Fatalf("ferry did not pause at a rename out of the selection:\n%s", out)
	}

	code, stdout, stderr := ferry(t, "verify", "--source", src, "--target", dst, "--tables", name+".t")
	if code != 0 {
		t.Errorf("verify after the renames: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
