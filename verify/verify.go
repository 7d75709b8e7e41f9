// Package verify compares the rows of migrated tables between the source
// (MySQL/MariaDB) and the target (PostgreSQL), and repairs differences.
//
// Work is pushed into the databases: each table is split into key ranges
// (chunks, as the loader splits it) and both databases compute, per chunk,
// the row count and the sum of a 60-bit hash of every row's canonical
// text. The canonical text of each value comes from convert.Canonical, so
// values the migration converts on purpose (tinyint(1) → boolean, zero
// dates → NULL, sets → arrays, ...) compare equal. Only chunks whose sums
// differ are narrowed down (split into smaller ranges and summed again)
// and then read row by row from both sides, ordered by primary key, and
// merged: a key on the source only is missing, on the target only extra,
// on both with different values changed. Tables without a primary key are
// compared as multisets of row hashes, sorted by the databases.
//
// Repair re-copies exactly the differing rows, with the migration's value
// encodings, in one target transaction per chunk; verification then runs
// again on the repaired tables.
//
// While CDC runs (Options.Live), the rows of a chunk that differs are
// read again after the applier has passed the source position read after
// them, so that changes in flight are not reported as differences (see
// liveRecheck).
package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/source/mysql"
	"github.com/ferrydb/ferry/target/postgres"
)

// Level is how thoroughly tables are compared.
type Level string

// Levels.
const (
	// LevelCount compares row counts only.
	LevelCount Level = "count"
	// LevelChecksum compares chunk checksums and reads rows only for
	// chunks that differ.
	LevelChecksum Level = "checksum"
	// LevelRow reads and compares every row.
	LevelRow Level = "row"
)

// ParseLevel checks a --level value.
func ParseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case LevelCount, LevelChecksum, LevelRow:
		return l, nil
	}
	return "", fmt.Errorf("--level %q: use count, checksum or row", s)
}

// Defaults.
const (
	DefaultMaxRows = 1000
	// leafRows is the size below which a differing range is read row by
	// row instead of being split again; fanOut is how many parts a
	// differing range is split into.
	leafRows = 10_000
	fanOut   = 8
)

// Options for Run.
type Options struct {
	Level Level
	// Parallel is the number of chunks compared at once; each runs one
	// query on the source and one on the target at the same time.
	Parallel int
	// ChunkRows is the number of rows per key-range chunk (by the source's
	// row estimate).
	ChunkRows int64
	// MaxRows caps the keys listed per table and kind (missing, extra,
	// changed); the counts are always complete.
	MaxRows int
	// Repair re-copies the differing rows, then compares those tables
	// again.
	Repair bool
	// Live, when set, makes the verification CDC-aware: the target is
	// being kept in sync by a running change stream, and a differing chunk
	// is settled row by row against the stream's progress (liveRecheck).
	Live Follower
	// Settle is how long, in live mode, rows that keep changing are read
	// again before they are given up on (reported as unsettled, an error,
	// never as a difference). Default 2 minutes.
	Settle time.Duration
	Logger *slog.Logger
}

type verifier struct {
	opt Options
	src *mysql.Source
	dst *postgres.Target
	log *slog.Logger
}

// Run compares every table of plan. src is the migration's source, dst
// its target opened with TargetSettings. Differences are not errors: they
// are in the report, whose OK field says whether every table matches. An
// error means the comparison itself could not run.
func Run(ctx context.Context, src *mysql.Source, dst *postgres.Target, plan *convert.Plan, opt Options) (*Report, error) {
	if opt.Level == "" {
		opt.Level = LevelChecksum
	}
	if opt.Parallel < 1 {
		opt.Parallel = 1
	}
	if opt.ChunkRows < 1 {
		opt.ChunkRows = 250_000
	}
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Settle <= 0 {
		opt.Settle = 2 * time.Minute
	}
	if opt.Repair && opt.Level == LevelCount {
		return nil, errors.New("--repair needs --level checksum or row: counts do not say which rows differ")
	}
	v := &verifier{opt: opt, src: src, dst: dst, log: opt.Logger}
	if err := v.checkTarget(ctx); err != nil {
		return nil, err
	}
	rep := &Report{Level: opt.Level, StartedAt: time.Now().UTC(), MaxRows: opt.MaxRows}
	begin := time.Now()
	topt := tableOptions{canon: convert.CanonOptions{LongLatWKT: src.LongLatWKT()}}
	switch {
	case src.MariaDB():
		topt.digestHint = "SET STATEMENT"
	case !strings.HasPrefix(src.Version(), "5."):
		topt.digestHint = "SET_VAR"
	}
	var tables []*table
	for _, tp := range plan.Tables {
		tables = append(tables, newTable(tp, topt))
	}
	var accs []*tableAcc
	rep.Tables, accs = v.compare(ctx, tables, opt.Repair)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if opt.Repair {
		var again []*table
		for i, a := range accs {
			if a.repair != nil {
				rep.Repairs = append(rep.Repairs, *a.repair)
				again = append(again, tables[i])
			}
		}
		if len(again) > 0 {
			rep.After, _ = v.compare(ctx, again, false)
			if err := ctx.Err(); err != nil {
				return rep, err
			}
		}
	}
	rep.Seconds = time.Since(begin).Seconds()
	diff, failed := rep.Counts()
	rep.OK = diff == 0 && failed == 0
	return rep, nil
}

// TargetSettings are the session settings verification reads the target
// with (see postgres.OpenWithSettings): canonical texts rely on them.
var TargetSettings = map[string]string{
	"datestyle":          "ISO, YMD",
	"intervalstyle":      "postgres",
	"extra_float_digits": "1",
	"timezone":           "UTC",
	// Many short scans of one plan shape: compiling them costs more than
	// it saves; sorts of canonical keys stay in memory.
	"jit":      "off",
	"work_mem": "64MB",
}

// checkTarget refuses targets whose text is not UTF-8: hashes are taken
// over UTF-8 bytes on both sides.
func (v *verifier) checkTarget(ctx context.Context) error {
	var enc string
	if err := v.dst.Pool().QueryRow(ctx, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()").Scan(&enc); err != nil {
		return fmt.Errorf("target: read the database encoding: %w", err)
	}
	if enc != "UTF8" {
		return fmt.Errorf("target database encoding is %s: verify compares UTF-8 text and needs a UTF8 database (ferry migrate loads into UTF8 databases)", enc)
	}
	var dateStyle, intervalStyle string
	if err := v.dst.Pool().QueryRow(ctx, "SELECT current_setting('DateStyle'), current_setting('IntervalStyle')").Scan(&dateStyle, &intervalStyle); err != nil {
		return fmt.Errorf("target: read session settings: %w", err)
	}
	if !strings.HasPrefix(dateStyle, "ISO") || intervalStyle != "postgres" {
		return fmt.Errorf("target session has DateStyle %q and IntervalStyle %q: open it with postgres.OpenWithSettings(ctx, url, verify.TargetSettings)", dateStyle, intervalStyle)
	}
	return nil
}

type job struct {
	t     *table
	acc   *tableAcc
	chunk Chunk
	count bool // --level count: the whole table's row counts
	size  int64
}

// compare compares tables and returns their results in order, with the
// accumulators (which hold repair statistics).
func (v *verifier) compare(ctx context.Context, tables []*table, repair bool) ([]TableResult, []*tableAcc) {
	accs := make([]*tableAcc, len(tables))
	for i, t := range tables {
		accs[i] = &tableAcc{limit: v.opt.MaxRows, res: TableResult{
			Source: t.name, Target: t.tp.Schema + "." + t.tp.Name, KeyColumns: t.keyNames(),
		}}
		if t.keyIdx == nil {
			accs[i].res.KeyColumns = nil
			accs[i].res.Note = "no primary key: rows are compared as a multiset; differing rows are counted, not listed"
		}
		if v.opt.Level == LevelCount {
			accs[i].res.Note = "count level: only row counts are compared"
		}
	}
	// Plan the chunks of all tables in parallel.
	jobsOf := make([][]job, len(tables))
	v.parallel(ctx, len(tables), func(ctx context.Context, i int) {
		t, acc := tables[i], accs[i]
		exists, _, err := v.dst.TableRows(ctx, t.tp.Schema, t.tp.Name)
		if err != nil {
			acc.fail(err)
			return
		}
		if !exists {
			acc.fail(fmt.Errorf("target table %s does not exist: migrate it first, or leave it out with --tables", t.tp.Ident()))
			return
		}
		size := t.tp.Source.DataBytes
		if v.opt.Level == LevelCount {
			jobsOf[i] = []job{{t: t, acc: acc, count: true, size: size}}
			return
		}
		chunks, err := v.planChunks(ctx, t)
		if err != nil {
			acc.fail(err)
			return
		}
		acc.res.Chunks = len(chunks)
		for _, c := range chunks {
			jobsOf[i] = append(jobsOf[i], job{t: t, acc: acc, chunk: c, size: size})
		}
	})
	var jobs []job
	for _, js := range jobsOf {
		jobs = append(jobs, js...)
	}
	// Biggest tables first, so the long tail is short.
	sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].size > jobs[j].size })
	v.parallel(ctx, len(jobs), func(ctx context.Context, i int) {
		j := jobs[i]
		j.acc.began()
		defer j.acc.ended()
		var err error
		if j.count {
			err = v.countTable(ctx, j.t, j.acc)
		} else {
			err = v.runChunk(ctx, j.t, j.acc, j.chunk, repair)
		}
		if err != nil {
			j.acc.fail(err)
		}
	})
	out := make([]TableResult, len(tables))
	for i, a := range accs {
		out[i] = a.result()
		v.log.Debug("table verified", "table", out[i].Source, "status", out[i].Status, "seconds", out[i].Seconds)
	}
	return out, accs
}

// parallel runs f for 0..n-1 on Options.Parallel workers.
func (v *verifier) parallel(ctx context.Context, n int, f func(ctx context.Context, i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < v.opt.Parallel && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(ctx, i)
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// runChunk compares one chunk (settling a difference against the change
// stream in live mode), records the result and repairs it when asked.
func (v *verifier) runChunk(ctx context.Context, t *table, acc *tableAcc, c Chunk, repair bool) error {
	// Live mode lists every differing key, to read them again.
	d, err := v.compareChunk(ctx, t, c, repair || v.opt.Live != nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", t.name, c, err)
	}
	if !d.clean() && v.opt.Live != nil {
		if d, err = v.liveRecheck(ctx, t, c, d, repair); err != nil {
			return fmt.Errorf("%s %s: %w", t.name, c, err)
		}
		if d.unsettled > 0 {
			// Counted as an error: neither equal nor proven different.
			acc.fail(fmt.Errorf("%d row(s) of %s kept changing on the source for %s and could not be compared: verify again when writes to this table slow down (--settle)", d.unsettled, c, v.opt.Settle))
		}
	}
	acc.add(d)
	if repair && !d.clean() {
		st, err := v.repairChunk(ctx, t, d)
		acc.addRepair(st.Deleted, st.Written, st.TriggersFired, err)
		if err != nil {
			v.log.Warn("repair failed", "table", t.name, "chunk", c.String(), "err", err)
		}
	}
	return nil
}

// compareChunk compares a chunk: by checksum, narrowing a differing range
// down by splitting it, then row by row (or row by row at once with
// --level row).
func (v *verifier) compareChunk(ctx context.Context, t *table, c Chunk, repair bool) (*chunkDiff, error) {
	if v.opt.Level == LevelRow {
		return v.compareRows(ctx, t, c, repair)
	}
	s, d, err := v.checksums(ctx, t, c)
	if err != nil {
		return nil, err
	}
	if s == d {
		out := newChunkDiff(v.opt.MaxRows, repair)
		out.srcRows, out.dstRows = s.rows, d.rows
		return out, nil
	}
	v.log.Debug("checksum differs", "table", t.name, "chunk", c.String(), "source_rows", s.rows, "target_rows", d.rows)
	if max(s.rows, d.rows) > leafRows {
		if parts := c.split(fanOut); parts != nil {
			out := newChunkDiff(v.opt.MaxRows, repair)
			for _, p := range parts {
				pd, err := v.compareChunk(ctx, t, p, repair)
				if err != nil {
					return nil, err
				}
				out.merge(pd)
			}
			return out, nil
		}
	}
	return v.compareRows(ctx, t, c, repair)
}
