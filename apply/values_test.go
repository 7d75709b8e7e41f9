package apply

import (
	"encoding/json"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
)

func TestParam(t *testing.T) {
	col := func(typ string, enc convert.Encoding) *convert.ColumnPlan {
		return &convert.ColumnPlan{Source: &catalog.Column{Name: "c"}, Name: "c", Type: typ, Encoding: enc}
	}
	bit5 := col("bit(5)", convert.EncText)
	bit5.Source.Type = catalog.Type{Name: "bit", Length: 5}
	cases := []struct {
		name string
		col  *convert.ColumnPlan
		in   any
		want any
	}{
		{"null", col("integer", convert.EncText), nil, nil},
		{"int64", col("bigint", convert.EncText), int64(-42), "-42"},
		{"uint64 max", col("numeric(20)", convert.EncText), uint64(18446744073709551615), "18446744073709551615"},
		{"decimal string", col("numeric(10,2)", convert.EncText), "12.34", "12.34"},
		{"double", col("double precision", convert.EncText), 1.5e300, "1.5e+300"},
		{"double small", col("double precision", convert.EncText), 0.1, "0.1"},
		{"float32", col("real", convert.EncText), float32(0.1), "0.1"},
		{"float64 into integer", col("bigint", convert.EncText), float64(1e15), "1000000000000000"},
		{"json.Number", col("bigint", convert.EncText), json.Number("123"), "123"},
		{"string", col("varchar(10)", convert.EncText), "héllo\n\\", "héllo\n\\"},
		{"enum", col("text", convert.EncText), "b", "b"},
		{"json", col("jsonb", convert.EncText), `{"a": [1, 2]}`, `{"a": [1, 2]}`},
		{"bool 0", col("boolean", convert.EncBool), int64(0), "f"},
		{"bool 1", col("boolean", convert.EncBool), int64(1), "t"},
		{"bool -1", col("boolean", convert.EncBool), int64(-1), "t"},
		{"bool string 0", col("boolean", convert.EncBool), "0", "f"},
		{"bool string 5", col("boolean", convert.EncBool), "5", "t"},
		{"bytea", col("bytea", convert.EncBytea), []byte{0, 1, 0xff}, `\x0001ff`},
		{"bytea empty", col("bytea", convert.EncBytea), []byte{}, `\x`},
		{"date", col("date", convert.EncDate), "2024-02-29", "2024-02-29"},
		{"zero date", col("date", convert.EncDate), "0000-00-00", nil},
		{"partly zero date", col("date", convert.EncDate), "2020-00-10", nil},
		{"datetime", col("timestamp(6)", convert.EncDate), "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.123456"},
		{"zero datetime", col("timestamp(0)", convert.EncDate), "0000-00-00 00:00:00", nil},
		{"timestamp", col("timestamptz(0)", convert.EncTimestampTZ), "2024-01-02 03:04:05", "2024-01-02 03:04:05+00"},
		{"zero timestamp", col("timestamptz(0)", convert.EncTimestampTZ), "0000-00-00 00:00:00", nil},
		{"time", col("time(0)", convert.EncTime), "12:34:56", "12:34:56"},
		{"set", col("text[]", convert.EncSet), "a,b", `{"a","b"}`},
		{"set empty", col("text[]", convert.EncSet), "", `{}`},
		{"set quote", col("text[]", convert.EncSet), `x"y,z\`, `{"x\"y","z\\"}`},
		{"bit", bit5, uint64(5), "00101"},
		{"bit full", bit5, uint64(31), "11111"},
		{"bit64", col("bit(64)", convert.EncText), uint64(1) << 63, "1" + zeros(63)},
		{"bit bytes", bit5, []byte{0x03}, "00011"},
		{"geometry text", col("text", convert.EncGeometry), "SRID=4326;POINT(1 2)", "SRID=4326;POINT(1 2)"},
	}
	for _, c := range cases {
		got, err := param(c.col, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: param(%#v) = %#v, want %#v", c.name, c.in, got, c.want)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestParamErrors(t *testing.T) {
	cases := []struct {
		name string
		col  *convert.ColumnPlan
		in   any
	}{
		{"time out of range", &convert.ColumnPlan{Type: "time(0)", Encoding: convert.EncTime}, "838:59:59"},
		{"negative time", &convert.ColumnPlan{Type: "time(0)", Encoding: convert.EncTime}, "-01:00:00"},
		{"bool from struct", &convert.ColumnPlan{Type: "boolean", Encoding: convert.EncBool}, struct{}{}},
		{"bytea from int", &convert.ColumnPlan{Type: "bytea", Encoding: convert.EncBytea}, int64(1)},
		{"text from map", &convert.ColumnPlan{Type: "text", Encoding: convert.EncText}, map[string]any{}},
		{"bit from negative float", &convert.ColumnPlan{Type: "bit(3)", Encoding: convert.EncText}, -1.5},
	}
	for _, c := range cases {
		if got, err := param(c.col, c.in); err == nil {
			t.Errorf("%s: param(%#v) = %#v, want an error", c.name, c.in, got)
		}
	}
}
