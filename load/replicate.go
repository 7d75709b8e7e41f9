package load

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
)

// Streamer reads the source's change log (source/mysql implements it).
type Streamer interface {
	CheckBinlog(ctx context.Context) error
	Stream(ctx context.Context, from catalog.Position, tables map[string]*catalog.Table, serverID uint32, fn func(tx []event.Event, next catalog.Position) error) error
}

// Applier applies source transactions to the target exactly once, storing
// the source position with the data (apply implements it).
type Applier interface {
	Position(ctx context.Context) (*catalog.Position, error)
	Apply(ctx context.Context, txs [][]event.Event, next catalog.Position) error
}

// EventLog is the durable log between the source stream and the applier
// (eventlog implements it on NATS JetStream).
type EventLog interface {
	Publish(ctx context.Context, tx []event.Event, next catalog.Position) error
	Consume(ctx context.Context, after uint64, fn func(tx []event.Event, next catalog.Position, lastSeq uint64) error) error
	LastPosition(ctx context.Context) (*catalog.Position, error)
	LastSeq(ctx context.Context) (uint64, error)
}

// CDCOptions configure Replicate.
type CDCOptions struct {
	Streamer Streamer
	// NewApplier builds the applier for the plan's tables ("db.table").
	NewApplier func(ctx context.Context, tables map[string]*convert.TablePlan) (Applier, error)
	// Start is where streaming begins when the target has applied nothing
	// yet: the snapshot position of the full load, or --start-position.
	Start    catalog.Position
	ServerID uint32
	// BatchTxs and BatchWait bound how many source transactions go into
	// one target transaction, and how long a batch waits to fill.
	BatchTxs  int
	BatchWait time.Duration
	// Log, when set, carries the changes: the stream publishes each
	// transaction durably (the source position moves on only after the
	// log acknowledged it) and the applier consumes from the log.
	Log EventLog
}

type streamed struct {
	tx   []event.Event
	next catalog.Position
}

// Replicate keeps the target in sync with the source's change log until
// ctx ends (then it returns nil after the batch in flight). Streaming
// resumes from the position the target last applied, so a restart never
// loses or repeats a transaction.
func (r *runner) replicate(ctx context.Context, opt CDCOptions) error {
	if err := opt.Streamer.CheckBinlog(ctx); err != nil {
		return err
	}
	tables := map[string]*catalog.Table{}
	plans := map[string]*convert.TablePlan{}
	for _, tp := range r.plan.Tables {
		tables[tp.Source.QualifiedName()] = tp.Source
		plans[tp.Source.QualifiedName()] = tp
	}
	ap, err := opt.NewApplier(ctx, plans)
	if err != nil {
		return err
	}
	if opt.BatchTxs <= 0 {
		opt.BatchTxs = 1000
	}
	if opt.BatchWait <= 0 {
		opt.BatchWait = 20 * time.Millisecond
	}
	// A dropped connection or a restarted server on either side is retried
	// with backoff; every attempt resumes from what the target applied.
	backoff := time.Second
	failures := 0
	for {
		from := opt.Start
		p, err := ap.Position(ctx)
		if err == nil && p != nil {
			from = *p
		}
		if err == nil && opt.Log != nil {
			// The log may hold transactions the target has not applied yet:
			// stream from its end, apply from the target's log sequence.
			var lp *catalog.Position
			var last uint64
			if last, err = opt.Log.LastSeq(ctx); err == nil && from.LogSeq > last {
				// The log is not the one the target consumed from (a new
				// stream): everything in it was published from the applied
				// position on, so consume it from its start.
				r.log.Warn("cdc: the event log is newer than the target's position; consuming it from its start", "applied_seq", from.LogSeq, "log_last_seq", last)
				from.LogSeq = 0
			}
			if err == nil {
				if lp, err = opt.Log.LastPosition(ctx); err == nil && lp != nil {
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
		r.log.Warn("cdc: retrying", "in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// permanent tells errors a retry cannot fix.
func permanent(err error) bool {
	msg := err.Error()
	for _, s := range []string{"purged", "binlog_format", "binlog_row_image", "log_bin", "GRANT", "malformed", "not part of the migration", "session_replication_role", "XA transaction"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// streamOnce streams from `from` and applies until ctx ends or an error.
func (r *runner) streamOnce(ctx context.Context, opt CDCOptions, ap Applier, tables map[string]*catalog.Table, from catalog.Position) (int64, error) {
	r.log.Info("streaming changes", "from", from.String())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan streamed, 4*opt.BatchTxs)
	emit := func(tx []event.Event, next catalog.Position) error {
		select {
		case ch <- streamed{tx, next}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	streamErr := make(chan error, 1)
	if opt.Log == nil {
		go func() {
			err := opt.Streamer.Stream(ctx, from, tables, opt.ServerID, emit)
			close(ch)
			streamErr <- err
		}()
	} else {
		// source → log: a transaction counts as read once the log stored it.
		var pubMu sync.Mutex
		var pubErr error
		pubDone := make(chan struct{})
		defer func() { cancel(); <-pubDone }() // one publisher at a time
		go func() {
			defer close(pubDone)
			err := opt.Streamer.Stream(ctx, from, tables, opt.ServerID, func(tx []event.Event, next catalog.Position) error {
				return opt.Log.Publish(ctx, tx, next)
			})
			if err != nil && ctx.Err() == nil {
				pubMu.Lock()
				pubErr = err
				pubMu.Unlock()
				cancel() // ends the consumer, which reports this error
			}
		}()
		// log → applier: each transaction carries its log sequence, stored
		// with the applied data.
		go func() {
			err := opt.Log.Consume(ctx, from.LogSeq, func(tx []event.Event, next catalog.Position, seq uint64) error {
				next.LogSeq = seq
				return emit(tx, next)
			})
			pubMu.Lock()
			if pubErr != nil {
				err = pubErr
			}
			pubMu.Unlock()
			close(ch)
			streamErr <- err
		}()
	}

	var batch [][]event.Event
	var next catalog.Position
	var applied int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// The batch is applied on a context of its own: a stop request
		// lets the batch in flight finish.
		if err := ap.Apply(context.WithoutCancel(ctx), batch, next); err != nil {
			return err
		}
		applied += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	timer := time.NewTimer(opt.BatchWait)
	defer timer.Stop()
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				if err := flush(); err != nil {
					return applied, fmt.Errorf("cdc: %w", err)
				}
				err := <-streamErr
				if err == nil || errors.Is(err, context.Canceled) {
					if ctx.Err() != nil {
						r.log.Info("streaming stopped", "transactions_applied", applied, "position", next.String())
						return applied, nil
					}
					return applied, errors.New("cdc: the binlog stream ended")
				}
				return applied, fmt.Errorf("cdc: %w", err)
			}
			batch = append(batch, s.tx)
			next = s.next
			if len(batch) >= opt.BatchTxs {
				if err := flush(); err != nil {
					return applied, fmt.Errorf("cdc: %w", err)
				}
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return applied, fmt.Errorf("cdc: %w", err)
			}
			timer.Reset(opt.BatchWait)
		}
	}
}
