package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func buildFerry(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ferry")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ferrydb/ferry/cmd/ferry")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// chunksDone reads the checkpoint and counts done chunks.
func chunksDone(stateDir string) int {
	files, _ := filepath.Glob(filepath.Join(stateDir, "task-*.json"))
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var st struct {
			Tables map[string]struct {
				Chunks []struct{ Status string }
			}
		}
		if json.Unmarshal(raw, &st) != nil {
			continue
		}
		for _, tb := range st.Tables {
			for _, c := range tb.Chunks {
				if c.Status == "done" {
					n++
				}
			}
		}
	}
	return n
}

// TestKillAndResume kills ferry with SIGKILL in the middle of a
// multi-million-row load, twice, then reruns it to completion and checks
// that no row is missing or duplicated.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-million-row load; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE big (id BIGINT PRIMARY KEY AUTO_INCREMENT, a INT NOT NULL, b VARCHAR(40), c DATETIME, d DECIMAL(12,2), KEY ix_a (a));
		INSERT INTO big SELECT seq, seq * 7 % 1000, MD5(seq), '2020-01-01' + INTERVAL seq SECOND, seq / 100 FROM seq_1_to_2000000;
		CREATE TABLE small (id INT PRIMARY KEY, big_id BIGINT, FOREIGN KEY (big_id) REFERENCES big (id));
		INSERT INTO small SELECT seq, seq FROM seq_1_to_1000;
		ANALYZE TABLE big;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"migrate", "--source", src, "--target", dst, "--state-dir", state, "--chunk-rows", "100000", "--parallel", "2"}
	var killedAt []int
	for attempt := 0; attempt < 2; attempt++ {
		cmd := exec.Command(bin, args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until this run has finished a few more chunks, then kill it
		// in the middle of the next ones.
		target := chunksDone(state) + 3
		deadline := time.Now().Add(60 * time.Second)
		for chunksDone(state) < target && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(150 * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		killedAt = append(killedAt, chunksDone(state))
		if err == nil {
			t.Fatalf("run %d finished before it could be killed; make the table bigger\n%s", attempt, errb.String())
		}
	}
	t.Logf("killed after %v chunks done", killedAt)
	if killedAt[len(killedAt)-1] >= 20 {
		t.Fatalf("all chunks were done before the kill (%v)", killedAt)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("resume failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	assertSameData(t, src, dst, "public")
	pg := openPG(t, dst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) - count(DISTINCT id) FROM big`); n != 0 {
		t.Errorf("%d duplicate ids", n)
	}
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_constraint WHERE contype IN ('p','f') AND connamespace = 'public'::regnamespace`); n != 3 {
		t.Errorf("%d keys, want 2 primary + 1 foreign", n)
	}
}

// TestInterruptAndResume stops ferry with SIGINT mid-load: it exits
// non-zero saying how to resume, and the rerun completes exactly.
func TestInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("million-row load; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(32));
		INSERT INTO t SELECT seq, MD5(seq) FROM seq_1_to_1000000; ANALYZE TABLE t;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"migrate", "--source", src, "--target", dst, "--state-dir", state, "--chunk-rows", "50000", "--parallel", "2"}
	cmd := exec.Command(bin, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); chunksDone(state) < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("finished before the interrupt; make the table bigger\n%s", errb.String())
	}
	if !bytes.Contains(errb.Bytes(), []byte("rerun the same command to resume")) {
		t.Errorf("interrupted run does not say how to resume:\n%s", errb.String())
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	assertSameData(t, src, dst, "public")
}

// TestConcurrentRunRefused: a second run of the same task while the first
// is alive fails at once instead of copying the same chunks twice.
func TestConcurrentRunRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("million-row load; skipped with -short")
	}
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT, v VARCHAR(32));
		INSERT INTO t SELECT seq, MD5(seq) FROM seq_1_to_1000000;`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	state := t.TempDir()
	args := []string{"migrate", "--source", src, "--target", dst, "--state-dir", state}
	first := exec.Command(bin, args...)
	var errb bytes.Buffer
	first.Stderr = &errb
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if files, _ := filepath.Glob(filepath.Join(state, "task-*.json")); len(files) > 0 {
			break
		}
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("still running")) {
		t.Errorf("second run: err %v, output:\n%s", err, out)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, errb.String())
	}
	assertSameData(t, src, dst, "public")
}
