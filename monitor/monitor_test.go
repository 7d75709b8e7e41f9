package monitor

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// clock is a settable time source for the collector.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func tx(commit time.Time, table string, n int) []event.Event {
	out := make([]event.Event, n)
	for i := range out {
		out[i] = event.Event{Op: event.OpCreate, Source: event.Source{Db: "db", Table: table, TsMs: commit.UnixMilli()}}
	}
	return out
}

func pos(n uint64) catalog.Position {
	return catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: n, Flavor: "mariadb"}
}

func lagOf(t *testing.T, s Status) float64 {
	t.Helper()
	if s.CDC == nil || s.CDC.LagSeconds == nil {
		t.Fatalf("no lag in %+v", s.CDC)
	}
	return *s.CDC.LagSeconds
}

// TestLag walks the collector through the stream's situations: caught up
// and idle, a burst in flight after an idle hour, a backlog read faster
// than it is applied, an old backlog that the applier keeps up with, and
// the empty transactions that carry the position on.
func TestLag(t *testing.T) {
	ck := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	c := New("task", "cdc")
	c.now = ck.now
	c.Table("db.t", 10)
	c.Streaming(pos(100))
	if s := c.Snapshot(); s.CDC.LagSeconds != nil || s.Tables[0].Phase != TableStreaming {
		t.Fatalf("before anything was read: lag %v, phase %s", s.CDC.LagSeconds, s.Tables[0].Phase)
	}

	// A live transaction, read and applied at once: caught up, lag is the
	// read delay while recent, then 0.
	c.Read(tx(ck.t.Add(-300*time.Millisecond), "t", 2), pos(200))
	c.Applied(event.TallyOf([][]event.Event{tx(ck.t.Add(-300*time.Millisecond), "t", 2)}), pos(200))
	if l := lagOf(t, c.Snapshot()); l < 0.29 || l > 0.31 {
		t.Errorf("live lag %v, want 0.3", l)
	}
	ck.t = ck.t.Add(time.Hour)
	s := c.Snapshot()
	if l := lagOf(t, s); l != 0 || !s.CDC.CaughtUp {
		t.Errorf("idle hour: lag %v caught up %v, want 0 and true", l, s.CDC.CaughtUp)
	}

	// A burst after the idle hour, read but not applied yet: the lag is
	// its own age, not the hour since the last applied change.
	c.Read(tx(ck.t.Add(-time.Second), "t", 1), pos(300))
	ck.t = ck.t.Add(500 * time.Millisecond)
	if l := lagOf(t, c.Snapshot()); l < 1.49 || l > 1.51 {
		t.Errorf("burst in flight: lag %v, want 1.5", l)
	}
	c.Applied(event.TallyOf([][]event.Event{tx(ck.t.Add(-1500*time.Millisecond), "t", 1)}), pos(300))

	// A backlog: the stream reads changes committed a minute ago faster
	// than they are applied.
	base := ck.t.Add(-time.Minute)
	for i := range 10 {
		c.Read(tx(base.Add(time.Duration(i)*time.Second), "t", 1), pos(400+uint64(i)))
	}
	c.Applied(event.TallyOf([][]event.Event{tx(base, "t", 1)}), pos(400))
	if l := lagOf(t, c.Snapshot()); l < 59.9 || l > 60.1 {
		t.Errorf("backlog: lag %v, want 60", l)
	}
	if c.Snapshot().CDC.CaughtUp {
		t.Error("backlog counted as caught up")
	}
	// The applier keeps up with an old backlog: caught up on what was
	// read, but what was read is old.
	c.Applied(event.TallyOf([][]event.Event{tx(base.Add(9*time.Second), "t", 1)}), pos(409))
	if l := lagOf(t, c.Snapshot()); l < 50.9 || l > 51.1 {
		t.Errorf("old backlog applied as read: lag %v, want 51", l)
	}
	// An empty transaction carrying the position on is not a change.
	ck.t = ck.t.Add(time.Minute)
	c.Read(nil, pos(500))
	if l := lagOf(t, c.Snapshot()); l != 0 {
		t.Errorf("empty transaction in flight: lag %v, want 0", l)
	}
	c.Applied(event.TallyOf([][]event.Event{{}}), pos(500))
	s = c.Snapshot()
	if !s.CDC.CaughtUp || s.CDC.AppliedPosition.Pos != 500 || s.CDC.ReadPosition.Pos != 500 {
		t.Errorf("after the empty transaction: %+v", s.CDC)
	}
	if s.CDC.TxApplied != 5 || s.CDC.EventsApplied != 5 || s.Tables[0].EventsApplied != 5 || s.CDC.TxRead != 13 || s.CDC.EventsRead != 13 {
		t.Errorf("counters: %+v, table %+v", s.CDC, s.Tables[0])
	}
}

// TestPhasesAndRates: table phases follow the load, and the rates cover
// the last samples.
func TestPhasesAndRates(t *testing.T) {
	ck := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	c := New("task", "full")
	c.now = ck.now
	c.Table("db.a", 100)
	c.Table("db.b", 0)
	c.Tick()
	c.Add("db.a", 50)
	phase := func(name string) string {
		for _, tb := range c.Snapshot().Tables {
			if tb.Name == name {
				return tb.Phase
			}
		}
		return "missing"
	}
	if phase("db.a") != TableCopying || phase("db.b") != TablePending {
		t.Errorf("phases %s %s", phase("db.a"), phase("db.b"))
	}
	c.Add("db.a", 50)
	c.TableDone("db.a")
	if phase("db.a") != TableCopied {
		t.Errorf("after the copy: %s", phase("db.a"))
	}
	c.KeysStarted("db.a", 2)
	c.KeyBuilt("db.a")
	if phase("db.a") != TableKeys {
		t.Errorf("one key of two: %s", phase("db.a"))
	}
	c.KeyBuilt("db.a")
	if phase("db.a") != TableLoaded {
		t.Errorf("keys done: %s", phase("db.a"))
	}
	ck.t = ck.t.Add(2 * time.Second)
	c.Tick()
	if s := c.Snapshot(); s.RowsPerSec != 50 || s.RowsCopied != 100 {
		t.Errorf("rows/s %v, rows %d; want 50, 100", s.RowsPerSec, s.RowsCopied)
	}
}

// TestAPI: the bearer token guards /status and /metrics, /healthz is open,
// and a non-loopback address without a token is refused.
func TestAPI(t *testing.T) {
	c := New("t1", "cdc")
	c.Table("db.t", 1)
	c.Streaming(pos(4))
	c.Read(tx(time.Now(), "t", 3), pos(90))
	c.Applied(event.TallyOf([][]event.Event{tx(time.Now(), "t", 3)}), pos(90))
	srv := httptest.NewServer(c.Handler("s3cret"))
	defer srv.Close()
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
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
	for _, p := range []string{"/status", "/metrics"} {
		if code, _ := get(p, ""); code != http.StatusUnauthorized {
			t.Errorf("%s without token: %d", p, code)
		}
		if code, _ := get(p, "wrong"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", p, code)
		}
	}
	if code, body := get("/status", "s3cret"); code != 200 || !strings.Contains(body, `"events_applied": 3`) {
		t.Errorf("/status: %d %s", code, body)
	}
	code, body := get("/metrics", "s3cret")
	for _, want := range []string{
		`ferry_cdc_events_applied_total 3`,
		`ferry_cdc_position_info{file="binlog.000001",gtid="",kind="applied",pos="90"} 1`,
		`ferry_cdc_position_offset{file="binlog.000001",kind="read"} 90`,
		`ferry_table_phase{phase="streaming",table="db.t"} 1`,
		`ferry_cdc_lag_seconds `,
		`ferry_cdc_caught_up 1`,
		`go_goroutines`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	if code, body := get("/healthz", ""); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	c.Finish(io.ErrUnexpectedEOF)
	if code, _ := get("/healthz", ""); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz after a failure: %d", code)
	}

	for addr, ok := range map[string]bool{"127.0.0.1:8420": true, "localhost:1": true, "[::1]:8420": true, "0.0.0.0:8420": false, ":8420": false, "10.1.2.3:80": false} {
		err := CheckBind(addr, "")
		if (err == nil) != ok {
			t.Errorf("CheckBind(%q, no token) = %v", addr, err)
		}
		if err := CheckBind(addr, "tok"); err != nil {
			t.Errorf("CheckBind(%q, token) = %v", addr, err)
		}
	}
}
