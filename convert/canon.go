package convert

import (
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/source/mysql"
)

// Canonical values: how verification reads one column on both sides so
// that a value the migration converted on purpose compares equal.
//
// Each column gets a pair of SQL expressions, one for MySQL/MariaDB and
// one for PostgreSQL, that render the value as the same UTF-8 text once
// the conversions of its ColumnPlan (Encoding and target Type) are
// accounted for: tinyint(1) → boolean becomes "0"/"1", zero dates become
// NULL, timestamps are UTC with six fractional digits, bytes are upper-case
// hex, sets are "a,b", BIT(n) is n binary digits, spatial values are EWKT.
// NULL stays NULL. The texts are what verify hashes inside each database,
// and what it compares row by row.
//
// A few conversions cannot be rendered identically in SQL on both sides
// (MariaDB prints JSON as the user wrote it while jsonb normalizes it;
// servers print floats in exponent form at different magnitudes). For
// those, Kind asks for a semantic comparison (EqualCanonical) in the
// row-by-row phase: a chunk whose hash differs only because of such a
// formatting difference is compared row by row and found equal.

// CanonKind says how two canonical texts of a column compare.
type CanonKind int

// Canonical kinds.
const (
	// CanonExact texts are equal byte for byte; keys sort byte-wise.
	CanonExact CanonKind = iota
	// CanonNumber texts are exact decimal numbers: equal when numerically
	// equal (1.50 = 1.5 = 1.500); keys sort numerically.
	CanonNumber
	// CanonFloat32 and CanonFloat64 are binary floats: equal when they
	// agree to 6 (a DOUBLE rounded to real) or 15 (FLOAT, DOUBLE, double
	// precision) significant digits.
	CanonFloat32
	CanonFloat64
	// CanonJSON texts are JSON documents, equal when they parse to the same
	// value (whitespace, key order, escapes and number spelling aside).
	CanonJSON
)

// Canon is the canonical form of one column.
type Canon struct {
	// MySQL and Postgres render the value as canonical text, NULL as NULL.
	MySQL, Postgres string
	Kind            CanonKind
	// Text is set when the canonical text may contain any character (so a
	// hash over several values must frame it, e.g. by its length); other
	// canonical texts are numbers, dates, hex or binary digits.
	Text bool
	// Nullable is set when the canonical value can be NULL.
	Nullable bool
	// Natural is set when ordering by the column itself sorts rows as
	// CompareCanonical sorts their canonical texts (integers, decimals,
	// dates, timestamps), so an ORDER BY can use an index. Otherwise order
	// by the canonical text, byte-wise.
	Natural bool
	// MySQLKey and PostgresKey turn a canonical text bound as a parameter
	// back into a value comparable with the column (for looking rows up by
	// key): MySQLKey contains one "?", PostgresKey one "%s" for the
	// numbered placeholder ("$3").
	MySQLKey, PostgresKey string
}

// CanonOptions describe the source server.
type CanonOptions struct {
	// LongLatWKT asks for longitude-first WKT (MySQL 8 and later), as the
	// loader reads spatial values.
	LongLatWKT bool
}

// Canonical returns the canonical form of a target column. It is the one
// place that knows which values the migration changes on purpose.
func Canonical(cp *ColumnPlan, opt CanonOptions) Canon {
	c := cp.Source
	q := MySQLIdent(c.Name)
	p := QuoteIdent(cp.Name)
	src := c.Type.Name
	pg := pgBase(cp.Type)
	read := mysqlRead(c, opt)
	cn := Canon{
		MySQL: read, Postgres: p + "::text", Kind: CanonExact,
		Nullable:    c.Nullable || cp.Encoding == EncDate || cp.Encoding == EncTimestampTZ,
		MySQLKey:    "?",
		PostgresKey: "%s::" + cp.Type,
	}
	switch cp.Encoding {
	case EncBool:
		if integerSource(src) {
			cn.MySQL = "(" + q + " <> 0)"
		} else {
			// Encode: the text "0" is false, any other text true.
			cn.MySQL = "(CAST(" + read + " AS BINARY) <> '0')"
		}
		cn.Postgres = p + "::int::text"
		cn.PostgresKey = "%s::boolean"
		return cn
	case EncBytea:
		cn.MySQL = "HEX(" + read + ")"
		cn.Postgres = "upper(encode(" + p + ", 'hex'))"
		cn.MySQLKey, cn.PostgresKey = "UNHEX(?)", "decode(%s, 'hex')"
		return cn
	case EncDate, EncTimestampTZ:
		return canonDate(cn, cp, q, p, read, pg)
	case EncTime:
		if pg == "time" {
			cn.Natural = true
			if c.Type.Precision > 0 || src != "time" {
				cn.MySQL = "TIME_FORMAT(" + q + ", '%H:%i:%s.%f')"
				cn.Postgres = "to_char(" + p + ", 'HH24:MI:SS.US')"
			}
			return cn
		}
	case EncSet:
		if pg == "text[]" {
			cn.Postgres = "array_to_string(" + p + ", ',')"
			cn.PostgresKey = "string_to_array(%s, ',')"
		}
		cn.Text = true
		return cn
	case EncGeometry:
		if pg == "geometry" {
			cn.Postgres = "ST_AsEWKT(" + p + ")"
		}
		cn.Text = true
		return cn
	}
	return canonText(cn, cp, q, p, read, pg)
}

// canonDate covers zero dates (NULL on the target) and the date and time
// types: DATE as YYYY-MM-DD, DATETIME and TIMESTAMP as UTC
// YYYY-MM-DD HH:MM:SS.ffffff (without a fraction when the source has none).
func canonDate(cn Canon, cp *ColumnPlan, q, p, read, pg string) Canon {
	c := cp.Source
	src := c.Type.Name
	notZero := func(x string) string {
		// TO_DAYS is NULL for zero and partly zero dates, below 366 in year 0.
		return "IF(TO_DAYS(" + q + ") >= 366, " + x + ", NULL)"
	}
	switch pg {
	case "date":
		x := q
		if src != "date" {
			x = "CAST(" + q + " AS DATE)"
		}
		cn.MySQL, cn.Natural = notZero(x), true
		cn.PostgresKey = "%s::date"
		return cn
	case "timestamp", "timestamp with time zone":
		utc := p
		cn.PostgresKey = "%s::timestamp"
		if pg != "timestamp" {
			utc = "(" + p + " AT TIME ZONE 'UTC')"
			cn.PostgresKey = "(%s::timestamp AT TIME ZONE 'UTC')"
		}
		cn.Natural = true
		if (src == "datetime" || src == "timestamp") && c.Type.Precision == 0 {
			cn.MySQL, cn.Postgres = notZero(q), utc+"::text"
			return cn
		}
		cn.MySQL = notZero("DATE_FORMAT(" + q + ", '%Y-%m-%d %H:%i:%s.%f')")
		// to_char of ±infinity is NULL: print those as text, so they
		// differ from the source's NULL.
		cn.Postgres = "coalesce(to_char(" + utc + ", 'YYYY-MM-DD HH24:MI:SS.US'), " + utc + "::text)"
		return cn
	}
	// A date kept as text: the source's text, zero dates NULL.
	if dateSource(src) {
		cn.MySQL = notZero(read)
	}
	cn.Text = true
	return cn
}

// canonText covers the encodings that copy the source text as it is: the
// target type decides how PostgreSQL prints it back.
func canonText(cn Canon, cp *ColumnPlan, q, p, read, pg string) Canon {
	c := cp.Source
	src := c.Type.Name
	switch pg {
	case "smallint", "integer", "bigint":
		cn.Kind = CanonNumber
		switch {
		case src == "year":
			cn.MySQL, cn.Natural = "("+q+" + 0)", true
		case integerSource(src):
			cn.MySQL, cn.Natural = q, true
		default:
			cn.MySQL = "CAST(" + read + " AS SIGNED)"
		}
		cn.MySQLKey = mysqlIntKey(c)
		cn.PostgresKey = "%s::" + pg
	case "numeric":
		cn.Kind = CanonNumber
		cn.PostgresKey = "%s::numeric"
		switch {
		case src == "decimal" || src == "numeric":
			cn.Natural = true
			cn.MySQLKey = "CAST(? AS DECIMAL(65,30))"
			if c.Type.Precision > 0 {
				cn.MySQLKey = fmt.Sprintf("CAST(? AS DECIMAL(%d,%d))", c.Type.Precision, c.Type.Scale)
			}
			if exactDecimal(cp) {
				return cn // both print exactly the declared scale
			}
			if c.Type.Scale > 0 {
				cn.MySQL = "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + q + "))"
			}
			cn.Postgres = "trim_scale(" + p + ")::text"
		case integerSource(src):
			cn.Natural = true
			cn.MySQLKey = mysqlIntKey(c)
			if numericScale(cp.Type) > 0 {
				cn.Postgres = "trim_scale(" + p + ")::text" // 5.00 → 5
			}
		case src == "float" || src == "double" || src == "real":
			cn.Kind, cn.Natural = CanonFloat64, true
		}
	case "real", "double precision":
		cn.Kind = CanonFloat64
		switch {
		case src == "float" && pg == "real":
			// Loaded exactly (mysqlRead): both sides print the float's
			// exact value as a double, MySQL from its FLOAT + 0e0.
			cn.Postgres = p + "::float8::text"
		case pg == "real":
			cn.Kind = CanonFloat32 // a wider source rounded to real
		}
		cn.Natural = numericSource(src)
		cn.PostgresKey = "%s::" + pg
	case "bit", "varbit":
		// read is already n binary digits for BIT sources.
		cn.MySQLKey = "CAST(CONV(?, 2, 10) AS UNSIGNED)"
	case "json", "jsonb":
		cn.Kind, cn.Text = CanonJSON, true
	case "interval":
		// PostgreSQL prints interval seconds without trailing zeros.
		if src == "time" && c.Type.Precision > 0 {
			cn.MySQL = "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM " + q + "))"
		}
		cn.Text = true
	default:
		cn.Text = true
	}
	return cn
}

// exactDecimal reports the default mapping decimal(p,s) → numeric(p,s) (or
// plain numeric for a decimal without precision): both sides then print
// the same digits.
func exactDecimal(cp *ColumnPlan) bool {
	t := cp.Source.Type
	want := "numeric"
	if t.Precision > 0 {
		want = fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
	}
	return strings.ReplaceAll(strings.ToLower(cp.Type), " ", "") == want
}

// numericScale returns s of "numeric(p,s)", 0 otherwise.
func numericScale(t string) int {
	var p, s int
	if n, _ := fmt.Sscanf(strings.ReplaceAll(strings.ToLower(t), " ", ""), "numeric(%d,%d)", &p, &s); n == 2 {
		return s
	}
	return 0
}

func mysqlIntKey(c *catalog.Column) string {
	if c.Type.Unsigned {
		return "CAST(? AS UNSIGNED)"
	}
	return "CAST(? AS SIGNED)"
}

// mysqlRead is how the loader reads a column (mysql.ReadExpr): BIT(n)
// as n binary digits, spatial values as EWKT, FLOAT as the exact stored
// float, text as utf8mb4 (the
// connection's character set; the conversion is explicit here because a
// value inside an expression keeps its column's character set).
func mysqlRead(c *catalog.Column, opt CanonOptions) string {
	read := mysql.ReadExpr(c, opt.LongLatWKT) // as the loader reads it
	if read != MySQLIdent(c.Name) {
		return read
	}
	switch strings.ToLower(c.Charset) {
	case "", "utf8mb4", "utf8mb3", "utf8", "ascii", "binary":
		return read
	}
	return "CONVERT(" + read + " USING utf8mb4)"
}

// MySQLIdent quotes a MySQL identifier.
func MySQLIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

func integerSource(src string) bool {
	switch src {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return true
	}
	return false
}

func numericSource(src string) bool {
	switch src {
	case "decimal", "numeric", "float", "double", "real", "year":
		return true
	}
	return integerSource(src)
}

func dateSource(src string) bool {
	return src == "date" || src == "datetime" || src == "timestamp"
}

// pgBase lower-cases a PostgreSQL type, drops its modifiers and spells
// aliases one way: "timestamptz(3)" → "timestamp with time zone",
// "int4" → "integer", "character varying(10)" → "varchar".
func pgBase(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		if j := strings.IndexByte(t[i:], ')'); j >= 0 {
			t = t[:i] + t[i+j+1:]
		}
	}
	t = strings.Join(strings.Fields(t), " ")
	switch t {
	case "int2":
		return "smallint"
	case "int", "int4":
		return "integer"
	case "int8":
		return "bigint"
	case "float4":
		return "real"
	case "float", "float8":
		return "double precision"
	case "bool":
		return "boolean"
	case "decimal":
		return "numeric"
	case "timestamptz":
		return "timestamp with time zone"
	case "timestamp without time zone":
		return "timestamp"
	case "time without time zone":
		return "time"
	case "character varying":
		return "varchar"
	case "character", "bpchar":
		return "char"
	case "bit varying":
		return "varbit"
	}
	return t
}
