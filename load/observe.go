package load

import (
	"context"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// Observer hears what a run does, for `ferry status` and metrics (monitor
// implements it). It receives every Progress call, plus the key builds and
// the change stream. Implementations must be cheap and safe for concurrent
// use: they are called on the copy and apply paths.
type Observer interface {
	Progress
	// KeysStarted announces that n key and index statements of a table
	// are queued; KeyBuilt counts one of them done.
	KeysStarted(table string, n int)
	KeyBuilt(table string)
	// Streaming announces that CDC (re)starts reading at from.
	Streaming(from catalog.Position)
	// Read hands on a transaction the change stream read (and, with an
	// event log, stored in it); next is the source position after it.
	Read(tx []event.Event, next catalog.Position)
	// Applied counts a target transaction committed with the source
	// position stored in it.
	Applied(t event.Tally, next catalog.Position)
	// Warn records a warning an operator should see.
	Warn(msg string)
}

// teeProgress sends progress to the display and to the observer.
type teeProgress struct {
	Progress
	obs Observer
}

func (t teeProgress) Table(name string, estimate int64) {
	t.Progress.Table(name, estimate)
	t.obs.Table(name, estimate)
}

func (t teeProgress) Add(name string, rows int64) {
	t.Progress.Add(name, rows)
	t.obs.Add(name, rows)
}

func (t teeProgress) TableDone(name string) {
	t.Progress.TableDone(name)
	t.obs.TableDone(name)
}

func (t teeProgress) Phase(name string) {
	t.Progress.Phase(name)
	t.obs.Phase(name)
}

func (t teeProgress) Wait() {
	t.Progress.Wait()
	t.obs.Wait()
}

// nopObserver is the observer when none is set.
type nopObserver struct{ nopProgress }

func (nopObserver) KeysStarted(string, int)               {}
func (nopObserver) KeyBuilt(string)                       {}
func (nopObserver) Streaming(catalog.Position)            {}
func (nopObserver) Read([]event.Event, catalog.Position)  {}
func (nopObserver) Applied(event.Tally, catalog.Position) {}
func (nopObserver) Warn(string)                           {}

// RetentionChecker is implemented by streamers that can tell whether the
// source keeps its change log long enough for CDC to catch up from a
// position that was current at since (source/mysql implements it). It
// returns a warning, or "" when retention is fine.
type RetentionChecker interface {
	RetentionWarning(ctx context.Context, since time.Time) (string, error)
}

// checkRetention warns when the source may purge change logs CDC still
// needs: the snapshot's binlog must outlive the load plus the catch-up.
// Only a position recorded by a snapshot has a known time; a restart from
// an applied position is checked by the stream itself (purged binlogs).
func (r *runner) checkRetention(ctx context.Context, opt CDCOptions, applied *catalog.Position) {
	rc, ok := opt.Streamer.(RetentionChecker)
	if !ok || applied != nil || r.st == nil {
		return
	}
	var since time.Time
	r.st.Read(func(s *State) {
		if s.Snapshot != nil {
			since = s.StartedAt
		}
	})
	if since.IsZero() {
		return
	}
	msg, err := rc.RetentionWarning(ctx, since)
	if err != nil {
		r.log.Debug("cdc: could not read the binlog retention", "err", err)
		return
	}
	if msg != "" {
		r.log.Warn(msg)
		r.obs.Warn(msg)
	}
}
