package load_test

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startCDC runs ferry migrate --mode full+cdc in the background.
func startCDC(t *testing.T, bin string, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"migrate", "--mode", "full+cdc"}, args...)...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// waitStreaming waits until ferry logs that it streams changes.
func waitStreaming(t *testing.T, out *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "streaming changes") {
		if time.Now().After(deadline) {
			t.Fatalf("ferry did not start streaming:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func stopCDC(t *testing.T, cmd *exec.Cmd, out *lockedBuffer) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("stop: %v\n%s", err, out)
	}
}

// TestCDCDDL: each schema change CDC follows — ADD COLUMN (with a default,
// NOT NULL without one, placed with AFTER/FIRST), MODIFY (type and enum
// members), CHANGE (rename + type), RENAME COLUMN, ALTER COLUMN SET
// DEFAULT, DROP COLUMN, CREATE TABLE, TRUNCATE and DROP TABLE — mixed
// with rows on the same tables, ends with equal tables (counts and
// checksums). Then ferry stops, the source changes its schema and rows
// while it is down, and ferry is killed in the middle of more changes:
// the restarts decode the binlog with the schema as of their position, not
// the source's current one. ferry verify agrees at the end.
func TestCDCDDL(t *testing.T) {
	if testing.Short() {
		t.Skip("CDC end to end; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20), n INT, e ENUM('a','b'), old VARCHAR(10), s SET('x','y'));
		INSERT INTO t (v, n, e, old, s) SELECT CONCAT('v', seq), seq, IF(seq % 2, 'a', 'b'), 'o', 'x' FROM seq_1_to_500;
		CREATE TABLE gone (id INT PRIMARY KEY, v TEXT); INSERT INTO gone VALUES (1, 'x');
		CREATE TABLE tr (id INT PRIMARY KEY, v TEXT); INSERT INTO tr SELECT seq, 'before' FROM seq_1_to_50;
		CREATE TABLE nk (a INT, b VARCHAR(10)); INSERT INTO nk VALUES (1, 'x'), (2, 'y');`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"--source", src, "--target", dst, "--state-dir", state}
	cmd, out := startCDC(t, bin, args...)
	waitStreaming(t, out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)

	steps := []string{
		`INSERT INTO t (v, n) VALUES ('pre-add', 1)`,
		`ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 7`,
		`INSERT INTO t (v, n, c) VALUES ('with c', 2, 70); UPDATE t SET c = c + 1 WHERE id % 10 = 0`,
		`ALTER TABLE t ADD COLUMN d VARCHAR(5) NOT NULL, ALTER COLUMN d SET DEFAULT 'dd', ADD COLUMN f DECIMAL(6,2) AFTER id, ADD COLUMN g DATETIME(3) FIRST`,
		`INSERT INTO t (v, d, f, g) VALUES ('with d', 'dd', 12.5, '2024-01-02 03:04:05.678'); UPDATE t SET f = id / 4 WHERE id < 100`,
		`ALTER TABLE t MODIFY n BIGINT`,
		`UPDATE t SET n = 5000000000 + id WHERE id % 3 = 0`,
		`ALTER TABLE t CHANGE old renamed VARCHAR(30) DEFAULT 'r'`,
		`UPDATE t SET renamed = REPEAT('z', 25) WHERE id % 7 = 0; INSERT INTO t (v) VALUES ('default r')`,
		`ALTER TABLE t RENAME COLUMN v TO v2`,
		`INSERT INTO t (v2, e) VALUES ('renamed v', 'b'); DELETE FROM t WHERE id % 11 = 0`,
		`UPDATE t SET e = 'a' WHERE e IS NULL; ALTER TABLE t MODIFY e ENUM('a','b','c') NOT NULL DEFAULT 'c', MODIFY s SET('x','y','z')`,
		`INSERT INTO t (v2, e, s) VALUES ('enum c', 'c', 'x,z'); UPDATE t SET e = 'c' WHERE id % 5 = 0`,
		`ALTER TABLE t ALTER COLUMN n SET DEFAULT 42`,
		`INSERT INTO t (v2) VALUES ('n default')`,
		`ALTER TABLE t DROP COLUMN c`,
		`UPDATE t SET v2 = 'after drop' WHERE id < 20; INSERT INTO t (v2) VALUES ('after drop')`,
		`CREATE TABLE newt (id BIGINT UNSIGNED PRIMARY KEY, s VARCHAR(10) NOT NULL DEFAULT 'n', k INT, UNIQUE KEY (k)) DEFAULT CHARSET=utf8mb4`,
		`INSERT INTO newt VALUES (1, 'a', 1), (18446744073709551615, 'max', 2); UPDATE newt SET s = 'b' WHERE id = 1`,
		`TRUNCATE TABLE tr`,
		`INSERT INTO tr VALUES (1, 'after truncate')`,
		`DROP TABLE gone`,
		`ALTER TABLE t ADD INDEX iv2 (v2), ADD UNIQUE KEY un (renamed, id)`,
		`CREATE INDEX idn ON t (n DESC); DROP INDEX iv2 ON t`,
		`INSERT INTO t (v2, renamed) VALUES ('indexed', 'unique')`,
		`ALTER TABLE t ADD COLUMN q INT DEFAULT 1, ADD INDEX iq (q, n)`,
		`ALTER TABLE t DROP COLUMN q`, // MySQL keeps iq, on n alone
		`ALTER TABLE t ADD COLUMN upd TIMESTAMP(3) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(3), ADD COLUMN upd_gone DATETIME ON UPDATE CURRENT_TIMESTAMP`,
		`UPDATE t SET v2 = 'touch' WHERE id < 5`,
		`ALTER TABLE t CHANGE upd upd2 TIMESTAMP(3) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(3), DROP COLUMN upd_gone`,
		`UPDATE t SET v2 = 'touch 2' WHERE id < 3`,
		`ALTER TABLE nk ADD COLUMN c INT DEFAULT 3 FIRST; INSERT INTO nk VALUES (9, 3, 'z'); UPDATE nk SET b = 'w' WHERE a = 1`,
	}
	for _, s := range steps {
		if err := env.MariaDB.Exec(ctx, name, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	waitSchema(t, dst, "nk", "c", "", out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_class WHERE relname = 'gone'`); n != 0 {
		t.Errorf("dropped table gone still on the target")
	}
	if got := pgScalar[string](t, pg, `SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public' AND tablename = 't'`); got != "idn,iq,t_pkey,un" {
		t.Errorf("indexes of t on the target: %s, want idn,iq,t_pkey,un", got)
	}
	// ON UPDATE CURRENT_TIMESTAMP follows the column (a trigger, for
	// after the cutover: replicated rows do not fire it).
	if got := pgScalar[string](t, pg, `SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'public.t'::regclass AND NOT tgisinternal`); got != "t_upd2_on_update" {
		t.Errorf("triggers on t: %s, want t_upd2_on_update", got)
	}
	if tx, err := pg.Begin(ctx); err != nil {
		t.Fatal(err)
	} else {
		var set bool
		if err := tx.QueryRow(ctx, `WITH u AS (UPDATE t SET v2 = 'trigger test' WHERE id = (SELECT min(id) FROM t) RETURNING upd2) SELECT upd2 > now() - interval '1 minute' FROM u`).Scan(&set); err != nil || !set {
			t.Errorf("the ON UPDATE trigger did not set upd2: %v", err)
		}
		tx.Rollback(ctx)
	}
	if got := pgScalar[string](t, pg, `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'iq'`); !strings.HasSuffix(got, "(n)") {
		t.Errorf("index iq after its first column was dropped: %s, want it on n alone", got)
	}
	if got := pgScalar[string](t, pg, `SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'newt'`); got != "k,newt_pkey" {
		t.Errorf("indexes of newt on the target: %s, want k,newt_pkey", got)
	}

	// Stop; change the schema while ferry is down; restart from the
	// position before those changes.
	stopCDC(t, cmd, out)
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t (v2) VALUES ('down 1');
		ALTER TABLE t ADD COLUMN z VARCHAR(8) NOT NULL DEFAULT 'zz' AFTER v2;
		INSERT INTO t (v2, z) VALUES ('down 2', 'zzz');
		ALTER TABLE t DROP COLUMN d;
		UPDATE t SET z = 'up' WHERE id < 50;`); err != nil {
		t.Fatal(err)
	}
	cmd, out = startCDC(t, bin, args...)
	waitSchema(t, dst, "t", "z", "d", out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)

	// Kill ferry between schema changes with rows around them.
	if err := env.MariaDB.Exec(ctx, name, `ALTER TABLE t ADD COLUMN k1 INT DEFAULT 1; INSERT INTO t (v2, k1) VALUES ('k1', 5);`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	if err := env.MariaDB.Exec(ctx, name, `ALTER TABLE t MODIFY k1 VARCHAR(10); UPDATE t SET k1 = 'text' WHERE id < 10;
		ALTER TABLE t ADD COLUMN k2 TEXT; INSERT INTO t (v2, k1, k2) VALUES ('k2', 'x', 'y');`); err != nil {
		t.Fatal(err)
	}
	cmd, out = startCDC(t, bin, args...)
	waitSchema(t, dst, "t", "k2", "", out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	stopCDC(t, cmd, out)

	code, stdout, stderr := ferry(t, "verify", "--source", src, "--target", dst)
	if code != 0 {
		t.Errorf("verify after schema changes: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// waitConvergedOr is waitConverged that shows ferry's output on failure.
func waitConvergedOr(t *testing.T, src, dst string, within time.Duration, out *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, diffs := compareData(t, src, dst, "public")
		if len(diffs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("target did not converge within %s:\n%s\nferry output:\n%s", within, strings.Join(diffs, "\n"), out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitSchema waits until the target's table has column has and lacks
// column lacks ("" for none): the schema changes before them are applied.
func waitSchema(t *testing.T, dst, table, has, lacks string, out *lockedBuffer) {
	t.Helper()
	pg := openPG(t, dst)
	q := `SELECT count(*) FILTER (WHERE column_name = $2) = 1 AND count(*) FILTER (WHERE column_name = $3) = 0
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`
	deadline := time.Now().Add(60 * time.Second)
	for !pgScalar[bool](t, pg, q, table, has, lacks) {
		if time.Now().After(deadline) {
			t.Fatalf("the target's %s did not get column %s (without %q):\n%s", table, has, lacks, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var skipHint = regexp.MustCompile(`--skip-ddl-at (\S+): ferry then`)

// TestCDCDDLPause: a schema change ferry does not follow (here an ALTER
// that adds a column and a CHECK constraint) stops CDC with an error exit and a
// message that names the statement and its position and says how to go
// on; the rows before it are applied, the rows after it are not. After the
// user makes the change on the target, a rerun with --skip-ddl-at moves
// past it and the tables end equal.
func TestCDCDDLPause(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10));
		INSERT INTO t SELECT seq, 'a' FROM seq_1_to_100;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"--source", src, "--target", dst, "--state-dir", state}
	cmd, out := startCDC(t, bin, args...)
	waitStreaming(t, out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t VALUES (1000, 'before');
		ALTER TABLE t ADD COLUMN w INT NOT NULL DEFAULT 0, ADD CONSTRAINT wpos CHECK (w >= 0);
		INSERT INTO t VALUES (1001, 'after', 5);`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("ferry exited 0 at an unsupported schema change:\n%s", out)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ferry did not stop at the unsupported schema change:\n%s", out)
	}
	msg := out.String()
	for _, want := range []string{"cdc paused", "ADD CONSTRAINT", name + ".t", "--skip-ddl-at", `ADD COLUMN "w" integer`} {
		if !strings.Contains(msg, want) {
			t.Errorf("pause message lacks %q:\n%s", want, msg)
		}
	}
	m := skipHint.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("no --skip-ddl-at hint in:\n%s", msg)
	}
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM t WHERE id = 1000`); n != 1 {
		t.Errorf("the row before the schema change was not applied")
	}
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM t WHERE id = 1001`); n != 0 {
		t.Errorf("a row after the schema change was applied before it")
	}
	// A rerun without the skip pauses again at the same place.
	code, _, stderr := ferry(t, append([]string{"migrate", "--mode", "full+cdc"}, args...)...)
	if code == 0 || !strings.Contains(stderr, "--skip-ddl-at "+m[1]) {
		t.Errorf("rerun without --skip-ddl-at: exit %d, want a pause at %s:\n%s", code, m[1], stderr)
	}
	// The user makes the change on the target and skips the statement.
	if _, err := pg.Exec(ctx, `ALTER TABLE t ADD COLUMN w integer NOT NULL DEFAULT 0, ADD CONSTRAINT wpos CHECK (w >= 0)`); err != nil {
		t.Fatal(err)
	}
	cmd, out = startCDC(t, bin, append(args, "--skip-ddl-at", m[1])...)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t VALUES (1002, 'later', 7); UPDATE t SET w = 9 WHERE id < 10;`); err != nil {
		t.Fatal(err)
	}
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	stopCDC(t, cmd, out)
}
