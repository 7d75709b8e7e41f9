package mysql

import (
	"reflect"
	"testing"

	"github.com/ferrydb/ferry/catalog"
)

func TestParseType(t *testing.T) {
	cases := []struct {
		name                         string
		dataType, colType            string
		charLen, prec, scale, dtPrec int64
		want                         catalog.Type
	}{
		{"enum with quotes and commas", "enum", `enum('a,b','it''s','x')`, 4, 0, 0, 0,
			catalog.Type{Name: "enum", Raw: `enum('a,b','it''s','x')`, Values: []string{"a,b", "it's", "x"}}},
		{"enum keeps the case of members", "enum", `enum('Small','LARGE')`, 5, 0, 0, 0,
			catalog.Type{Name: "enum", Raw: `enum('small','large')`, Values: []string{"Small", "LARGE"}}},
		{"enum with parenthesis and empty member", "enum", `enum('x)','','(y')`, 3, 0, 0, 0,
			catalog.Type{Name: "enum", Raw: `enum('x)','','(y')`, Values: []string{"x)", "", "(y"}}},
		{"set", "set", `set('read','write')`, 10, 0, 0, 0,
			catalog.Type{Name: "set", Raw: `set('read','write')`, Values: []string{"read", "write"}}},
		{"decimal", "decimal", "decimal(10,2)", 0, 10, 2, 0,
			catalog.Type{Name: "decimal", Raw: "decimal(10,2)", Precision: 10, Scale: 2}},
		{"decimal unsigned", "decimal", "decimal(65,30) unsigned", 0, 65, 30, 0,
			catalog.Type{Name: "decimal", Raw: "decimal(65,30) unsigned", Precision: 65, Scale: 30, Unsigned: true}},
		{"plain float ignores NUMERIC_PRECISION", "float", "float", 0, 12, 0, 0,
			catalog.Type{Name: "float", Raw: "float"}},
		{"float(7,4)", "float", "float(7,4)", 0, 7, 4, 0,
			catalog.Type{Name: "float", Raw: "float(7,4)", Precision: 7}},
		{"double(16,4)", "double", "double(16,4)", 0, 16, 4, 0,
			catalog.Type{Name: "double", Raw: "double(16,4)", Precision: 16}},
		{"datetime(6)", "datetime", "datetime(6)", 0, 0, 0, 6,
			catalog.Type{Name: "datetime", Raw: "datetime(6)", Precision: 6}},
		{"timestamp", "timestamp", "timestamp", 0, 0, 0, 0,
			catalog.Type{Name: "timestamp", Raw: "timestamp"}},
		{"time(3)", "time", "time(3)", 0, 0, 0, 3,
			catalog.Type{Name: "time", Raw: "time(3)", Precision: 3}},
		{"date", "date", "date", 0, 0, 0, 0,
			catalog.Type{Name: "date", Raw: "date"}},
		{"bit(5)", "bit", "bit(5)", 0, 5, 0, 0,
			catalog.Type{Name: "bit", Raw: "bit(5)", Length: 5}},
		{"varchar", "varchar", "varchar(255)", 255, 0, 0, 0,
			catalog.Type{Name: "varchar", Raw: "varchar(255)", Length: 255}},
		{"binary", "binary", "binary(16)", 16, 0, 0, 0,
			catalog.Type{Name: "binary", Raw: "binary(16)", Length: 16}},
		{"text keeps its byte length", "text", "text", 65535, 0, 0, 0,
			catalog.Type{Name: "text", Raw: "text", Length: 65535}},
		{"int(10) unsigned", "int", "int(10) unsigned", 0, 10, 0, 0,
			catalog.Type{Name: "int", Raw: "int(10) unsigned", Length: 10, Unsigned: true}},
		{"int unsigned without width", "int", "int unsigned", 0, 10, 0, 0,
			catalog.Type{Name: "int", Raw: "int unsigned", Unsigned: true}},
		{"tinyint(1)", "tinyint", "tinyint(1)", 0, 3, 0, 0,
			catalog.Type{Name: "tinyint", Raw: "tinyint(1)", Length: 1}},
		{"bigint zerofill", "bigint", "bigint(20) unsigned zerofill", 0, 20, 0, 0,
			catalog.Type{Name: "bigint", Raw: "bigint(20) unsigned zerofill", Length: 20, Unsigned: true}},
		{"year(4)", "year", "year(4)", 0, 0, 0, 0,
			catalog.Type{Name: "year", Raw: "year(4)", Length: 4}},
		{"upper-case names", "INT", "INT(11)", 0, 10, 0, 0,
			catalog.Type{Name: "int", Raw: "int(11)", Length: 11}},
		{"geometry", "point", "point", 0, 0, 0, 0,
			catalog.Type{Name: "point", Raw: "point"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseType(c.dataType, c.colType, c.charLen, c.prec, c.scale, c.dtPrec)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("parseType(%s, %s):\n got %+v\nwant %+v", c.dataType, c.colType, got, c.want)
			}
		})
	}
}

func TestParseEnumValues(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"'a'", []string{"a"}},
		{"'a','b'", []string{"a", "b"}},
		{"'a', 'b'", []string{"a", "b"}},
		{"'a,b','it''s'", []string{"a,b", "it's"}},
		{"''", []string{""}},
		{"'''quoted'''", []string{"'quoted'"}},
		{`'back\\slash'`, []string{`back\slash`}},
		{`'esc\'aped'`, []string{"esc'aped"}},
		{"'x)','(y'", []string{"x)", "(y"}},
		{"'héllo','日本'", []string{"héllo", "日本"}},
	}
	for _, c := range cases {
		if got := parseEnumValues(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseEnumValues(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestUnquoteMariaDB(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"it''s", "it's"},
		{"''''", "''"},
		{`it\'s`, "it's"},
		{`a\\b`, `a\b`},
		{`l1\nl2`, "l1\nl2"},
		{`a\tb\rc`, "a\tb\rc"},
		{`nul\0`, "nul\x00"},
		{`ctrl\Z`, "ctrl\x1a"},
		{`\"q\"`, `"q"`},
		{`trailing\`, `trailing\`},
	}
	for _, c := range cases {
		if got := unquoteMariaDB(c.in); got != c.want {
			t.Errorf("unquoteMariaDB(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseDefault(t *testing.T) {
	str := catalog.Type{Name: "varchar", Raw: "varchar(20)", Length: 20}
	num := catalog.Type{Name: "int", Raw: "int"}
	ts := catalog.Type{Name: "timestamp", Raw: "timestamp(6)", Precision: 6}
	bit5 := catalog.Type{Name: "bit", Raw: "bit(5)", Length: 5}
	bit3 := catalog.Type{Name: "bit", Raw: "bit(3)", Length: 3}
	lit := func(v string) catalog.Default { return catalog.Default{Kind: catalog.DefaultLiteral, Value: v} }
	expr := func(v string) catalog.Default { return catalog.Default{Kind: catalog.DefaultExpression, Value: v} }
	now := func(p string) catalog.Default {
		return catalog.Default{Kind: catalog.DefaultCurrentTimestamp, Value: p}
	}
	null := catalog.Default{Kind: catalog.DefaultNull}

	cases := []struct {
		name    string
		mariadb bool
		v       string
		extra   string // lower-case, as inspectColumns passes it
		typ     catalog.Type
		want    catalog.Default
	}{
		{"MariaDB quoted string", true, "'abc'", "", str, lit("abc")},
		{"MariaDB doubled quote", true, "'it''s'", "", str, lit("it's")},
		{"MariaDB escaped newline", true, `'a\nb'`, "", str, lit("a\nb")},
		{"MariaDB empty string", true, "''", "", str, lit("")},
		{"MariaDB string NULL", true, "'NULL'", "", str, lit("NULL")},
		{"MariaDB quoted date", true, "'2020-01-01 00:00:00'", "", ts, lit("2020-01-01 00:00:00")},
		{"MariaDB NULL", true, "NULL", "", str, null},
		{"MariaDB lower-case null", true, "null", "", num, null},
		{"MariaDB current_timestamp()", true, "current_timestamp()", "", ts, now("")},
		{"MariaDB current_timestamp(6)", true, "current_timestamp(6)", "on update current_timestamp(6)", ts, now("6")},
		{"MariaDB integer", true, "0", "", num, lit("0")},
		{"MariaDB negative", true, "-12", "", num, lit("-12")},
		{"MariaDB decimal", true, "4.99", "", num, lit("4.99")},
		{"MariaDB exponent", true, "1e3", "", num, lit("1e3")},
		{"MariaDB bit literal padded", true, "b'101'", "", bit5, lit("00101")},
		{"MariaDB bit literal full width", true, "b'101'", "", bit3, lit("101")},
		{"MariaDB function", true, "curdate()", "", str, expr("curdate()")},
		{"MariaDB expression", true, "`a` + 1", "", num, expr("`a` + 1")},

		{"MySQL literal", false, "abc", "", str, lit("abc")},
		{"MySQL literal with quote", false, "it's", "", str, lit("it's")},
		{"MySQL empty string", false, "", "", str, lit("")},
		{"MySQL string NULL", false, "NULL", "", str, lit("NULL")},
		{"MySQL number", false, "4.99", "", num, lit("4.99")},
		{"MySQL CURRENT_TIMESTAMP", false, "CURRENT_TIMESTAMP", "default_generated", ts, now("")},
		{"MySQL CURRENT_TIMESTAMP(6)", false, "CURRENT_TIMESTAMP(6)", "default_generated on update current_timestamp(6)", ts, now("6")},
		{"MySQL 5.7 CURRENT_TIMESTAMP", false, "CURRENT_TIMESTAMP", "on update current_timestamp", ts, now("")},
		{"MySQL now()", false, "now()", "default_generated", ts, now("")},
		{"MySQL expression", false, "(uuid())", "default_generated", str, expr("(uuid())")},
		{"MySQL function", false, "curdate()", "default_generated", str, expr("curdate()")},
		{"MySQL bit literal", false, "b'101'", "", bit5, lit("00101")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Source{mariadb: c.mariadb}
			got := s.parseDefault(c.v, c.extra, c.typ)
			if got == nil || *got != c.want {
				t.Errorf("parseDefault(%q, %q) = %+v, want %+v", c.v, c.extra, got, c.want)
			}
		})
	}
}

func TestParseDefaultMySQLLiteralLooksLikeNow(t *testing.T) {
	// MySQL reports literal defaults unquoted, so DEFAULT 'now' on a
	// VARCHAR matches the CURRENT_TIMESTAMP pattern before the literal
	// rule and the column gets the current time as its default.
	s := &Source{}
	str := catalog.Type{Name: "varchar", Raw: "varchar(20)", Length: 20}
	for _, v := range []string{"now", "localtime", "current_timestamp"} {
		got := s.parseDefault(v, "", str)
		if want := (catalog.Default{Kind: catalog.DefaultLiteral, Value: v}); *got != want {
			t.Errorf("parseDefault(%q) = %+v, want %+v", v, *got, want)
		}
	}
}
