package load

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
	"github.com/ferrydb/ferry/eventlog"
	"github.com/ferrydb/ferry/source"
	"github.com/ferrydb/ferry/task"
)

// Streamer reads the source's change log (source/mysql implements it):
// committed transactions in commit order, in chunks of bounded size.
type Streamer interface {
	CheckBinlog(ctx context.Context) error
	StreamChunks(ctx context.Context, from catalog.Position, tables map[string]*catalog.Table, serverID uint32, fn func(c event.Chunk, next catalog.Position) error) error
	// FollowDDL says which new tables belong to the migration and which
	// schema changes the user skipped (--skip-ddl-at).
	FollowDDL(match func(db, table string) bool, skipAt []string)
}

// Applier applies source transactions to the target exactly once, storing
// the source position with the data (apply implements it).
type Applier interface {
	Position(ctx context.Context) (*catalog.Position, error)
	Begin(ctx context.Context) (ApplyTx, error)
	// Schema returns the source tables as of the applied position (the
	// schema history), nil when none is stored.
	Schema(ctx context.Context) (map[string]*catalog.Table, error)
	// Follow sets the tables the applier works with (storing them as the
	// schema history when none is), the planner for schema changes and
	// the skipped schema changes.
	Follow(ctx context.Context, tables map[string]*catalog.Table, plan func(map[string]*catalog.Table) (map[string]*convert.TablePlan, error), skip []string) error
	// Claim makes this run the only one applying the task (a lock in
	// the target, kept until Close); call it before every attempt.
	Claim(ctx context.Context) error
	// Close gives up what the applier holds (the task's lock).
	Close()
}

// ApplyTx is one open target transaction: events go in with Apply, and
// Commit stores the source position with them.
type ApplyTx interface {
	Apply(ctx context.Context, events []event.Event) error
	Commit(ctx context.Context, next catalog.Position) error
	Rollback(ctx context.Context)
}

// EventLog is the durable log between the source stream and the applier
// (eventlog implements it on NATS JetStream).
type EventLog interface {
	// Add queues a chunk for publishing (pipelined), Flush waits until
	// everything added is stored, Discard drops what a failed run left.
	Add(ctx context.Context, c event.Chunk, next catalog.Position) error
	Flush(ctx context.Context) error
	Discard(ctx context.Context)
	Consume(ctx context.Context, after uint64, fn func(m eventlog.Message) error) error
	LastPosition(ctx context.Context) (*catalog.Position, error)
	LastSeq(ctx context.Context) (uint64, error)
	PositionAt(ctx context.Context, seq uint64) (*catalog.Position, error)
	Purge(ctx context.Context) error
	Trim(ctx context.Context, keep uint64) error
}

// CDCOptions configure Replicate.
type CDCOptions struct {
	Streamer Streamer
	// NewApplier builds the applier for the plan's tables ("db.table");
	// it reports what the user must know (and review) through warn.
	NewApplier func(ctx context.Context, tables map[string]*convert.TablePlan, warn func(msg string)) (Applier, error)
	// Start is where streaming begins when the target has applied nothing
	// yet: the snapshot position of the full load, or --start-position.
	Start    catalog.Position
	ServerID uint32
	// BatchEvents bounds the events of many small source transactions
	// that go into one target transaction (default 20,000). A bigger
	// source transaction is applied whole in one target transaction.
	BatchEvents int
	// Log carries the changes: the stream publishes each transaction
	// durably (the source position is the log's last stored commit) and
	// the applier consumes from the log.
	Log EventLog
}

// Schema changes: the stream decodes rows and the applier plans tables
// with the source definitions as of the position each resumes from. The
// target stores them with the applied position (_ferry.tables); on the
// first start they are the inspected ones, which match the snapshot. The
// stream resumes from the event log's end, so the schema changes the log
// holds beyond the applied position are folded in first.

// Replicate keeps the target in sync with the source's change log until
// ctx ends (then it returns nil after the batch in flight). Streaming
// resumes from the position the target last applied, so a restart never
// loses or repeats a transaction.
func (r *runner) replicate(ctx context.Context, opt CDCOptions) error {
	if err := opt.Streamer.CheckBinlog(ctx); err != nil {
		return err
	}
	inspected := map[string]*catalog.Table{}
	plans := map[string]*convert.TablePlan{}
	for _, tp := range r.plan.Tables {
		inspected[tp.Source.QualifiedName()] = tp.Source
		plans[tp.Source.QualifiedName()] = tp
		r.obs.Table(tp.Source.QualifiedName(), tp.Source.RowsEstimate)
		if tp.Source.PrimaryKey == nil {
			msg := fmt.Sprintf("cdc: table %s has no primary key: its updates and deletes change one target row that matches the whole before-image (of identical rows, any one); add a primary key on the source for exact, faster replication", tp.Source.QualifiedName())
			r.log.Warn(msg)
			r.obs.Warn(msg)
		}
	}
	ap, err := opt.NewApplier(ctx, plans, func(msg string) {
		r.log.Warn(msg)
		r.obs.Warn(msg)
	})
	if err != nil {
		return err
	}
	defer ap.Close()
	filter, err := task.ParseFilter(r.t.Tables)
	if err != nil {
		return err
	}
	opt.Streamer.FollowDDL(func(db, table string) bool { return filter.Match(r.src.Database(), db, table) }, r.t.SkipDDLAt)
	planner := r.planner(ctx)
	if p, err := ap.Position(ctx); err == nil {
		r.checkRetention(ctx, opt, p)
	}
	if opt.BatchEvents <= 0 {
		opt.BatchEvents = 20000
	}
	if opt.Log == nil {
		return errors.New("cdc: no event log")
	}
	// A dropped connection or a restarted server on either side is retried
	// with backoff; every attempt resumes from what the target applied.
	backoff := time.Second
	failures := 0
	for {
		from := opt.Start
		var p *catalog.Position
		err := ap.Claim(ctx)
		if err == nil {
			p, err = ap.Position(ctx)
		}
		if err == nil && p != nil {
			from = *p
		}
		applied := from
		var tables map[string]*catalog.Table
		if err == nil {
			if tables, err = ap.Schema(ctx); err == nil && tables == nil {
				tables = inspected
			}
		}
		if err == nil {
			err = ap.Follow(ctx, tables, planner, r.t.SkipDDLAt)
		}
		if err == nil {
			// The log may hold transactions the target has not applied yet:
			// stream from its end, apply from the target's log sequence.
			var lp *catalog.Position
			var last uint64
			// A failed attempt may have left messages in flight: wait for
			// them first, so the log's end read next is final.
			opt.Log.Discard(ctx)
			if from.LogSeq > 0 {
				err = r.checkLog(ctx, opt.Log, &from)
			}
			if err == nil {
				last, err = opt.Log.LastSeq(ctx)
			}
			if err == nil {
				if lp, err = opt.Log.LastPosition(ctx); err == nil && lp != nil {
					if !samePosition(*lp, applied) && from.LogSeq < last {
						tables, err = foldLogSchema(ctx, opt.Log, from.LogSeq, *lp, tables)
					}
					from.Dialect, from.File, from.Pos, from.GTID, from.Flavor = lp.Dialect, lp.File, lp.Pos, lp.GTID, lp.Flavor
				} else if err == nil && lp == nil {
					from.LogSeq = 0 // an empty (new or reset) log: consume from its start
				}
			}
		}
		if err == nil {
			if from.File == "" && from.GTID == "" {
				return errors.New("no position to stream from: the source's binary log was off at the snapshot; enable it (log_bin) and run a full load again, or pass --start-position")
			}
			var applied int64
			applied, err = r.streamOnce(ctx, opt, ap, tables, from)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				// Stopping: report a real failure of the last batch.
				if errors.Is(err, context.Canceled) {
					return nil
				}
				return err
			}
			if applied > 0 {
				failures, backoff = 0, time.Second
			}
		}
		if permanent(err) {
			return err
		}
		failures++
		if failures > 30 {
			return fmt.Errorf("cdc: giving up after %d attempts: %w", failures, err)
		}
		var d interface{ Deterministic() bool }
		if errors.As(err, &d) && d.Deterministic() {
			// The target rejects the event itself: retrying a few times
			// covers a concurrent fix; then stop and say so. The retries
			// commit message by message what comes before it: the failed
			// batch started at the applied position and held at most a
			// batch of events (or one big transaction).
			r.careful = opt.BatchEvents + 1
			if failures >= 4 {
				return fmt.Errorf("%w\nThe target rejected the same event %d times in a row: fix the target table (or the source row) so the change applies, then rerun the same command; ferry resumes from the last applied position and loses nothing", err, failures)
			}
		}
		r.log.Warn("cdc: retrying", "in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// checkLog makes sure the event log is the one the target consumed: its
// message at the applied log sequence must end at the applied source
// position. A log that was replaced (its directory removed, another
// --nats server or --state-dir) or lost its tail (a machine crash before
// the embedded server synced) does not; consuming it by sequence would
// skip or repeat transactions. It is emptied instead, and streaming starts
// again from the applied source position, which the target stored with
// its data.
func (r *runner) checkLog(ctx context.Context, log EventLog, from *catalog.Position) error {
	at, err := log.PositionAt(ctx, from.LogSeq)
	if err != nil {
		return err
	}
	if at != nil && samePosition(*at, *from) {
		return nil
	}
	r.log.Warn("cdc: the event log does not hold the target's last applied transaction at its sequence (the log was replaced or lost its tail); emptying it and streaming again from the applied source position", "applied_seq", from.LogSeq, "applied", from.String())
	if err := log.Purge(ctx); err != nil {
		return err
	}
	from.LogSeq = 0
	return nil
}

// permanent tells errors a retry cannot fix.
func permanent(err error) bool {
	msg := err.Error()
	for _, s := range []string{"cdc paused", "purged", "binlog_format", "binlog_row_image", "log_bin", "GRANT", "malformed", "not part of the migration", "session_replication_role", "XA transaction", "another ferry run"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// applyEvents is how many events go to the target in one round trip.
const applyEvents = 2000

// streamOnce streams from `from` and applies until ctx ends or an error.
//
// Three stages run concurrently: source → log (chunks published
// pipelined; the log confirms the position), log → decoded messages, and
// messages → target transactions. A target transaction holds whole
// source transactions only, so its commit stores a position to resume
// from; a big source transaction gets a target transaction of its own,
// applied as its pieces arrive.
func (r *runner) streamOnce(ctx context.Context, opt CDCOptions, ap Applier, tables map[string]*catalog.Table, from catalog.Position) (int64, error) {
	r.log.Info("streaming changes", "from", from.String())
	r.obs.Streaming(from)

	copied := r.copiedPositions()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// source → log: a transaction counts as read once the log stored it.
	var pubMu sync.Mutex
	var pubErr error
	fail := func(err error) {
		if err != nil && ctx.Err() == nil {
			pubMu.Lock()
			pubErr = err
			pubMu.Unlock()
			cancel() // ends the consumer, which reports this error
		}
	}
	chunks := make(chan chunk, 4)
	streamDone := make(chan struct{})
	pubDone := make(chan struct{})
	defer func() { cancel(); <-streamDone; <-pubDone }() // one publisher at a time
	go func() {
		defer close(streamDone)
		defer close(chunks)
		err := opt.Streamer.StreamChunks(ctx, from, tables, opt.ServerID, func(c event.Chunk, next catalog.Position) error {
			select {
			case chunks <- chunk{c, next}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if errors.Is(err, source.ErrPaused) {
			// The schema change is in the log: the applier stops there.
			r.log.Info("cdc: the stream stopped at a schema change ferry cannot follow; applying up to it")
			return
		}
		fail(err)
	}()
	go func() {
		defer close(pubDone)
		opt.Log.Discard(ctx)
		fail(publish(ctx, opt.Log, chunks, r.obs))
	}()

	// log → applier: messages carry their log sequence, stored with the
	// applied data.
	msgs := make(chan eventlog.Message, 4)
	consErr := make(chan error, 1)
	go func() {
		err := opt.Log.Consume(ctx, from.LogSeq, func(m eventlog.Message) error {
			select {
			case msgs <- m:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		pubMu.Lock()
		if pubErr != nil {
			err = pubErr
		}
		pubMu.Unlock()
		close(msgs)
		consErr <- err
	}()

	a := &applyLoop{ap: ap, batchEvents: opt.BatchEvents, obs: r.obs, copied: copied, careful: r.careful}
	if !r.t.KeepEventLog {
		a.trim = func(seq uint64) {
			tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := opt.Log.Trim(tctx, seq); err != nil {
				r.log.Warn("cdc: trimming the applied events from the event log failed; it is tried again later", "err", err)
			}
		}
	}
	r.careful = 0
	defer a.rollback()
	for {
		var m eventlog.Message
		var ok bool
		select {
		case m, ok = <-msgs:
		default:
			// Nothing waiting: make what arrived visible now.
			if err := a.idle(ctx); err != nil {
				return a.applied, cdcError(err)
			}
			m, ok = <-msgs
		}
		if !ok {
			if a.open {
				a.rollback() // an unfinished transaction comes again after a restart
			} else if err := a.commit(ctx); err != nil {
				return a.applied, cdcError(err)
			}
			err := <-consErr
			if err == nil || errors.Is(err, context.Canceled) {
				if ctx.Err() != nil {
					r.log.Info("streaming stopped", "transactions_applied", a.applied, "position", a.last.String())
					return a.applied, nil
				}
				return a.applied, errors.New("cdc: the event log ended")
			}
			if errors.Is(err, source.ErrPaused) {
				return a.applied, fmt.Errorf("cdc paused: %w", err)
			}
			return a.applied, fmt.Errorf("cdc: %w", err)
		}
		if err := a.add(ctx, m); err != nil {
			return a.applied, cdcError(err)
		}
	}
}

// cdcError prefixes an apply error with "cdc: ", except a pause, whose
// message says it already.
func cdcError(err error) error {
	if strings.HasPrefix(err.Error(), "cdc paused") {
		return err
	}
	return fmt.Errorf("cdc: %w", err)
}

type chunk struct {
	c    event.Chunk
	next catalog.Position
}

// publish adds chunks to the log, flushing whenever the source has nothing
// more for the moment (so a quiet source's changes go out at once). A
// schema change goes out in a message of its own, so the applier can
// store the position just before it.
func publish(ctx context.Context, log EventLog, chunks <-chan chunk, obs Observer) error {
	for {
		var c chunk
		var ok bool
		select {
		case c, ok = <-chunks:
		default:
			if err := log.Flush(ctx); err != nil {
				return err
			}
			c, ok = <-chunks
		}
		if !ok {
			return nil
		}
		ddl := hasDDL(c.c.Events)
		if ddl {
			if err := log.Flush(ctx); err != nil {
				return err
			}
		}
		if err := log.Add(ctx, c.c, c.next); err != nil {
			return err
		}
		if ddl {
			if err := log.Flush(ctx); err != nil {
				return err
			}
		}
		if c.c.Commit {
			obs.Read(c.c.Events, c.next)
		}
	}
}

// applyLoop turns log messages into target transactions.
type applyLoop struct {
	ap          Applier
	batchEvents int
	obs         Observer
	// copied: tables copied whole from a later snapshot, with its
	// position; their changes up to it are dropped (see dropCopied).
	copied map[string]catalog.Position
	tally  event.Tally // what cur holds, for the observer
	// careful > 0: commit after every log message while careful events
	// remain (runner.careful).
	careful int

	cur     ApplyTx       // open target transaction, nil if none
	pending []event.Event // events not sent to cur yet
	events  int           // events in cur and pending
	open    bool          // cur holds an unfinished source transaction
	commitP *catalog.Position
	txs     int64 // source transactions in cur
	applied int64
	last    catalog.Position
	// trim, when set, drops the applied messages from the log
	// (trimEvery at most); trimmed is when it last ran.
	trim    func(keep uint64)
	trimmed time.Time
}

// trimEvery is how often the applied messages are trimmed from the log.
const trimEvery = 10 * time.Second

// add takes one message in log order.
func (a *applyLoop) add(ctx context.Context, m eventlog.Message) error {
	if m.Begins && a.open {
		// The unfinished transaction was given up by the source side; it
		// comes again from this message on. It had the target
		// transaction to itself.
		a.rollback()
	}
	if !m.Begins && !a.open {
		return fmt.Errorf("event log message %d continues a transaction whose start was not read: the log is damaged; remove the event log directory and run a new full load", m.Seq)
	}
	ddl := hasDDL(m.Events)
	if (m.Commit == nil || ddl) && !a.open && a.commitP != nil {
		// A big transaction starts, or a schema change: it gets a target
		// transaction of its own (everything before it is stored even if
		// the schema change pauses).
		if err := a.commit(ctx); err != nil {
			return err
		}
	}
	evs := dropCopiedEvents(a.copied, m.Events)
	careful := a.careful > 0
	a.careful -= len(m.Events)
	a.pending = append(a.pending, evs...)
	a.events += len(evs)
	a.tally.Add(evs)
	if len(a.pending) >= applyEvents {
		if err := a.send(ctx); err != nil {
			return err
		}
	}
	if m.Commit == nil {
		a.open = true
		return nil
	}
	p := *m.Commit
	p.LogSeq = m.Seq
	a.commitP, a.open = &p, false
	a.txs += int64(m.Txs)
	if ddl || careful || a.events >= a.batchEvents {
		return a.commit(ctx)
	}
	return nil
}

// idle sends what is pending and commits when at a transaction boundary.
func (a *applyLoop) idle(ctx context.Context) error {
	if a.open {
		return a.send(ctx)
	}
	return a.commit(ctx)
}

func (a *applyLoop) send(ctx context.Context) error {
	if len(a.pending) == 0 {
		return nil
	}
	if a.cur == nil {
		t, err := a.ap.Begin(context.WithoutCancel(ctx))
		if err != nil {
			return err
		}
		a.cur = t
	}
	// A stop request lets the transaction in flight finish.
	if err := a.cur.Apply(context.WithoutCancel(ctx), a.pending); err != nil {
		a.rollback()
		return err
	}
	clear(a.pending)
	a.pending = a.pending[:0]
	return nil
}

// commit commits the target transaction with the position of its last
// finished source transaction.
func (a *applyLoop) commit(ctx context.Context) error {
	if a.commitP == nil || a.open {
		return nil
	}
	if err := a.send(ctx); err != nil {
		return err
	}
	if a.cur == nil {
		t, err := a.ap.Begin(context.WithoutCancel(ctx))
		if err != nil {
			return err
		}
		a.cur = t
	}
	if err := a.cur.Commit(context.WithoutCancel(ctx), *a.commitP); err != nil {
		a.rollback()
		return err
	}
	a.cur = nil
	a.applied += a.txs
	a.last = *a.commitP
	if a.trim != nil && a.last.LogSeq > 0 && time.Since(a.trimmed) >= trimEvery {
		a.trimmed = time.Now()
		a.trim(a.last.LogSeq)
	}
	a.tally.Txs = a.txs
	a.obs.Applied(a.tally, a.last)
	a.tally = event.Tally{}
	a.commitP, a.txs, a.events = nil, 0, 0
	return nil
}

// rollback abandons the open target transaction.
func (a *applyLoop) rollback() {
	if a.cur != nil {
		a.cur.Rollback(context.Background())
		a.cur = nil
	}
	a.pending = a.pending[:0]
	a.tally = event.Tally{}
	a.commitP, a.open, a.txs, a.events = nil, false, 0, 0
}

func hasDDL(tx []event.Event) bool {
	for i := range tx {
		if tx[i].Op == event.OpDDL {
			return true
		}
	}
	return false
}

func samePosition(a, b catalog.Position) bool {
	return a.File == b.File && a.Pos == b.Pos && a.GTID == b.GTID
}

// errFolded ends the read of the log's tail.
var errFolded = errors.New("folded")

// foldLogSchema applies the schema changes the event log holds after
// sequence after, up to the transaction that ends at last (the log's
// end), to tables: the definitions as of where the stream resumes.
func foldLogSchema(ctx context.Context, log EventLog, after uint64, last catalog.Position, tables map[string]*catalog.Table) (map[string]*catalog.Table, error) {
	out := maps.Clone(tables)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := log.Consume(ctx, after, func(m eventlog.Message) error {
		for i := range m.Events {
			if m.Events[i].Op != event.OpDDL {
				continue
			}
			for _, ch := range m.Events[i].TableChanges {
				if ch.Type == "DROP" {
					delete(out, ch.ID)
				} else if ch.Table != nil {
					out[ch.ID] = ch.Table
				}
			}
		}
		if m.Commit != nil && samePosition(*m.Commit, last) {
			return errFolded
		}
		return nil
	})
	if errors.Is(err, errFolded) {
		return out, nil
	}
	if err == nil {
		err = errors.New("the log ended early")
	}
	return nil, fmt.Errorf("cdc: read the schema changes in the event log: %w", err)
}

// planner converts source tables into target plans with the task's
// conversion options, the same rules as the full load.
func (r *runner) planner(ctx context.Context) func(map[string]*catalog.Table) (map[string]*convert.TablePlan, error) {
	opt := convert.OptionsFor(r.t, r.dst.HasPostGIS(ctx))
	return func(tables map[string]*catalog.Table) (map[string]*convert.TablePlan, error) {
		keys := make([]string, 0, len(tables))
		for k := range tables {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sc := &catalog.Schema{Dialect: "mysql"}
		for _, k := range keys {
			sc.Tables = append(sc.Tables, tables[k])
		}
		p, err := convert.Build(sc, opt)
		if err != nil {
			return nil, err
		}
		out := make(map[string]*convert.TablePlan, len(p.Tables))
		for _, tp := range p.Tables {
			out[tp.Source.QualifiedName()] = tp
		}
		return out, nil
	}
}
