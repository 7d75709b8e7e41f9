package load_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashWrites runs a mixed write load until stop closes: single and
// multi-row inserts, updates (NULLs included), deletes, primary-key
// changes on a single and a composite key, a table without a key, and
// transactions spanning several tables. It returns how many statements
// or transactions committed.
func crashWrites(t *testing.T, db *sql.DB, stop <-chan struct{}, seed uint64) (*sync.WaitGroup, *int64) {
	var wg sync.WaitGroup
	var n int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := rand.New(rand.NewPCG(seed, 11))
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := 1 + r.IntN(60000)
			var err error
			switch r.IntN(9) {
			case 0:
				_, err = db.Exec("INSERT INTO t (v, n, ts) VALUES (?, ?, NOW(6)), (?, NULL, NULL), (?, ?, '2021-02-03 04:05:06.789')",
					fmt.Sprintf("m1-%d", i), r.IntN(100), fmt.Sprintf("m2-%d-é", i), fmt.Sprintf("m3-%d", i), r.IntN(100))
			case 1:
				_, err = db.Exec("UPDATE t SET v = ?, n = IF(n IS NULL, 7, NULL) WHERE id = ?", fmt.Sprintf("u-%d", i), id)
			case 2:
				_, err = db.Exec("DELETE FROM t WHERE id BETWEEN ? AND ?", id, id+2)
			case 3:
				_, err = db.Exec("UPDATE t SET id = id + 1000000 WHERE id = ?", id) // primary-key change
			case 4:
				_, err = db.Exec("UPDATE pair SET b = b + 100000, amount = amount + 1 WHERE a = ? AND b < 100000", id%500) // composite key change, many rows
			case 5:
				_, err = db.Exec("INSERT INTO nopk VALUES (?, ?), (?, NULL)", i, fmt.Sprintf("x%d", i%3), i)
			case 6:
				_, err = db.Exec("DELETE FROM nopk WHERE a = ? LIMIT 1", r.IntN(i+1))
			default:
				// One transaction over three tables.
				var tx *sql.Tx
				if tx, err = db.Begin(); err != nil {
					break
				}
				_, err = tx.Exec("INSERT INTO t (v, n, ts) VALUES (?, NULL, NOW(6))", fmt.Sprintf("tx-%d", i))
				if err == nil {
					_, err = tx.Exec("UPDATE pair SET amount = amount - 1 WHERE a = ?", id%500)
				}
				if err == nil {
					_, err = tx.Exec("INSERT INTO pair VALUES (?, ?, 0)", 1000+i, i)
				}
				if err == nil {
					_, err = tx.Exec("UPDATE nopk SET b = 'tx' WHERE a = ?", r.IntN(i+1))
				}
				if err == nil {
					err = tx.Commit()
				} else {
					tx.Rollback()
				}
			}
			if err != nil {
				if strings.Contains(err.Error(), "Duplicate entry") {
					continue
				}
				t.Errorf("write load: %v", err)
				return
			}
			n++
		}
	}()
	return &wg, &n
}

// TestCrashConsistency kills ferry -9 at random moments, a dozen times,
// during the full load and during streaming, while a write load runs on
// the source; after the last restart catches up, every table has the same
// rows (count and checksum), with no row lost or duplicated.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 loop under a write load; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(40), n INT, ts DATETIME(6), KEY ix_n (n));
		INSERT INTO t (v, n, ts) SELECT MD5(seq), IF(seq % 10 = 0, NULL, seq % 100), '2020-01-01' + INTERVAL seq SECOND FROM seq_1_to_300000;
		CREATE TABLE pair (a INT, b INT, amount INT NOT NULL, PRIMARY KEY (a, b));
		INSERT INTO pair SELECT seq % 500, seq, 0 FROM seq_1_to_20000;
		CREATE TABLE nopk (a INT, b VARCHAR(10));
		INSERT INTO nopk SELECT seq, IF(seq % 7 = 0, NULL, 'x') FROM seq_1_to_2000;
		ANALYZE TABLE t, pair;`); err != nil {
		t.Fatal(err)
	}
	my := openMySQL(t, src)
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state,
		"--chunk-rows", "6000", "--parallel", "2"}

	stop := make(chan struct{})
	wg, writes := crashWrites(t, my, stop, 42)
	stopWrites := func() {
		select {
		case <-stop:
		default:
			close(stop)
			wg.Wait()
		}
	}
	defer stopWrites()

	r := rand.New(rand.NewPCG(7, 7))
	var inLoad, inStream int
	for i := 0; i < 12 || inLoad < 3 || inStream < 3; i++ {
		if i >= 30 {
			t.Fatalf("after %d kills: %d during the load, %d while streaming; want 3 of each", i, inLoad, inStream)
		}
		cmd := exec.Command(bin, args...)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Until three kills hit the load, each run dies soon after it
		// starts copying (the first one at any moment of its start-up), so
		// the load is not over before that; then runs live longer, get the
		// load done and die while streaming.
		wait := time.Duration(300+r.IntN(1200)) * time.Millisecond
		if inLoad < 3 {
			wait = time.Duration(r.IntN(150)) * time.Millisecond
			if i == 0 {
				wait = time.Duration(50+r.IntN(300)) * time.Millisecond
			} else {
				waitFor := time.Now().Add(20 * time.Second)
				for !strings.Contains(out.String(), "name=data") && !strings.Contains(out.String(), "streaming changes") && time.Now().Before(waitFor) {
					select {
					case err := <-exited:
						t.Fatalf("run %d ended by itself before the kill: %v\n%s", i, err, out)
					case <-time.After(5 * time.Millisecond):
					}
				}
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("run %d ended by itself before the kill: %v\n%s", i, err, out)
		case <-time.After(wait):
		}
		streaming := strings.Contains(out.String(), "streaming changes")
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		if streaming {
			inStream++
		} else {
			inLoad++
		}
	}
	t.Logf("killed %d times during the load and %d times while streaming; %d writes so far", inLoad, inStream, *writes)

	// The last run catches up after the writes stop.
	cmd := exec.Command(bin, args...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	time.Sleep(time.Second)
	stopWrites()
	catchUp := time.Now()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, diffs := compareData(t, src, dst, "public")
		if len(diffs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no convergence after the kills:\n%s\nlast run:\n%s", strings.Join(diffs, "\n"), out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("caught up %.1fs after the last restart", time.Since(catchUp).Seconds())
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) - count(DISTINCT id) FROM t`); n != 0 {
		t.Errorf("%d duplicate ids in t", n)
	}
	if n := pgScalar[int64](t, pg, `SELECT count(*) - count(DISTINCT (a, b)) FROM pair`); n != 0 {
		t.Errorf("%d duplicate keys in pair", n)
	}
	if *writes < 100 {
		t.Errorf("only %d writes ran during the test", *writes)
	}
}
