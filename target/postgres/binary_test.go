package postgres

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/target"
)

func col(pgType string, enc convert.Encoding, srcType string) *convert.ColumnPlan {
	return &convert.ColumnPlan{
		Source:   &catalog.Column{Name: "c", Type: catalog.Type{Name: srcType}},
		Name:     "c",
		Type:     pgType,
		Encoding: enc,
	}
}

func TestBinaryEncoderChoice(t *testing.T) {
	for _, tc := range []struct {
		typ  string
		enc  convert.Encoding
		src  string
		want bool
	}{
		{"boolean", convert.EncBool, "tinyint", true},
		{"smallint", convert.EncText, "tinyint", true},
		{"smallint", convert.EncText, "year", true},
		{"integer", convert.EncText, "int", true},
		{"bigint", convert.EncText, "int", true},
		{"numeric(20)", convert.EncText, "bigint", true},
		{"numeric(10,2)", convert.EncText, "decimal", true},
		{"numeric", convert.EncText, "decimal", true},
		{"numeric", convert.EncText, "double", false},  // 1e20 notation
		{"integer", convert.EncText, "varchar", false}, // PostgreSQL's lenient input
		{"real", convert.EncText, "float", true},
		{"double precision", convert.EncText, "double", true},
		{"bytea", convert.EncBytea, "blob", true},
		{"text", convert.EncText, "text", true},
		{"text", convert.EncBytea, "blob", false}, // hex text stored
		{"text", convert.EncGeometry, "point", true},
		{"text", convert.EncDate, "datetime", true},
		{"varchar(40)", convert.EncText, "varchar", true},
		{"char(12)", convert.EncText, "char", true},
		{"jsonb", convert.EncText, "json", true},
		{"date", convert.EncDate, "date", true},
		{"date", convert.EncDate, "varchar", false},
		{"timestamp(0)", convert.EncDate, "datetime", true},
		{"timestamp(6)", convert.EncDate, "datetime", true},
		{"timestamptz(3)", convert.EncTimestampTZ, "timestamp", true},
		{"timestamp(3) with time zone", convert.EncTimestampTZ, "timestamp", true},
		{"time(2)", convert.EncTime, "time", true},
		{"text[]", convert.EncSet, "set", true},
		{"bit(10)", convert.EncText, "bit", true},
		{"geometry", convert.EncGeometry, "point", false},
		{"interval", convert.EncTime, "time", false},
		{"uuid", convert.EncText, "char", false},
	} {
		_, ok := binaryEncoder(col(tc.typ, tc.enc, tc.src))
		if ok != tc.want {
			t.Errorf("binaryEncoder(%s, enc %d, source %s) = %v, want %v", tc.typ, tc.enc, tc.src, ok, tc.want)
		}
	}
}

func h(s string) string { return strings.ReplaceAll(s, " ", "") }

func TestBinaryEncoders(t *testing.T) {
	type tc struct {
		in   string
		want string // hex of the field; "" with err
		warn int
		err  string
	}
	cases := map[string][]tc{
		"boolean": {
			{in: "0", want: "00000001 00"},
			{in: "1", want: "00000001 01"},
			{in: "-1", want: "00000001 01"},
		},
		"smallint": {
			{in: "-32768", want: "00000002 8000"},
			{in: "32767", want: "00000002 7fff"},
			{in: "0", want: "00000002 0000"},
			{in: "2155", want: "00000002 086b"},
			{in: "32768", err: `value "32768" is out of range for type smallint`},
			{in: "-32769", err: "out of range"},
			{in: "1.5", err: "invalid input syntax for type smallint"},
		},
		"integer": {
			{in: "-2147483648", want: "00000004 80000000"},
			{in: "16777215", want: "00000004 00ffffff"},
			{in: " +12 ", want: "00000004 0000000c"},
			{in: "4294967295", err: `value "4294967295" is out of range for type integer`},
			{in: "", err: "invalid input syntax"},
			{in: "-", err: "invalid input syntax"},
		},
		"bigint": {
			{in: "-9223372036854775808", want: "00000008 8000000000000000"},
			{in: "9223372036854775807", want: "00000008 7fffffffffffffff"},
			{in: "-1", want: "00000008 ffffffffffffffff"},
			{in: "9223372036854775808", err: "out of range for type bigint"},
			{in: "18446744073709551615", err: `value "18446744073709551615" is out of range for type bigint`},
			{in: "-9223372036854775809", err: "out of range"},
		},
		"numeric": {
			{in: "12345678901234567890123456789012345.123456789012345678901234567890", want: "0000002a 0011 0008 0000 001e 007b 11d7 22c5 0929 1a85 007b 11d7 22c5 0929 04d2 162e 2334 0d80 1ed2 04d2 162e 2328"},
			{in: "-0.000000000000000000000000000001", want: "0000000a 0001 fff8 4000 001e 0064"},
			{in: "0", want: "00000008 0000 0000 0000 0000"},
			{in: "0.00", want: "00000008 0000 0000 0000 0002"},
			{in: "-0.00", want: "00000008 0000 0000 0000 0002"},
			{in: "18446744073709551615", want: "00000012 0005 0004 0000 0000 0734 1a58 02e1 03bb 064f"},
			{in: "-9223372036854775808", want: "00000012 0005 0004 4000 0000 039a 0d2c 0170 1565 16b0"},
			{in: "1", want: "0000000a 0001 0000 0000 0000 0001"},
			{in: "-1.5", want: "0000000c 0002 0000 4000 0001 0001 1388"},
			{in: "10000", want: "0000000a 0001 0001 0000 0000 0001"},
			{in: "0.0001", want: "0000000a 0001 ffff 0000 0004 0001"},
			{in: "100000000", want: "0000000a 0001 0002 0000 0000 0001"},
			{in: strings.Repeat("9", 65), want: "0000002a 0011 0010 0000 0000 0009" + strings.Repeat("270f", 16)},
			{in: "0." + strings.Repeat("9", 30), want: "00000018 0008 ffff 0000 001e" + strings.Repeat("270f", 7) + "26ac"},
			{in: ".5", want: "0000000a 0001 ffff 0000 0001 1388"},
			{in: "5.", want: "0000000a 0001 0000 0000 0000 0005"},
			{in: "+7", want: "0000000a 0001 0000 0000 0000 0007"},
			{in: "000123.4500", want: "0000000c 0002 0000 0000 0004 007b 1194"},
			{in: "1e5", err: "invalid input syntax for type numeric"},
			{in: "", err: "invalid input syntax"},
			{in: "-", err: "invalid input syntax"},
			{in: "1.2.3", err: "invalid input syntax"},
		},
		"real": {
			{in: "3.14159", want: "00000004 40490fd0"},
			{in: "-0", want: "00000004 80000000"},
			{in: "1.4e-45", want: "00000004 00000001"},
			{in: "1e39", err: "out of range for type real"},
			{in: "1e-50", err: "out of range for type real"},
			{in: "x", err: "invalid input syntax for type real"},
		},
		"double precision": {
			{in: "2.718281828459045", want: "00000008 4005bf0a8b145769"},
			{in: "1e308", want: "00000008 7fe1ccf385ebc8a0"},
			{in: "5e-324", want: "00000008 0000000000000001"},
			{in: "0", want: "00000008 0000000000000000"},
			{in: "1e309", err: "out of range for type double precision"},
			{in: "1e-400", err: "out of range"},
		},
		"bytea": {
			{in: "\x00\xff\n\\", want: "00000004 00ff0a5c"},
			{in: "", want: "00000000"},
		},
		"text": {
			{in: "tab\there\nnl\\", want: "0000000c " + hex.EncodeToString([]byte("tab\there\nnl\\"))},
			{in: "", want: "00000000"},
			{in: "😀", want: "00000004 f09f9880"},
		},
		"jsonb": {
			{in: `{"a":1}`, want: "00000008 01" + hex.EncodeToString([]byte(`{"a":1}`))},
		},
		"date": {
			{in: "1000-01-01", want: "00000004 fffa6d46"},
			{in: "1999-12-31", want: "00000004 ffffffff"},
			{in: "2000-01-01", want: "00000004 00000000"},
			{in: "9999-12-31", want: "00000004 002c95d3"},
			{in: "2020-02-29", want: "00000004 00001cc4"},
			{in: "0001-01-01", want: "00000004 fff4dbf9"},
			{in: "1999-12-31 23:59:59", want: "00000004 ffffffff"}, // a datetime cast to date
			{in: "0000-00-00", want: "ffffffff", warn: convert.WarnZeroDate},
			{in: "2020-00-15", want: "ffffffff", warn: convert.WarnZeroDate},
			{in: "2020-05-00", want: "ffffffff", warn: convert.WarnZeroDate},
			{in: "2021-02-29", err: `date/time field value out of range: "2021-02-29"`},
			{in: "2020-13-01", err: "out of range"},
			{in: "20200101", err: "not in the form YYYY-MM-DD"},
		},
		"timestamp(6)": {
			{in: "2000-01-01 00:00:00", want: "00000008 0000000000000000"},
			{in: "1999-12-31 23:59:59.999999", want: "00000008 ffffffffffffffff"},
			{in: "9999-12-31 23:59:59.999999", want: "00000008 0380e70b913b7fff"},
			{in: "2038-01-19 03:14:07.499", want: "00000008 0004441ec4c07af8"},
			{in: "1000-01-01 00:00:00", want: "00000008 ff8fe3289cc44000"},
			{in: "2020-02-29", want: "00000008 000242aa67658000"},
			{in: "2020-01-01 10:00:00.5", want: "00000008 00023e0fe88e6920"},
			{in: "1970-01-01 00:00:01.000001", want: "00000008 fffca2fec4d76241"},
			{in: "0000-00-00 00:00:00", want: "ffffffff", warn: convert.WarnZeroDate},
			{in: "2020-02-00 10:00:00", want: "ffffffff", warn: convert.WarnZeroDate},
			{in: "2020-01-01 24:00:00", err: "out of range"},
			{in: "2020-01-01T10:00:00", err: "not in the form"},
			{in: "2020-01-01 10:00:00.1234567", err: "not in the form"},
		},
		"time(2)": {
			{in: "00:00:00", want: "00000008 0000000000000000"},
			{in: "23:59:59.99", want: fmt.Sprintf("00000008 %016x", int64(86399990000))},
			{in: "12:00:00.5", want: fmt.Sprintf("00000008 %016x", int64(43200500000))},
			{in: "24:00:00", want: fmt.Sprintf("00000008 %016x", int64(86400000000))},
			{in: "24:00:00.00", want: fmt.Sprintf("00000008 %016x", int64(86400000000))},
			{in: "24:00:01", err: `TIME value "24:00:01" is outside PostgreSQL's time range`},
			{in: "-01:00:00", err: "outside PostgreSQL's time range"},
			{in: "838:59:59", err: "outside PostgreSQL's time range"},
		},
		"text[]": {
			{in: "", want: "0000000c 00000000 00000000 00000019"},
			{in: "x,z", want: "0000001e 00000001 00000000 00000019 00000002 00000001 00000001 78 00000001 7a"},
			{in: "b c", want: "0000001b 00000001 00000000 00000019 00000001 00000001 00000003 622063"},
			{in: ",", want: "0000001c 00000001 00000000 00000019 00000002 00000001 00000000 00000000"},
		},
		"bit(10)": {
			{in: "1010101010", want: "00000006 0000000a aa80"},
			{in: "0", want: "00000005 00000001 00"},
			{in: "1", want: "00000005 00000001 80"},
			{in: "11111111", want: "00000005 00000008 ff"},
			{in: "111111111", want: "00000006 00000009 ff80"},
			{in: "102", err: "not a valid binary digit"},
		},
	}
	plans := map[string]*convert.ColumnPlan{
		"boolean":          col("boolean", convert.EncBool, "tinyint"),
		"smallint":         col("smallint", convert.EncText, "smallint"),
		"integer":          col("integer", convert.EncText, "int"),
		"bigint":           col("bigint", convert.EncText, "bigint"),
		"numeric":          col("numeric(65,30)", convert.EncText, "decimal"),
		"real":             col("real", convert.EncText, "float"),
		"double precision": col("double precision", convert.EncText, "double"),
		"bytea":            col("bytea", convert.EncBytea, "blob"),
		"text":             col("varchar(40)", convert.EncText, "varchar"),
		"jsonb":            col("jsonb", convert.EncText, "json"),
		"date":             col("date", convert.EncDate, "date"),
		"timestamp(6)":     col("timestamp(6)", convert.EncDate, "datetime"),
		"time(2)":          col("time(2)", convert.EncTime, "time"),
		"text[]":           col("text[]", convert.EncSet, "set"),
		"bit(10)":          col("bit(10)", convert.EncText, "bit"),
	}
	for name, list := range cases {
		f, ok := binaryEncoder(plans[name])
		if !ok {
			t.Fatalf("%s: no binary encoder", name)
		}
		for _, c := range list {
			prefix := []byte{0xAB} // encoders append
			out, warn, err := f(prefix, []byte(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s %q: error %v, want %q", name, c.in, err, c.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %q: %v", name, c.in, err)
				continue
			}
			if out[0] != 0xAB {
				t.Errorf("%s %q: overwrote dst", name, c.in)
			}
			if got := hex.EncodeToString(out[1:]); got != h(c.want) {
				t.Errorf("%s %q:\n got %s\nwant %s", name, c.in, got, h(c.want))
			}
			if warn != c.warn {
				t.Errorf("%s %q: warn %d, want %d", name, c.in, warn, c.warn)
			}
		}
	}
	// timestamptz is the same instant, in UTC.
	f, _ := binaryEncoder(col("timestamptz(3)", convert.EncTimestampTZ, "timestamp"))
	if out, _, _ := f(nil, []byte("2038-01-19 03:14:07.499")); hex.EncodeToString(out) != "000000080004441ec4c07af8" {
		t.Errorf("timestamptz: %x", out)
	}
}

func TestAppendBinaryRow(t *testing.T) {
	encs := []encodeFunc{encInt4, encDate, encRaw}
	warns := make([]int64, 3)
	out, _, err := appendBinaryRow(nil, [][]byte{[]byte("7"), []byte("0000-00-00"), nil}, encs, warns)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(out), "0003"+"0000000400000007"+"ffffffff"+"ffffffff"; got != want {
		t.Errorf("row %s, want %s", got, want)
	}
	if warns[1] != 1 || warns[0] != 0 {
		t.Errorf("warnings %v", warns)
	}
	_, i, err := appendBinaryRow(nil, [][]byte{[]byte("7"), []byte("2020-02-30"), nil}, encs, warns)
	if err == nil || i != 1 {
		t.Errorf("bad date: column %d, error %v", i, err)
	}
	if len(binaryHeader) != 19 || !bytes.HasPrefix(binaryHeader, []byte("PGCOPY\n\xff\r\n\x00")) {
		t.Errorf("header %q", binaryHeader)
	}
}

func TestBinaryEncodersDoNotAllocate(t *testing.T) {
	type in struct {
		f encodeFunc
		v string
	}
	buf := make([]byte, 0, 1024)
	for _, x := range []in{
		{encInt4, "-2147483648"}, {encInt8, "123456789"}, {encNumeric, "12345678901234567890123456789012345.123456789012345678901234567890"},
		{encFloat8, "2.718281828459045"}, {encFloat4, "3.14159"}, {encDate, "2020-02-29"}, {encTimestamp, "2038-01-19 03:14:07.499"},
		{encTime, "23:59:59.99"}, {encSet, "a,b,c"}, {encBit, "1010101010"}, {encRaw, "hello"}, {encJSONB, "{}"},
	} {
		v := []byte(x.v)
		n := testing.AllocsPerRun(100, func() {
			if _, _, err := x.f(buf[:0], v); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%q: %v allocations per value", x.v, n)
		}
	}
}

// TestBinaryMatchesText loads the same values with COPY text and COPY
// binary into a throwaway PostgreSQL and compares what was stored, and
// checks that values the text format rejects are rejected in binary too.
func TestBinaryMatchesText(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := sandbox.StartPostgres(ctx, t.TempDir())
	if err != nil {
		t.Skipf("no PostgreSQL sandbox: %v", err)
	}
	defer srv.Stop() //nolint:errcheck
	tg, err := Open(ctx, srv.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()

	type column struct {
		plan *convert.ColumnPlan
		vals []string // "\x00" is NULL
		bad  []string // rejected by both formats
	}
	columns := []column{
		{col("boolean", convert.EncBool, "tinyint"), []string{"0", "1", "-1", "\x00"}, nil},
		{col("smallint", convert.EncText, "smallint"), []string{"-32768", "32767", "0"}, []string{"32768", "1.5"}},
		{col("integer", convert.EncText, "int"), []string{"-2147483648", "2147483647", "0"}, []string{"2147483648"}},
		{col("bigint", convert.EncText, "bigint"), []string{"-9223372036854775808", "9223372036854775807"}, []string{"9223372036854775808"}},
		{col("numeric(20)", convert.EncText, "bigint"), []string{"18446744073709551615", "-9223372036854775808", "0"}, nil},
		{col("numeric(65,30)", convert.EncText, "decimal"), []string{"12345678901234567890123456789012345.123456789012345678901234567890", "-0.000000000000000000000000000001", "0.000000000000000000000000000000", "-99999999999999999999999999999999999.999999999999999999999999999999", "1.5"}, nil},
		{col("numeric(10,2)", convert.EncText, "decimal"), []string{"12345678.90", "-0.01", "0.00", "0.005", "99999999.994"}, []string{"99999999.995", "123456789.00"}},
		{col("numeric(4,0)", convert.EncText, "decimal"), []string{"9999", "-1", "0.5", "1.49"}, []string{"10000"}},
		{col("numeric", convert.EncText, "decimal"), []string{"0", "0.00", "-0.00", "100000000", "0.0001", "123.4500", "-1"}, nil},
		{col("real", convert.EncText, "float"), []string{"3.14159", "-0", "1.4e-45", "3.4028235e38", "1e-40", "0.1"}, []string{"1e39", "1e-50"}},
		{col("double precision", convert.EncText, "double"), []string{"2.718281828459045", "1e308", "5e-324", "-1.7976931348623157e308", "0.1"}, []string{"1e309", "1e-400"}},
		{col("bytea", convert.EncBytea, "blob"), []string{"", "\x00\xff\n\\\t\r", "abc"}, nil},
		{col("text", convert.EncText, "text"), []string{"", "tab\there\nnewline\\backslash \"quote\" 'single'", "😀🎉 naïve 𝄞 日本", "\\N"}, []string{"\xff"}},
		{col("varchar(4)", convert.EncText, "varchar"), []string{"abcd", "ab  ", "abcd   ", "é"}, []string{"abcde"}},
		{col("char(4)", convert.EncText, "char"), []string{"ab", "", "abcd  ", "日本"}, []string{"abcde"}},
		{col("text", convert.EncDate, "datetime"), []string{"2020-01-01 10:00:00", "0000-00-00 00:00:00"}, nil},
		{col("json", convert.EncText, "json"), []string{`{"b": 1, "a": [1, 2]}`, `"x"`}, []string{`{`}},
		{col("jsonb", convert.EncText, "json"), []string{`{"a": [1, 2, {"b": null}], "u": "😀", "n": 1.5}`, `[]`, `"tab\t"`, `1e400`}, []string{`{"a":}`}},
		{col("date", convert.EncDate, "date"), []string{"1000-01-01", "1999-12-31", "2000-01-01", "9999-12-31", "0001-01-01", "2020-02-29", "0000-00-00", "2020-00-01"}, []string{"2021-02-29", "2020-04-31"}},
		{col("date", convert.EncDate, "datetime"), []string{"1999-12-31 23:59:59.999999", "1000-01-01 00:00:00"}, nil},
		{col("timestamp(6)", convert.EncDate, "datetime"), []string{"1000-01-01 00:00:00", "1999-12-31 23:59:59.999999", "2000-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2038-01-19 03:14:07.499", "0000-00-00 00:00:00", "2020-02-00 10:00:00", "2020-01-01 00:00:00.000001"}, nil},
		{col("timestamp(0)", convert.EncDate, "datetime"), []string{"2020-01-01 10:00:00", "2020-01-01 23:59:59.5", "1999-12-31 23:59:59.4", "2020-02-29"}, nil},
		{col("timestamp(2)", convert.EncDate, "datetime"), []string{"2020-01-01 10:00:00.125", "2020-01-01 10:00:00.135", "2020-01-01 10:00:00.999"}, nil},
		{col("timestamptz(3)", convert.EncTimestampTZ, "timestamp"), []string{"2038-01-19 03:14:07.499", "1970-01-01 00:00:01", "0000-00-00 00:00:00", "2020-01-01 10:00:00.9995"}, nil},
		{col("timestamptz", convert.EncTimestampTZ, "date"), []string{"2020-01-01"}, nil},
		{col("time(2)", convert.EncTime, "time"), []string{"00:00:00", "23:59:59.99", "24:00:00", "12:34:56.78", "23:59:59.999"}, []string{"24:00:01", "-01:00:00", "838:59:59"}},
		{col("time(0)", convert.EncTime, "time"), []string{"10:00:00", "23:59:59.5", "24:00:00"}, nil},
		{col("text[]", convert.EncSet, "set"), []string{"", "x,z", "b c", "it's", ",", `a"b\c`}, nil},
		{col("bit(10)", convert.EncText, "bit"), []string{"1010101010", "0000000000", "1111111111"}, []string{"101", "10101010101"}},
		{col("bit(1)", convert.EncText, "bit"), []string{"0", "1"}, nil},
		{col("bit(16)", convert.EncText, "bit"), []string{"1000000000000001"}, nil},
	}
	for i, c := range columns {
		c.plan.Name = fmt.Sprintf("c%d", i)
		if _, ok := binaryEncoder(c.plan); !ok {
			t.Fatalf("%s: no binary encoder", c.plan.Type)
		}
		t.Run(fmt.Sprintf("%d_%s", i, c.plan.Type), func(t *testing.T) {
			tp := func(name string) *convert.TablePlan {
				return &convert.TablePlan{Schema: "public", Name: name, Load: []*convert.ColumnPlan{
					{Name: "id", Type: "integer", Encoding: convert.EncText, Source: &catalog.Column{Type: catalog.Type{Name: "int"}}},
					c.plan,
				}}
			}
			load := func(format, table string, vals []string) (target.ChunkStats, error) {
				tg.CopyFormat = format
				return tg.LoadChunk(ctx, tp(table), "", func(ctx context.Context, emit func([][]byte) error) error {
					for k, v := range vals {
						row := [][]byte{[]byte(fmt.Sprint(k)), []byte(v)}
						if v == "\x00" {
							row[1] = nil
						}
						if err := emit(row); err != nil {
							return err
						}
					}
					return nil
				})
			}
			for _, n := range []string{"t_text", "t_bin"} {
				sql := fmt.Sprintf(`DROP TABLE IF EXISTS %s; CREATE TABLE %s (id integer, %s %s)`, n, n, quoteIdent(c.plan.Name), c.plan.Type)
				if err := tg.Exec(ctx, sql); err != nil {
					t.Fatal(err)
				}
			}
			st, err := load("text", "t_text", c.vals)
			if err != nil {
				t.Fatalf("text: %v", err)
			}
			sb, err := load("binary", "t_bin", c.vals)
			if err != nil {
				t.Fatalf("binary: %v", err)
			}
			if st.Written != sb.Written || st.Rows != sb.Rows || fmt.Sprint(st.ZeroDates) != fmt.Sprint(sb.ZeroDates) {
				t.Errorf("stats text %+v, binary %+v", st, sb)
			}
			read := func(table string) []string {
				rows, err := tg.Pool().Query(ctx, fmt.Sprintf(`SELECT t::text FROM %s t ORDER BY id`, table))
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var out []string
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					out = append(out, s)
				}
				return out
			}
			a, b := read("t_text"), read("t_bin")
			if strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("stored values differ\ntext:   %q\nbinary: %q", a, b)
			}
			for _, bad := range c.bad {
				_, errT := load("text", "t_text", []string{bad})
				_, errB := load("binary", "t_bin", []string{bad})
				if errT == nil || errB == nil {
					t.Errorf("%q: text error %v, binary error %v; want both to fail", bad, errT, errB)
				}
			}
		})
	}
}
