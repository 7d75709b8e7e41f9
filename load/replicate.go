package load

import (
	"context"
	"errors"
	"fmt"
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
	from := opt.Start
	if p, err := ap.Position(ctx); err != nil {
		return err
	} else if p != nil {
		from = *p
	}
	if from.File == "" && from.GTID == "" {
		return errors.New("no position to stream from: the source's binary log was off at the snapshot; enable it (log_bin) and run a full load again, or pass --start-position")
	}
	if opt.BatchTxs <= 0 {
		opt.BatchTxs = 1000
	}
	if opt.BatchWait <= 0 {
		opt.BatchWait = 20 * time.Millisecond
	}
	r.log.Info("streaming changes", "from", from.String())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan streamed, 4*opt.BatchTxs)
	streamErr := make(chan error, 1)
	go func() {
		err := opt.Streamer.Stream(ctx, from, tables, opt.ServerID, func(tx []event.Event, next catalog.Position) error {
			select {
			case ch <- streamed{tx, next}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(ch)
		streamErr <- err
	}()

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
					return err
				}
				err := <-streamErr
				if err == nil || errors.Is(err, context.Canceled) {
					r.log.Info("streaming stopped", "transactions_applied", applied, "position", next.String())
					return nil
				}
				return fmt.Errorf("cdc: %w", err)
			}
			batch = append(batch, s.tx)
			next = s.next
			if len(batch) >= opt.BatchTxs {
				if err := flush(); err != nil {
					return fmt.Errorf("cdc: %w", err)
				}
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return fmt.Errorf("cdc: %w", err)
			}
			timer.Reset(opt.BatchWait)
		}
	}
}
