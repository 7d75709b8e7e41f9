package verify

import (
	"context"

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
	sc, err := source.Select(ctx, src, t.Tables)
	if err != nil {
		return nil, err
	}
	return convert.Build(sc, convert.OptionsFor(t, postGIS))
}
