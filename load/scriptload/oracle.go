package scriptload

import (
	"context"
	"fmt"
	"io"

	"github.com/ferrydb/ferry/source/oraclescript"
	"github.com/ferrydb/ferry/source/sqlplus"
)

// ScriptStats counts what a script load read besides rows.
type ScriptStats struct {
	Statements int // statements read (SQL*Plus commands included)
	Ignored    int // COMMIT, SET, ALTER SESSION, queries, SQL*Plus commands
	DDL        int // DDL skipped with a warning
}

// OracleScripts loads the INSERTs of Oracle SQL*Plus scripts (a path
// may be a directory: its *.sql in name order) through l. DDL
// statements are skipped with a warning naming file:line (the schema is
// converted and created beforehand; ALTER TABLE ... DISABLE CONSTRAINT
// and identity resets of sample scripts are handled by the load itself);
// UPDATE, DELETE, MERGE and PL/SQL other than INSERTs stop the load.
func OracleScripts(ctx context.Context, l *Loader, paths []string, opt sqlplus.Options, s *oraclescript.Session) (ScriptStats, error) {
	var st ScriptStats
	files, err := sqlplus.ExpandPaths(paths)
	if err != nil {
		return st, err
	}
	if opt.Logger == nil {
		opt.Logger = l.log
	}
	emit := func(in *oraclescript.Insert) error {
		r := Row{Table: in.Table.PG(), Values: in.Values, Pos: in.Pos()}
		if in.Schema.Name != "" {
			r.Schema = in.Schema.PG()
		}
		if in.Columns != nil {
			r.Columns = make([]string, len(in.Columns))
			for i, c := range in.Columns {
				r.Columns[i] = c.PG()
			}
		}
		return l.Add(ctx, r)
	}
	for _, f := range files {
		rd, err := sqlplus.Open(f, opt)
		if err != nil {
			return st, err
		}
		for {
			if err := ctx.Err(); err != nil {
				rd.Close()
				return st, err
			}
			stmt, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rd.Close()
				return st, err
			}
			st.Statements++
			act, err := s.Statement(stmt, emit)
			if err != nil {
				rd.Close()
				return st, err
			}
			switch act {
			case oraclescript.Ignored:
				st.Ignored++
				l.log.Debug("statement skipped: nothing to load", "at", stmt.Pos(), "statement", firstWords(stmt.Text))
			case oraclescript.DDL:
				st.DDL++
				l.log.Warn("DDL in a data script skipped: create and alter the schema beforehand", "at", stmt.Pos(), "statement", firstWords(stmt.Text))
			}
		}
		if err := rd.Close(); err != nil {
			return st, fmt.Errorf("%s: %w", f, err)
		}
	}
	return st, nil
}

func firstWords(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\t' {
			b[i] = ' '
		}
	}
	return string(b)
}
