package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/source"
	"github.com/ferrydb/ferry/task"
)

// BuildPlan selects and converts the tables of a task exactly as ferry
// migrate does (the --tables filter, --target-schema, casts,
// tinyint1-as-boolean; postGIS tells whether the target has PostGIS), so
// verification compares the tables the migration wrote, under the names
// and types it gave them.
func BuildPlan(ctx context.Context, src source.Source, postGIS bool, t *task.Task) (*convert.Plan, error) {
	filter, err := task.ParseFilter(t.Tables)
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
		return nil, fmt.Errorf("no source table matches --tables %q in %s", strings.Join(t.Tables, ","), strings.Join(dbs, ", "))
	}
	tinyBool := true
	if t.TinyintBoolean != nil {
		tinyBool = *t.TinyintBoolean
	}
	return convert.Build(sc, convert.Options{
		TargetSchema:   t.TargetSchema,
		TinyintBoolean: tinyBool,
		Casts:          t.Casts,
		PostGIS:        postGIS,
	})
}
