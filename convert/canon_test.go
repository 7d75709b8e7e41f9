package convert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/task"
)

// canonOf builds a one-table plan with the given columns (and cast rules)
// and returns the canonical form of column name.
func canonOf(t *testing.T, cols []*catalog.Column, casts []task.CastRule, name string, opt CanonOptions) Canon {
	t.Helper()
	tb := &catalog.Table{Schema: "db", Name: "t", Columns: cols}
	p, err := Build(&catalog.Schema{Dialect: "mysql", Name: "db", Tables: []*catalog.Table{tb}}, Options{TargetSchema: "public", TinyintBoolean: true, Casts: casts})
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range p.Tables[0].Columns {
		if cp.Source.Name == name {
			return Canonical(cp, opt)
		}
	}
	t.Fatalf("no column %s", name)
	return Canon{}
}

func canonCol(name, raw string, nullable bool) *catalog.Column {
	c := &catalog.Column{Name: name, Nullable: nullable, Type: catalog.Type{Raw: raw}}
	base := raw
	if i := strings.IndexAny(raw, "( "); i >= 0 {
		base = raw[:i]
	}
	c.Type.Name = base
	c.Type.Unsigned = strings.Contains(raw, "unsigned")
	var a, b int
	if n, _ := fmt.Sscanf(raw, base+"(%d,%d)", &a, &b); n == 2 {
		c.Type.Precision, c.Type.Scale = a, b
	} else if n, _ := fmt.Sscanf(raw, base+"(%d)", &a); n == 1 {
		switch base {
		case "datetime", "timestamp", "time":
			c.Type.Precision = a
		default:
			c.Type.Length = int64(a)
		}
	}
	return c
}

func TestCanonical(t *testing.T) {
	latin := canonCol("l1", "varchar(20)", true)
	latin.Charset = "latin1"
	utf := canonCol("vc", "varchar(20)", false)
	utf.Charset = "utf8mb4"
	set := canonCol("st", "set('x','y')", true)
	set.Type.Values = []string{"x", "y"}
	cols := []*catalog.Column{
		canonCol("id", "int", false), canonCol("b1", "tinyint(1)", true), canonCol("biu", "bigint unsigned", true),
		canonCol("d", "decimal(10,2)", true), canonCol("dn", "decimal(10,2)", true), canonCol("f", "float", true), canonCol("dbl", "double", true),
		canonCol("bt", "bit(10)", true), latin, utf, canonCol("bl", "blob", true), set, canonCol("y", "year", true),
		canonCol("dt", "date", false), canonCol("dtm", "datetime(6)", true), canonCol("dt0", "datetime", true), canonCol("ts", "timestamp(3)", true),
		canonCol("tm", "time(2)", true), canonCol("iv", "time(2)", true), canonCol("j", "json", true), canonCol("g", "point", true),
	}
	casts := []task.CastRule{{Column: "t.dn", To: "numeric"}, {Column: "t.iv", To: "interval"}}
	cases := []struct {
		name     string
		mysql    string
		pg       string
		kind     CanonKind
		text     bool
		nullable bool
		natural  bool
		myKey    string
		pgKey    string
	}{
		{"id", "`id`", `"id"::text`, CanonNumber, false, false, true, "CAST(? AS SIGNED)", "%s::integer"},
		{"b1", "(`b1` <> 0)", `"b1"::int::text`, CanonExact, false, true, false, "?", "%s::boolean"},
		{"biu", "`biu`", `"biu"::text`, CanonNumber, false, true, true, "CAST(? AS UNSIGNED)", "%s::numeric"},
		{"d", "`d`", `"d"::text`, CanonNumber, false, true, true, "CAST(? AS DECIMAL(10,2))", "%s::numeric"},
		{"dn", "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM `dn`))", `trim_scale("dn")::text`, CanonNumber, false, true, true, "CAST(? AS DECIMAL(10,2))", "%s::numeric"},
		{"f", "(`f` + 0e0)", `"f"::float8::text`, CanonFloat64, false, true, true, "?", "%s::real"},
		{"dbl", "`dbl`", `"dbl"::text`, CanonFloat64, false, true, true, "?", "%s::double precision"},
		{"bt", "LPAD(BIN(`bt`), 10, '0')", `"bt"::text`, CanonExact, false, true, false, "CAST(CONV(?, 2, 10) AS UNSIGNED)", "%s::bit(10)"},
		{"l1", "CONVERT(`l1` USING utf8mb4)", `"l1"::text`, CanonExact, true, true, false, "?", "%s::varchar(20)"},
		{"vc", "`vc`", `"vc"::text`, CanonExact, true, false, false, "?", "%s::varchar(20)"},
		{"bl", "HEX(`bl`)", `upper(encode("bl", 'hex'))`, CanonExact, false, true, false, "UNHEX(?)", "decode(%s, 'hex')"},
		{"st", "`st`", `array_to_string("st", ',')`, CanonExact, true, true, false, "?", "string_to_array(%s, ',')"},
		{"y", "(`y` + 0)", `"y"::text`, CanonNumber, false, true, true, "CAST(? AS SIGNED)", "%s::smallint"},
		{"dt", "IF(TO_DAYS(`dt`) >= 366, `dt`, NULL)", `"dt"::text`, CanonExact, false, true, true, "?", "%s::date"},
		{"dtm", "IF(TO_DAYS(`dtm`) >= 366, DATE_FORMAT(`dtm`, '%Y-%m-%d %H:%i:%s.%f'), NULL)", `coalesce(to_char("dtm", 'YYYY-MM-DD HH24:MI:SS.US'), "dtm"::text)`, CanonExact, false, true, true, "?", "%s::timestamp"},
		{"dt0", "IF(TO_DAYS(`dt0`) >= 366, `dt0`, NULL)", `"dt0"::text`, CanonExact, false, true, true, "?", "%s::timestamp"},
		{"ts", "IF(TO_DAYS(`ts`) >= 366, DATE_FORMAT(`ts`, '%Y-%m-%d %H:%i:%s.%f'), NULL)", `coalesce(to_char(("ts" AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS.US'), ("ts" AT TIME ZONE 'UTC')::text)`, CanonExact, false, true, true, "?", "(%s::timestamp AT TIME ZONE 'UTC')"},
		{"tm", "TIME_FORMAT(`tm`, '%H:%i:%s.%f')", `to_char("tm", 'HH24:MI:SS.US')`, CanonExact, false, true, true, "?", "%s::time(2)"},
		{"iv", "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM `iv`))", `"iv"::text`, CanonExact, true, true, false, "?", "%s::interval"},
		{"j", "`j`", `"j"::text`, CanonJSON, true, true, false, "?", "%s::jsonb"},
		{"g", "CONCAT('SRID=', ST_SRID(`g`), ';', ST_AsText(`g`))", `"g"::text`, CanonExact, true, true, false, "?", "%s::text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := canonOf(t, cols, casts, c.name, CanonOptions{})
			if got.MySQL != c.mysql || got.Postgres != c.pg {
				t.Errorf("exprs\n  got  %s | %s\n  want %s | %s", got.MySQL, got.Postgres, c.mysql, c.pg)
			}
			if got.Kind != c.kind || got.Text != c.text || got.Nullable != c.nullable || got.Natural != c.natural {
				t.Errorf("kind %d text %v nullable %v natural %v; want %d %v %v %v", got.Kind, got.Text, got.Nullable, got.Natural, c.kind, c.text, c.nullable, c.natural)
			}
			if got.MySQLKey != c.myKey || got.PostgresKey != c.pgKey {
				t.Errorf("keys %q %q; want %q %q", got.MySQLKey, got.PostgresKey, c.myKey, c.pgKey)
			}
		})
	}
	// MySQL 8 reads spatial values longitude first, as the loader does.
	if g := canonOf(t, cols, casts, "g", CanonOptions{LongLatWKT: true}); !strings.Contains(g.MySQL, "'axis-order=long-lat'") {
		t.Errorf("LongLatWKT: %s", g.MySQL)
	}
	// tinyint(1) kept as smallint is a number, not a boolean.
	if c := canonOf(t, cols, []task.CastRule{{Type: "tinyint(1)", To: "smallint"}}, "b1", CanonOptions{}); c.MySQL != "`b1`" || c.Kind != CanonNumber {
		t.Errorf("tinyint(1) as smallint: %+v", c)
	}
	// A varchar cast to boolean follows Encode: only the text "0" is false.
	if c := canonOf(t, cols, []task.CastRule{{Column: "t.vc", To: "boolean"}}, "vc", CanonOptions{}); c.MySQL != "(CAST(`vc` AS BINARY) <> '0')" {
		t.Errorf("varchar as boolean: %s", c.MySQL)
	}
	// An integer cast to numeric(10,2) prints 5.00 on the target.
	if c := canonOf(t, cols, []task.CastRule{{Column: "t.id", To: "numeric(10,2)"}}, "id", CanonOptions{}); c.Postgres != `trim_scale("id")::text` {
		t.Errorf("int as numeric(10,2): %s", c.Postgres)
	}
	// Identifiers are quoted on both sides.
	weird := canonCol("we`ird\"name", "int", false)
	if c := canonOf(t, []*catalog.Column{weird}, nil, weird.Name, CanonOptions{}); c.MySQL != "`we``ird\"name`" || c.Postgres != `"we`+"`"+`ird""name"::text` {
		t.Errorf("quoting: %s | %s", c.MySQL, c.Postgres)
	}
}

func TestEqualCanonical(t *testing.T) {
	cases := []struct {
		kind CanonKind
		a, b []byte
		want bool
	}{
		{CanonExact, []byte("abc"), []byte("abc"), true},
		{CanonExact, []byte(""), nil, false},
		{CanonExact, nil, nil, true},
		{CanonExact, []byte("a "), []byte("a"), false},
		{CanonNumber, []byte("1.50"), []byte("1.5"), true},
		{CanonNumber, []byte("-0.00"), []byte("0"), true},
		{CanonNumber, []byte("18446744073709551615"), []byte("18446744073709551614"), false},
		{CanonFloat32, []byte("3.14159"), []byte("3.14159"), true},
		{CanonFloat32, []byte("1e20"), []byte("1e+20"), true},
		{CanonFloat32, []byte("-0.00000015"), []byte("-1.5e-07"), true},
		{CanonFloat32, []byte("3.14159"), []byte("3.14160"), false},
		{CanonFloat64, []byte("1.2345678901234568e17"), []byte("1.2345678901234568e+17"), true},
		{CanonFloat64, []byte("0.1"), []byte("0.1000000000001"), false},
		{CanonJSON, []byte(`{"b": 1, "a": [1,2.50]}`), []byte(`{"a": [1, 2.5], "b": 1}`), true},
		{CanonJSON, []byte(`{"u": "\u00e9"}`), []byte(`{"u": "é"}`), true},
		{CanonJSON, []byte(`[1e2]`), []byte(`[100]`), true},
		{CanonJSON, []byte(`{"a": 1}`), []byte(`{"a": "1"}`), false},
		{CanonJSON, []byte(`[1, 2]`), []byte(`[2, 1]`), false},
		{CanonJSON, []byte(`not json`), []byte(`not json `), false},
	}
	for _, c := range cases {
		if got := EqualCanonical(c.kind, c.a, c.b); got != c.want {
			t.Errorf("EqualCanonical(%d, %q, %q) = %v, want %v", c.kind, c.a, c.b, got, c.want)
		}
	}
}

func TestCompareCanonical(t *testing.T) {
	cases := []struct {
		kind CanonKind
		a, b string
		want int
	}{
		{CanonNumber, "9", "10", -1},
		{CanonNumber, "-5", "3", -1},
		{CanonNumber, "18446744073709551615", "9223372036854775807", 1},
		{CanonNumber, "1.5", "1.50", 0},
		{CanonExact, "B", "a", -1}, // byte-wise, not by collation
		{CanonExact, "a", "a\t", -1},
		{CanonExact, "2020-01-02", "2020-01-10", -1},
	}
	for _, c := range cases {
		if got := CompareCanonical(c.kind, []byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("CompareCanonical(%d, %q, %q) = %d, want %d", c.kind, c.a, c.b, got, c.want)
		}
	}
	if CompareCanonical(CanonExact, nil, []byte("")) != -1 {
		t.Error("NULL must sort before the empty string")
	}
}

func TestFloatDigits(t *testing.T) {
	for _, c := range []struct {
		a, b   string
		digits int
		want   bool
	}{
		{"3.14159", "3.141594", 6, true},
		{"3.14159", "3.141596", 6, false},
		{"999999", "999999.4", 6, true},
		{"0.000123456", "0.0001234564", 6, true},
		{"0.000123456", "0.000123457", 6, false},
		{"2.718281828459045", "2.71828182845905", 15, true},
		{"2.718281828459045", "2.71828182845915", 15, false},
		{"0", "0", 6, true},
		{"0", "1e-30", 6, false},
	} {
		if got := floatsEqual(c.a, c.b, c.digits); got != c.want {
			t.Errorf("floatsEqual(%s, %s, %d) = %v, want %v", c.a, c.b, c.digits, got, c.want)
		}
	}
}
