package mysql

import (
	"reflect"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/source"
)

func TestSelectSQL(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	col := func(name, typ string, length int64) *catalog.Column {
		return &catalog.Column{Name: name, Type: catalog.Type{Name: typ, Raw: typ, Length: length}}
	}
	orders := &catalog.Table{Schema: "shop", Name: "orders"}
	idName := []*catalog.Column{col("id", "int", 0), col("name", "varchar", 20)}

	cases := []struct {
		name     string
		table    *catalog.Table
		cols     []*catalog.Column
		chunk    source.Chunk
		wantSQL  string
		wantArgs []any
	}{
		{"whole table", orders, idName, source.Chunk{},
			"SELECT `id`, `name` FROM `shop`.`orders`", nil},
		{"key column without bounds", orders, idName, source.Chunk{KeyColumn: "id"},
			"SELECT `id`, `name` FROM `shop`.`orders`", nil},
		{"bounds without key column", orders, idName, source.Chunk{Lo: i64(1), Hi: i64(9)},
			"SELECT `id`, `name` FROM `shop`.`orders`", nil},
		{"closed range", orders, idName, source.Chunk{KeyColumn: "id", Lo: i64(1), Hi: i64(100)},
			"SELECT `id`, `name` FROM `shop`.`orders` WHERE `id` >= ? AND `id` < ?", []any{int64(1), int64(100)}},
		{"open upper bound", orders, idName, source.Chunk{KeyColumn: "id", Lo: i64(-5)},
			"SELECT `id`, `name` FROM `shop`.`orders` WHERE `id` >= ?", []any{int64(-5)}},
		{"open lower bound", orders, idName, source.Chunk{KeyColumn: "id", Hi: i64(0)},
			"SELECT `id`, `name` FROM `shop`.`orders` WHERE `id` < ?", []any{int64(0)}},
		{"backquotes in names", &catalog.Table{Schema: "we`ird", Name: "ta`b`le"},
			[]*catalog.Column{col("c`1", "int", 0), col("select", "int", 0)}, source.Chunk{KeyColumn: "k`ey", Lo: i64(7)},
			"SELECT `c``1`, `select` FROM `we``ird`.`ta``b``le` WHERE `k``ey` >= ?", []any{int64(7)}},
		{"bit column", orders, []*catalog.Column{col("flags", "bit", 5)}, source.Chunk{},
			"SELECT LPAD(BIN(`flags`), 5, '0') FROM `shop`.`orders`", nil},
		{"geometry column", orders, []*catalog.Column{col("g", "geometry", 0)}, source.Chunk{},
			"SELECT CONCAT('SRID=', ST_SRID(`g`), ';', ST_AsText(`g`)) FROM `shop`.`orders`", nil},
		{"point column", orders, []*catalog.Column{col("p", "point", 0), col("id", "int", 0)}, source.Chunk{},
			"SELECT CONCAT('SRID=', ST_SRID(`p`), ';', ST_AsText(`p`)), `id` FROM `shop`.`orders`", nil},
		{"multipolygon column", orders, []*catalog.Column{col("m", "multipolygon", 0)}, source.Chunk{},
			"SELECT CONCAT('SRID=', ST_SRID(`m`), ';', ST_AsText(`m`)) FROM `shop`.`orders`", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sql, args := SelectSQL(c.table, c.cols, c.chunk)
			if sql != c.wantSQL {
				t.Errorf("SelectSQL:\n got %s\nwant %s", sql, c.wantSQL)
			}
			if !reflect.DeepEqual(args, c.wantArgs) {
				t.Errorf("args = %#v, want %#v", args, c.wantArgs)
			}
		})
	}
}
