package load_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
	"github.com/ferrydb/ferry/eventlog"
)

// peakRSS reads VmHWM (the peak resident set) of a running process, in KiB.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// TestCDCHugeTransaction: a 300,000-row source transaction, with small
// transactions committed by another session while it was open, replicates
// with bounded memory: ferry's peak RSS stays far below what holding the
// transaction would take. A second one is interrupted by SIGKILL while
// ferry works on it: after the restart it is applied exactly once (the
// table has no key, so a duplicate would show), in commit order.
func TestCDCHugeTransaction(t *testing.T) {
	if testing.Short() {
		t.Skip("huge transaction; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE big (a INT, b VARCHAR(40), c INT);
		CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));
		INSERT INTO t VALUES (1, 'start');`); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	mustMigrateIn(t, state, "--source", src, "--target", dst)
	bin := buildFerry(t)
	start := func() (*exec.Cmd, *lockedBuffer) {
		cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	my := openMySQL(t, src)
	const rows = 300_000
	// bigTx inserts rows rows in one transaction; while it is open, another
	// session commits small transactions (they come first in the binlog).
	bigTx := func(round int) {
		t.Helper()
		conn, err := my.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO big SELECT seq, MD5(seq), %d FROM seq_1_to_%d", round, rows)); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			if _, err := my.Exec("INSERT INTO t VALUES (?, ?)", round*1000+i, "during"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.ExecContext(ctx, "UPDATE t SET v = 'big committed' WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			t.Fatal(err)
		}
		// After the big one: its update of id 1 must not win over this.
		if _, err := my.Exec("UPDATE t SET v = ? WHERE id = 1", fmt.Sprintf("after %d", round)); err != nil {
			t.Fatal(err)
		}
	}

	cmd, out := start()
	time.Sleep(2 * time.Second)
	bigTx(1)
	waitConverged(t, src, dst, 120*time.Second)
	peak := peakRSS(t, cmd.Process.Pid)
	t.Logf("ferry peak RSS with a %d-row transaction: %d MiB", rows, peak/1024)
	// Holding 300,000 events (maps of column values, then their JSON)
	// takes several hundred MiB.
	if peak > 200*1024 {
		t.Errorf("ferry's peak RSS %d MiB: the transaction was held in memory", peak/1024)
	}

	// SIGKILL while ferry works on the second one.
	pg := openPG(t, dst)
	bigTx(2)
	// Wait until ferry's target transaction has written part of it.
	deadline := time.Now().Add(60 * time.Second)
	for pgScalar[int64](t, pg, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("ferry never started applying the second transaction\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	during := pgScalar[int64](t, pg, `SELECT count(*) FROM big`)
	t.Logf("killed with %d rows in the target (of %d)", during, 2*rows)
	cmd, out = start()
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	waitConverged(t, src, dst, 120*time.Second)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM big`); n != 2*rows {
		t.Fatalf("%d rows in big, want %d\n%s", n, 2*rows, out.String())
	}
	if v := pgScalar[string](t, pg, `SELECT v FROM t WHERE id = 1`); v != "after 2" {
		t.Fatalf("id 1 is %q, want %q (commit order)", v, "after 2")
	}
}

// TestCDCDropsAbandonedTransaction: the event log ends with pieces of a
// transaction that was never finished (a source side that died half way
// through a big transaction). The applier, resuming, applies those pieces
// in a target transaction, then sees the next transaction begin, rolls
// the unfinished one back and goes on: none of its rows reach the target.
func TestCDCDropsAbandonedTransaction(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE nk (a INT, b VARCHAR(10)); INSERT INTO nk VALUES (1, 'x');`); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	mustMigrateIn(t, state, "--source", src, "--target", dst)
	bin := buildFerry(t)
	run := func() {
		t.Helper()
		cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitConverged(t, src, dst, 60*time.Second)
		cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	}
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nk VALUES (2, 'y');`); err != nil {
		t.Fatal(err)
	}
	run()

	// Pieces of a transaction that never commits, at the log's end.
	dirs, _ := filepath.Glob(filepath.Join(state, "eventlog-*"))
	if len(dirs) != 1 {
		t.Fatalf("event log dirs %v", dirs)
	}
	task := strings.TrimPrefix(filepath.Base(dirs[0]), "eventlog-")
	l, err := eventlog.Open(ctx, eventlog.Options{Dir: dirs[0], Stream: "FERRY_" + task, Subject: "ferry." + task})
	if err != nil {
		t.Fatal(err)
	}
	var evs []event.Event
	for i := range 3000 {
		evs = append(evs, event.Event{Op: event.OpCreate, After: map[string]any{"a": int64(-i), "b": "ghost"},
			Source: event.Source{Connector: "mysql", Db: name, Table: "nk", File: "ghost", Pos: 4, Row: i}})
	}
	for i := 0; i < len(evs); i += 1000 {
		if err := l.Add(ctx, event.Chunk{Events: evs[i : i+1000], First: i == 0}, catalog.Position{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()

	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO nk VALUES (3, 'z');`); err != nil {
		t.Fatal(err)
	}
	run()
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM nk WHERE b = 'ghost'`); n != 0 {
		t.Fatalf("%d rows of the abandoned transaction reached the target", n)
	}
}
