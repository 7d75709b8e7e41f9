package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/apply"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/eventlog"
	"github.com/ferrydb/ferry/load"
	"github.com/ferrydb/ferry/monitor"
	"github.com/ferrydb/ferry/source/mysql"
	"github.com/ferrydb/ferry/target/postgres"
	"github.com/ferrydb/ferry/task"
)

// crashAfterLoadEnv, set to 1, makes migrate --mode full+cdc exit at once
// (no cleanup, as after kill -9) when the full load is done, before it
// streams anything: a test hook for the moment between snapshot and
// stream.
const crashAfterLoadEnv = "FERRY_TEST_CRASH_AFTER_LOAD"

func newMigrate(stdout, stderr io.Writer) *cobra.Command {
	var file string
	flags := &task.Task{}
	var tables string
	var tinyBool bool
	var api apiFlags
	cmd := &cobra.Command{
		Use:   "migrate --source URL --target URL [flags]",
		Short: "Convert the schema and copy all rows from the source to the target",
		Long: `migrate converts the source schema to PostgreSQL, copies every selected
table from one consistent snapshot in parallel key-range chunks, then builds
primary keys, indexes, foreign keys, identities (restarted past the maximum),
ON UPDATE triggers and views. It ends with a per-table summary and the list
of action items: objects it did not convert, with the reason.

A killed run resumes: rerun the same command and it continues from the
chunks already done (progress lives in --state-dir).

Passwords can come from the environment instead of the URL:
FERRY_SOURCE_PASSWORD and FERRY_TARGET_PASSWORD (or PGPASSWORD), and the
URLs themselves from FERRY_SOURCE and FERRY_TARGET. In a task file,
${VAR} is replaced by the environment variable VAR.

By default tables land in the PostgreSQL schema "public" (--target-schema).
Pass --target-schema "" to create one schema per source database, named
like it.`,
		Example: `  ferry migrate --source mysql://root@127.0.0.1:3306/sakila --target postgres://postgres@127.0.0.1:5432/sakila
  ferry migrate --source mysql://app@db1/shop --target postgres://app@pg1/shop --tables 'shop.*,!shop.audit_log' --parallel 4
  ferry migrate -f task.yaml --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, set, err := taskFromFlags(cmd, file, flags, tables, &tinyBool)
			if err != nil {
				return err
			}
			set("mode", func() { t.Mode = flags.Mode })
			set("start-position", func() { t.StartPosition = flags.StartPosition })
			set("nats", func() { t.NATS = flags.NATS })
			set("skip-ddl-at", func() { t.SkipDDLAt = flags.SkipDDLAt })
			set("keep-event-log", func() { t.KeepEventLog = flags.KeepEventLog })
			set("schema-only", func() { t.SchemaOnly = flags.SchemaOnly })
			set("data-only", func() { t.DataOnly = flags.DataOnly })
			set("state-dir", func() { t.StateDir = flags.StateDir })
			set("dry-run", func() { t.DryRun = flags.DryRun })
			set("if-exists", func() { t.IfExists = flags.IfExists })
			set("json", func() { t.JSON = flags.JSON })
			set("copy-format", func() { t.CopyFormat = flags.CopyFormat })
			t.ApplyDefaults()
			if err := t.Validate(); err != nil {
				return usageError{err}
			}
			if err := api.check(); err != nil {
				return usageError{err}
			}
			return runMigrate(cmd, t, api, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "YAML task file; its keys are the long flag names (flags given on the command line win)")
	f.StringVar(&flags.Source, "source", "", "source URL, mysql://user:password@host:3306/database (env FERRY_SOURCE)")
	f.StringVar(&flags.Target, "target", "", "target URL, postgres://user:password@host:5432/database (env FERRY_TARGET)")
	f.StringVar(&flags.Mode, "mode", task.ModeFull, "full (schema, data, keys); full+cdc (then stream changes until stopped); cdc (stream only)")
	f.StringVar(&flags.NATS, "nats", "", "CDC event log on an external NATS server (nats://host:4222); default: embedded, stored in --state-dir")
	f.StringVar(&flags.StartPosition, "start-position", "", "with --mode cdc: where to start, a GTID set (0-1-42) or binlog file:pos (binlog.000003:4)")
	f.StringSliceVar(&flags.SkipDDLAt, "skip-ddl-at", nil, "CDC: move past the schema change at this GTID or binlog file:pos without changing the target (after a pause: make the change on the target yourself first); repeatable")
	f.BoolVar(&flags.KeepEventLog, "keep-event-log", false, "CDC: keep the change events the target applied in the event log (default: trimmed as they are applied, so the log stays small)")
	f.StringVar(&tables, "tables", "", "tables to include/exclude, comma-separated globs: 'db.*,!db.big_log' (default: every table of the source database)")
	f.IntVar(&flags.Parallel, "parallel", task.DefaultParallel(), "parallel workers for copying and index builds")
	f.BoolVar(&flags.SchemaOnly, "schema-only", false, "create the schema, keys and views, copy no rows")
	f.BoolVar(&flags.DataOnly, "data-only", false, "copy rows into existing tables (created with --schema-only)")
	f.StringVar(&flags.TargetSchema, "target-schema", "public", `PostgreSQL schema for the tables; "" = one schema per source database, named like it`)
	f.StringVar(&flags.StateDir, "state-dir", ".ferry", "directory for the resumable checkpoint")
	f.BoolVar(&flags.DryRun, "dry-run", false, "print the DDL that would run, change nothing")
	f.StringVar(&flags.IfExists, "if-exists", task.IfExistsError, "when a target table exists: error, drop, truncate or append")
	f.BoolVar(&flags.JSON, "json", false, "print the summary as JSON on stdout")
	f.Int64Var(&flags.ChunkRows, "chunk-rows", 250_000, "rows per key-range chunk (the unit of parallelism and of resume)")
	f.StringVar(&flags.CopyFormat, "copy-format", "binary", "PostgreSQL COPY format: binary (less server CPU) or text")
	f.BoolVar(&tinyBool, "tinyint1-as-boolean", true, "map tinyint(1) to boolean (false: smallint)")
	f.StringVar(&api.addr, "http", "", "serve /status, /metrics (Prometheus) and /healthz on this address while running, e.g. 127.0.0.1:8420")
	f.StringVar(&api.token, "http-token", "", "bearer token the HTTP API requires (env FERRY_HTTP_TOKEN); needed unless --http is a loopback address")
	return cmd
}

func runMigrate(cmd *cobra.Command, t *task.Task, api apiFlags, stdout, stderr io.Writer) error {
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
	dst, err := postgres.Open(ctx, t.Target)
	if err != nil {
		return err
	}
	defer dst.Close()
	dst.CopyFormat = t.CopyFormat
	log.Debug("connected", "source", Redact(t.Source), "source_version", src.Version(), "target", Redact(t.Target))

	var prog load.Progress
	switch {
	case t.DryRun || t.JSON && !isTerminal(stderr):
		prog = nil
	case isTerminal(stderr):
		bp := newBarProgress(ctx, stderr)
		log = slog.New(slog.NewTextHandler(bp, nil))
		prog = bp
	default:
		prog = newLogProgress(log, 5*time.Second)
	}
	taskKey := taskKeyOf(t)
	taskID := load.TaskID(taskKey...)
	logDir := filepath.Join(t.StateDir, "eventlog-"+taskID)
	var elog *eventlog.Log
	newLoad := func(ctx context.Context) error {
		if err := apply.Forget(ctx, dst.Pool(), taskID); err != nil {
			return err
		}
		if elog != nil {
			return elog.Purge(ctx)
		}
		if t.NATS == "" {
			return os.RemoveAll(logDir)
		}
		return nil
	}
	var cdc *load.CDCOptions
	if t.Mode != task.ModeFull {
		if os.Getenv("GOMEMLIMIT") == "" {
			// Streaming runs for long: the garbage collector keeps the
			// heap near this soft limit instead of letting it double.
			debug.SetMemoryLimit(cdcMemoryLimit)
		}
		cdc = &load.CDCOptions{
			Streamer: src,
			NewApplier: func(ctx context.Context, plans map[string]*convert.TablePlan, warn func(string)) (load.Applier, error) {
				a, err := apply.New(ctx, dst.Pool(), taskID, plans)
				if err != nil {
					return nil, err
				}
				a.Warn = warn
				return cdcApplier{a}, nil
			},
			ServerID: serverID(taskID),
		}
		var err error
		elog, err = eventlog.Open(ctx, eventlog.Options{
			Dir:     logDir,
			URL:     t.NATS,
			Stream:  "FERRY_" + taskID,
			Subject: "ferry." + taskID,
		})
		if err != nil {
			return err
		}
		defer elog.Close()
		cdc.Log = elog
		if t.StartPosition != "" {
			p, err := mysql.ParsePosition(t.StartPosition, src.MariaDB())
			if err != nil {
				return usageError{err}
			}
			cdc.Start = p
		}
	}
	var mon *monitor.Collector
	if !t.DryRun {
		var stopMon func(error)
		mon, stopMon, err = startMonitor(ctx, log, taskID, t, api)
		if err != nil {
			return err
		}
		defer func() { stopMon(err) }()
	}
	rep, runErr := load.Run(ctx, src, dst, load.Options{
		Task:    t,
		TaskKey: taskKey,
		CDC:     cdc,
		NewLoad: newLoad,
		Loaded: func(rep *load.Report) {
			if !t.JSON {
				printSummary(stdout, rep)
			}
			if os.Getenv(crashAfterLoadEnv) == "1" {
				// Tests: die like kill -9 between the load and the first
				// streamed change (the named case of the CDC tests).
				fmt.Fprintln(stdout, "crashing after the load ("+crashAfterLoadEnv+"=1)")
				os.Exit(137)
			}
		},
		Progress:        prog,
		DDL:             stdout,
		Logger:          log,
		IsAlreadyExists: postgres.IsAlreadyExists,
		IsRolledBack:    postgres.IsRolledBack,
		Observer:        observer(mon),
	})
	err = runErr
	if t.DryRun {
		if runErr == nil {
			printActionItems(stdout, rep, true)
		}
		return runErr
	}
	if t.JSON {
		out := struct {
			*load.Report
			OK    bool   `json:"ok"`
			Error string `json:"error,omitempty"`
		}{Report: rep, OK: runErr == nil}
		if runErr != nil {
			out.Error = runErr.Error()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		return runErr
	}
	if runErr != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; rerun the same command to resume (checkpoint %s)", rep.StateFile)
		}
		return runErr
	}
	if t.Mode == task.ModeFull {
		printSummary(stdout, rep)
	} else {
		fmt.Fprintln(stdout, "streaming stopped; rerun the same command to continue from where the target is")
	}
	return nil
}

// serverID is the replica server id ferry uses for a task: stable, and
// away from the small ids servers usually have.
func serverID(taskID string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(taskID))
	return h.Sum32()%1_000_000_000 + 1_000_000
}

func printSummary(w io.Writer, rep *load.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\ttarget\trows read\trows written\tseconds\trows/s\t")
	for _, tr := range rep.Tables {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f\t%.0f\t\n", tr.Source, tr.Target, tr.RowsRead, tr.RowsWritten, tr.Seconds, tr.RowsPerSec)
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%.2f\t%.0f\t\n", rep.RowsRead, rep.RowsWritten, rep.Seconds, float64(rep.RowsWritten)/max(rep.Seconds, 0.001))
	tw.Flush()
	fmt.Fprintln(w)
	if rep.Snapshot != nil {
		c := ""
		if !rep.Consistent {
			c = " (readers had separate snapshots; CDC from here re-applies idempotently)"
		}
		fmt.Fprintf(w, "snapshot position: %s%s\n", rep.Snapshot, c)
	}
	fmt.Fprintf(w, "phases: inspect %.2fs, schema %.2fs, data and keys %.2fs, remaining keys %.2fs, views %.2fs\n",
		rep.Phases["inspect"], rep.Phases["schema"], rep.Phases["data"], rep.Phases["keys"], rep.Phases["views"])
	fmt.Fprintf(w, "views created: %d, triggers converted: %d\n", len(rep.Views), len(rep.Triggers))
	for _, wn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	printActionItems(w, rep, false)
}

func printActionItems(w io.Writer, rep *load.Report, asComment bool) {
	prefix := ""
	if asComment {
		prefix = "-- "
	}
	if len(rep.ActionItems) == 0 {
		fmt.Fprintf(w, "%saction items: none\n", prefix)
		return
	}
	fmt.Fprintf(w, "%saction items (%d): review these; they were not converted or changed meaning\n", prefix, len(rep.ActionItems))
	for _, a := range rep.ActionItems {
		fmt.Fprintf(w, "%s  [%s] %s: %s\n", prefix, a.Kind, a.Object, a.Reason)
	}
}

// Redact removes the password from a URL for logs and task ids.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// Still distinct per URL (task ids are built from this), but
		// without any of its text.
		h := sha256.Sum256([]byte(raw))
		return "unparseable-url-" + hex.EncodeToString(h[:6])
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery = ""
	return u.String()
}

// taskKeyOf identifies a task by its source, target and table selection:
// its id (load.TaskID) names the checkpoint, the event log and the
// target's applied position.
func taskKeyOf(t *task.Task) []string {
	return []string{Redact(t.Source), Redact(t.Target), t.TargetSchema, strings.Join(t.Tables, ",")}
}

// cdcMemoryLimit is the Go heap's soft limit in CDC mode (GOMEMLIMIT
// overrides it).
const cdcMemoryLimit = 104 << 20

// cdcApplier adapts *apply.Applier to load.Applier.
type cdcApplier struct{ *apply.Applier }

func (c cdcApplier) Begin(ctx context.Context) (load.ApplyTx, error) {
	t, err := c.Applier.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return t, nil
}
