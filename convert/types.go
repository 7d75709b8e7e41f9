// Package convert turns a source catalog into a target schema plan: the
// CREATE statements, the keys and indexes to build after the load, the
// per-column value conversions, and the action items for whatever could
// not be converted. The MySQL → PostgreSQL rules live here; the default
// type mapping is documented in docs/type-mapping.md.
package convert

import (
	"fmt"
	"path"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/task"
)

// Encoding says how a source value's text becomes the target's text.
type Encoding int

// Encodings. Each is applied by Encode.
const (
	EncText        Encoding = iota // copied as is
	EncBool                        // 0 → false, anything else → true
	EncBytea                       // raw bytes → hex bytea
	EncDate                        // zero or partly-zero dates → NULL (warned)
	EncTimestampTZ                 // UTC text → with +00; zero → NULL (warned)
	EncSet                         // 'a,b' → {"a","b"}
	EncTime                        // checked against PostgreSQL's time range
	EncGeometry                    // EWKT; the text fallback keeps it as is
)

// mapType returns the PostgreSQL type and encoding for a MySQL column,
// before user cast rules.
func mapType(c *catalog.Column, opt Options) (string, Encoding, string) {
	t := c.Type
	switch t.Name {
	case "tinyint":
		if t.Length == 1 && !t.Unsigned && opt.TinyintBoolean {
			return "boolean", EncBool, ""
		}
		return "smallint", EncText, ""
	case "smallint":
		if t.Unsigned {
			return "integer", EncText, ""
		}
		return "smallint", EncText, ""
	case "mediumint":
		return "integer", EncText, ""
	case "int", "integer":
		if t.Unsigned {
			return "bigint", EncText, ""
		}
		return "integer", EncText, ""
	case "bigint":
		if t.Unsigned {
			return "numeric(20)", EncText, ""
		}
		return "bigint", EncText, ""
	case "decimal", "numeric":
		if t.Precision == 0 {
			return "numeric", EncText, ""
		}
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale), EncText, ""
	case "float":
		if t.Precision > 24 {
			return "double precision", EncText, ""
		}
		return "real", EncText, ""
	case "double", "real":
		return "double precision", EncText, ""
	case "bit":
		return fmt.Sprintf("bit(%d)", max(t.Length, 1)), EncText, ""
	case "char":
		return fmt.Sprintf("char(%d)", max(t.Length, 1)), EncText, ""
	case "varchar":
		return fmt.Sprintf("varchar(%d)", max(t.Length, 1)), EncText, ""
	case "tinytext", "text", "mediumtext", "longtext":
		return "text", EncText, ""
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "bytea", EncBytea, ""
	case "enum":
		return "text", EncText, ""
	case "set":
		return "text[]", EncSet, ""
	case "year":
		return "smallint", EncText, ""
	case "date":
		return "date", EncDate, ""
	case "datetime":
		return "timestamp" + fsp(t.Precision), EncDate, ""
	case "timestamp":
		return "timestamptz" + fsp(t.Precision), EncTimestampTZ, ""
	case "time":
		return "time" + fsp(t.Precision), EncTime, ""
	case "json":
		return "jsonb", EncText, ""
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		if opt.PostGIS {
			return "geometry", EncGeometry, ""
		}
		return "text", EncGeometry, "spatial column stored as EWKT text (PostGIS is not installed in the target); install PostGIS and cast with ST_GeomFromEWKT"
	}
	return "text", EncText, fmt.Sprintf("unknown source type %q copied as text", t.Raw)
}

func fsp(p int) string {
	if p <= 0 {
		return "(0)"
	}
	return fmt.Sprintf("(%d)", p)
}

// castFor returns the first user cast rule matching the column.
func castFor(rules []task.CastRule, t *catalog.Table, c *catalog.Column) (string, bool) {
	for _, r := range rules {
		if r.Column != "" {
			full := t.Schema + "." + t.Name + "." + c.Name
			short := t.Name + "." + c.Name
			ok1, _ := path.Match(r.Column, full)
			ok2, _ := path.Match(r.Column, short)
			if !ok1 && !ok2 {
				continue
			}
		}
		if r.Type != "" && !typeMatches(r.Type, c.Type) {
			continue
		}
		return r.To, true
	}
	return "", false
}

// typeMatches compares a rule's type with a column type: "datetime"
// matches any datetime; "tinyint(1)" the display width too; "int unsigned"
// only unsigned ints; otherwise the full raw type.
func typeMatches(rule string, t catalog.Type) bool {
	rule = strings.ToLower(strings.TrimSpace(rule))
	if rule == t.Raw || rule == t.Name {
		return true
	}
	unsigned := strings.HasSuffix(rule, " unsigned")
	base := strings.TrimSuffix(rule, " unsigned")
	if unsigned && !t.Unsigned {
		return false
	}
	if base == t.Name {
		return true
	}
	raw := strings.TrimSuffix(t.Raw, " zerofill")
	raw = strings.TrimSuffix(raw, " unsigned")
	return base == raw
}

// encodingForCast picks the encoding when a rule casts to type to.
func encodingForCast(to string, def Encoding) Encoding {
	l := strings.ToLower(to)
	switch {
	case l == "bytea":
		return EncBytea
	case l == "boolean" || l == "bool":
		return EncBool
	case strings.HasPrefix(l, "timestamptz") || strings.HasPrefix(l, "timestamp with time zone"):
		return EncTimestampTZ
	case strings.HasSuffix(l, "[]"):
		if def == EncSet {
			return EncSet
		}
	case strings.HasPrefix(l, "timestamp") || l == "date":
		return EncDate
	case strings.HasPrefix(l, "time"):
		return EncTime
	}
	if def == EncDate || def == EncTimestampTZ || def == EncBytea || def == EncGeometry {
		// Keep conversions that make the source text valid input (zero
		// dates, raw bytes) unless the new type says otherwise.
		if def == EncTimestampTZ {
			return EncDate
		}
		return def
	}
	return EncText
}
