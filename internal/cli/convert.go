package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/assess"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oracle"
	"github.com/ferrydb/ferry/convert/plsql"
	"github.com/ferrydb/ferry/source/sqlplus"
	"github.com/ferrydb/ferry/target/postgres"
)

func newConvert(stdout io.Writer) *cobra.Command {
	var from, to, out, target, schema string
	var defines []string
	var keepGoing bool
	cmd := &cobra.Command{
		Use:   "convert --from oracle --to postgres FILE|DIR... [--out DIR] [--target postgres://...]",
		Short: "Convert Oracle DDL and PL/SQL scripts to PostgreSQL",
		Long: `convert reads Oracle SQL*Plus scripts (files, or directories of *.sql
files) and converts tables, constraints, indexes, sequences, views,
comments, synonyms and PL/SQL code to PostgreSQL. No Oracle server is
needed.

--out writes one file per kind, to run in name order: 00-schema.sql,
01-sequences.sql, 02-tables.sql, 03-constraints.sql, 04-indexes.sql,
05-views.sql, 06-code.sql, 07-comments.sql, with action-items.md/.json and
objects.json (every object with its status and notes).

--target applies the same statements to a PostgreSQL database in that
order, in one transaction: every failure is reported with the object, its
file:line and PostgreSQL's error, and nothing is committed unless all
succeed (--keep-going commits what succeeded). The exit code is non-zero
when something failed to apply. Action items are listed at the end.`,
		Example: `  ferry convert --from oracle --to postgres hr_create.sql hr_code.sql --out hr-pg
  ferry convert --from oracle ./scripts --schema hr --target postgres://u:p@localhost/db`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from != "oracle" {
				return usageError{fmt.Errorf("--from %q: only oracle scripts can be converted", from)}
			}
			if to != "postgres" && to != "postgresql" {
				return usageError{fmt.Errorf("--to %q: only postgres is supported", to)}
			}
			defs := map[string]string{}
			for _, d := range defines {
				k, v, ok := strings.Cut(d, "=")
				if !ok {
					return usageError{fmt.Errorf("--define %q: use NAME=VALUE", d)}
				}
				defs[k] = v
			}
			if out == "" && target == "" {
				out = "ferry-convert"
			}
			return runConvert(cmd.Context(), stdout, args, convertOptions{
				defines: defs, out: out, target: target, schema: schema, keepGoing: keepGoing,
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "oracle", "source dialect of the scripts (oracle)")
	f.StringVar(&to, "to", "postgres", "target dialect (postgres)")
	f.StringVar(&out, "out", "", "write the converted SQL files into this directory (default ferry-convert when no --target)")
	f.StringVar(&target, "target", "", "apply the converted statements to this PostgreSQL database (postgres://...)")
	f.StringVar(&schema, "schema", "", "create the objects in this PostgreSQL schema (Oracle schema names map to it)")
	f.StringArrayVar(&defines, "define", nil, "SQL*Plus substitution variable NAME=VALUE (repeatable)")
	f.BoolVar(&keepGoing, "keep-going", false, "with --target, commit the objects that applied even when others failed")
	return cmd
}

type convertOptions struct {
	defines   map[string]string
	out       string
	target    string
	schema    string
	keepGoing bool
}

func runConvert(ctx context.Context, stdout io.Writer, paths []string, opt convertOptions) error {
	stmts, data, err := readScripts(ctx, paths, opt.defines)
	if err != nil {
		return err
	}
	shared := oracle.NewShared()
	// PL/SQL code names tables unqualified (search_path below): its SQL
	// is translated without a schema.
	code := plsql.New(plsql.Options{SQL: oracle.PLSQLTranslator{Shared: shared}})
	res := oracle.Convert(stmts, oracle.Options{
		Schema: opt.schema,
		Shared: shared,
		Converters: []oracle.UnitConverter{func(st oracle.Statement) ([]*convert.Object, bool) {
			if !plsql.IsCode(st.Text) {
				return nil, false
			}
			return code.Add(st.Text, st.File, st.Line), true
		}},
	})
	if opt.schema != "" {
		// PL/SQL code names tables and routines unqualified: it is
		// created with the schema first on the search_path, and every
		// routine keeps that search_path when it runs (SET search_path
		// FROM CURRENT), whatever the caller's, as Oracle resolves names
		// in the owner's schema.
		for _, it := range res.Items {
			if it.Phase == oracle.PhaseCode {
				for i, sql := range it.Object.SQL {
					it.Object.SQL[i] = pinSearchPath(sql)
				}
				it.Object.SQL = append([]string{"SET search_path TO " + convert.QuoteIdent(opt.schema) + ", public"}, it.Object.SQL...)
			}
		}
	}
	printConvertSummary(stdout, res, data)
	if opt.out != "" {
		files, err := oracle.WriteFiles(opt.out, res)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %d files to %s\n", len(files), opt.out)
	}
	var applyErr error
	if opt.target != "" {
		applyErr = applyConverted(ctx, stdout, opt, res)
	}
	printConvertActionItems(stdout, res)
	return applyErr
}

var routineRe = regexp.MustCompile(`(?s)^CREATE OR REPLACE (?:FUNCTION|PROCEDURE) [^\n]*\n.*?\nAS `)

// pinSearchPath adds SET search_path FROM CURRENT to a CREATE FUNCTION or
// PROCEDURE statement of the PL/SQL converter (whose header ends with a
// line "AS $body$"); other statements are returned as they are.
func pinSearchPath(sql string) string {
	loc := routineRe.FindStringIndex(sql)
	if loc == nil {
		return sql
	}
	return sql[:loc[1]-len("AS ")] + "SET search_path FROM CURRENT\nAS " + sql[loc[1]:]
}

// readScripts streams the scripts' statements, keeping the schema and code
// statements; data statements are only counted.
func readScripts(ctx context.Context, paths []string, defines map[string]string) ([]oracle.Statement, int, error) {
	files, err := sqlplus.ExpandPaths(paths)
	if err != nil {
		return nil, 0, err
	}
	// A file another one includes is read there, not on its own.
	files, err = assess.TopLevel(ctx, files, sqlplus.Options{Defines: defines})
	if err != nil {
		return nil, 0, fmt.Errorf("convert: %w", err)
	}
	var out []oracle.Statement
	data := 0
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		r, err := sqlplus.Open(f, sqlplus.Options{Defines: defines})
		if err != nil {
			return nil, 0, fmt.Errorf("convert: open %s: %w", f, err)
		}
		for {
			if err := ctx.Err(); err != nil {
				r.Close()
				return nil, 0, err
			}
			st, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return nil, 0, fmt.Errorf("convert: read %s: %w (fix the script or pass --define for its substitution variables)", f, err)
			}
			seen[st.File] = true
			if st.Kind == sqlplus.Command {
				continue
			}
			if isData(st.Text) {
				data++
				continue
			}
			out = append(out, oracle.FromSQLPlus(st))
		}
		if err := r.Close(); err != nil {
			return nil, 0, fmt.Errorf("convert: %s: %w", f, err)
		}
	}
	return out, data, nil
}

func isData(text string) bool {
	w := strings.Fields(text)
	if len(w) == 0 {
		return false
	}
	switch strings.ToUpper(w[0]) {
	case "INSERT", "UPDATE", "DELETE", "MERGE", "COMMIT", "ROLLBACK":
		return true
	}
	return false
}

func printConvertSummary(w io.Writer, res *oracle.Result, data int) {
	type counts struct{ auto, warn, manual int }
	byKind := map[string]*counts{}
	for _, it := range res.Items {
		o := it.Object
		k := byKind[o.Kind]
		if k == nil {
			k = &counts{}
			byKind[o.Kind] = k
		}
		switch o.Status {
		case convert.StatusAuto:
			k.auto++
		case convert.StatusWarnings:
			k.warn++
		default:
			k.manual++
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "%-18s %9s %13s %7s\n", "kind", "converted", "with warnings", "manual")
	for _, k := range kinds {
		c := byKind[k]
		fmt.Fprintf(w, "%-18s %9d %13d %7d\n", k, c.auto, c.warn, c.manual)
	}
	if data > 0 {
		fmt.Fprintf(w, "%d data and transaction statements (INSERT, UPDATE, DELETE, MERGE, COMMIT, ROLLBACK) skipped: load data with ferry load\n", data)
	}
}

func printConvertActionItems(w io.Writer, res *oracle.Result) {
	items := res.ActionItems()
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\nAction items (%d objects):\n", len(items))
	for _, o := range items {
		loc := ""
		if o.File != "" {
			loc = fmt.Sprintf(" (%s:%d)", o.File, o.Line)
		}
		for _, ai := range o.Items {
			fmt.Fprintf(w, "  %s %s%s: %s\n", o.Kind, o.Name, loc, ai.Reason)
		}
	}
}

type txExec struct {
	exec func(ctx context.Context, sql string) error
}

func (t txExec) Exec(ctx context.Context, sql string) error { return t.exec(ctx, sql) }

func applyConverted(ctx context.Context, w io.Writer, opt convertOptions, res *oracle.Result) error {
	tgt, err := postgres.Open(ctx, opt.target)
	if err != nil {
		return err
	}
	defer tgt.Close()
	tx, err := tgt.Pool().Begin(ctx)
	if err != nil {
		return fmt.Errorf("convert: begin transaction on the target: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit it is a no-op
	db := txExec{exec: func(ctx context.Context, sql string) error {
		_, err := tx.Exec(ctx, sql)
		return err
	}}
	failures, err := oracle.Apply(ctx, db, res)
	if err != nil {
		return fmt.Errorf("convert: apply: %w", err)
	}
	for _, f := range failures {
		fmt.Fprintf(w, "FAILED %v\n", f)
	}
	applied := 0
	for _, it := range res.Items {
		if it.Phase != oracle.PhaseNone && len(it.Object.SQL) > 0 {
			applied++
		}
	}
	applied -= len(failures)
	if len(failures) > 0 && !opt.keepGoing {
		fmt.Fprintf(w, "\n%d objects failed: nothing was committed (fix them, or use --keep-going to commit the %d that applied)\n", len(failures), applied)
		return fmt.Errorf("convert: %d objects failed to apply: %w", len(failures), oracle.ErrApply)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("convert: commit: %w", err)
	}
	fmt.Fprintf(w, "\napplied %d objects to the target", applied)
	if len(failures) > 0 {
		fmt.Fprintf(w, "; %d failed", len(failures))
		fmt.Fprintln(w)
		return fmt.Errorf("convert: %d objects failed to apply: %w", len(failures), oracle.ErrApply)
	}
	fmt.Fprintln(w)
	return nil
}
