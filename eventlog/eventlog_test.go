package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

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
	tx   []event.Event // events of the transactions ending in one message
	next catalog.Position
	seq  uint64
}

// reader is the consumer contract in a few lines: events of unfinished
// transactions wait for their commit; a message that begins a transaction
// while one is unfinished drops the unfinished one.
type reader struct {
	open    []event.Event
	inTx    bool
	dropped int
}

func (r *reader) add(t *testing.T, m Message) (got, bool) {
	t.Helper()
	if m.Begins && r.inTx {
		r.dropped += len(r.open)
		r.open = r.open[:0]
	}
	if !m.Begins && !r.inTx && len(m.Events) > 0 {
		t.Fatalf("message %d continues a transaction that never began", m.Seq)
	}
	if m.Commit == nil {
		ids := map[string]bool{}
		for _, e := range m.Events {
			ids[e.Transaction.ID] = true
		}
		if len(ids) > 1 {
			t.Fatalf("message %d ends inside a transaction but holds %d transactions", m.Seq, len(ids))
		}
	}
	r.open = append(r.open, m.Events...)
	r.inTx = m.Commit == nil
	if m.Commit == nil {
		return got{}, false
	}
	g := got{r.open, *m.Commit, m.Seq}
	r.open = nil
	return g, true
}

// collect consumes after `after` until n events and a commit arrived (or
// timeout); it returns one got per message that ended with a commit.
func collect(t *testing.T, l *Log, after uint64, n int) []got {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []got
	var r reader
	events := 0
	errDone := errors.New("done")
	err := l.Consume(ctx, after, func(m Message) error {
		g, ok := r.add(t, m)
		if !ok {
			return nil
		}
		out = append(out, g)
		events += len(g.tx)
		if events >= n && (n > 0 || len(out) > 0) {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("consume: got %d of %d events: %v", events, n, err)
	}
	return out
}

// all concatenates the events of gs.
func all(gs []got) []event.Event {
	var out []event.Event
	for _, g := range gs {
		out = append(out, g.tx...)
	}
	return out
}

// noMore asserts nothing is delivered after `after` within a short time.
func noMore(t *testing.T, l *Log, after uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := l.Consume(ctx, after, func(m Message) error {
		return fmt.Errorf("unexpected message %d", m.Seq)
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

// roundTrip publishes transactions, consumes them, resumes after one and
// checks LastPosition; shared by embedded and external mode.
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
	gs := collect(t, l, 0, 11)
	if len(gs) != len(ws) {
		t.Fatalf("%d commit messages, want %d (Publish sends each transaction at once)", len(gs), len(ws))
	}
	for i := range ws {
		sameJSON(t, gs[i].tx, ws[i].tx)
		if gs[i].next != ws[i].next {
			t.Fatalf("tx %d: next %v, want %v", i, gs[i].next, ws[i].next)
		}
		if i > 0 && gs[i].seq != gs[i-1].seq+1 {
			t.Fatalf("sequences not contiguous: %d then %d", gs[i-1].seq, gs[i].seq)
		}
	}
	if gs[0].tx[0].Transaction.TotalOrder != 1 || gs[2].tx[4].Source.Row != 4 {
		t.Fatal("events not in source order")
	}
	if n := msgs(t, l); n != 4 {
		t.Fatalf("stream holds %d messages, want 4", n)
	}
	p, err := l.LastPosition(ctx)
	if err != nil || p == nil || *p != ws[3].next {
		t.Fatalf("LastPosition = %v, %v; want %v", p, err, ws[3].next)
	}
	// Resume after the second transaction.
	rest := collect(t, l, gs[1].seq, 7)
	sameJSON(t, all(rest), append(append([]event.Event{}, ws[2].tx...), ws[3].tx...))
	noMore(t, l, gs[3].seq)
}

func TestPublishConsume(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	roundTrip(t, l)
}

// Small transactions added back to back share messages; a big one is cut
// into pieces that hold only its events; every event arrives once, in
// order, and each commit message carries the position after its last
// transaction.
func TestPacking(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	ctx := context.Background()
	var want []event.Event
	var last catalog.Position
	add := func(tx []event.Event, next catalog.Position, chunk int) {
		for i := 0; i < len(tx) || i == 0; i += chunk {
			part := tx[i:min(i+chunk, len(tx))]
			if err := l.Add(ctx, event.Chunk{Events: part, First: i == 0, Commit: i+chunk >= len(tx)}, next); err != nil {
				t.Fatal(err)
			}
		}
		want, last = append(want, tx...), next
	}
	for i := range 3000 {
		tx, next := txn(uint64(4+i*1000), 1+i%3)
		add(tx, next, 1000)
	}
	big, next := txn(1_000_000_000, 5500)
	add(big, next, 1000)
	for i := range 50 {
		tx, next := txn(uint64(2_000_000_000+i*1000), 2)
		add(tx, next, 1000)
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	gs := collect(t, l, 0, len(want))
	sameJSON(t, all(gs), want)
	if gs[len(gs)-1].next != last {
		t.Fatalf("last position %v, want %v", gs[len(gs)-1].next, last)
	}
	n := msgs(t, l)
	if n > 20 {
		t.Fatalf("%d messages for %d events: small transactions were not packed", n, len(want))
	}
	var parts int
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l.Consume(ctx2, 0, func(m Message) error {
		if m.Commit == nil {
			parts++
		}
		if m.Seq == n {
			cancel()
		}
		return nil
	})
	if parts < 2 {
		t.Fatalf("the 5,500-event transaction went in %d part messages, want it cut", parts)
	}
	t.Logf("%d events in %d messages (%d parts)", len(want), n, parts)
}

// A transaction stored only in part (the source stopped mid-way) and then
// again from its start comes out once: the reader drops the unfinished
// attempt.
func TestAbandonedTransaction(t *testing.T) {
	dir := t.TempDir()
	l := open(t, embedded(t, dir))
	ctx := context.Background()
	small, smallNext := txn(4, 2)
	if err := l.Publish(ctx, small, smallNext); err != nil {
		t.Fatal(err)
	}
	big, next := txn(1_000_000, 3000)
	for i := 0; i < 2000; i += 1000 {
		if err := l.Add(ctx, event.Chunk{Events: big[i : i+1000], First: i == 0}, catalog.Position{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := l.LastPosition(ctx); err != nil || p == nil || *p != smallNext {
		t.Fatalf("LastPosition after a partial transaction = %v, %v; want %v", p, err, smallNext)
	}
	l.Close()

	// Restart: the source resumes from LastPosition and sends it again.
	l = open(t, embedded(t, dir))
	defer l.Close()
	for i := 0; i < 3000; i += 1000 {
		if err := l.Add(ctx, event.Chunk{Events: big[i : i+1000], First: i == 0, Commit: i == 2000}, next); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var r reader
	var out []got
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	l.Consume(cctx, 0, func(m Message) error {
		if g, ok := r.add(t, m); ok {
			out = append(out, g)
			if g.next == next {
				cancel()
			}
		}
		return nil
	})
	if len(out) != 2 {
		t.Fatalf("%d committed messages, want 2", len(out))
	}
	sameJSON(t, out[0].tx, small)
	sameJSON(t, out[1].tx, big)
	if r.dropped != 2000 {
		t.Fatalf("dropped %d events of the unfinished attempt, want 2000", r.dropped)
	}
}

// When one message of a pipelined run fails, none after it is stored:
// the log has no gap. Here the server refuses one message (too big for
// the stream's limit) while later ones are already on their way.
func TestNoGap(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	ctx := context.Background()
	info, err := l.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.Config
	cfg.MaxMsgSize = 100 << 10
	if _, err := l.js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	send := func(tx []event.Event, next catalog.Position) {
		t.Helper()
		if err := l.Add(ctx, event.Chunk{Events: tx, First: true, Commit: true}, next); err != nil {
			t.Fatal(err)
		}
		if err := l.send(ctx); err != nil { // no wait for the ack
			t.Fatal(err)
		}
	}
	tx, next := txn(4, 1)
	send(tx, next)
	big, bigNext := txn(10_000, 1500) // > 100 KiB: refused
	send(big, bigNext)
	for i := range 5 {
		tx, next := txn(uint64(20_000+i*1000), 1)
		send(tx, next)
	}
	err = l.Flush(ctx)
	if err == nil {
		t.Fatal("publishing past a refused message succeeded")
	}
	t.Logf("error: %v", err)
	if n := msgs(t, l); n != 1 {
		t.Fatalf("stream holds %d messages after the failure, want 1 (nothing after the refused one)", n)
	}
	if p, err := l.LastPosition(ctx); err != nil || p == nil || *p != next {
		t.Fatalf("LastPosition = %v, %v; want %v", p, err, next)
	}
	// The next attempt starts from the log as it is.
	tx, next = txn(99_000_000, 3)
	if err := l.Publish(ctx, tx, next); err != nil {
		t.Fatal(err)
	}
	if n := msgs(t, l); n != 2 {
		t.Fatalf("stream holds %d messages, want 2", n)
	}
}

func TestEmptyTransaction(t *testing.T) {
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	ctx := context.Background()
	next := catalog.Position{Dialect: "mysql", GTID: "uuid:1-5"}
	if err := l.Publish(ctx, nil, next); err != nil {
		t.Fatal(err)
	}
	g := collect(t, l, 0, 0)
	if len(g[0].tx) != 0 || g[0].next != next {
		t.Fatalf("got %+v", g[0])
	}
	if p, err := l.LastPosition(ctx); err != nil || p == nil || *p != next {
		t.Fatalf("LastPosition = %v, %v", p, err)
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
	before := collect(t, l, 0, 15)
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
	if n := msgs(t, l); n != 5 {
		t.Fatalf("after reopen: %d messages, want 5", n)
	}
	// Resume exactly after the 3rd transaction.
	rest := collect(t, l, before[2].seq, 9)
	sameJSON(t, rest[0].tx, txs[3])
	sameJSON(t, rest[1].tx, txs[4])
	if rest[1].seq != before[4].seq {
		t.Fatalf("seq %d, want %d", rest[1].seq, before[4].seq)
	}
	// Publishing goes on after the reopened log's end.
	tx, next := txn(77_000, 2)
	if err := l.Publish(ctx, tx, next); err != nil {
		t.Fatal(err)
	}
	if n := msgs(t, l); n != 6 {
		t.Fatalf("after publish: %d messages, want 6", n)
	}
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
		if err := l.Add(ctx, event.Chunk{Events: txs[i], First: true, Commit: true}, nexts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	pub := time.Since(start)
	t.Logf("publish: %d single-event transactions in %s: %.0f tx/s (%d messages)",
		n, pub.Round(time.Millisecond), n/pub.Seconds(), msgs(t, l))

	start = time.Now()
	g := collect(t, l, 0, n)
	cons := time.Since(start)
	t.Logf("consume: %d events in %s: %.0f events/s", n, cons.Round(time.Millisecond), n/cons.Seconds())
	if got := all(g); got[n-1].ID() != txs[n-1][0].ID() || g[len(g)-1].next != nexts[n-1] {
		t.Fatal("last transaction mismatch")
	}

	// One at a time, each waiting for its ack (the latency path).
	start = time.Now()
	for i := range 2000 {
		if err := l.Publish(ctx, txs[i], nexts[i]); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("publish and wait: %.0f single-event tx/s", 2000/time.Since(start).Seconds())
}

// TestTrimAndPositionAt: Trim drops the messages before the one kept,
// which still tells its position; publishing and consuming go on.
func TestTrimAndPositionAt(t *testing.T) {
	ctx := context.Background()
	l := open(t, embedded(t, t.TempDir()))
	defer l.Close()
	var pos []catalog.Position
	for i := range 5 {
		tx, next := txn(uint64(4+i*1000), 1)
		if err := l.Publish(ctx, tx, next); err != nil {
			t.Fatal(err)
		}
		pos = append(pos, next)
	}
	if n := msgs(t, l); n != 5 {
		t.Fatalf("%d messages, want 5", n)
	}
	if err := l.Trim(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if n := msgs(t, l); n != 2 {
		t.Fatalf("after Trim(4): %d messages, want 2", n)
	}
	if p, err := l.PositionAt(ctx, 4); err != nil || p == nil || *p != pos[3] {
		t.Fatalf("PositionAt(4) = %v, %v; want %v", p, err, pos[3])
	}
	if p, err := l.PositionAt(ctx, 2); err != nil || p != nil {
		t.Fatalf("PositionAt(2) after the trim = %v, %v; want nil", p, err)
	}
	rest := collect(t, l, 4, 1)
	if rest[0].seq != 5 {
		t.Fatalf("after the trim the next message is %d, want 5", rest[0].seq)
	}
	tx, next := txn(99_000, 1)
	if err := l.Publish(ctx, tx, next); err != nil {
		t.Fatalf("publish after the trim: %v", err)
	}
	if last, err := l.LastSeq(ctx); err != nil || last != 6 {
		t.Fatalf("LastSeq = %d, %v; want 6", last, err)
	}
}
