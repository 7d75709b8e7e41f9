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
// and a duplicate-detection window. Source transactions, in commit order,
// are packed into messages whose body is a JSON array of events
// (event.Event, the Debezium envelope):
//
//   - small transactions share a message: it holds whole transactions and
//     goes on "<prefix>._commit";
//   - a big transaction (more than one chunk, see event.Chunk, or more than
//     MaxMessageBytes) is cut into messages on "<prefix>._part" holding
//     only its events, the last piece on "<prefix>._commit" (followed by
//     further whole transactions, if they fit).
//
// A message never holds an unfinished transaction after a finished one.
// Headers: Ferry-Begins "1" when the message's first event starts its
// transaction (else it continues the one in the message before);
// Ferry-Position (on _commit messages) the source position after the
// message's last transaction (catalog.Position as JSON); Ferry-Events and
// Ferry-Txs the number of events and of transactions ending in the message.
//
// # Exactly-once storage, pipelined
//
// Messages are published asynchronously, up to MaxInFlight unacknowledged
// at a time, each with Nats-Expected-Last-Sequence set to the sequence the
// message before it gets: JetStream stores a message only right after its
// predecessor, so when one publish fails every later one fails too, and
// the log never has a gap. The source position is confirmed by the log
// itself: after a failure or a crash the stream resumes from
// LastPosition, the position in the last _commit message, and a
// transaction stored there is never read twice. (Message ids would not
// help here: ids that JetStream drops as duplicates break the sequence
// chain.) A transaction whose pieces were stored only in part (a failure
// mid-way) comes again from its first piece, with Ferry-Begins set:
// consumers drop the unfinished one.
//
// # Consuming
//
// Consume reads the stream with an ordered, ephemeral consumer and hands
// each message (Message: its events, whether they begin a transaction,
// the position when the message ends at a commit, the stream sequence) to
// its callback. The applier stores the sequence of the last message it
// committed with the applied data (in the same target transaction) and
// resumes with Consume(ctx, lastSeq, ...).
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
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// Header names set on the stored messages.
const (
	HeaderBegins   = "Ferry-Begins"   // "1": the message's first event starts its transaction
	HeaderPosition = "Ferry-Position" // _commit messages: catalog.Position after the last transaction, JSON
	HeaderEvents   = "Ferry-Events"   // number of events in the message
	HeaderTxs      = "Ferry-Txs"      // number of transactions that end in the message
)

// Last subject tokens: messages that end with a commit, and pieces of a
// transaction that goes on in the next message.
const (
	commitToken = "_commit"
	partToken   = "_part"
)

// Message size and pipelining limits.
const (
	// MaxMessageBytes is the size from which a message is sent rather
	// than filled further (one event may make it bigger).
	MaxMessageBytes = 256 << 10
	// MaxMessageEvents bounds the events of one message.
	MaxMessageEvents = 2000
	// MaxInFlight bounds the messages published and not yet acknowledged.
	MaxInFlight = 16
	// maxPayload is the embedded server's message size limit.
	maxPayload = 64 << 20
)

// DefaultDuplicateWindow is the JetStream duplicate-detection window used
// when Options.DuplicateWindow is zero.
const DefaultDuplicateWindow = 24 * time.Hour

// Options configures Open.
type Options struct {
	Dir             string        // state dir for the embedded server's JetStream file storage (ignored with URL)
	URL             string        // external NATS server URL; "" = embedded in-process server
	Stream          string        // stream name, e.g. "FERRY_<taskid>"
	Subject         string        // subject prefix, e.g. "ferry.<taskid>"; messages go on <prefix>._commit and <prefix>._part
	DuplicateWindow time.Duration // JetStream duplicate-detection window (default 24h)
}

// Log is an open event log. Add, Flush and Publish must not be called
// concurrently (transactions are stored in call order); Consume,
// LastPosition and LastSeq may run alongside them.
type Log struct {
	opt    Options
	ns     *server.Server // embedded server, nil with an external URL
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	commit string // subject of messages ending with a commit
	part   string // subject of pieces of an unfinished transaction
	pub    publisher
}

// publisher is the state of the pipelined publishing.
type publisher struct {
	ready   bool   // lastSeq is known
	lastSeq uint64 // the sequence the last sent message gets
	inTx    bool   // the last added chunk left its transaction open
	pending []inflight

	// The message being filled.
	buf     bytes.Buffer
	enc     *gojson.Encoder
	events  int
	txs     int  // transactions that end in it
	begins  bool // its first event starts a transaction
	pos     []byte
	started bool
}

type inflight struct {
	f   jetstream.PubAckFuture
	seq uint64
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
	l := &Log{opt: opt, commit: opt.Subject + "." + commitToken, part: opt.Subject + "." + partToken}
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

	js, err := jetstream.New(l.nc, jetstream.WithPublishAsyncMaxPending(4*MaxInFlight),
		jetstream.WithPublishAsyncTimeout(time.Minute))
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
		MaxPayload: maxPayload,
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

// Add queues one chunk of a source transaction (event.Chunk; next is the
// source position after the transaction when c.Commit). Chunks must come
// in stream order, the chunks of a transaction one after the other. Add
// sends a message whenever one is full, keeping up to MaxInFlight
// unacknowledged; it returns the first publishing error (the log then
// holds everything before the failed message and nothing after it). Call
// Flush to send the rest and wait until all of it is stored.
func (l *Log) Add(ctx context.Context, c event.Chunk, next catalog.Position) error {
	p := &l.pub
	if !p.ready {
		last, err := l.LastSeq(ctx)
		if err != nil {
			return err
		}
		p.ready, p.lastSeq = true, last
	}
	if c.First && p.inTx {
		// The transaction before was given up half way (a source that
		// restarted): what was added of it is dropped by consumers, as its
		// next message begins a transaction. Ship what is queued first.
		if err := l.send(ctx); err != nil {
			return err
		}
	}
	if p.txs > 0 && !c.Commit {
		// A message never holds an unfinished transaction after a
		// finished one.
		if err := l.send(ctx); err != nil {
			return err
		}
	}
	chunkBytes, chunkEvents := 0, 0 // where this chunk starts in the message
	for i := range c.Events {
		ev := &c.Events[i]
		if p.started && p.events > 0 && (p.events >= MaxMessageEvents || p.buf.Len() >= MaxMessageBytes) {
			if i > 0 && p.txs > 0 {
				// Full in the middle of a transaction that follows finished
				// ones: its events so far move on to the next message.
				carry := bytes.Clone(p.buf.Bytes()[chunkBytes:])
				if chunkEvents > 0 {
					carry = carry[1:] // the separating comma
				}
				n := p.events - chunkEvents
				p.buf.Truncate(chunkBytes)
				p.events = chunkEvents
				if err := l.send(ctx); err != nil {
					return err
				}
				p.start(c.First)
				p.buf.Write(carry)
				p.events = n
				chunkBytes, chunkEvents = 1, 0
			} else if err := l.send(ctx); err != nil {
				return err
			}
		}
		if !p.started {
			p.start(i == 0 && c.First)
		}
		if i == 0 {
			chunkBytes, chunkEvents = p.buf.Len(), p.events
		}
		if p.events > 0 {
			p.buf.WriteByte(',')
		}
		if err := p.enc.EncodeWithOption(ev, gojson.UnorderedMap()); err != nil { // key order carries no meaning; sorting cost time
			return fmt.Errorf("eventlog: encode event %s: %w", ev.ID(), err)
		}
		p.events++
	}
	p.inTx = !c.Commit
	if !c.Commit {
		return nil
	}
	if !p.started {
		p.start(c.First)
	}
	pos, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("eventlog: encode position %s: %w", next, err)
	}
	p.pos = pos
	p.txs++
	if p.events >= MaxMessageEvents || p.buf.Len() >= MaxMessageBytes {
		return l.send(ctx)
	}
	return nil
}

// start begins a new message.
func (p *publisher) start(begins bool) {
	p.buf.Reset()
	p.buf.WriteByte('[')
	if p.enc == nil {
		p.enc = gojson.NewEncoder(&p.buf)
		p.enc.SetEscapeHTML(false)
	}
	p.started, p.begins, p.events, p.txs, p.pos = true, begins, 0, 0, nil
}

// send publishes the message being filled, asynchronously, expecting the
// stream's last sequence to be the one of the message before.
func (l *Log) send(ctx context.Context) error {
	p := &l.pub
	if !p.started {
		return nil
	}
	p.buf.WriteByte(']')
	subject := l.part
	if p.txs > 0 {
		subject = l.commit
	}
	m := nats.NewMsg(subject)
	m.Data = bytes.Clone(p.buf.Bytes())
	if p.begins {
		m.Header.Set(HeaderBegins, "1")
	}
	m.Header.Set(HeaderEvents, strconv.Itoa(p.events))
	m.Header.Set(HeaderTxs, strconv.Itoa(p.txs))
	if p.txs > 0 {
		m.Header.Set(HeaderPosition, string(p.pos))
	}
	p.started = false
	if err := l.await(ctx, MaxInFlight-1); err != nil {
		return err
	}
	f, err := l.js.PublishMsgAsync(m, jetstream.WithExpectLastSequence(p.lastSeq), jetstream.WithExpectStream(l.opt.Stream))
	if err != nil {
		l.reset(ctx)
		return fmt.Errorf("eventlog: publish to %s: %w", subject, err)
	}
	p.lastSeq++
	p.pending = append(p.pending, inflight{f, p.lastSeq})
	return nil
}

// await waits until at most n messages are unacknowledged.
func (l *Log) await(ctx context.Context, n int) error {
	p := &l.pub
	for len(p.pending) > n {
		in := p.pending[0]
		if err := awaitAck(ctx, in.f); err != nil {
			p.pending = p.pending[1:] // its result is taken
			l.reset(ctx)
			return fmt.Errorf("eventlog: store message %d of stream %s: %w (the log keeps everything before it; streaming resumes from there)", in.seq, l.opt.Stream, err)
		}
		p.pending[0] = inflight{}
		p.pending = p.pending[1:]
	}
	return nil
}

// reset forgets the publishing state after a failure: the acks still
// outstanding are waited for (so nothing lands after the caller re-read
// the log's end), and the next Add starts from the log as it is.
func (l *Log) reset(ctx context.Context) {
	p := &l.pub
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, in := range p.pending {
		_ = awaitAck(wctx, in.f)
	}
	*p = publisher{enc: p.enc}
}

// Flush sends the message being filled and waits until JetStream
// acknowledged every message sent: all chunks added so far are durably
// stored.
func (l *Log) Flush(ctx context.Context) error {
	if err := l.send(ctx); err != nil {
		return err
	}
	return l.await(ctx, 0)
}

// Publish stores one whole source transaction and waits until it is
// stored: Add of one chunk, then Flush.
func (l *Log) Publish(ctx context.Context, tx []event.Event, next catalog.Position) error {
	if err := l.Add(ctx, event.Chunk{Events: tx, First: true, Commit: true}, next); err != nil {
		return err
	}
	return l.Flush(ctx)
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

// Message is one stored message as Consume hands it on.
type Message struct {
	Seq    uint64        // stream sequence
	Events []event.Event // in source order
	// Begins is true when Events[0] starts its transaction; when false
	// they continue the transaction of the message before. A message
	// that begins while a transaction is still unfinished means that
	// transaction was given up: drop what was seen of it.
	Begins bool
	// Commit is the source position after the last transaction ending in
	// this message; nil when the message ends inside a transaction.
	Commit *catalog.Position
	// Txs is the number of transactions that end in this message.
	Txs int
}

// Consume reads the stream in order, starting after stream sequence after
// (0 = from the beginning; otherwise the Seq of a message handed to fn
// before that ended with a commit), and calls fn for each message. It runs
// until ctx ends (returning ctx.Err()) or fn fails (returning fn's
// error). The consumer is ordered and ephemeral; the caller stores Seq to
// resume exactly.
func (l *Log) Consume(ctx context.Context, after uint64, fn func(m Message) error) error {
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
	// The handler runs on the subscription's goroutine, one message at a
	// time; fn blocking there holds the read-ahead at the pull limits.
	// (The Messages iterator's channel can overflow and drop messages.)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var fnErr error
	stopped := false
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		mu.Lock()
		defer mu.Unlock()
		if stopped || fnErr != nil {
			return
		}
		md, err := msg.Metadata()
		if err != nil {
			fnErr = fmt.Errorf("eventlog: message metadata on stream %s: %w", l.opt.Stream, err)
			cancel()
			return
		}
		m, err := l.decode(msg.Subject(), msg.Headers(), msg.Data(), md.Sequence.Stream)
		if err == nil {
			err = fn(m)
		}
		if err != nil {
			fnErr = err
			cancel()
		}
	}, jetstream.PullMaxMessagesWithBytesLimit(1024, 2<<20))
	if err != nil {
		return fmt.Errorf("eventlog: consume stream %s: %w", l.opt.Stream, err)
	}
	<-ctx.Done()
	cc.Stop()
	mu.Lock()
	stopped = true
	err = fnErr
	mu.Unlock()
	if err != nil {
		return err
	}
	return ctx.Err()
}

// decode turns a stored message into a Message.
func (l *Log) decode(subject string, h nats.Header, data []byte, seq uint64) (Message, error) {
	m := Message{Seq: seq, Begins: h.Get(HeaderBegins) == "1"}
	switch subject {
	case l.commit:
		var p catalog.Position
		if err := json.Unmarshal([]byte(h.Get(HeaderPosition)), &p); err != nil {
			return m, fmt.Errorf("eventlog: message %d: bad %s header: %w", seq, HeaderPosition, err)
		}
		m.Commit = &p
		n, err := strconv.Atoi(h.Get(HeaderTxs))
		if err != nil {
			return m, fmt.Errorf("eventlog: message %d: bad %s header: %w", seq, HeaderTxs, err)
		}
		m.Txs = n
	case l.part:
	default:
		return m, fmt.Errorf("eventlog: message %d on unexpected subject %s (not written by this version of ferry?)", seq, subject)
	}
	// Numbers in row images stay exact (event.Row decodes them as
	// json.Number, not float64: bigints above 2^53 would round); bytes
	// arrive base64-encoded, as Debezium sends them, and the applier
	// decodes them by column type.
	if err := gojson.Unmarshal(data, &m.Events); err != nil {
		return m, fmt.Errorf("eventlog: decode the events of message %d: %w", seq, err)
	}
	if n, err := strconv.Atoi(h.Get(HeaderEvents)); err != nil || n != len(m.Events) {
		return m, fmt.Errorf("eventlog: message %d holds %d events, its %s header says %q", seq, len(m.Events), HeaderEvents, h.Get(HeaderEvents))
	}
	return m, nil
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

// PositionAt returns the source position stored with message seq: the
// position after its last transaction for a message that ends at a
// commit, nil for a piece of a transaction or a sequence the log does not
// hold. The applier's stored position names the message it ended at, so
// this tells whether the log is still the one it consumed.
func (l *Log) PositionAt(ctx context.Context, seq uint64) (*catalog.Position, error) {
	m, err := l.stream.GetMsg(ctx, seq)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("eventlog: read message %d of stream %s: %w", seq, l.opt.Stream, err)
	}
	raw := m.Header.Get(HeaderPosition)
	if raw == "" {
		return nil, nil
	}
	var p catalog.Position
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, fmt.Errorf("eventlog: message %d: bad %s header: %w", seq, HeaderPosition, err)
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

// Trim drops the messages before sequence keep (what the applier has
// applied, but its last message, which tells the log is the one it
// consumed): the log holds only what is still to be applied.
func (l *Log) Trim(ctx context.Context, keep uint64) error {
	if keep <= 1 {
		return nil
	}
	if err := l.stream.Purge(ctx, jetstream.WithPurgeSequence(keep)); err != nil {
		return fmt.Errorf("eventlog: trim stream %s before sequence %d: %w", l.opt.Stream, keep, err)
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

// Discard drops what Add queued and not yet sent, after waiting for the
// acknowledgements still outstanding: a new run of the source starts from
// the log as it is.
func (l *Log) Discard(ctx context.Context) { l.reset(ctx) }
