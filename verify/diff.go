package verify

import (
	"sync"
	"time"
)

// chunkDiff is what comparing one chunk found.
type chunkDiff struct {
	srcRows, dstRows        int64
	missing, extra, changed int64
	// Listed keys, at most limit of each kind.
	limit       int
	missingKeys [][]string
	extraKeys   [][]string
	changedRows []ChangedRow
	truncated   bool
	// rowChunks counts the ranges compared row by row.
	rowChunks int
	// unsettled counts rows (or chunks, without a key) that kept changing
	// on the source in live mode.
	unsettled int64
	// For --repair: every differing key (tables with a primary key), or
	// the row hashes with their multiplicity (tables without).
	repair        bool
	fixDelete     [][]string // extra keys
	fixWrite      [][]string // missing and changed keys
	missingByHash map[string]int
	extraByHash   map[string]int
}

func newChunkDiff(limit int, repair bool) *chunkDiff {
	return &chunkDiff{limit: limit, repair: repair}
}

// clean reports a chunk without differences.
func (d *chunkDiff) clean() bool {
	return d.missing == 0 && d.extra == 0 && d.changed == 0 && d.srcRows == d.dstRows
}

func (d *chunkDiff) addMissing(key []string) {
	d.missing++
	d.missingKeys, d.truncated = appendCapped(d.missingKeys, key, d.limit, d.truncated)
	if d.repair {
		d.fixWrite = append(d.fixWrite, key)
	}
}

func (d *chunkDiff) addExtra(key []string) {
	d.extra++
	d.extraKeys, d.truncated = appendCapped(d.extraKeys, key, d.limit, d.truncated)
	if d.repair {
		d.fixDelete = append(d.fixDelete, key)
	}
}

func (d *chunkDiff) addChanged(key []string, cols []string) {
	d.changed++
	if len(d.changedRows) < d.limit {
		d.changedRows = append(d.changedRows, ChangedRow{Key: key, Columns: cols})
	} else {
		d.truncated = true
	}
	if d.repair {
		d.fixWrite = append(d.fixWrite, key)
	}
}

func (d *chunkDiff) addHash(m *map[string]int, h string) {
	if !d.repair {
		return
	}
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[h]++
}

// merge adds a sub-range's findings.
func (d *chunkDiff) merge(o *chunkDiff) {
	d.srcRows += o.srcRows
	d.dstRows += o.dstRows
	d.missing += o.missing
	d.extra += o.extra
	d.changed += o.changed
	d.rowChunks += o.rowChunks
	d.truncated = d.truncated || o.truncated
	d.missingKeys, d.truncated = appendAllCapped(d.missingKeys, o.missingKeys, d.limit, d.truncated)
	d.extraKeys, d.truncated = appendAllCapped(d.extraKeys, o.extraKeys, d.limit, d.truncated)
	d.changedRows, d.truncated = appendAllCapped(d.changedRows, o.changedRows, d.limit, d.truncated)
	d.fixDelete = append(d.fixDelete, o.fixDelete...)
	d.fixWrite = append(d.fixWrite, o.fixWrite...)
}

// appendAllCapped appends more to list up to limit items; truncated
// becomes true when some did not fit.
func appendAllCapped[T any](list, more []T, limit int, truncated bool) ([]T, bool) {
	for _, x := range more {
		list, truncated = appendCapped(list, x, limit, truncated)
	}
	return list, truncated
}

func appendCapped[T any](list []T, key T, limit int, truncated bool) ([]T, bool) {
	if len(list) < limit {
		return append(list, key), truncated
	}
	return list, true
}

// tableAcc gathers the chunk results of one table.
type tableAcc struct {
	mu         sync.Mutex
	res        TableResult
	limit      int
	start, end time.Time // first and last compared chunk
	repair     *TableRepair
}

// began and ended time the table's chunks.
func (a *tableAcc) began() {
	a.mu.Lock()
	if a.start.IsZero() {
		a.start = time.Now()
	}
	a.mu.Unlock()
}

func (a *tableAcc) ended() {
	a.mu.Lock()
	a.end = time.Now()
	a.mu.Unlock()
}

func (a *tableAcc) add(d *chunkDiff) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := &a.res
	r.SourceRows += d.srcRows
	r.TargetRows += d.dstRows
	r.Missing += d.missing
	r.Extra += d.extra
	r.Changed += d.changed
	r.RowChunks += d.rowChunks
	r.Truncated = r.Truncated || d.truncated
	r.MissingKeys, r.Truncated = appendAllCapped(r.MissingKeys, d.missingKeys, a.limit, r.Truncated)
	r.ExtraKeys, r.Truncated = appendAllCapped(r.ExtraKeys, d.extraKeys, a.limit, r.Truncated)
	r.ChangedRows, r.Truncated = appendAllCapped(r.ChangedRows, d.changedRows, a.limit, r.Truncated)
}

func (a *tableAcc) fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.res.Error == "" {
		a.res.Error = err.Error()
	}
}

func (a *tableAcc) addRepair(deleted, written int64, triggers bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.repair == nil {
		a.repair = &TableRepair{Source: a.res.Source, Target: a.res.Target}
	}
	a.repair.Deleted += deleted
	a.repair.Written += written
	a.repair.TriggersFired = a.repair.TriggersFired || triggers
	if err != nil && a.repair.Error == "" {
		a.repair.Error = err.Error()
	}
}

// result finishes the table's result.
func (a *tableAcc) result() TableResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.res
	if !a.start.IsZero() && a.end.After(a.start) {
		r.Seconds = a.end.Sub(a.start).Seconds()
	}
	switch {
	case r.Error != "":
		r.Status = StatusError
	case r.Missing != 0 || r.Extra != 0 || r.Changed != 0 || r.SourceRows != r.TargetRows:
		r.Status = StatusDiff
	default:
		r.Status = StatusOK
	}
	return r
}
