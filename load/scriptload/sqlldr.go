package scriptload

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/source/oraclescript"
	"github.com/ferrydb/ferry/source/sqlldr"
)

// SQLLoader loads the data described by SQL*Loader control files through
// l, one control file after the other. A record that cannot be read or
// converted stops the load with its data file:line (there is no bad
// file: fix the record and rerun).
func SQLLoader(ctx context.Context, l *Loader, ctls []string, s *oraclescript.Session) error {
	for _, path := range ctls {
		c, err := sqlldr.ParseFile(path)
		if err != nil {
			return err
		}
		for _, n := range c.Notes {
			l.log.Info(n, "control_file", path)
		}
		pgName := func(n string, quoted bool) string {
			if quoted {
				return n
			}
			return strings.ToLower(n)
		}
		schema := ""
		if c.Schema != "" {
			schema = strings.ToLower(c.Schema)
		}
		table := pgName(c.Table, c.TQuoted)
		if err := l.Clear(ctx, schema, table, string(c.Method), path); err != nil {
			return err
		}
		var cols []string
		for _, f := range c.Columns() {
			cols = append(cols, pgName(f.Name, f.Quoted))
		}
		if len(cols) == 0 {
			return fmt.Errorf("%s: no field to load", path)
		}
		err = c.Read(ctx, s, func(vals []oraclescript.Value, pos string) error {
			return l.Add(ctx, Row{Schema: schema, Table: table, Columns: cols, Values: vals, Pos: pos})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
