package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/apply"
	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/load"
	"github.com/ferrydb/ferry/source/mysql"
	"github.com/ferrydb/ferry/target/postgres"
	"github.com/ferrydb/ferry/task"
	"github.com/ferrydb/ferry/verify"
)

func newVerify(stdout, stderr io.Writer) *cobra.Command {
	var file, tables, level, report string
	var maxRows int
	var repair, jsonOut, tinyBool, live bool
	var liveTimeout, settle time.Duration
	var taskID string
	flags := &task.Task{}
	cmd := &cobra.Command{
		Use:   "verify --source URL --target URL [flags]",
		Short: "Compare the migrated rows of the source and the target",
		Long: `verify compares every selected table between the source and the target,
with the table selection, names and type mapping of ferry migrate (the
same flags, or the same task file). Values the migration converts on
purpose (tinyint(1) to boolean, zero dates to NULL, sets to arrays, ...)
compare equal.

Levels: count compares row counts; checksum (the default) has both
databases hash each key-range chunk and reads rows only where the hashes
differ; row reads and compares every row. Each table prints OK, or DIFF
with the number of missing (source only), extra (target only) and changed
rows. --report lists the keys of the differing rows (JSON or HTML, by the
file's extension), at most --max-rows per table and kind.

--repair re-copies exactly the differing rows from the source, in target
transactions (extra rows deleted, missing and changed rows written by
primary key), then verifies those tables again.

--live verifies while ferry migrate --mode full+cdc (or cdc) keeps the
target in sync: a row that differs is read again on the source, the
source's binlog position is read, and once the running task has applied
that position the row is read on the target and once more on the source.
Rows the stream had not applied yet compare equal then; a row that held
still on the source and still differs is a real difference. Rows that keep
changing are read again until they hold still, for at most --settle; then
they are reported as unsettled (an error, exit 1), never as differences.
Without --live, verify a quiet source: rows changed during the comparison
show as differences.

Exit codes: 0 every table matches, 1 differences or errors, 2 bad usage.`,
		Example: `  ferry verify --source mysql://root@127.0.0.1:3306/sakila --target postgres://postgres@127.0.0.1:5432/sakila
  ferry verify -f task.yaml --level row --report diff.html
  ferry verify --source mysql://app@db1/shop --target postgres://app@pg1/shop --repair
  ferry verify -f task.yaml --live   # while ferry migrate -f task.yaml --mode full+cdc runs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, _, err := taskFromFlags(cmd, file, flags, tables, &tinyBool)
			if err != nil {
				return err
			}
			t.ApplyDefaults()
			if err := t.Validate(); err != nil {
				return usageError{err}
			}
			lv, err := verify.ParseLevel(level)
			if err != nil {
				return usageError{err}
			}
			if repair && lv == verify.LevelCount {
				return usageError{fmt.Errorf("--repair needs --level checksum or row: counts do not say which rows differ")}
			}
			if report != "" {
				if _, err := verify.ReportFormat(report); err != nil {
					return usageError{err}
				}
			}
			if maxRows < 1 {
				return usageError{fmt.Errorf("--max-rows %d: use a positive number", maxRows)}
			}
			if settle <= 0 {
				return usageError{fmt.Errorf("--settle %s: use a positive duration", settle)}
			}
			if liveTimeout <= 0 {
				return usageError{fmt.Errorf("--live-timeout %s: use a positive duration", liveTimeout)}
			}
			var lv2 *liveOptions
			if live {
				lv2 = &liveOptions{timeout: liveTimeout, taskID: taskID}
			}
			return runVerify(cmd, t, verify.Options{
				Level: lv, Parallel: t.Parallel, ChunkRows: t.ChunkRows, MaxRows: maxRows, Repair: repair, Settle: settle,
			}, lv2, report, jsonOut, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "YAML task file, as for migrate (flags given on the command line win)")
	f.StringVar(&flags.Source, "source", "", "source URL, mysql://user:password@host:3306/database (env FERRY_SOURCE)")
	f.StringVar(&flags.Target, "target", "", "target URL, postgres://user:password@host:5432/database (env FERRY_TARGET)")
	f.StringVar(&tables, "tables", "", "tables to include/exclude, comma-separated globs: 'db.*,!db.big_log' (default: every table of the source database)")
	f.IntVar(&flags.Parallel, "parallel", task.DefaultParallel(), "chunks compared at once (each runs a query on both servers)")
	f.StringVar(&flags.TargetSchema, "target-schema", "public", `PostgreSQL schema of the tables; "" = one schema per source database, named like it`)
	f.Int64Var(&flags.ChunkRows, "chunk-rows", 250_000, "rows per key-range chunk")
	f.BoolVar(&tinyBool, "tinyint1-as-boolean", true, "tinyint(1) was migrated to boolean (false: smallint)")
	f.StringVar(&level, "level", string(verify.LevelChecksum), "how to compare: count, checksum or row")
	f.StringVar(&report, "report", "", "write the differing rows' keys to this file (.json or .html)")
	f.IntVar(&maxRows, "max-rows", verify.DefaultMaxRows, "keys listed per table and kind in the report")
	f.BoolVar(&repair, "repair", false, "re-copy the differing rows from the source, then verify again")
	f.BoolVar(&jsonOut, "json", false, "print the report as JSON on stdout")
	f.BoolVar(&live, "live", false, "the target is kept in sync by a running ferry migrate --mode full+cdc|cdc: settle differing rows against the change stream")
	f.DurationVar(&liveTimeout, "live-timeout", 2*time.Minute, "with --live: how long to wait for the change stream to apply a source position")
	f.DurationVar(&settle, "settle", 2*time.Minute, "with --live: how long rows that keep changing are read again before they are reported as unsettled")
	f.StringVar(&taskID, "task-id", "", "with --live: the CDC task whose applied position to follow (default: the task of these flags, or the only one on the target)")
	return cmd
}

func runVerify(cmd *cobra.Command, t *task.Task, opt verify.Options, live *liveOptions, reportPath string, jsonOut bool, stdout io.Writer) error {
	ctx := cmd.Context()
	log := slog.Default()
	// Check both URLs before connecting to either.
	if _, err := mysql.ParseURL(t.Source); err != nil {
		return usageError{err}
	}
	if _, err := postgres.ParseURL(t.Target); err != nil {
		return usageError{err}
	}
	src, err := mysql.Open(ctx, t.Source)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.OpenWithSettings(ctx, t.Target, verify.TargetSettings)
	if err != nil {
		return err
	}
	defer dst.Close()
	log.Debug("connected", "source", Redact(t.Source), "source_version", src.Version(), "target", Redact(t.Target))

	plan, err := verify.BuildPlan(ctx, src, dst.HasPostGIS(ctx), t)
	if err != nil {
		return err
	}
	opt.Logger = log
	if live != nil {
		f, err := newFollower(ctx, src, dst, t, live)
		if err != nil {
			return err
		}
		log.Info("verifying while CDC runs", "task", f.taskID)
		opt.Live = f
	}
	rep, err := verify.Run(ctx, src, dst, plan, opt)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w", err)
		}
		return err
	}
	rep.Source, rep.Target = Redact(t.Source), Redact(t.Target)
	if reportPath != "" {
		if err := rep.WriteFile(reportPath); err != nil {
			return err
		}
	}
	if jsonOut {
		if err := rep.WriteJSON(stdout); err != nil {
			return err
		}
	} else {
		rep.WriteText(stdout)
		if reportPath != "" {
			fmt.Fprintf(stdout, "report written to %s\n", reportPath)
		}
	}
	if rep.OK {
		return nil
	}
	diff, failed := rep.Counts()
	switch {
	case failed > 0 && diff == 0:
		return fmt.Errorf("%d table(s) could not be compared: see the errors above", failed)
	case opt.Repair:
		return fmt.Errorf("%d table(s) still differ after the repair and %d failed: see the report (rows changed on the source meanwhile show as differences; rerun)", diff, failed)
	}
	hint := "rerun with --report diff.html to list the rows, or --repair to copy them again"
	return fmt.Errorf("%d table(s) differ, %d failed: %s", diff, failed, hint)
}

type liveOptions struct {
	timeout time.Duration
	taskID  string
}

// follower follows a running CDC task for verify --live: the source's
// binlog position, and the position the task applied to the target.
type follower struct {
	src     *mysql.Source
	dst     *postgres.Target
	taskID  string
	timeout time.Duration
}

func newFollower(ctx context.Context, src *mysql.Source, dst *postgres.Target, t *task.Task, o *liveOptions) (*follower, error) {
	tasks, err := apply.Tasks(ctx, dst.Pool())
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("--live: no CDC task has applied changes to this target (no rows in _ferry.applied): start ferry migrate --mode full+cdc first, or verify without --live")
	}
	id := o.taskID
	if id == "" {
		id = load.TaskID(taskKeyOf(t)...)
		found := false
		for _, k := range tasks {
			found = found || k == id
		}
		if !found {
			if len(tasks) > 1 {
				return nil, fmt.Errorf("--live: this target has several CDC tasks (%s) and none matches these flags: pass --task-id", strings.Join(tasks, ", "))
			}
			id = tasks[0]
		}
	}
	if p, err := apply.AppliedPosition(ctx, dst.Pool(), id); err != nil {
		return nil, err
	} else if p == nil {
		return nil, fmt.Errorf("--live: task %s has applied nothing to this target (known tasks: %s)", id, strings.Join(tasks, ", "))
	}
	return &follower{src: src, dst: dst, taskID: id, timeout: o.timeout}, nil
}

func (f *follower) SourcePosition(ctx context.Context) (catalog.Position, error) {
	return f.src.CurrentPosition(ctx)
}

// WaitApplied polls the target's applied position until it covers p.
func (f *follower) WaitApplied(ctx context.Context, p catalog.Position) error {
	deadline := time.Now().Add(f.timeout)
	wait := 10 * time.Millisecond
	for {
		have, err := apply.AppliedPosition(ctx, f.dst.Pool(), f.taskID)
		if err != nil {
			return err
		}
		if have != nil {
			ok, err := mysql.Covers(*have, p)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			at := "nothing"
			if have != nil {
				at = have.String()
			}
			return fmt.Errorf("task %s has not applied it within --live-timeout %s (applied: %s): is ferry migrate --mode full+cdc running for this target?", f.taskID, f.timeout, at)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}
