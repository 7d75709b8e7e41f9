package load

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/source"
	"github.com/ferrydb/ferry/target"
	"github.com/ferrydb/ferry/task"
)

type job struct {
	tp    *convert.TablePlan
	chunk *ChunkState
	index int
}

// copyData opens a snapshot, plans chunks for tables that have none yet,
// and copies every chunk that is not done.
func (r *runner) copyData(ctx context.Context) error {
	n := r.t.Parallel
	snap, err := r.src.Snapshot(ctx, n)
	if err != nil {
		return err
	}
	defer snap.Close()
	pos := snap.Position()
	if err := r.st.Update(func(s *State) {
		if s.Snapshot == nil {
			s.Snapshot = &pos
			s.Consistent = snap.Consistent()
		}
	}); err != nil {
		return err
	}
	r.st.Read(func(s *State) { r.report.Snapshot, r.report.Consistent = s.Snapshot, s.Consistent })
	r.log.Info("snapshot opened", "position", pos.String(), "readers", n, "consistent", snap.Consistent())
	if snap.Consistent() {
		r.snapAt = &pos
	}

	var jobs []job
	var copiedBefore []*convert.TablePlan
	for _, tp := range r.plan.Tables {
		key := tp.Source.QualifiedName()
		var ts *TableState
		r.st.Read(func(s *State) { ts = s.Tables[key] })
		if ts != nil && ts.KeyColumn != tp.KeyColumn {
			return fmt.Errorf("%s: the checkpoint split this table on key %q but its key is now %q (did the source table change?): delete the checkpoint %s and truncate the target table to start over", key, ts.KeyColumn, tp.KeyColumn, r.st.Path())
		}
		if ts == nil {
			chunks, err := r.planChunks(ctx, snap.Reader(0), tp)
			if err != nil {
				return err
			}
			ts = &TableState{KeyColumn: tp.KeyColumn, Chunks: chunks}
			if err := r.st.Update(func(s *State) { s.Tables[key] = ts }); err != nil {
				return err
			}
		}
		r.opt.Progress.Table(key, max(tp.Source.RowsEstimate, 0))
		pending := 0
		r.st.Read(func(s *State) {
			for i, c := range ts.Chunks {
				if c.Status != ChunkDone {
					jobs = append(jobs, job{tp: tp, chunk: c, index: i})
					pending++
				} else {
					r.opt.Progress.Add(key, c.Rows)
				}
			}
		})
		if pending == 0 {
			r.opt.Progress.TableDone(key)
			copiedBefore = append(copiedBefore, tp)
		}
	}
	// Biggest tables first, so the long tail is short.
	sort.SliceStable(jobs, func(i, j int) bool {
		return jobs[i].tp.Source.DataBytes > jobs[j].tp.Source.DataBytes
	})
	remaining := map[string]int{}
	for _, j := range jobs {
		remaining[j.tp.Source.QualifiedName()]++
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A table's primary key and indexes are built as soon as its last chunk
	// lands, while the other tables are still copying; a foreign key as
	// soon as both of its tables have their keys.
	keys := r.startDDL(ctx, "keys and indexes", n)
	sched := newKeyScheduler(r.plan.Tables)
	submitFKs := func(fks []string) {
		for _, fk := range fks {
			keys.submitThen(fk, nil)
		}
	}
	buildKeys := func(tp *convert.TablePlan) {
		own := tp.Source.QualifiedName()
		var zero map[string]int64
		r.st.Read(func(s *State) { zero = s.Tables[own].ZeroDates })
		stmts := append(r.keyStatements(tp, zero), tp.Indexes...)
		r.obs.KeysStarted(own, len(stmts))
		submitFKs(sched.start(own, len(stmts)))
		for _, st := range stmts {
			keys.submitThen(st, func() { r.obs.KeyBuilt(own); submitFKs(sched.finished(own)) })
		}
	}
	for _, tp := range copiedBefore {
		buildKeys(tp) // copied in an earlier run
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	var remMu sync.Mutex
	for w := 0; w < n; w++ {
		rd := snap.Reader(w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if err := r.copyChunk(ctx, rd, j); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					continue
				}
				key := j.tp.Source.QualifiedName()
				remMu.Lock()
				remaining[key]--
				last := remaining[key] == 0
				remMu.Unlock()
				if last {
					r.log.Debug("table copied", "table", key)
					r.opt.Progress.TableDone(key)
					buildKeys(j.tp)
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	kerr := keys.wait()
	if firstErr != nil {
		return firstErr
	}
	if kerr != nil {
		return kerr
	}
	return ctx.Err()
}

// planChunks splits a table into key ranges of about ChunkRows rows.
func (r *runner) planChunks(ctx context.Context, rd source.Reader, tp *convert.TablePlan) ([]*ChunkState, error) {
	whole := []*ChunkState{{Status: ChunkPending}}
	if tp.KeyColumn == "" || tp.Source.RowsEstimate <= r.t.ChunkRows {
		return whole, nil
	}
	lo, hi, ok, err := rd.KeyBounds(ctx, tp.Source, tp.KeyColumn)
	if err != nil {
		return nil, err
	}
	if !ok {
		return whole, nil
	}
	n := (tp.Source.RowsEstimate + r.t.ChunkRows - 1) / r.t.ChunkRows
	return splitRange(lo, hi, n), nil
}

// splitRange cuts [lo, hi] into about n half-open chunks; the first and
// last are open-ended so rows outside the bounds are still read. Offsets
// are computed in uint64 from lo, so keys near the int64 limits do not
// overflow.
func splitRange(lo, hi, n int64) []*ChunkState {
	span := uint64(hi) - uint64(lo) // exact even when hi-lo overflows int64
	if n < 2 || span < uint64(n) {
		return []*ChunkState{{Status: ChunkPending}}
	}
	step := span/uint64(n) + 1
	var out []*ChunkState
	var prev *int64
	for off := step; off <= span; off += step {
		v := int64(uint64(lo) + off)
		out = append(out, &ChunkState{Status: ChunkPending, Lo: prev, Hi: &v})
		prev = &v
		if off > span-step { // the next step would pass hi (or wrap)
			break
		}
	}
	out = append(out, &ChunkState{Status: ChunkPending, Lo: prev})
	return out
}

// copyChunk loads one chunk exactly once: mark started, clear what an
// interrupted earlier attempt may have left (in the same transaction as
// the new rows), copy, mark done.
func (r *runner) copyChunk(ctx context.Context, rd source.Reader, j job) error {
	key := j.tp.Source.QualifiedName()
	var wasStarted bool
	if err := r.st.Update(func(s *State) {
		wasStarted = j.chunk.Status == ChunkStarted
		j.chunk.Status = ChunkStarted
	}); err != nil {
		return err
	}
	clear := ""
	if wasStarted && r.t.IfExists == task.IfExistsAppend {
		return fmt.Errorf("copy %s chunk %d: an earlier run was killed while appending to a table that held rows before, so its partial rows cannot be told apart from them: restore the target table, delete the checkpoint %s, and rerun", key, j.index+1, r.st.Path())
	}
	if wasStarted {
		clear = clearSQL(j.tp, j.chunk)
	}
	r.mu.Lock()
	tt := r.tableTime[key]
	if tt == nil {
		tt = &tableTiming{start: time.Now()}
		r.tableTime[key] = tt
	}
	r.mu.Unlock()

	c := source.Chunk{KeyColumn: j.tp.KeyColumn, Lo: j.chunk.Lo, Hi: j.chunk.Hi}
	if j.chunk.Lo == nil && j.chunk.Hi == nil {
		c.KeyColumn = ""
	}
	cols := make([]*catalog.Column, 0, len(j.tp.Load))
	for _, cp := range j.tp.Load {
		cols = append(cols, cp.Source)
	}
	var pending int64
	rows := target.RowSource(func(ctx context.Context, emit func([][]byte) error) error {
		return rd.ReadChunk(ctx, j.tp.Source, cols, c, func(row [][]byte) error {
			pending++
			if pending == 4096 {
				r.opt.Progress.Add(key, pending)
				pending = 0
			}
			return emit(row)
		})
	})
	stats, err := r.dst.LoadChunk(ctx, j.tp, clear, rows)
	r.opt.Progress.Add(key, pending)
	if err != nil && !wasStarted && r.opt.IsRolledBack(err) {
		// Nothing of this attempt was committed: the chunk is pending again
		// (and needs no clearing, which matters in append mode).
		if uerr := r.st.Update(func(*State) { j.chunk.Status = ChunkPending }); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("copy %s chunk %d: %w", key, j.index+1, err)
	}
	if stats.Written != stats.Rows {
		return fmt.Errorf("copy %s chunk %d: read %d rows but the target wrote %d", key, j.index+1, stats.Rows, stats.Written)
	}
	r.mu.Lock()
	tt.end = time.Now()
	tt.read += stats.Rows
	tt.wrote += stats.Written
	r.mu.Unlock()
	return r.st.Update(func(s *State) {
		j.chunk.Status = ChunkDone
		j.chunk.Rows = stats.Written
		ts := s.Tables[key]
		if len(ts.Chunks) == 1 {
			ts.CopiedAt = r.snapAt
		}
		for col, n := range stats.ZeroDates {
			if ts.ZeroDates == nil {
				ts.ZeroDates = map[string]int64{}
			}
			ts.ZeroDates[col] += n
		}
	})
}

// clearSQL deletes a chunk's key range (or the whole table for a
// single-chunk table).
func clearSQL(tp *convert.TablePlan, c *ChunkState) string {
	if tp.KeyColumn == "" || (c.Lo == nil && c.Hi == nil) {
		return "DELETE FROM " + tp.Ident()
	}
	k := convert.QuoteIdent(convert.Name(tp.KeyColumn))
	var conds []string
	if c.Lo != nil {
		conds = append(conds, fmt.Sprintf("%s >= %d", k, *c.Lo))
	}
	if c.Hi != nil {
		conds = append(conds, fmt.Sprintf("%s < %d", k, *c.Hi))
	}
	s := "DELETE FROM " + tp.Ident() + " WHERE " + conds[0]
	if len(conds) > 1 {
		s += " AND " + conds[1]
	}
	return s
}

// keyScheduler tracks which tables have their keys and indexes, and hands
// out each foreign key once both of its tables do.
type keyScheduler struct {
	mu        sync.Mutex
	left      map[string]int // key statements outstanding per table
	done      map[string]bool
	submitted map[string]bool
	tables    []*convert.TablePlan
}

func newKeyScheduler(tables []*convert.TablePlan) *keyScheduler {
	return &keyScheduler{left: map[string]int{}, done: map[string]bool{}, submitted: map[string]bool{}, tables: tables}
}

// start registers n key statements for a table; with none it is done at
// once, and the foreign keys that became ready are returned.
func (k *keyScheduler) start(table string, n int) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.left[table] = n
	if n == 0 {
		k.done[table] = true
		return k.readyLocked()
	}
	return nil
}

// finished counts one key statement of a table as done.
func (k *keyScheduler) finished(table string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.left[table]--
	if k.left[table] == 0 {
		k.done[table] = true
		return k.readyLocked()
	}
	return nil
}

func (k *keyScheduler) readyLocked() []string {
	var out []string
	for _, tp := range k.tables {
		if !k.done[tp.Source.QualifiedName()] {
			continue
		}
		for i, fk := range tp.ForeignKeys {
			if !k.submitted[fk] && k.done[tp.ForeignKeyRefs[i]] {
				k.submitted[fk] = true
				out = append(out, fk)
			}
		}
	}
	return out
}
