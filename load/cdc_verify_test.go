package load_test

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVerifyLiveDuringCDC runs ferry verify --live while ferry migrate
// --mode full+cdc streams a write load (inserts, updates, deletes, primary
// key changes, a table without a key): no difference is reported once the
// applier has caught up, at checksum and row level; a value corrupted on
// the target of a quiet table during the load is reported with its key.
func TestVerifyLiveDuringCDC(t *testing.T) {
	if testing.Short() {
		t.Skip("CDC end to end; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(40), n INT, ts DATETIME(6));
		INSERT INTO t (v, n, ts) SELECT MD5(seq), seq % 100, '2020-01-01' FROM seq_1_to_20000;
		CREATE TABLE nopk (a INT, b VARCHAR(10));
		INSERT INTO nopk SELECT seq, 'x' FROM seq_1_to_100;
		CREATE TABLE quiet (id INT PRIMARY KEY, v DECIMAL(10,2));
		INSERT INTO quiet SELECT seq, seq / 4 FROM seq_1_to_500;`); err != nil {
		t.Fatal(err)
	}
	my := openMySQL(t, src)
	bin := buildFerry(t)
	cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", t.TempDir(), "--chunk-rows", "5000")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	}()
	stop := make(chan struct{})
	wg := writeLoad(t, my, stop, 11)
	stopped := false
	stopWrites := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer stopWrites()
	// Wait until the load is done and changes stream.
	pg := openPG(t, dst)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		if err := pg.QueryRow(ctx, `SELECT count(*) FROM _ferry.applied`).Scan(&n); err == nil && n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ferry did not start streaming:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// While the writes go on: verify --live at checksum and row level.
	// Rows of t change constantly; nopk settles once the writes stop
	// (stopped a few seconds in, while verify is still rechecking).
	go func() {
		time.Sleep(4 * time.Second)
		stopWrites()
	}()
	for _, level := range []string{"checksum", "row"} {
		code, stdout, stderr := ferry(t, "verify", "--live", "--level", level, "--source", src, "--target", dst, "--chunk-rows", "4000", "--settle", "60s")
		if code != 0 {
			t.Fatalf("verify --live --level %s exited %d while CDC ran:\n%s\n%s\nferry migrate:\n%s", level, code, stdout, stderr, out)
		}
		for _, tb := range []string{"t", "nopk", "quiet"} {
			if !strings.Contains(stdout, tb) {
				t.Errorf("verify output does not mention %s:\n%s", tb, stdout)
			}
		}
	}
	stopWrites()

	// A real difference is still found while changes stream.
	stop2 := make(chan struct{})
	wg2 := writeLoad(t, my, stop2, 12)
	defer func() { close(stop2); wg2.Wait() }()
	if _, err := pg.Exec(ctx, `UPDATE quiet SET v = v + 0.01 WHERE id = 250`); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := ferry(t, "verify", "--live", "--source", src, "--target", dst, "--tables", name+".quiet,"+name+".t", "--settle", "60s", "--json")
	if code != 1 || !strings.Contains(stdout, `"changed": 1`) || !strings.Contains(stdout, `"250"`) {
		t.Fatalf("verify --live with a corrupted row exited %d:\n%s\n%s", code, stdout, stderr)
	}
	if strings.Count(stdout, `"status": "DIFF"`) != 1 {
		t.Errorf("want exactly one table with differences (quiet):\n%s", stdout)
	}
}
