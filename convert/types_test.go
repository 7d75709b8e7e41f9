package convert

import (
	"strings"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/task"
)

// typ builds a catalog.Type; raw is the MySQL COLUMN_TYPE.
func typ(name, raw string) catalog.Type {
	return catalog.Type{Name: name, Raw: raw, Unsigned: strings.Contains(raw, "unsigned")}
}

func withLen(t catalog.Type, n int64) catalog.Type { t.Length = n; return t }
func withPrec(t catalog.Type, p, s int) catalog.Type {
	t.Precision, t.Scale = p, s
	return t
}

func TestMapType(t *testing.T) {
	boolOn := Options{TinyintBoolean: true}
	boolOff := Options{}
	gis := Options{PostGIS: true}
	cases := []struct {
		name     string
		t        catalog.Type
		opt      Options
		want     string
		wantEnc  Encoding
		wantNote string // substring of the action-item note; "" means no note
	}{
		{"tinyint(1) as boolean", withLen(typ("tinyint", "tinyint(1)"), 1), boolOn, "boolean", EncBool, ""},
		{"tinyint(1) kept as smallint", withLen(typ("tinyint", "tinyint(1)"), 1), boolOff, "smallint", EncText, ""},
		{"tinyint(1) unsigned is no boolean", withLen(typ("tinyint", "tinyint(1) unsigned"), 1), boolOn, "smallint", EncText, ""},
		{"tinyint(4)", withLen(typ("tinyint", "tinyint(4)"), 4), boolOn, "smallint", EncText, ""},
		{"tinyint without width", typ("tinyint", "tinyint"), boolOn, "smallint", EncText, ""},
		{"tinyint unsigned", typ("tinyint", "tinyint unsigned"), boolOn, "smallint", EncText, ""},
		{"smallint", typ("smallint", "smallint"), boolOn, "smallint", EncText, ""},
		{"smallint unsigned", typ("smallint", "smallint unsigned"), boolOn, "integer", EncText, ""},
		{"mediumint", typ("mediumint", "mediumint"), boolOn, "integer", EncText, ""},
		{"mediumint unsigned", typ("mediumint", "mediumint unsigned"), boolOn, "integer", EncText, ""},
		{"int", withLen(typ("int", "int(11)"), 11), boolOn, "integer", EncText, ""},
		{"integer", typ("integer", "integer"), boolOn, "integer", EncText, ""},
		{"int unsigned", withLen(typ("int", "int(10) unsigned"), 10), boolOn, "bigint", EncText, ""},
		{"bigint", typ("bigint", "bigint"), boolOn, "bigint", EncText, ""},
		{"bigint unsigned", typ("bigint", "bigint unsigned"), boolOn, "numeric(20)", EncText, ""},
		{"decimal(10,2)", withPrec(typ("decimal", "decimal(10,2)"), 10, 2), boolOn, "numeric(10,2)", EncText, ""},
		{"decimal(65,30)", withPrec(typ("decimal", "decimal(65,30)"), 65, 30), boolOn, "numeric(65,30)", EncText, ""},
		{"decimal(5,0)", withPrec(typ("decimal", "decimal(5,0)"), 5, 0), boolOn, "numeric(5,0)", EncText, ""},
		{"numeric without precision", typ("numeric", "numeric"), boolOn, "numeric", EncText, ""},
		{"float", typ("float", "float"), boolOn, "real", EncText, ""},
		{"float(7,4)", withPrec(typ("float", "float(7,4)"), 7, 0), boolOn, "real", EncText, ""},
		{"float(24)", withPrec(typ("float", "float"), 24, 0), boolOn, "real", EncText, ""},
		{"float(25) is double", withPrec(typ("float", "float(30,2)"), 30, 0), boolOn, "double precision", EncText, ""},
		{"double", typ("double", "double"), boolOn, "double precision", EncText, ""},
		{"real", typ("real", "real"), boolOn, "double precision", EncText, ""},
		{"bit(1)", withLen(typ("bit", "bit(1)"), 1), boolOn, "bit(1)", EncText, ""},
		{"bit(64)", withLen(typ("bit", "bit(64)"), 64), boolOn, "bit(64)", EncText, ""},
		{"bit without length", typ("bit", "bit"), boolOn, "bit(1)", EncText, ""},
		{"char(10)", withLen(typ("char", "char(10)"), 10), boolOn, "char(10)", EncText, ""},
		{"char(0)", withLen(typ("char", "char(0)"), 0), boolOn, "char(1)", EncText, ""},
		{"varchar(255)", withLen(typ("varchar", "varchar(255)"), 255), boolOn, "varchar(255)", EncText, ""},
		{"tinytext", typ("tinytext", "tinytext"), boolOn, "text", EncText, ""},
		{"text", typ("text", "text"), boolOn, "text", EncText, ""},
		{"mediumtext", typ("mediumtext", "mediumtext"), boolOn, "text", EncText, ""},
		{"longtext", typ("longtext", "longtext"), boolOn, "text", EncText, ""},
		{"binary(16)", withLen(typ("binary", "binary(16)"), 16), boolOn, "bytea", EncBytea, ""},
		{"varbinary(20)", withLen(typ("varbinary", "varbinary(20)"), 20), boolOn, "bytea", EncBytea, ""},
		{"tinyblob", typ("tinyblob", "tinyblob"), boolOn, "bytea", EncBytea, ""},
		{"blob", typ("blob", "blob"), boolOn, "bytea", EncBytea, ""},
		{"mediumblob", typ("mediumblob", "mediumblob"), boolOn, "bytea", EncBytea, ""},
		{"longblob", typ("longblob", "longblob"), boolOn, "bytea", EncBytea, ""},
		{"enum", typ("enum", "enum('a','b')"), boolOn, "text", EncText, ""},
		{"set", typ("set", "set('a','b')"), boolOn, "text[]", EncSet, ""},
		{"year", withLen(typ("year", "year(4)"), 4), boolOn, "smallint", EncText, ""},
		{"date", typ("date", "date"), boolOn, "date", EncDate, ""},
		{"datetime", typ("datetime", "datetime"), boolOn, "timestamp(0)", EncDate, ""},
		{"datetime(6)", withPrec(typ("datetime", "datetime(6)"), 6, 0), boolOn, "timestamp(6)", EncDate, ""},
		{"timestamp", typ("timestamp", "timestamp"), boolOn, "timestamptz(0)", EncTimestampTZ, ""},
		{"timestamp(3)", withPrec(typ("timestamp", "timestamp(3)"), 3, 0), boolOn, "timestamptz(3)", EncTimestampTZ, ""},
		{"time", typ("time", "time"), boolOn, "time(0)", EncTime, ""},
		{"time(2)", withPrec(typ("time", "time(2)"), 2, 0), boolOn, "time(2)", EncTime, ""},
		{"json", typ("json", "json"), boolOn, "jsonb", EncText, ""},
		{"geometry with PostGIS", typ("geometry", "geometry"), gis, "geometry", EncGeometry, ""},
		{"point with PostGIS", typ("point", "point"), gis, "geometry", EncGeometry, ""},
		{"geomcollection with PostGIS", typ("geomcollection", "geomcollection"), gis, "geometry", EncGeometry, ""},
		{"geometry without PostGIS", typ("geometry", "geometry"), boolOn, "text", EncGeometry, "ST_GeomFromEWKT"},
		{"multipolygon without PostGIS", typ("multipolygon", "multipolygon"), boolOn, "text", EncGeometry, "PostGIS is not installed"},
		{"unknown type", typ("vector", "vector(3)"), boolOn, "text", EncText, `unknown source type "vector(3)"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, enc, note := mapType(&catalog.Column{Name: "c", Type: c.t}, c.opt)
			if got != c.want || enc != c.wantEnc {
				t.Errorf("mapType(%s) = %s, %d; want %s, %d", c.t.Raw, got, enc, c.want, c.wantEnc)
			}
			switch {
			case c.wantNote == "" && note != "":
				t.Errorf("mapType(%s) note %q, want none", c.t.Raw, note)
			case c.wantNote != "" && !strings.Contains(note, c.wantNote):
				t.Errorf("mapType(%s) note %q, want it to contain %q", c.t.Raw, note, c.wantNote)
			}
		})
	}
}

func TestTypeMatches(t *testing.T) {
	tinyint1 := withLen(typ("tinyint", "tinyint(1)"), 1)
	cases := []struct {
		rule string
		t    catalog.Type
		want bool
	}{
		{"tinyint(1)", tinyint1, true},
		{"TINYINT(1)", tinyint1, true},
		{" tinyint(1) ", tinyint1, true},
		{"tinyint(1)", withLen(typ("tinyint", "tinyint(4)"), 4), false},
		{"tinyint(1)", typ("tinyint", "tinyint"), false},
		{"tinyint(1)", withLen(typ("tinyint", "tinyint(1) unsigned"), 1), true},
		{"tinyint", tinyint1, true},
		{"datetime", typ("datetime", "datetime"), true},
		{"datetime", withPrec(typ("datetime", "datetime(6)"), 6, 0), true},
		{"datetime(3)", withPrec(typ("datetime", "datetime(3)"), 3, 0), true},
		{"datetime(3)", withPrec(typ("datetime", "datetime(6)"), 6, 0), false},
		{"datetime", typ("timestamp", "timestamp"), false},
		{"int unsigned", typ("int", "int(10) unsigned"), true},
		{"int unsigned", typ("int", "int unsigned"), true},
		{"int unsigned", typ("int", "int(11)"), false},
		{"int unsigned", typ("bigint", "bigint unsigned"), false},
		{"int", typ("int", "int(10) unsigned"), true},
		{"int(10) unsigned", typ("int", "int(10) unsigned"), true},
		{"int(10)", typ("int", "int(10) unsigned"), true},
		{"int(11)", typ("int", "int(10) unsigned"), false},
		{"bigint unsigned", typ("bigint", "bigint(20) unsigned zerofill"), true},
		{"decimal(10,2)", withPrec(typ("decimal", "decimal(10,2)"), 10, 2), true},
		{"decimal(10,2)", withPrec(typ("decimal", "decimal(12,2)"), 12, 2), false},
		{"varchar(255)", withLen(typ("varchar", "varchar(255)"), 255), true},
		{"varchar", withLen(typ("varchar", "varchar(255)"), 255), true},
		{"char", withLen(typ("varchar", "varchar(255)"), 255), false},
		{"time", typ("time", "time"), true},
	}
	for _, c := range cases {
		if got := typeMatches(c.rule, c.t); got != c.want {
			t.Errorf("typeMatches(%q, %s) = %v, want %v", c.rule, c.t.Raw, got, c.want)
		}
	}
}

func TestTypeMatchesZerofill(t *testing.T) {
	// typeMatches strips " unsigned" before " zerofill", but MySQL prints
	// "int(10) unsigned zerofill", so the unsigned suffix is never removed
	// and a rule naming the width does not match a ZEROFILL column.
	zf := typ("int", "int(10) unsigned zerofill")
	for _, rule := range []string{"int(10)", "int(10) unsigned"} {
		if !typeMatches(rule, zf) {
			t.Errorf("typeMatches(%q, %s) = false, want true", rule, zf.Raw)
		}
	}
}

func TestCastFor(t *testing.T) {
	tbl := &catalog.Table{Schema: "shop", Name: "orders"}
	flag := &catalog.Column{Name: "flag", Type: withLen(typ("tinyint", "tinyint(1)"), 1)}
	note := &catalog.Column{Name: "note", Type: withLen(typ("varchar", "varchar(100)"), 100)}
	created := &catalog.Column{Name: "created", Type: typ("datetime", "datetime")}
	id := &catalog.Column{Name: "id", Type: typ("int", "int(10) unsigned")}
	cases := []struct {
		name   string
		rules  []task.CastRule
		col    *catalog.Column
		want   string
		wantOK bool
	}{
		{"no rules", nil, flag, "", false},
		{"by type with width", []task.CastRule{{Type: "tinyint(1)", To: "smallint"}}, flag, "smallint", true},
		{"type does not match", []task.CastRule{{Type: "tinyint(1)", To: "smallint"}}, note, "", false},
		{"by type unsigned", []task.CastRule{{Type: "int unsigned", To: "integer"}}, id, "integer", true},
		{"by base type", []task.CastRule{{Type: "datetime", To: "timestamptz"}}, created, "timestamptz", true},
		{"by table.column", []task.CastRule{{Column: "orders.note", To: "text"}}, note, "text", true},
		{"by db.table.column", []task.CastRule{{Column: "shop.orders.note", To: "text"}}, note, "text", true},
		{"other database", []task.CastRule{{Column: "crm.orders.note", To: "text"}}, note, "", false},
		{"other column", []task.CastRule{{Column: "orders.notes", To: "text"}}, note, "", false},
		{"column glob", []task.CastRule{{Column: "orders.*", To: "text"}}, created, "text", true},
		{"column glob with db", []task.CastRule{{Column: "shop.*.no?e", To: "text"}}, note, "text", true},
		{"column and type both needed", []task.CastRule{{Column: "orders.*", Type: "datetime", To: "timestamptz"}}, note, "", false},
		{"column and type both match", []task.CastRule{{Column: "orders.*", Type: "datetime", To: "timestamptz"}}, created, "timestamptz", true},
		{"first match wins", []task.CastRule{
			{Column: "orders.flag", To: "integer"},
			{Type: "tinyint(1)", To: "smallint"},
		}, flag, "integer", true},
		{"later rule when the first does not match", []task.CastRule{
			{Column: "orders.note", To: "text"},
			{Type: "tinyint(1)", To: "smallint"},
		}, flag, "smallint", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := castFor(c.rules, tbl, c.col)
			if got != c.want || ok != c.wantOK {
				t.Errorf("castFor(%s) = %q, %v; want %q, %v", c.col.Name, got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestEncodingForCast(t *testing.T) {
	cases := []struct {
		to   string
		def  Encoding
		want Encoding
	}{
		{"bytea", EncText, EncBytea},
		{"boolean", EncText, EncBool},
		{"bool", EncText, EncBool},
		{"timestamptz", EncDate, EncTimestampTZ},
		{"timestamptz(3)", EncDate, EncTimestampTZ},
		{"timestamp with time zone", EncDate, EncTimestampTZ},
		{"timestamp", EncTimestampTZ, EncDate},
		{"timestamp(6)", EncDate, EncDate},
		{"date", EncDate, EncDate},
		{"time", EncText, EncTime},
		{"text[]", EncSet, EncSet},
		{"varchar(20)[]", EncText, EncText},
		{"interval", EncTime, EncText},
		{"smallint", EncBool, EncText},
		{"text", EncDate, EncDate},
		{"text", EncTimestampTZ, EncDate},
		{"text", EncBytea, EncBytea},
		{"text", EncGeometry, EncGeometry},
		{"text", EncSet, EncText},
		{"SMALLINT", EncText, EncText},
		{"BYTEA", EncText, EncBytea},
	}
	for _, c := range cases {
		if got := encodingForCast(c.to, c.def); got != c.want {
			t.Errorf("encodingForCast(%q, %d) = %d, want %d", c.to, c.def, got, c.want)
		}
	}
}
