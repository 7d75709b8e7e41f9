// Package eventlog is ferry's durable change-event log: the buffer between
// the CDC source (binlog reader) and the applier, kept in NATS JetStream.
//
// # Embedded or external
//
// By default the log runs an embedded nats-server in-process (JetStream
// enabled, file storage under Options.Dir, DontListen: no TCP port is
// opened) and connects to it through nats.InProcessServer. With
// Options.URL set, it connects to an external NATS server instead. Both
// modes go through the same client code (nats.go's jetstream API); only the
// connection differs.
//
// # Stream layout
//
// One stream per task (Options.Stream) with file storage, limits retention
// and a duplicate-detection window (Options.DuplicateWindow, 24h by
// default). Every source transaction is stored as
//
//   - one message per event on "<prefix>.<db>.<table>", the event as JSON,
//     with Nats-Msg-Id = (*event.Event).ID(), the event's index within the
//     transaction in the Ferry-Index header and the transaction's commit id
//     in Ferry-Tx;
//   - then one commit marker on "<prefix>._commit" (a single token, so it can
//     never collide with a two-token event subject) whose Ferry-Position
//     header (and body) holds the source position after the transaction
//     (catalog.Position as JSON) and whose Ferry-Tx-Size header holds the
//     number of events. The marker is sent only after JetStream
//     acknowledged all of the transaction's events, so in stream order a
//     marker always follows every event it commits, even when an event was
//     retried or resent after a reconnect.
//
// Database and table names are escaped into subject tokens (".", "*", ">",
// "%", whitespace and control bytes become %XX).
//
// # Exactly-once storage
//
// Message ids are derived from the source position only (the events' ids,
// and for the marker the id of the transaction's last event, or the next
// position for an empty transaction), so re-reading the same binlog range
// after a crash republishes the same ids and JetStream drops the
// duplicates (within the duplicate window). Publish returns only once
// JetStream acknowledged every message, i.e. the transaction is durably
// stored; only then may the caller confirm the source position. After a
// restart the source resumes from LastPosition, the position in the last
// commit marker.
//
// # Consuming
//
// Consume reads the stream with an ordered, ephemeral consumer and hands
// whole transactions (events up to a commit marker) to its callback along
// with the marker's stream sequence. The applier stores that sequence with
// the applied data (in the same target transaction) and resumes with
// Consume(ctx, lastSeq, ...) — exactly after the last applied transaction.
// Events are grouped by Ferry-Tx and ordered by Ferry-Index, so a
// partially published transaction that was republished after a failure
// still comes out whole and in source order.
//
// Throughput: one Publish costs two round trips to JetStream (events
// pipelined with a bounded in-flight window, then the marker), since the
// caller may confirm the source position only after both.
package eventlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// Header names set on the stored messages.
const (
	HeaderPosition = "Ferry-Position" // commit marker: catalog.Position after the transaction, JSON
	HeaderIndex    = "Ferry-Index"    // event: 0-based index within its transaction
	HeaderTxSize   = "Ferry-Tx-Size"  // commit marker: number of events in the transaction
	HeaderTx       = "Ferry-Tx"       // event and commit marker: the transaction's commit id
)

// commitToken is the last subject token of commit markers.
const commitToken = "_commit"

// DefaultDuplicateWindow is the JetStream duplicate-detection window used
// when Options.DuplicateWindow is zero.
const DefaultDuplicateWindow = 24 * time.Hour

// maxInFlight bounds the number of unacknowledged asynchronous publishes
// within one Publish call.
const maxInFlight = 1024

// Options configures Open.
type Options struct {
	Dir             string        // state dir for the embedded server's JetStream file storage (ignored with URL)
	URL             string        // external NATS server URL; "" = embedded in-process server
	Stream          string        // stream name, e.g. "FERRY_<taskid>"
	Subject         string        // subject prefix, e.g. "ferry.<taskid>"; events are published on <prefix>.<db>.<table>
	DuplicateWindow time.Duration // JetStream duplicate-detection window (default 24h)
}

// Log is an open event log. Publish must not be called concurrently
// (transactions are stored in call order); Consume and LastPosition may run
// alongside it.
type Log struct {
	opt    Options
	ns     *server.Server // embedded server, nil with an external URL
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	commit string // commit marker subject
}

// Open starts the embedded server if needed, connects and creates (or
// updates) the stream.
func Open(ctx context.Context, opt Options) (*Log, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := validate(&opt); err != nil {
		return nil, err
	}
	l := &Log{opt: opt, commit: opt.Subject + "." + commitToken}
	ok := false
	defer func() {
		if !ok {
			l.Close()
		}
	}()

	if opt.URL == "" {
		if err := l.startEmbedded(ctx); err != nil {
			return nil, err
		}
		nc, err := nats.Connect("", nats.InProcessServer(l.ns), nats.Name("ferry"))
		if err != nil {
			return nil, fmt.Errorf("eventlog: cannot connect to the embedded NATS server: %w", err)
		}
		l.nc = nc
	} else {
		timeout := 10 * time.Second
		if dl, has := ctx.Deadline(); has {
			timeout = time.Until(dl)
		}
		nc, err := nats.Connect(opt.URL, nats.Name("ferry"), nats.Timeout(timeout),
			nats.MaxReconnects(-1), nats.ReconnectWait(time.Second))
		if err != nil {
			return nil, fmt.Errorf("eventlog: cannot reach the NATS server at %s: %w", redact(opt.URL), err)
		}
		l.nc = nc
	}

	js, err := jetstream.New(l.nc, jetstream.WithPublishAsyncMaxPending(4*maxInFlight))
	if err != nil {
		return nil, fmt.Errorf("eventlog: jetstream context: %w", err)
	}
	l.js = js
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        opt.Stream,
		Description: "ferry change events",
		Subjects:    []string{opt.Subject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		Duplicates:  opt.DuplicateWindow,
		MaxMsgs:     -1,
		MaxBytes:    -1,
		MaxAge:      0,
	})
	if err != nil {
		where := "the embedded NATS server"
		if opt.URL != "" {
			where = "NATS server " + redact(opt.URL)
		}
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
			return nil, fmt.Errorf("eventlog: JetStream is not enabled on %s: %w", where, err)
		}
		return nil, fmt.Errorf("eventlog: cannot create or update stream %s on %s: %w", opt.Stream, where, err)
	}
	l.stream = st
	ok = true
	return l, nil
}

func validate(opt *Options) error {
	if opt.Stream == "" || strings.ContainsAny(opt.Stream, ".*> \t\r\n/\\") {
		return fmt.Errorf("eventlog: invalid stream name %q (non-empty, no '.', '*', '>', '/', '\\' or whitespace)", opt.Stream)
	}
	if opt.Subject == "" {
		return fmt.Errorf("eventlog: empty subject prefix")
	}
	for _, tok := range strings.Split(opt.Subject, ".") {
		if tok == "" || tok == "*" || tok == ">" || strings.ContainsAny(tok, " \t\r\n") {
			return fmt.Errorf("eventlog: invalid subject prefix %q (dot-separated non-empty tokens, no wildcards or whitespace)", opt.Subject)
		}
	}
	if opt.URL == "" && opt.Dir == "" {
		return fmt.Errorf("eventlog: no state dir for the embedded NATS server (set Dir, or URL for an external server)")
	}
	if opt.DuplicateWindow == 0 {
		opt.DuplicateWindow = DefaultDuplicateWindow
	}
	if opt.DuplicateWindow < 0 {
		return fmt.Errorf("eventlog: negative duplicate window %s", opt.DuplicateWindow)
	}
	return nil
}

func (l *Log) startEmbedded(ctx context.Context) error {
	ns, err := server.NewServer(&server.Options{
		ServerName: "ferry",
		JetStream:  true,
		StoreDir:   l.opt.Dir,
		DontListen: true,
		NoLog:      true,
		NoSigs:     true,
	})
	if err != nil {
		return fmt.Errorf("eventlog: cannot create the embedded NATS server (store %s): %w", l.opt.Dir, err)
	}
	ns.Start()
	l.ns = ns
	wait := 30 * time.Second
	if dl, has := ctx.Deadline(); has {
		wait = time.Until(dl)
	}
	if !ns.ReadyForConnections(wait) {
		return fmt.Errorf("eventlog: the embedded NATS server (store %s) did not become ready within %s", l.opt.Dir, wait)
	}
	return nil
}

// Close drains the connection and shuts the embedded server down cleanly
// (flushing its file storage). It is safe to call more than once.
func (l *Log) Close() error {
	if l.nc != nil {
		if !l.nc.IsClosed() {
			closed := make(chan struct{})
			l.nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
			if derr := l.nc.Drain(); derr != nil {
				l.nc.Close()
			} else {
				select {
				case <-closed:
				case <-time.After(30 * time.Second):
					l.nc.Close()
				}
			}
		}
		l.nc = nil
	}
	if l.ns != nil {
		l.ns.Shutdown()
		l.ns.WaitForShutdown()
		l.ns = nil
	}
	return nil
}

// Publish stores one source transaction's events durably, each with
// Nats-Msg-Id = ev.ID(), followed by a commit marker carrying next, the
// source position after the transaction. It returns only after JetStream
// acknowledged every message, so the caller may then confirm the source
// position. Re-publishing the same transaction is a no-op (JetStream
// acknowledges the duplicates without storing them).
func (l *Log) Publish(ctx context.Context, tx []event.Event, next catalog.Position) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pending := make([]jetstream.PubAckFuture, 0, min(len(tx)+1, maxInFlight))
	var ids []string // ids of pending, for error messages
	wait := func(n int) error {
		for len(pending) > n {
			if err := awaitAck(ctx, pending[0]); err != nil {
				return fmt.Errorf("eventlog: store message %s: %w", ids[0], err)
			}
			pending, ids = pending[1:], ids[1:]
		}
		return nil
	}
	send := func(m *nats.Msg, id string) error {
		if err := wait(maxInFlight - 1); err != nil {
			return err
		}
		f, err := l.js.PublishMsgAsync(m, jetstream.WithMsgID(id), jetstream.WithExpectStream(l.opt.Stream))
		if err != nil {
			return fmt.Errorf("eventlog: publish message %s to %s: %w", id, m.Subject, err)
		}
		pending, ids = append(pending, f), append(ids, id)
		return nil
	}

	cid := commitID(tx, next)
	for i := range tx {
		m, err := l.eventMsg(&tx[i], i, cid)
		if err != nil {
			return err
		}
		if err := send(m, tx[i].ID()); err != nil {
			return err
		}
	}

	pos, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("eventlog: encode position %s: %w", next, err)
	}
	// The marker goes out only once every event is acknowledged, so it
	// always follows all of its events in the stream, even if an event
	// was retried (no responders) or resent after a reconnect.
	if err := wait(0); err != nil {
		return err
	}
	m := nats.NewMsg(l.commit)
	m.Data = pos
	m.Header.Set(HeaderTx, cid)
	m.Header.Set(HeaderPosition, string(pos))
	m.Header.Set(HeaderTxSize, strconv.Itoa(len(tx)))
	if err := send(m, cid); err != nil {
		return err
	}
	return wait(0)
}

// eventMsg encodes the i-th event of a transaction.
func (l *Log) eventMsg(ev *event.Event, i int, cid string) (*nats.Msg, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("eventlog: encode event %s: %w", ev.ID(), err)
	}
	m := nats.NewMsg(l.eventSubject(ev))
	m.Data = data
	m.Header.Set(HeaderIndex, strconv.Itoa(i))
	m.Header.Set(HeaderTx, cid)
	return m, nil
}

// commitID is the commit marker's message id: derived from the
// transaction's last event (its position), or for an empty transaction
// from the position after it.
func commitID(tx []event.Event, next catalog.Position) string {
	if len(tx) > 0 {
		return "commit:" + tx[len(tx)-1].ID()
	}
	return "commit@" + next.String()
}

func awaitAck(ctx context.Context, f jetstream.PubAckFuture) error {
	select {
	case <-f.Ok():
		return nil
	case err := <-f.Err():
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Log) eventSubject(ev *event.Event) string {
	return l.opt.Subject + "." + subjectToken(ev.Source.Db) + "." + subjectToken(ev.Source.Table)
}

// subjectToken escapes a name into one NATS subject token.
func subjectToken(s string) string {
	if s == "" {
		return "%"
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ' || c == 0x7f || c == '.' || c == '*' || c == '>' || c == '%':
			if b.Len() == 0 {
				b.Grow(len(s) + 8)
				b.WriteString(s[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			if b.Len() > 0 {
				b.WriteByte(c)
			}
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// Consume reads whole transactions in stream order, starting after stream
// sequence after (0 = from the beginning; otherwise the lastSeq of a
// transaction handed to fn before), and calls fn(tx, next, lastSeq) for
// each committed transaction: its events, the source position after it and
// the stream sequence of its commit marker. It runs until ctx ends
// (returning ctx.Err()) or fn fails (returning fn's error). The consumer
// is ordered and ephemeral; the caller stores lastSeq to resume exactly.
func (l *Log) Consume(ctx context.Context, after uint64, fn func(tx []event.Event, next catalog.Position, lastSeq uint64) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{l.opt.Subject + ".>"},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	if after > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = after + 1
	}
	cons, err := l.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("eventlog: create consumer on stream %s: %w", l.opt.Stream, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(2048))
	if err != nil {
		return fmt.Errorf("eventlog: consume stream %s: %w", l.opt.Stream, err)
	}
	defer it.Stop()

	type indexed struct {
		idx int
		ev  event.Event
	}
	// Events waiting for their commit marker, by transaction. Normally
	// only one transaction is open; events left over from an attempt
	// whose transaction was never committed stay here.
	open := map[string][]indexed{}
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("eventlog: read stream %s: %w", l.opt.Stream, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("eventlog: message metadata on stream %s: %w", l.opt.Stream, err)
		}
		seq := md.Sequence.Stream
		h := msg.Headers()
		if msg.Subject() != l.commit {
			var ie indexed
			// Numbers stay exact (json.Number, not float64: bigints above
			// 2^53 would round); bytes arrive base64-encoded, as Debezium
			// sends them, and the applier decodes them by column type.
			dec := json.NewDecoder(bytes.NewReader(msg.Data()))
			dec.UseNumber()
			if err := dec.Decode(&ie.ev); err != nil {
				return fmt.Errorf("eventlog: decode event at sequence %d: %w", seq, err)
			}
			ie.idx, err = strconv.Atoi(h.Get(HeaderIndex))
			if err != nil {
				return fmt.Errorf("eventlog: event at sequence %d: bad %s header: %w", seq, HeaderIndex, err)
			}
			cid := h.Get(HeaderTx)
			open[cid] = append(open[cid], ie)
			continue
		}

		var next catalog.Position
		if err := json.Unmarshal([]byte(h.Get(HeaderPosition)), &next); err != nil {
			return fmt.Errorf("eventlog: commit marker at sequence %d: bad %s header: %w", seq, HeaderPosition, err)
		}
		size, err := strconv.Atoi(h.Get(HeaderTxSize))
		if err != nil {
			return fmt.Errorf("eventlog: commit marker at sequence %d: bad %s header: %w", seq, HeaderTxSize, err)
		}
		cid := h.Get(HeaderTx)
		cur := open[cid]
		delete(open, cid)
		tx := make([]event.Event, size)
		seen := make([]bool, size)
		for _, ie := range cur {
			if ie.idx < 0 || ie.idx >= size || seen[ie.idx] {
				return fmt.Errorf("eventlog: transaction committed at sequence %d (position %s): unexpected event %s with index %d of %d",
					seq, next, ie.ev.ID(), ie.idx, size)
			}
			seen[ie.idx] = true
			tx[ie.idx] = ie.ev
		}
		if len(cur) != size {
			return fmt.Errorf("eventlog: transaction committed at sequence %d (position %s): %d of %d events in the log",
				seq, next, len(cur), size)
		}
		if err := fn(tx, next, seq); err != nil {
			return err
		}
	}
}

// LastPosition returns the source position after the last transaction
// stored in the log (from the last commit marker), or nil if the log holds
// none: after a crash, streaming resumes from there.
func (l *Log) LastPosition(ctx context.Context) (*catalog.Position, error) {
	m, err := l.stream.GetLastMsgForSubject(ctx, l.commit)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("eventlog: read the last commit marker of stream %s: %w", l.opt.Stream, err)
	}
	var p catalog.Position
	if err := json.Unmarshal([]byte(m.Header.Get(HeaderPosition)), &p); err != nil {
		return nil, fmt.Errorf("eventlog: commit marker at sequence %d: bad %s header: %w", m.Sequence, HeaderPosition, err)
	}
	return &p, nil
}

// redact hides a password in a NATS URL for error messages.
func redact(raw string) string {
	var out []string
	for _, s := range strings.Split(raw, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.User == nil {
			out = append(out, s)
			continue
		}
		out = append(out, u.Redacted())
	}
	return strings.Join(out, ",")
}

// Purge empties the log: a new full load starts a new stream of changes,
// and what the log held belongs to the previous one.
func (l *Log) Purge(ctx context.Context) error {
	if err := l.stream.Purge(ctx); err != nil {
		return fmt.Errorf("eventlog: purge stream %s: %w", l.opt.Stream, err)
	}
	return nil
}

// LastSeq is the sequence of the newest message in the log (0 if empty).
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("eventlog: stream %s info: %w", l.opt.Stream, err)
	}
	return info.State.LastSeq, nil
}
