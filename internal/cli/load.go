package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/load/scriptload"
	"github.com/ferrydb/ferry/source/oraclescript"
	"github.com/ferrydb/ferry/source/sqlplus"
	"github.com/ferrydb/ferry/target/postgres"
)

func newLoad(stdout, _ io.Writer) *cobra.Command {
	var from, target, schema string
	var defines []string
	var keepUndefined bool
	cmd := &cobra.Command{
		Use:   "load --from oracle-script|sqlldr FILE... --target URL [flags]",
		Short: "Load rows from Oracle INSERT scripts or SQL*Loader files into existing PostgreSQL tables",
		Long: `load reads data files without a source database and writes their rows into
tables that already exist in the target (create them first, for example
from the converted schema), with COPY.

--from oracle-script: SQL*Plus scripts (a directory stands for its *.sql
files in name order; @/@@ includes are followed). INSERT ... VALUES
statements, INSERT ALL ... FROM dual and anonymous PL/SQL blocks made of
INSERTs are loaded; COMMIT, SET, ALTER SESSION and other SQL*Plus commands
are skipped; DDL (CREATE, ALTER TABLE ... DISABLE CONSTRAINT, ...) is
skipped with a warning; UPDATE, DELETE, MERGE and other PL/SQL stop the
load with the statement's file:line.

--from sqlldr: SQL*Loader control files (.ctl) with their data files.

Values are converted for the target column types. The whole load is one
transaction: on any error nothing is loaded and the error names file:line.
Foreign keys and triggers are off during the load when the user may set
session_replication_role. Identity and serial sequences of the loaded
tables restart past the largest loaded value.`,
		Example: `  ferry load --from oracle-script hr_populate.sql --target postgres://postgres@127.0.0.1:5432/hr --schema hr
  ferry load --from oracle-script scripts/ --target postgres://app@pg1/shop --define tbs=users
  ferry load --from sqlldr emp.ctl dept.ctl --target postgres://app@pg1/hr`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if target == "" {
				return usageError{fmt.Errorf("--target is required: postgres://user:password@host:5432/database")}
			}
			opt := sqlplus.Options{Defines: map[string]string{}}
			if keepUndefined {
				opt.Undefined = sqlplus.UndefinedKeep
			}
			for _, d := range defines {
				k, v, ok := strings.Cut(d, "=")
				if !ok || k == "" {
					return usageError{fmt.Errorf("--define %q: expected NAME=VALUE", d)}
				}
				opt.Defines[k] = v
			}
			switch from {
			case "oracle-script", "sqlldr":
			default:
				return usageError{fmt.Errorf("--from %q: expected oracle-script or sqlldr", from)}
			}
			ctx := cmd.Context()
			tg, err := postgres.Open(ctx, target)
			if err != nil {
				return err
			}
			defer tg.Close()
			start := time.Now()
			session := oraclescript.NewSession(start)
			l, err := scriptload.Begin(ctx, tg.Pool(), session, scriptload.Options{Schema: schema})
			if err != nil {
				return err
			}
			defer l.Rollback()
			switch from {
			case "oracle-script":
				st, err := scriptload.OracleScripts(ctx, l, files, opt, session)
				if err != nil {
					return fmt.Errorf("%w\nnothing was loaded (the load is one transaction)", err)
				}
				slog.Debug("scripts read", "statements", st.Statements, "ignored", st.Ignored, "ddl_skipped", st.DDL)
			case "sqlldr":
				if err := scriptload.SQLLoader(ctx, l, files, session); err != nil {
					return fmt.Errorf("%w\nnothing was loaded (the load is one transaction)", err)
				}
			}
			counts, err := l.Commit(ctx)
			if err != nil {
				return err
			}
			printCounts(stdout, counts, time.Since(start))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "input format: oracle-script (SQL*Plus INSERT scripts) or sqlldr (SQL*Loader control files)")
	f.StringVar(&target, "target", "", "PostgreSQL URL: postgres://user:password@host:5432/database")
	f.StringVar(&schema, "schema", "", "target schema for every table (default: the script's owner, else the search_path)")
	f.StringArrayVar(&defines, "define", nil, "substitution variable for &NAME in scripts, NAME=VALUE (repeatable)")
	f.BoolVar(&keepUndefined, "keep-undefined", false, "leave undefined &NAME references as they are instead of failing")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

func printCounts(w io.Writer, counts []scriptload.TableCount, took time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\trows\t")
	var total int64
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t\n", c.Table, c.Rows)
		total += c.Rows
	}
	tw.Flush()
	fmt.Fprintf(w, "loaded %d rows into %d tables in %v\n", total, len(counts), took.Round(time.Millisecond))
}
