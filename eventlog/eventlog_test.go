package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// txn builds a test transaction of n events in binlog file "bin.000001"
// starting at offset pos; the position after it is pos+1000.
func txn(pos uint64, n int) ([]event.Event, catalog.Position) {
	tx := make([]event.Event, n)
	for i := range tx {
		tx[i] = event.Event{
			Op:    event.OpCreate,
			After: map[string]any{"id": fmt.Sprint(pos*100 + uint64(i)), "name": "row"},
			Source: event.Source{
				Version: "dev", Connector: "mysql", Name: "src",
				Db: "shop", Table: []string{"orders", "order.items", "t x"}[i%3],
				File: "bin.000001", Pos: pos, Row: i,
			},
			TsMs:        1700000000000,
			Transaction: &event.Transaction{ID: fmt.Sprintf("bin.000001:%d", pos), TotalOrder: int64(i + 1), DataCollectionOrder: 1},
		}
	}
	return tx, catalog.Position{Dialect: "mysql", File: "bin.000001", Pos: pos + 1000, Flavor: "mysql"}
}

type got struct {
	tx   []event.Event
	next catalog.Position
	seq  uint64
}

// collect consumes after `after` until n transactions arrived (or timeout).
func collect(t *testing.T, l *Log, after uint64, n int) []got {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []got
	errDone := errors.New("done")
	err := l.Consume(ctx, after, func(tx []event.Event, next catalog.Position, seq uint64) error {
		out = append(out, got{tx, next, seq})
		if len(out) == n {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("consume: got %d of %d transactions: %v", len(out), n, err)
	}
	return out
}

// noMore asserts nothing is delivered after `after` within a short time.
func noMore(t *testing.T, l *Log, after uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := l.Consume(ctx, after, func(tx []event.Event, next catalog.Position, seq uint64) error {
		return fmt.Errorf("unexpected transaction at seq %d (next %s)", seq, next)
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
}

func sameJSON(t *testing.T, a, b any) {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("mismatch:\n got %s\nwant %s", ja, jb)
	}
}

func open(t *testing.T, opt Options) *Log {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func embedded(t *testing.T, dir string) Options {
	return Options{Dir: dir, Stream: "FERRY_T1", Subject: "ferry.t1"}
}

func msgs(t *testing.T, l *Log) uint64 {
	t.Helper()
	info, err := l.stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// roundTrip publishes transactions, consumes them, checks idempotency and
// LastPosition; shared by embedded and external mode.
func roundTrip(t *testing.T, l *Log) {
	ctx := context.Background()
	if p, err := l.LastPosition(ctx); err != nil || p != nil {
		t.Fatalf("empty log: LastPosition = %v, %v", p, err)
	}
	type want struct {
		tx   []event.Event
		next catalog.Position
	}
	var ws []want
	for i, n := range []int{1, 3, 5, 2} {
		tx, next := txn(uint64(4+i*1000), n)
		if err := l.Publish(ctx, tx, next); err != nil {
			t.Fatal(err)
		}
		ws = append(ws, want{tx, next})
	}
	gs := collect(t, l, 0, len(ws))
	for i := range ws {
		sameJSON(t, gs[i].tx, ws[i].tx)
		if gs[i].next != ws[i].next {
			t.Fatalf("tx %d: next %v, want %v", i, gs[i].next, ws[i].next)
		}
		if i > 0 && gs[i].seq <= gs[i-1].seq {
			t.Fatalf("sequences not increasing: %d then %d", gs[i-1].seq, gs[i].seq)
		}
	}
	if gs[0].tx[0].Transaction.TotalOrder != 1 || gs[2].tx[4].Source.Row != 4 {
		t.Fatal("events not in source order")
	}
	// 11 events + 4 markers.
	if n := msgs(t, l); n != 15 {
		t.Fatalf("stream holds %d messages, want 15", n)
	}
	p, err := l.LastPosition(ctx)
	if err != nil || p == nil || *p != ws[3].next {
		t.Fatalf("LastPosition = %v, %v; want %v", p, err, ws[3].next)
	}

	// Idempotency: the same transactions again (as after a crash before
	// the source position was confirmed) store nothing.
	for _, w := range ws[2:] {
		if err := l.Publish(ctx, w.tx, w.next); err != nil {
			t.Fatal(err)
		}
	}
	if n := msgs(t, l); n != 15 {
		t.Fatalf("after republish: stream holds %d messages, want 15", n)
	}
	noMore(t, l, gs[3].seq)
	if got := collect(t, l, 0, 4); !reflect.DeepEqual(got[3].seq, gs[3].seq) {
		t.Fatalf("last seq %d, want %d", got[3].seq, gs[3].seq)
	}

	// Resume after the second transaction.
	rest := collect(t, l, gs[1].seq, 2)
	sameJSON(t, rest[0].tx, ws[2].tx)
	sameJSON(t, rest[1].tx, ws[3].tx)
}

func TestPublishConsume(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	roundTrip(t, l)
}

// A transaction published partially (a failure mid-way) and then in full
// is stored once, and consumed whole and in source order.
func TestPartialRepublish(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	ctx := context.Background()
	tx, next := txn(4, 5)
	// Simulate a crash after storing events 3 and 1 (out of order) only:
	// publish them without a commit marker.
	for _, i := range []int{3, 1} {
		f, err := l.js.PublishMsgAsync(mustMsg(t, l, &tx[i], i, commitID(tx, next)), withID(tx[i].ID()))
		if err != nil {
			t.Fatal(err)
		}
		if err := awaitAck(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	// And a stray event of a transaction that was never committed.
	stray, strayNext := txn(99, 1)
	f, err := l.js.PublishMsgAsync(mustMsg(t, l, &stray[0], 0, commitID(stray, strayNext)), withID(stray[0].ID()))
	if err != nil {
		t.Fatal(err)
	}
	if err := awaitAck(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := l.Publish(ctx, tx, next); err != nil {
		t.Fatal(err)
	}
	if n := msgs(t, l); n != 7 {
		t.Fatalf("stream holds %d messages, want 7", n)
	}
	g := collect(t, l, 0, 1)
	sameJSON(t, g[0].tx, tx)
}

func mustMsg(t *testing.T, l *Log, ev *event.Event, i int, cid string) *nats.Msg {
	t.Helper()
	m, err := l.eventMsg(ev, i, cid)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func withID(id string) jetstream.PublishOpt { return jetstream.WithMsgID(id) }

func TestEmptyTransaction(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	ctx := context.Background()
	next := catalog.Position{Dialect: "mysql", GTID: "uuid:1-5"}
	for range 2 {
		if err := l.Publish(ctx, nil, next); err != nil {
			t.Fatal(err)
		}
	}
	g := collect(t, l, 0, 1)
	if len(g[0].tx) != 0 || g[0].next != next {
		t.Fatalf("got %+v", g[0])
	}
	if n := msgs(t, l); n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
}

func TestDurability(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l := open(t, embedded(t, dir))
	var txs [][]event.Event
	var last catalog.Position
	for i := range 5 {
		tx, next := txn(uint64(4+i*1000), i+1)
		if err := l.Publish(ctx, tx, next); err != nil {
			t.Fatal(err)
		}
		txs, last = append(txs, tx), next
	}
	before := collect(t, l, 0, 5)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // idempotent
		t.Fatal(err)
	}

	l = open(t, embedded(t, dir))
	defer l.Close()
	p, err := l.LastPosition(ctx)
	if err != nil || p == nil || *p != last {
		t.Fatalf("after reopen: LastPosition = %v, %v; want %v", p, err, last)
	}
	if n := msgs(t, l); n != 15+5 {
		t.Fatalf("after reopen: %d messages, want 20", n)
	}
	// Resume exactly after the 3rd transaction.
	rest := collect(t, l, before[2].seq, 2)
	sameJSON(t, rest[0].tx, txs[3])
	sameJSON(t, rest[1].tx, txs[4])
	if rest[1].seq != before[4].seq {
		t.Fatalf("seq %d, want %d", rest[1].seq, before[4].seq)
	}
	// Duplicate detection survives the restart too.
	if err := l.Publish(ctx, txs[4], last); err != nil {
		t.Fatal(err)
	}
	if n := msgs(t, l); n != 20 {
		t.Fatalf("after republish: %d messages, want 20", n)
	}
	noMore(t, l, before[4].seq)
}

func TestExternal(t *testing.T) {
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("test server not ready")
	}
	url := ns.ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("client url %s", url)
	}
	l := open(t, Options{URL: url, Stream: "FERRY_EXT", Subject: "ferry.ext"})
	defer l.Close()
	if l.ns != nil {
		t.Fatal("external mode started an embedded server")
	}
	roundTrip(t, l)
}

func TestUnreachableURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Open(ctx, Options{URL: "nats://u:secret@127.0.0.1:1", Stream: "S", Subject: "s"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the NATS server") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, o := range []Options{
		{Dir: "x", Stream: "", Subject: "s"},
		{Dir: "x", Stream: "a.b", Subject: "s"},
		{Dir: "x", Stream: "S", Subject: "s.>"},
		{Dir: "x", Stream: "S", Subject: "s..t"},
		{Stream: "S", Subject: "s"},
	} {
		if _, err := Open(context.Background(), o); err == nil {
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
}

func TestSubjectToken(t *testing.T) {
	for in, want := range map[string]string{
		"orders": "orders", "order.items": "order%2Eitems", "t x": "t%20x",
		"a*b>c%": "a%2Ab%3Ec%25", "": "%", "naïve": "naïve",
	} {
		if got := subjectToken(in); got != want {
			t.Errorf("subjectToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	ctx := context.Background()
	const n = 100_000
	txs := make([][]event.Event, n)
	nexts := make([]catalog.Position, n)
	for i := range n {
		txs[i], nexts[i] = txn(uint64(4+i*1000), 1)
	}
	start := time.Now()
	for i := range n {
		if err := l.Publish(ctx, txs[i], nexts[i]); err != nil {
			t.Fatal(err)
		}
	}
	pub := time.Since(start)
	t.Logf("publish: %d single-event transactions in %s: %.0f events/s (%.0f msgs/s incl. commit markers)",
		n, pub.Round(time.Millisecond), n/pub.Seconds(), 2*n/pub.Seconds())

	start = time.Now()
	g := collect(t, l, 0, n)
	cons := time.Since(start)
	t.Logf("consume: %d transactions in %s: %.0f events/s", n, cons.Round(time.Millisecond), n/cons.Seconds())
	if g[n-1].next != nexts[n-1] || g[n-1].tx[0].ID() != txs[n-1][0].ID() {
		t.Fatal("last transaction mismatch")
	}

	// Larger transactions: 1,000 transactions of 100 events.
	const m, size = 1000, 100
	big := make([][]event.Event, m)
	for i := range m {
		big[i], _ = txn(uint64(1_000_000_000+i*1000), size)
	}
	start = time.Now()
	for i := range m {
		if err := l.Publish(ctx, big[i], nexts[i]); err != nil {
			t.Fatal(err)
		}
	}
	pub = time.Since(start)
	t.Logf("publish: %d transactions of %d events in %s: %.0f events/s",
		m, size, pub.Round(time.Millisecond), m*size/pub.Seconds())
}
