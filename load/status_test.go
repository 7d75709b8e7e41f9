package load_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydb/ferry/monitor"
)

// TestStatusAndMetrics runs full+cdc with the HTTP API and checks what an
// operator sees: `ferry status` from the API and from the state dir, the
// Prometheus metrics behind the bearer token, and the binlog retention
// warning (the retention is set below the time since the snapshot).
func TestStatusAndMetrics(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40));
		INSERT INTO t SELECT seq, MD5(seq) FROM seq_1_to_20000;
		CREATE TABLE u (id INT PRIMARY KEY);`); err != nil {
		t.Fatal(err)
	}
	if err := env.MariaDB.Exec(ctx, "", "SET GLOBAL binlog_expire_logs_seconds = 1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.MariaDB.Exec(ctx, "", "SET GLOBAL binlog_expire_logs_seconds = 0") })

	// A non-loopback address without a token is refused before anything runs.
	code, _, errs := ferry(t, "migrate", "--state-dir", t.TempDir(), "--source", src, "--target", dst, "--mode", "full+cdc", "--http", "0.0.0.0:0")
	if code != 2 || !strings.Contains(errs, "--http-token") {
		t.Errorf("--http 0.0.0.0:0 without a token: exit %d, stderr %q", code, errs)
	}

	// The full load first; CDC starts later from its snapshot, which by
	// then is older than the retention.
	bin := buildFerry(t)
	state := t.TempDir()
	mustMigrateIn(t, state, "--source", src, "--target", dst)
	code, sout, errs := ferry(t, "status", "--state-dir", state, "--json")
	var loaded monitor.Status
	if err := json.Unmarshal([]byte(sout), &loaded); code != 0 || err != nil {
		t.Fatalf("status after the load: exit %d %v\n%s%s", code, err, sout, errs)
	}
	if loaded.State != monitor.StateStopped || loaded.RowsCopied != 20000 || len(loaded.Tables) != 2 || loaded.Tables[0].Phase != monitor.TableLoaded || loaded.Tables[0].RowsCopied != 20000 {
		t.Errorf("status after the load: %+v", loaded)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state,
		"--http", "127.0.0.1:0", "--http-token", "tok3n")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	urlRe := regexp.MustCompile(`url=http://(127\.0\.0\.1:\d+)/status`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := urlRe.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatalf("no API address in the output:\n%s", out)
	}
	my := openMySQL(t, src)
	waitConverged(t, src, dst, 60*time.Second)
	for i := range 50 {
		if _, err := my.Exec("UPDATE t SET v = ? WHERE id = ?", "changed", i+1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := my.Exec("INSERT INTO u VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	waitConverged(t, src, dst, 30*time.Second)

	status := func(args ...string) (monitor.Status, string) {
		t.Helper()
		b, err := exec.Command(bin, append([]string{"status"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ferry status %v: %v\n%s", args, err, b)
		}
		var s monitor.Status
		if strings.Contains(strings.Join(args, " "), "--json") {
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatalf("ferry status --json: %v\n%s", err, b)
			}
		}
		return s, string(b)
	}
	// Idle and caught up: lag 0, both positions equal, every event counted.
	var s monitor.Status
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		s, _ = status("--url", base, "--http-token", "tok3n", "--json")
		if s.CDC != nil && s.CDC.EventsApplied >= 53 && s.CDC.CaughtUp && s.CDC.LagSeconds != nil && *s.CDC.LagSeconds == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never caught up with lag 0: %+v", s.CDC)
		}
	}
	if s.Phase != "streaming" || s.State != monitor.StateRunning {
		t.Errorf("status: phase %s state %s", s.Phase, s.State)
	}
	if s.CDC.AppliedPosition == nil || s.CDC.AppliedPosition.GTID == "" || s.CDC.AppliedPosition.String() != s.CDC.ReadPosition.String() {
		t.Errorf("positions: read %v applied %v", s.CDC.ReadPosition, s.CDC.AppliedPosition)
	}
	for _, tb := range s.Tables {
		want := map[string]int64{name + ".t": 50, name + ".u": 3}[tb.Name]
		if tb.Phase != monitor.TableStreaming || tb.EventsApplied != want {
			t.Errorf("table %s: phase %s, %d events applied (want %d)", tb.Name, tb.Phase, tb.EventsApplied, want)
		}
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "binlog_expire_logs_seconds=1") {
		t.Errorf("retention warning: %q", s.Warnings)
	}
	if !strings.Contains(out.String(), "binlog retention binlog_expire_logs_seconds=1") {
		t.Errorf("no retention warning in the log:\n%s", out)
	}

	// The same from the state dir, as a table.
	_, human := status("--state-dir", state)
	for _, want := range []string{"phase streaming", "running (pid", "applied position:", " s (caught up)", name + ".t"} {
		if !strings.Contains(human, want) {
			t.Errorf("ferry status lacks %q:\n%s", want, human)
		}
	}
	if b, err := exec.Command(bin, "status", "--url", base).CombinedOutput(); err == nil || !strings.Contains(string(b), "--http-token") {
		t.Errorf("status without the token: %v\n%s", err, b)
	}

	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d", code)
	}
	code, metrics := get("/metrics", "tok3n")
	for _, want := range []string{"ferry_cdc_events_applied_total 53", "ferry_cdc_lag_seconds 0",
		`ferry_table_phase{phase="streaming",table="` + name + `.t"} 1`, `ferry_cdc_position_info{file="binlog.`} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, body := get("/healthz", ""); code != 200 {
		t.Errorf("/healthz: %d %s", code, body)
	}

	// A clean stop leaves a final status.
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	_, human = status("--state-dir", state)
	if !strings.Contains(human, "stopped") {
		t.Errorf("after the stop:\n%s", human)
	}
}
