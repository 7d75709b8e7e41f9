package load

import (
	"strconv"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// A resumed load copies its remaining chunks from a later snapshot than
// the one CDC starts at. Replaying the changes in between is harmless for
// a table with a primary key (upserts converge) but duplicates rows of a
// table without one. So a table copied whole (one chunk) records the
// position of the snapshot it was copied from (TableState.CopiedAt), and
// CDC drops that table's changes committed at or before it: they are in
// the copy already.

// copiedPositions collects the tables' CopiedAt from the checkpoint.
func (r *runner) copiedPositions() map[string]catalog.Position {
	out := map[string]catalog.Position{}
	if r.st == nil {
		return out
	}
	r.st.Read(func(s *State) {
		for name, ts := range s.Tables {
			if ts.CopiedAt != nil && len(ts.Chunks) == 1 {
				out[name] = *ts.CopiedAt
			}
		}
	})
	return out
}

// notAfter reports whether binlog position a is at or before b; known is
// false when the positions cannot be compared (no file, other names).
func notAfter(a, b catalog.Position) (le, known bool) {
	if a.File == "" || b.File == "" {
		return false, false
	}
	if a.File == b.File {
		return a.Pos <= b.Pos, true
	}
	ab, an, ok1 := splitBinlog(a.File)
	bb, bn, ok2 := splitBinlog(b.File)
	if !ok1 || !ok2 || ab != bb {
		return false, false
	}
	return an < bn, true
}

// splitBinlog splits "binlog.000012" into "binlog" and 12.
func splitBinlog(f string) (string, uint64, bool) {
	i := strings.LastIndexByte(f, '.')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.ParseUint(f[i+1:], 10, 64)
	return f[:i], n, err == nil
}

// dropCopiedEvents removes the events of tables whose copy already holds
// them, by each event's own binlog position: a transaction's events lie
// together in the binlog and a snapshot position falls between
// transactions, so an event is at or before it exactly when its
// transaction is. A schema change ferry cannot follow is never dropped:
// the stream stopped there, so the applier must reach it and pause with
// its message instead of waiting for events that will not come.
func dropCopiedEvents(copied map[string]catalog.Position, events []event.Event) []event.Event {
	if len(copied) == 0 || len(events) == 0 {
		return events
	}
	var out []event.Event
	for i := range events {
		e := &events[i]
		if at, ok := copied[e.Key()]; ok && !pauses(e) {
			if done, known := notAfter(catalog.Position{File: e.Source.File, Pos: e.Source.Pos}, at); known && done {
				if out == nil {
					out = append(make([]event.Event, 0, len(events)), events[:i]...)
				}
				continue
			}
		}
		if out != nil {
			out = append(out, *e)
		}
	}
	if out == nil {
		return events
	}
	return out
}

// pauses reports whether e is a schema change the applier pauses at.
func pauses(e *event.Event) bool {
	if e.Op != event.OpDDL {
		return false
	}
	for _, tc := range e.TableChanges {
		if len(tc.Unsupported) > 0 {
			return true
		}
	}
	return false
}
