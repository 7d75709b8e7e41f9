package source

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/task"
)

// Select inspects the tables a task selects (--tables globs; by default
// every table of the database the source URL names). ferry migrate and
// ferry verify both select with it, so they see the same tables.
func Select(ctx context.Context, src Source, tables []string) (*catalog.Schema, error) {
	filter, err := task.ParseFilter(tables)
	if err != nil {
		return nil, err
	}
	dbs := filter.Databases(src.Database())
	if len(dbs) == 0 {
		return nil, errors.New("the source URL names no database: add one (mysql://host:3306/dbname) or select tables with --tables 'db.*'")
	}
	sc, err := src.Inspect(ctx, func(db, table string) bool { return filter.Match(src.Database(), db, table) }, dbs)
	if err != nil {
		return nil, err
	}
	if len(sc.Tables) == 0 {
		return nil, fmt.Errorf("no source table matches --tables %q in %s", strings.Join(tables, ","), strings.Join(dbs, ", "))
	}
	return sc, nil
}
