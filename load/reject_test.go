package load_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCDCTargetRejects: when the target rejects an event itself (here a
// CHECK constraint added on the target only), ferry retries a few times,
// then exits non-zero naming the event and the fix instead of retrying
// for a quarter of an hour; once the target is fixed, the same command
// resumes from the applied position and the tables end equal.
func TestCDCTargetRejects(t *testing.T) {
	if testing.Short() {
		t.Skip("CDC end to end; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY, n INT); INSERT INTO t SELECT seq, seq FROM seq_1_to_100;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	args := []string{"--source", src, "--target", dst, "--state-dir", t.TempDir()}
	cmd, out := startCDC(t, bin, args...)
	waitStreaming(t, out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	pg := openPG(t, dst)
	if _, err := pg.Exec(ctx, `ALTER TABLE t ADD CONSTRAINT positive CHECK (n >= 0)`); err != nil {
		t.Fatal(err)
	}
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t VALUES (101, 1)`); err != nil {
		t.Fatal(err)
	}
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	if err := env.MariaDB.Exec(ctx, name, `UPDATE t SET n = -5 WHERE id = 7; INSERT INTO t VALUES (102, 2)`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		msg := out.String()
		if err == nil || !strings.Contains(msg, "rejected the same event") || !strings.Contains(msg, `"positive"`) || !strings.Contains(msg, "rerun the same command") {
			t.Fatalf("exit %v; want a failure naming the constraint and the fix:\n%s", err, msg)
		}
	case <-time.After(90 * time.Second):
		stopCDC(t, cmd, out)
		t.Fatalf("ferry kept retrying an event the target rejects:\n%s", out)
	}
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM t WHERE n < 0 OR id = 102`); n != 0 {
		t.Errorf("%d rows of the rejected transaction or after it are on the target", n)
	}
	if _, err := pg.Exec(ctx, `ALTER TABLE t DROP CONSTRAINT positive`); err != nil {
		t.Fatal(err)
	}
	cmd, out = startCDC(t, bin, args...)
	waitStreaming(t, out)
	waitConvergedOr(t, src, dst, 60*time.Second, out)
	stopCDC(t, cmd, out)
}
