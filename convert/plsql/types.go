package plsql

import (
	"regexp"
	"strings"

	"github.com/bytebase/parser/plsql"

	"github.com/ferrydb/ferry/convert"
)

// typeOf maps a PL/SQL type_spec to PostgreSQL. %TYPE and %ROWTYPE are
// kept (PL/pgSQL has both); cursor%ROWTYPE becomes record; local record
// and collection types become the names the unit declared for them.
func (u *unit) typeOf(ts plsql.IType_specContext) string {
	if ts == nil {
		return ""
	}
	if dt := ts.Datatype(); dt != nil {
		return mapDatatype(u.text(dt))
	}
	name := ""
	if tn := ts.Type_name(); tn != nil {
		name = u.text(tn)
	}
	key := strings.ToLower(name)
	switch {
	case ts.PERCENT_ROWTYPE() != nil:
		if u.cursors[key] {
			return "record"
		}
		return identPath(name) + "%ROWTYPE"
	case ts.PERCENT_TYPE() != nil:
		return identPath(name) + "%TYPE"
	}
	if t, ok := u.localTypes[key]; ok {
		return t
	}
	if t, ok := u.pkgTypes()[key]; ok {
		return t
	}
	if up := strings.ToUpper(name); (strings.HasPrefix(up, "DBMS_") || strings.HasPrefix(up, "UTL_")) && strings.Contains(up, ".") {
		reason := "type " + identPath(name) + " of an Oracle-supplied package: no PostgreSQL equivalent; declared text as a placeholder, rewrite the code that uses it"
		dup := false
		for _, it := range u.obj.Items {
			dup = dup || it.Reason == reason
		}
		if !dup {
			u.obj.Items = append(u.obj.Items, convert.ActionItem{Object: u.obj.Name, Kind: u.obj.Kind, Reason: reason, Source: u.text(ts)})
		}
		return "text"
	}
	switch strings.ToUpper(name) {
	case "SYS_REFCURSOR":
		return "refcursor"
	case "XMLTYPE", "SYS.XMLTYPE":
		return "xml"
	}
	return mapDatatype(name)
}

var typeRe = regexp.MustCompile(`^(LONG RAW|DOUBLE PRECISION|[A-Z_0-9$#.]+)\s*(\(\s*([0-9*]+)\s*(?:,\s*(-?[0-9]+)\s*)?(?:CHAR|BYTE)?\s*\))?\s*(.*)$`)

// mapDatatype maps an Oracle built-in type, as written, to PostgreSQL.
// Names it does not know are returned as identifiers (a user-defined type).
func mapDatatype(s string) string {
	up := strings.ToUpper(strings.Join(strings.Fields(s), " "))
	m := typeRe.FindStringSubmatch(up)
	if m == nil {
		return identPath(s)
	}
	base, p, sc, rest := m[1], m[3], m[4], m[5]
	size := func(t string) string {
		if p == "" || p == "*" {
			return t
		}
		if sc != "" {
			return t + "(" + p + "," + sc + ")"
		}
		return t + "(" + p + ")"
	}
	switch base {
	case "NUMBER", "NUMERIC", "DECIMAL", "DEC":
		return size("numeric")
	case "INTEGER", "INT", "SMALLINT":
		return "bigint"
	case "PLS_INTEGER", "BINARY_INTEGER", "SIMPLE_INTEGER", "NATURAL", "NATURALN", "POSITIVE", "POSITIVEN", "SIGNTYPE":
		return "integer"
	case "FLOAT", "BINARY_DOUBLE", "DOUBLE PRECISION", "DOUBLE":
		return "double precision"
	case "BINARY_FLOAT", "REAL":
		return "real"
	case "VARCHAR2", "VARCHAR", "NVARCHAR2", "STRING":
		return size("varchar")
	case "CHAR", "NCHAR", "CHARACTER":
		return size("char")
	case "CLOB", "NCLOB", "LONG":
		return "text"
	case "BLOB", "RAW", "LONG RAW", "BFILE":
		return "bytea"
	case "BOOLEAN":
		return "boolean"
	case "DATE":
		return "timestamp(0)"
	case "TIMESTAMP":
		t := size("timestamp")
		if strings.Contains(rest, "TIME ZONE") {
			t = size("timestamptz")
		}
		return t
	case "ROWID", "UROWID":
		return "text"
	}
	if strings.HasPrefix(up, "INTERVAL") {
		return "interval"
	}
	return identPath(s)
}

// identPath maps a dotted Oracle name (a.b.c) part by part.
func identPath(s string) string {
	parts := strings.Split(strings.TrimSpace(s), ".")
	for i, p := range parts {
		parts[i] = identName(strings.TrimSpace(p))
	}
	return strings.Join(parts, ".")
}
