// Package load runs a full migration: it converts the schema, copies the
// rows from a consistent source snapshot into the target in parallel,
// key-range chunks, each in one target transaction and checkpointed, then
// builds keys, indexes, foreign keys, identities, triggers and views.
//
// A killed run resumes from its checkpoint: done chunks are skipped, a
// chunk that was in flight is cleared and loaded again in the same
// transaction as its new rows, so no row is lost or duplicated.
package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/source"
	"github.com/ferrydb/ferry/target"
	"github.com/ferrydb/ferry/task"
)

// Target is what the loader needs from the target database.
type Target interface {
	Exec(ctx context.Context, sql string) error
	ExecTx(ctx context.Context, stmts []string) error
	HasPostGIS(ctx context.Context) bool
	CheckPrivileges(ctx context.Context) error
	TableRows(ctx context.Context, schema, name string) (exists, nonEmpty bool, err error)
	Triggers(ctx context.Context, schema, name string) (int, error)
	RelationOwner(ctx context.Context, schema, name string) (owner string, ok bool, err error)
	DisableTriggersDuringLoad(ctx context.Context) error
	LoadChunk(ctx context.Context, tp *convert.TablePlan, clear string, rows target.RowSource) (target.ChunkStats, error)
}

// Progress receives load progress. Implementations must be safe for
// concurrent use.
type Progress interface {
	// Table announces a table and its estimated row count.
	Table(name string, estimate int64)
	// Add counts rows copied into a table.
	Add(name string, rows int64)
	// TableDone marks a table's copy finished.
	TableDone(name string)
	// Phase announces a new phase ("schema", "data", "keys", "views").
	Phase(name string)
	// Wait flushes the display.
	Wait()
}

// Options for Run.
type Options struct {
	Task *task.Task
	// TaskKey identifies the task across runs (source and target without
	// secrets, plus the selection); see TaskID.
	TaskKey  []string
	Progress Progress
	// DDL receives the statements of a dry run.
	DDL    io.Writer
	Logger *slog.Logger
	// IsAlreadyExists tells errors that mean a post-load object already
	// exists (a rerun), which are not failures.
	IsAlreadyExists func(error) bool
	// IsRolledBack tells chunk errors after which nothing was committed.
	IsRolledBack func(error) bool
	// CDC, when set with --mode full+cdc or cdc, keeps the target in sync
	// from the source's change log after (or instead of) the full load.
	CDC *CDCOptions
	// Loaded is called once the full load is done, before streaming, with
	// the report so far (the CLI prints the summary then).
	Loaded func(*Report)
	// NewLoad is called when a new full load begins (not a resume): CDC
	// state of an earlier load (applied position, event log) is dropped,
	// so streaming starts at the new snapshot.
	NewLoad func(ctx context.Context) error
	// Observer, when set, hears progress, key builds and the change stream
	// (for status and metrics).
	Observer Observer
}

// Report is the outcome of a run.
type Report struct {
	TaskID      string               `json:"task_id"`
	Resumed     bool                 `json:"resumed"`
	Snapshot    *catalog.Position    `json:"snapshot,omitempty"`
	Consistent  bool                 `json:"snapshot_consistent"`
	Tables      []TableReport        `json:"tables"`
	Views       []string             `json:"views"`
	Triggers    []string             `json:"triggers"`
	ActionItems []convert.ActionItem `json:"action_items"`
	Warnings    []string             `json:"warnings"`
	Phases      map[string]float64   `json:"phase_seconds"`
	Seconds     float64              `json:"seconds"`
	RowsRead    int64                `json:"rows_read"`
	RowsWritten int64                `json:"rows_written"`
	StateFile   string               `json:"state_file,omitempty"`
}

// TableReport is one line of the summary.
type TableReport struct {
	Source      string  `json:"source"`
	Target      string  `json:"target"`
	RowsRead    int64   `json:"rows_read"`
	RowsWritten int64   `json:"rows_written"`
	Seconds     float64 `json:"seconds"`
	RowsPerSec  float64 `json:"rows_per_sec"`
	Chunks      int     `json:"chunks"`
	ZeroDates   int64   `json:"zero_dates_to_null,omitempty"`
}

type runner struct {
	opt    Options
	t      *task.Task
	src    source.Source
	dst    Target
	log    *slog.Logger
	plan   *convert.Plan
	st     *State
	report *Report
	obs    Observer
	// snapAt is this run's snapshot position when it is exact (consistent).
	snapAt *catalog.Position

	// careful: after the target rejected an event, the next CDC attempt
	// commits after every event log message (one source transaction, or a
	// few small ones a backlog packed together) for this many events, so
	// what comes before the rejected one gets applied.
	careful int

	mu        sync.Mutex
	tableTime map[string]*tableTiming
	began     time.Time
}

type tableTiming struct {
	start, end  time.Time
	read, wrote int64
}

// Run performs the migration described by opt.Task.
func Run(ctx context.Context, src source.Source, dst Target, opt Options) (*Report, error) {
	t := opt.Task
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Progress == nil {
		opt.Progress = nopProgress{}
	}
	if opt.IsAlreadyExists == nil {
		opt.IsAlreadyExists = func(error) bool { return false }
	}
	if opt.IsRolledBack == nil {
		opt.IsRolledBack = func(error) bool { return false }
	}
	var obs Observer = nopObserver{}
	if opt.Observer != nil {
		obs = opt.Observer
		opt.Progress = teeProgress{opt.Progress, obs}
	}
	r := &runner{opt: opt, t: t, src: src, dst: dst, log: opt.Logger, tableTime: map[string]*tableTiming{},
		report: &Report{Phases: map[string]float64{}}, obs: obs}
	begin := time.Now()
	r.began = begin
	err := r.run(ctx)
	r.report.Seconds = time.Since(begin).Seconds()
	r.opt.Progress.Wait()
	return r.report, err
}

func (r *runner) phase(name string, start time.Time) {
	r.report.Phases[name] += time.Since(start).Seconds()
}

func (r *runner) run(ctx context.Context) error {
	t := r.t
	start := time.Now()
	r.opt.Progress.Phase("inspect")
	sc, err := source.Select(ctx, r.src, t.Tables)
	if err != nil {
		return err
	}
	if err := r.dst.CheckPrivileges(ctx); err != nil {
		return err
	}
	plan, err := convert.Build(sc, convert.OptionsFor(t, r.dst.HasPostGIS(ctx)))
	if err != nil {
		return err
	}
	r.plan = plan
	r.report.ActionItems = plan.ActionItems
	r.report.Triggers = plan.Triggers
	r.phase("inspect", start)

	if t.DryRun {
		return r.dryRun()
	}
	if t.Mode == task.ModeFullCDC && r.opt.CDC != nil {
		// A source that cannot feed CDC is refused before the load.
		if err := r.opt.CDC.Streamer.CheckBinlog(ctx); err != nil {
			return err
		}
	}
	if t.Mode == task.ModeCDC {
		if r.opt.CDC == nil {
			return errors.New("--mode cdc is not available for this source and target")
		}
		if err := r.opt.CDC.Streamer.CheckBinlog(ctx); err != nil {
			return err
		}
		for _, tp := range r.plan.Tables {
			exists, _, err := r.dst.TableRows(ctx, tp.Schema, tp.Name)
			if err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("--mode cdc: target table %s for %s does not exist: load it first (--mode full or full+cdc), or leave it out with --tables", tp.Ident(), tp.Source.QualifiedName())
			}
		}
		return r.replicate(ctx, *r.opt.CDC)
	}

	st, resumed, err := OpenState(t.StateDir, TaskID(r.opt.TaskKey...))
	if err != nil {
		return err
	}
	defer st.Close()
	r.st = st
	r.report.TaskID = st.TaskID
	r.report.StateFile = st.Path()
	if resumed && st.Completed && t.Mode == task.ModeFullCDC && r.opt.CDC != nil {
		// The load is done: a rerun continues streaming where the target is.
		r.report.Resumed = true
		r.report.Snapshot, r.report.Consistent = st.Snapshot, st.Consistent
		cdc := *r.opt.CDC
		if st.Snapshot != nil {
			cdc.Start = *st.Snapshot
		}
		return r.replicate(ctx, cdc)
	}
	if resumed && st.Completed {
		resumed = false
		// A finished task run again starts a new load.
		if err := st.Update(func(s *State) {
			s.Snapshot, s.Consistent = nil, false
			s.SchemaDone, s.DataDone, s.Completed = false, false, false
			s.Tables, s.PostDone = map[string]*TableState{}, map[string]bool{}
			s.StartedAt = time.Now().UTC()
		}); err != nil {
			return err
		}
	}
	r.report.Resumed = resumed
	mode := fmt.Sprintf("if-exists=%s schema-only=%v data-only=%v", t.IfExists, t.SchemaOnly, t.DataOnly)
	if resumed {
		// Before the schema step nothing was written yet: any settings go.
		if st.SchemaDone && st.Mode != "" && st.Mode != mode {
			return fmt.Errorf("the unfinished run in checkpoint %s used %s, this one asks for %s: rerun with the same settings to resume, or delete the checkpoint (and clean the target tables) to start over", st.Path(), st.Mode, mode)
		}
		r.log.Info("resuming from checkpoint", "state", st.Path())
	}
	// The checkpoint exists from here on, so a crash in the next steps is
	// resumed (and finds its own empty tables) rather than started over.
	if err := st.Update(func(s *State) { s.Mode = mode }); err != nil {
		return err
	}

	if err := r.preflight(ctx, resumed); err != nil {
		return err
	}
	if !resumed && r.opt.NewLoad != nil && !t.SchemaOnly {
		if err := r.opt.NewLoad(ctx); err != nil {
			return err
		}
	}
	if !st.SchemaDone {
		start = time.Now()
		r.opt.Progress.Phase("schema")
		if err := r.createSchema(ctx); err != nil {
			return err
		}
		if err := st.Update(func(s *State) { s.SchemaDone = true }); err != nil {
			return err
		}
		r.phase("schema", start)
	}
	if !t.SchemaOnly && !st.DataDone {
		start = time.Now()
		r.opt.Progress.Phase("data")
		if err := r.copyData(ctx); err != nil {
			return err
		}
		if err := st.Update(func(s *State) { s.DataDone = true }); err != nil {
			return err
		}
		r.phase("data", start)
	}
	r.fillTableReports()
	start = time.Now()
	r.opt.Progress.Phase("keys")
	if err := r.postLoad(ctx); err != nil {
		return err
	}
	r.phase("keys", start)
	start = time.Now()
	r.opt.Progress.Phase("views")
	if err := r.createViews(ctx); err != nil {
		return err
	}
	r.phase("views", start)
	convert.SortActionItems(r.report.ActionItems)
	if err := st.Update(func(s *State) { s.Completed = true }); err != nil {
		return err
	}
	if t.Mode != task.ModeFullCDC {
		return nil
	}
	if r.opt.CDC == nil {
		return errors.New("--mode full+cdc is not available for this source and target")
	}
	if r.opt.Loaded != nil {
		r.report.Seconds = time.Since(r.began).Seconds()
		r.opt.Loaded(r.report)
	}
	cdc := *r.opt.CDC
	if r.report.Snapshot != nil {
		cdc.Start = *r.report.Snapshot
	}
	return r.replicate(ctx, cdc)
}

// dryRun prints the DDL the run would execute.
func (r *runner) dryRun() error {
	w := r.opt.DDL
	if w == nil {
		w = io.Discard
	}
	p := r.plan
	fmt.Fprintln(w, "-- ferry dry run: the statements a migration would run, in order")
	for _, s := range p.Schemas {
		fmt.Fprintf(w, "CREATE SCHEMA IF NOT EXISTS %s;\n", convert.QuoteIdent(s))
	}
	for _, tp := range p.Tables {
		fmt.Fprintln(w)
		for _, s := range tp.Before {
			fmt.Fprintf(w, "%s;\n", s)
		}
		fmt.Fprintf(w, "%s;\n", tp.Create)
		for _, s := range tp.AfterCreate {
			fmt.Fprintf(w, "%s;\n", s)
		}
	}
	fmt.Fprintln(w, "\n-- rows are copied here")
	for _, tp := range p.Tables {
		for _, s := range r.keyStatements(tp, nil) {
			fmt.Fprintf(w, "%s;\n", s)
		}
		for _, s := range tp.Indexes {
			fmt.Fprintf(w, "%s;\n", s)
		}
	}
	for _, tp := range p.Tables {
		for _, s := range tp.ForeignKeys {
			fmt.Fprintf(w, "%s;\n", s)
		}
	}
	for _, tp := range p.Tables {
		for _, s := range tp.After {
			fmt.Fprintf(w, "%s;\n", s)
		}
	}
	for _, v := range p.Views {
		fmt.Fprintf(w, "%s;\n", v.SQL)
	}
	return nil
}

// preflight checks target tables before anything is written, so a bad
// start leaves the target untouched.
func (r *runner) preflight(ctx context.Context, resumed bool) error {
	// A resumed run past the schema step does not re-check for foreign
	// tables: they are its own.
	checkBusy := !(resumed && r.st.SchemaDone)
	var busy, triggered []string
	for _, tp := range r.plan.Tables {
		var copied bool
		r.st.Read(func(s *State) {
			if ts := s.Tables[tp.Source.QualifiedName()]; ts != nil {
				copied = true
				for _, c := range ts.Chunks {
					copied = copied && c.Status == ChunkDone
				}
			}
		})
		exists, nonEmpty, err := r.dst.TableRows(ctx, tp.Schema, tp.Name)
		if err != nil {
			return err
		}
		if r.t.DataOnly && !exists {
			return fmt.Errorf("--data-only: target table %s does not exist; run with --schema-only first", tp.Ident())
		}
		// After a crash between creating the schema and saving that fact,
		// the rerun finds its own empty tables: they are fine to reuse.
		ours := resumed && !nonEmpty
		if exists && !copied && r.t.IfExists != task.IfExistsDrop {
			n, err := r.dst.Triggers(ctx, tp.Schema, tp.Name)
			if err != nil {
				return err
			}
			if n > 0 {
				triggered = append(triggered, tp.Schema+"."+tp.Name)
			}
		}
		if checkBusy && !r.t.DataOnly {
			// Index names are per schema in PostgreSQL: one held by another
			// table would make ferry's index "already exist" and be skipped.
			for _, ix := range tp.IndexNames {
				owner, taken, err := r.dst.RelationOwner(ctx, tp.Schema, ix)
				if err != nil {
					return err
				}
				if taken && owner != tp.Name && !r.plannedTable(tp.Schema, owner) {
					return fmt.Errorf("target: the index name %s.%s that %s needs is already used by %s.%s: nothing was changed; rename or drop it, or migrate into another --target-schema", tp.Schema, ix, tp.Source.QualifiedName(), tp.Schema, owner)
				}
			}
		}
		if checkBusy && exists && !ours && r.t.IfExists == task.IfExistsError && (nonEmpty || !r.t.DataOnly) {
			what := "already exists"
			if nonEmpty {
				what = "is not empty"
			}
			busy = append(busy, tp.Schema+"."+tp.Name+" "+what)
		}
	}
	if len(triggered) > 0 && !r.t.SchemaOnly {
		// Rows copied into existing tables must not fire their triggers or
		// foreign-key checks (a --schema-only run created them, or they
		// are appended to): that would add or change rows.
		if err := r.dst.DisableTriggersDuringLoad(ctx); err != nil {
			return fmt.Errorf("target tables %s have triggers or foreign keys that the load would fire, and they cannot be switched off for it (%v): run as a superuser, or drop them and let ferry create them after the load", strings.Join(triggered, ", "), err)
		}
		r.log.Info("loading with triggers and foreign-key checks off (session_replication_role = replica)", "tables", triggered)
	}
	if len(busy) > 0 {
		more := ""
		if len(busy) > 3 {
			more = fmt.Sprintf(" (and %d more)", len(busy)-3)
			busy = busy[:3]
		}
		return fmt.Errorf("target table %s%s: nothing was changed; rerun with --if-exists drop, truncate or append", strings.Join(busy, ", "), more)
	}
	return nil
}

// plannedTable reports whether schema.name is one of the plan's tables.
func (r *runner) plannedTable(schema, name string) bool {
	for _, tp := range r.plan.Tables {
		if tp.Schema == schema && tp.Name == name {
			return true
		}
	}
	return false
}

// createSchema creates schemas and tables in one transaction.
func (r *runner) createSchema(ctx context.Context) error {
	var stmts, truncate []string
	for _, s := range r.plan.Schemas {
		stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+convert.QuoteIdent(s))
	}
	for _, tp := range r.plan.Tables {
		exists, _, err := r.dst.TableRows(ctx, tp.Schema, tp.Name)
		if err != nil {
			return err
		}
		switch {
		case exists && r.t.IfExists == task.IfExistsTruncate:
			truncate = append(truncate, tp.Ident())
			continue
		case r.t.DataOnly:
			continue
		case exists && r.t.IfExists == task.IfExistsDrop:
			// CASCADE drops the views and foreign keys of other tables that
			// depend on it: --if-exists drop asks to replace the table.
			stmts = append(stmts, "DROP TABLE "+tp.Ident()+" CASCADE")
		case exists:
			continue // append, or our own empty table from a crashed run
		}
		stmts = append(stmts, tp.Before...)
		stmts = append(stmts, tp.Create)
		stmts = append(stmts, tp.AfterCreate...)
	}
	if len(truncate) > 0 {
		// One statement for all selected tables, without CASCADE: foreign
		// keys among them are fine, a table outside the selection that
		// references one of them makes it fail instead of emptying it.
		stmts = append(stmts, "TRUNCATE "+strings.Join(truncate, ", "))
	}
	if err := r.dst.ExecTx(ctx, stmts); err != nil {
		return fmt.Errorf("target: create schema (nothing was created): %w", err)
	}
	return nil
}

// statementID names a post-load statement in the checkpoint.
func statementID(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

type nopProgress struct{}

func (nopProgress) Table(string, int64) {}
func (nopProgress) Add(string, int64)   {}
func (nopProgress) TableDone(string)    {}
func (nopProgress) Phase(string)        {}
func (nopProgress) Wait()               {}

func (r *runner) fillTableReports() {
	r.report.Tables = r.report.Tables[:0]
	r.report.RowsRead, r.report.RowsWritten = 0, 0
	for _, tp := range r.plan.Tables {
		tr := TableReport{Source: tp.Source.QualifiedName(), Target: tp.Schema + "." + tp.Name}
		r.st.Read(func(s *State) {
			if ts := s.Tables[tp.Source.QualifiedName()]; ts != nil {
				tr.Chunks = len(ts.Chunks)
				for _, c := range ts.Chunks {
					if c.Status == ChunkDone {
						tr.RowsWritten += c.Rows
					}
				}
				for _, n := range ts.ZeroDates {
					tr.ZeroDates += n
				}
			}
		})
		r.mu.Lock()
		if tt := r.tableTime[tp.Source.QualifiedName()]; tt != nil {
			tr.Seconds = tt.end.Sub(tt.start).Seconds()
			tr.RowsRead = tt.read
			// Rows from chunks done in an earlier run count as read too.
			tr.RowsRead += tr.RowsWritten - tt.wrote
		} else {
			tr.RowsRead = tr.RowsWritten
		}
		r.mu.Unlock()
		if tr.Seconds > 0 {
			tr.RowsPerSec = float64(tr.RowsWritten) / tr.Seconds
		}
		if tr.ZeroDates > 0 {
			r.report.Warnings = append(r.report.Warnings, fmt.Sprintf("%s: %d zero dates (0000-00-00) loaded as NULL", tr.Source, tr.ZeroDates))
		}
		r.report.Tables = append(r.report.Tables, tr)
		r.report.RowsRead += tr.RowsRead
		r.report.RowsWritten += tr.RowsWritten
	}
	sort.SliceStable(r.report.Tables, func(i, j int) bool { return r.report.Tables[i].Source < r.report.Tables[j].Source })
}
