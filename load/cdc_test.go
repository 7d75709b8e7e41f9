package load_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a subprocess's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// writeLoad runs inserts, updates (PK changes included), deletes and
// multi-table transactions against the source until stop closes.
func writeLoad(t *testing.T, db *sql.DB, stop <-chan struct{}, seed uint64) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := rand.New(rand.NewPCG(seed, 7))
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := 1 + r.IntN(20000)
			var err error
			switch r.IntN(6) {
			case 0, 1:
				_, err = db.Exec("INSERT INTO t (v, n, ts) VALUES (?, ?, NOW(6))", fmt.Sprintf("ins-%d-😀", i), r.IntN(1000))
			case 2:
				_, err = db.Exec("UPDATE t SET v = ?, n = NULL WHERE id = ?", fmt.Sprintf("upd-%d", i), id)
			case 3:
				_, err = db.Exec("DELETE FROM t WHERE id = ?", id)
			case 4:
				_, err = db.Exec("UPDATE t SET id = id + 1000000 WHERE id = ?", id) // primary-key change
			case 5:
				tx, terr := db.Begin()
				if terr != nil {
					err = terr
					break
				}
				tx.Exec("INSERT INTO nopk VALUES (?, 'x'), (?, 'x')", i, i)
				tx.Exec("DELETE FROM nopk WHERE a = ? LIMIT 1", i-1)
				tx.Exec("UPDATE t SET n = n + 1 WHERE id BETWEEN ? AND ?", id, id+20)
				err = tx.Commit()
			}
			if err != nil && !strings.Contains(err.Error(), "Duplicate entry") {
				t.Errorf("write load: %v", err)
				return
			}
		}
	}()
	return &wg
}

// waitConverged polls until every table matches or the deadline passes.
func waitConverged(t *testing.T, src, dst string, within time.Duration) {
	t.Helper()
	waitConvergedLog(t, src, dst, within, nil)
}

// waitConvergedLog is waitConverged that prints ferry's output (when not
// nil) if the target does not converge.
func waitConvergedLog(t *testing.T, src, dst string, within time.Duration, out *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, diffs := compareData(t, src, dst, "public")
		if len(diffs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			log := ""
			if out != nil {
				log = "\nferry:\n" + out.String()
			}
			t.Fatalf("target did not converge within %s:\n%s%s", within, strings.Join(diffs, "\n"), log)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// startMigrate runs the ferry binary's migrate with args in the
// background until the test ends (then SIGINT), and returns its output.
func startMigrate(t *testing.T, args ...string) *lockedBuffer {
	t.Helper()
	cmd := exec.Command(buildFerry(t), append([]string{"migrate"}, args...)...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() })
	return out
}

// TestFullLoadThenCDC runs --mode full+cdc while a write load runs, then
// stops ferry, writes while it is down (including right after the
// snapshot, before any change was streamed), kills it with SIGKILL, and
// restarts it each time: the target converges with no lost or duplicated
// rows.
func TestFullLoadThenCDC(t *testing.T) {
	if testing.Short() {
		t.Skip("CDC end to end; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(40), n INT, ts DATETIME(6));
		INSERT INTO t (v, n, ts) SELECT MD5(seq), seq % 100, '2020-01-01' FROM seq_1_to_20000;
		CREATE TABLE nopk (a INT, b VARCHAR(10));
		INSERT INTO nopk SELECT seq, 'x' FROM seq_1_to_100;`); err != nil {
		t.Fatal(err)
	}
	my := openMySQL(t, src)
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state, "--chunk-rows", "5000"}
	start := func() (*exec.Cmd, *lockedBuffer) {
		cmd := exec.Command(bin, args...)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	stopWrites := func(stop chan struct{}, wg *sync.WaitGroup) { close(stop); wg.Wait() }

	// 1. Full load + streaming under a write load.
	stop := make(chan struct{})
	wg := writeLoad(t, my, stop, 1)
	time.Sleep(200 * time.Millisecond)
	cmd, out := start()
	time.Sleep(3 * time.Second)
	stopWrites(stop, wg)
	waitConverged(t, src, dst, 60*time.Second)

	// 2. SIGINT stops cleanly; writes while ferry is down are picked up on restart.
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("SIGINT: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "streaming stopped") {
		t.Errorf("no clean stop message:\n%s", out)
	}
	if !strings.Contains(out.String(), "table "+name+".nopk has no primary key") {
		t.Errorf("no warning about the table without a primary key:\n%s", out)
	}
	stop = make(chan struct{})
	wg = writeLoad(t, my, stop, 2)
	time.Sleep(500 * time.Millisecond)
	stopWrites(stop, wg)
	cmd, _ = start()
	waitConverged(t, src, dst, 60*time.Second)

	// 3. SIGKILL in the middle of streaming, with writes running.
	stop = make(chan struct{})
	wg = writeLoad(t, my, stop, 3)
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	time.Sleep(300 * time.Millisecond)
	stopWrites(stop, wg)
	cmd, out = start()
	waitConverged(t, src, dst, 60*time.Second)

	// 4. Restart the target, then the source, while streaming: ferry
	// retries with backoff and recovers by itself.
	if err := env.Postgres.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	my.Exec("INSERT INTO t (v, n, ts) VALUES ('after pg restart', 1, NOW(6))")
	if err := env.MariaDB.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err := my.Exec("INSERT INTO t (v, n, ts) VALUES ('after mariadb restart', ?, NOW(6))", i); err != nil {
			time.Sleep(100 * time.Millisecond) // the pool reconnects
		}
	}
	waitConverged(t, src, dst, 90*time.Second)
	if !strings.Contains(out.String(), "cdc: retrying") {
		t.Errorf("no retry was logged:\n%s", out)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("final stop: %v\n%s", err, out)
	}
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) - count(DISTINCT id) FROM t`); n != 0 {
		t.Errorf("%d duplicate ids", n)
	}
	// The changes travelled through the embedded JetStream log, whose
	// sequence is stored with the applied position.
	if seq := pgScalar[int64](t, pg, `SELECT (position->>'log_seq')::bigint FROM _ferry.applied`); seq <= 0 {
		t.Errorf("applied log sequence %d, want > 0", seq)
	}
	if dirs, _ := filepath.Glob(filepath.Join(state, "eventlog-*")); len(dirs) != 1 {
		t.Errorf("no embedded event log in the state dir: %v", dirs)
	}
}

// TestStopRightAfterSnapshot is the named case: ferry stops right after the
// snapshot, before any change streamed; the source is written while it is
// down; the restart must apply those writes (a peer tool restarting from
// the current binlog position loses them).
func TestStopRightAfterSnapshot(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10));
		INSERT INTO t SELECT seq, 'a' FROM seq_1_to_1000;`); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	// The full load alone records the snapshot position and stops.
	mustMigrateIn(t, state, "--source", src, "--target", dst)
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO t VALUES (5000, 'down'); UPDATE t SET v = 'changed' WHERE id = 1; DELETE FROM t WHERE id = 2;`); err != nil {
		t.Fatal(err)
	}
	// The same task continued with full+cdc resumes from the snapshot.
	bin := buildFerry(t)
	cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	waitConverged(t, src, dst, 30*time.Second)
}

// TestCrashRightAfterSnapshot is the named case with full+cdc itself: the
// process dies (as after kill -9) the moment the full load is done, before
// any change streamed, while writes run; more writes land while it is
// down; the restart of the same command applies every one of them, once
// (the table without a key would show a duplicate or a loss).
func TestCrashRightAfterSnapshot(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(40), n INT, ts DATETIME(6));
		INSERT INTO t (v, n, ts) SELECT MD5(seq), seq % 100, '2020-01-01' FROM seq_1_to_20000;
		CREATE TABLE nopk (a INT, b VARCHAR(10));
		INSERT INTO nopk SELECT seq, 'x' FROM seq_1_to_100;`); err != nil {
		t.Fatal(err)
	}
	my := openMySQL(t, src)
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state, "--chunk-rows", "5000"}

	stop := make(chan struct{})
	wg := writeLoad(t, my, stop, 11)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "FERRY_TEST_CRASH_AFTER_LOAD=1")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err == nil || !strings.Contains(out.String(), "crashing after the load") {
		t.Fatalf("want the crash hook after the load, got %v:\n%s", err, out)
	}
	if strings.Contains(out.String(), "streaming changes") {
		t.Fatalf("streaming started before the crash:\n%s", out)
	}
	// Writes while ferry is down, after the snapshot.
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nopk VALUES (-1, 'down'), (-1, 'down'); UPDATE t SET v = 'while down' WHERE id <= 10; DELETE FROM t WHERE id BETWEEN 11 AND 20;`); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, args...)
	out = &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	waitConvergedLog(t, src, dst, 60*time.Second, out)
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM nopk WHERE a = -1`); n != 2 {
		t.Errorf("rows written while ferry was down: %d in the target, want 2", n)
	}
}

// TestEventLogLostItsTail: the event log is put back to an older copy
// (as after a machine crash that lost what the embedded server had not
// synced, or a restored state dir) behind what the target applied. The
// next run must not consume the old messages again, nor stream again from
// the old log's end: it empties the log and streams from the target's
// applied position. The table without a key shows any repeat.
func TestEventLogLostItsTail(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE nopk (a INT, b VARCHAR(10)); INSERT INTO nopk VALUES (0, 'load');`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	run := func(writes string) {
		t.Helper()
		cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "streaming changes"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no streaming within 30 s:\n%s", out)
			}
		}
		if err := env.MariaDB.Exec(ctx, name, writes); err != nil {
			t.Fatal(err)
		}
		waitConvergedLog(t, src, dst, 30*time.Second, out)
		cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	run(`INSERT INTO nopk VALUES (1, 'a'); INSERT INTO nopk VALUES (2, 'b');`)
	dirs, _ := filepath.Glob(filepath.Join(state, "eventlog-*"))
	if len(dirs) != 1 {
		t.Fatalf("event log dirs: %v", dirs)
	}
	backup := filepath.Join(t.TempDir(), "log")
	if err := exec.Command("cp", "-a", dirs[0], backup).Run(); err != nil {
		t.Fatal(err)
	}
	run(`INSERT INTO nopk VALUES (3, 'c'); INSERT INTO nopk VALUES (4, 'd'); INSERT INTO nopk VALUES (5, 'e');`)
	if err := os.RemoveAll(dirs[0]); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("cp", "-a", backup, dirs[0]).Run(); err != nil {
		t.Fatal(err)
	}
	run(`INSERT INTO nopk VALUES (6, 'f');`)
	assertSameData(t, src, dst, "public")
}

// TestSecondRunRefused: a second run of the same task while the first
// streams (same state dir, or another one as on a second machine) is
// refused with a message that says so; the first goes on and the target
// holds every row once.
func TestSecondRunRefused(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE nopk (a INT, b VARCHAR(10)); INSERT INTO nopk VALUES (0, 'load');`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	first := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
	out := &lockedBuffer{}
	first.Stdout, first.Stderr = out, out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		// SIGTERM (what systemd and Kubernetes send) stops as cleanly as SIGINT.
		first.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- first.Wait() }()
		select {
		case err := <-done:
			if err != nil || !strings.Contains(out.String(), "streaming stopped") {
				t.Errorf("first run after SIGTERM: %v, want exit 0 and a clean stop:\n%s", err, out)
			}
		case <-time.After(20 * time.Second):
			first.Process.Kill()
			t.Errorf("the first run did not stop on SIGTERM:\n%s", out)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "streaming changes"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no streaming within 30 s:\n%s", out)
		}
	}
	for _, dir := range []string{state, t.TempDir()} {
		second := exec.Command(bin, "migrate", "--mode", "cdc", "--source", src, "--target", dst, "--state-dir", dir)
		if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nopk VALUES (1, 'a')`); err != nil {
			t.Fatal(err)
		}
		b, err := second.CombinedOutput()
		t.Logf("second run in %s: %v\n%s", dir, err, b)
		if err == nil || !strings.Contains(string(b), "another ferry run") && !strings.Contains(string(b), "already running") {
			t.Errorf("second run with state dir %s: %v, want a refusal:\n%s", dir, err, b)
		}
	}
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nopk VALUES (2, 'b')`); err != nil {
		t.Fatal(err)
	}
	waitConvergedLog(t, src, dst, 30*time.Second, out)
}

// TestCDCValuesThroughTheLog: binary data with every byte value, integers
// above 2^53, unsigned bigint max, decimals and 4-byte UTF-8 arrive exactly
// after travelling through the JSON-encoded event log.
func TestCDCValuesThroughTheLog(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE v (id BIGINT UNSIGNED PRIMARY KEY, big BIGINT, d DECIMAL(65,30), b LONGBLOB, bin BINARY(4), s VARCHAR(20), f DOUBLE, bits BIT(64));
		INSERT INTO v VALUES (1, 1, 1, 'x', 'abcd', 'a', 1.5, b'1');`); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	mustMigrateIn(t, state, "--source", src, "--target", dst)
	if err := env.MariaDB.Exec(ctx, name, `
		INSERT INTO v SELECT 18446744073709551615, 9007199254740993, '-12345678901234567890123456789012345.123456789012345678901234567890',
		  UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR '')), X'00FF0000', '😀𝄞', 0.1, b'1111111111111111111111111111111111111111111111111111111111111111' FROM seq_0_to_255;
		UPDATE v SET big = -9223372036854775808, b = X'000102' WHERE id = 1;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, diffs := compareData(t, src, dst, "public")
		if len(diffs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no convergence:\n%s\nferry output:\n%s", strings.Join(diffs, "\n"), out.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestNewLoadForgetsOldCDCState: after a CDC run, a new full load of the
// same task (--if-exists drop) drops the old applied position and event
// log, so the next CDC run starts at the new snapshot: changes made
// between the old position and the new snapshot are not applied twice
// (a table without a key would get duplicates).
func TestNewLoadForgetsOldCDCState(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE nk (a INT, b VARCHAR(10)); INSERT INTO nk VALUES (1, 'x');`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	runCDC := func() {
		cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state, "--if-exists", "drop")
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second) // the one-row load is done by then
		waitConverged(t, src, dst, 30*time.Second)
		cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	}
	runCDC()
	// Changes after the applied position, then a new full load.
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nk VALUES (2, 'y'), (3, 'z');`); err != nil {
		t.Fatal(err)
	}
	mustMigrateIn(t, state, "--source", src, "--target", dst, "--if-exists", "drop")
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nk VALUES (4, 'w');`); err != nil {
		t.Fatal(err)
	}
	runCDC()
	assertSameData(t, src, dst, "public")
}
