package load_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gtidSeq returns the sequence number of a single-domain MariaDB GTID
// position such as "0-1-42".
func gtidSeq(t *testing.T, pos string) int64 {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(pos), "-")
	n, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err != nil {
		t.Fatalf("gtid %q: %v", pos, err)
	}
	return n
}

// TestSnapshotPosition checks that the recorded binlog position is exactly
// the snapshot point: while one-row transactions commit continuously, the
// target holds precisely the transactions up to the recorded GTID — none
// missing (a CDC start there would lose them) and none extra (it would
// apply them twice).
func TestSnapshotPosition(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE ticks (id INT PRIMARY KEY AUTO_INCREMENT, at DATETIME(6) NOT NULL);
		CREATE TABLE filler (id INT PRIMARY KEY, pad CHAR(200));
		INSERT INTO filler SELECT seq, 'x' FROM seq_1_to_200000;`); err != nil {
		t.Fatal(err)
	}
	my := openMySQL(t, src)
	var base string
	if err := my.QueryRow("SELECT @@gtid_binlog_pos").Scan(&base); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := my.Exec("INSERT INTO ticks (at) VALUES (NOW(6))"); err != nil {
				t.Error(err)
				return
			}
			writes.Add(1)
		}
	}()
	for writes.Load() < 200 {
		time.Sleep(time.Millisecond) // let the writer get going
	}
	code, out, errs := ferry(t, "migrate", "--source", src, "--target", dst, "--state-dir", t.TempDir(), "--json", "--parallel", "3")
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("migrate: %s\n%s", errs, out)
	}
	var rep struct {
		Snapshot struct {
			GTID string `json:"gtid"`
		} `json:"snapshot"`
		Consistent bool `json:"snapshot_consistent"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Consistent {
		t.Error("snapshot not consistent although the user has RELOAD")
	}
	pg := openPG(t, dst)
	copied := pgScalar[int64](t, pg, `SELECT count(*) FROM ticks`)
	committedBefore := gtidSeq(t, rep.Snapshot.GTID) - gtidSeq(t, base)
	t.Logf("writer committed %d transactions; snapshot at %s (base %s); target has %d ticks", writes.Load(), rep.Snapshot.GTID, base, copied)
	if copied != committedBefore {
		t.Errorf("target has %d ticks but %d transactions committed before the recorded position", copied, committedBefore)
	}
	if copied == 0 || copied >= writes.Load() {
		t.Errorf("snapshot should fall inside the write stream: %d of %d", copied, writes.Load())
	}
}
