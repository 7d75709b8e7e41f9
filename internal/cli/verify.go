package cli

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/source/mysql"
	"github.com/ferrydb/ferry/target/postgres"
	"github.com/ferrydb/ferry/task"
	"github.com/ferrydb/ferry/verify"
)

func newVerify(stdout, stderr io.Writer) *cobra.Command {
	var file, tables, level, report string
	var maxRows int
	var repair, jsonOut, tinyBool bool
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

Exit codes: 0 every table matches, 1 differences or errors, 2 bad usage.
Verify a quiet source: rows changed during the comparison show as
differences.`,
		Example: `  ferry verify --source mysql://root@127.0.0.1:3306/sakila --target postgres://postgres@127.0.0.1:5432/sakila
  ferry verify -f task.yaml --level row --report diff.html
  ferry verify --source mysql://app@db1/shop --target postgres://app@pg1/shop --repair`,
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
			return runVerify(cmd, t, verify.Options{
				Level: lv, Parallel: t.Parallel, ChunkRows: t.ChunkRows, MaxRows: maxRows, Repair: repair,
			}, report, jsonOut, stdout)
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
	return cmd
}

func runVerify(cmd *cobra.Command, t *task.Task, opt verify.Options, reportPath string, jsonOut bool, stdout io.Writer) error {
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
