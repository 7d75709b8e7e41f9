package scriptload

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ferrydb/ferry/source/oraclescript"
)

// column is a target column as the catalog describes it.
type column struct {
	name     string
	typ      string // base type name (pg_type.typname, domains resolved)
	identity bool   // GENERATED ... AS IDENTITY or a serial default
	seq      string // its sequence, for the restart after the load
}

// encode appends v, converted for column c, in COPY text format.
func encode(dst []byte, v oraclescript.Value, c *column, s *oraclescript.Session) ([]byte, error) {
	if v.Kind == oraclescript.Null {
		return append(dst, '\\', 'N'), nil
	}
	txt, err := convertValue(v, c, s)
	if err != nil {
		return dst, err
	}
	if strings.IndexByte(txt, 0) >= 0 {
		return dst, fmt.Errorf("a NUL character cannot be stored in PostgreSQL text")
	}
	return appendEscaped(dst, txt), nil
}

// convertValue renders v as PostgreSQL's input text for column c's type,
// doing Oracle's implicit conversions (string to number or date, number
// to text, string to RAW as hex).
func convertValue(v oraclescript.Value, c *column, s *oraclescript.Session) (string, error) {
	switch c.typ {
	case "int2", "int4", "int8":
		return integer(v)
	case "numeric", "float4", "float8", "money", "oid":
		switch v.Kind {
		case oraclescript.Number:
			return v.Str, nil
		case oraclescript.String:
			t := strings.TrimSpace(v.Str)
			if _, ok := new(big.Rat).SetString(t); !ok {
				return "", fmt.Errorf("'%s' is not a number (column type %s)", short(v.Str), c.typ)
			}
			return t, nil
		}
	case "bool":
		switch v.Kind {
		case oraclescript.Number:
			r, ok := new(big.Rat).SetString(v.Str)
			if !ok {
				return "", fmt.Errorf("bad number %s", v.Str)
			}
			if r.Sign() == 0 {
				return "f", nil
			}
			return "t", nil
		case oraclescript.String:
			return strings.TrimSpace(v.Str), nil
		}
	case "date", "timestamp", "timestamptz", "time", "timetz":
		if v.Kind == oraclescript.String {
			kind := oraclescript.Timestamp
			if c.typ == "date" {
				kind = oraclescript.Date
			}
			tv, err := s.ToTime(v.Str, kind)
			if err != nil {
				return "", fmt.Errorf("'%s' is not a date (column type %s): %w", short(v.Str), c.typ, err)
			}
			v = tv
		}
		if v.Kind != oraclescript.Date && v.Kind != oraclescript.Timestamp {
			break
		}
		t := v.Time
		switch c.typ {
		case "date":
			if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
				return "", fmt.Errorf("%s has a time of day but the column is date: map Oracle DATE to timestamp(0)", t.Format("2006-01-02 15:04:05"))
			}
			return fmtYear(t, "2006-01-02"), nil
		case "timestamp":
			return fmtYear(t, "2006-01-02 15:04:05.999999999"), nil
		case "timestamptz":
			if v.Zone {
				return fmtYear(t, "2006-01-02 15:04:05.999999999-07:00"), nil
			}
			// Wall-clock time: ferry's sessions run in UTC.
			return fmtYear(t, "2006-01-02 15:04:05.999999999"), nil
		case "time":
			return t.Format("15:04:05.999999999"), nil
		case "timetz":
			return t.Format("15:04:05.999999999-07:00"), nil
		}
	case "bytea":
		switch v.Kind {
		case oraclescript.Raw:
			return `\x` + hex.EncodeToString(v.Bytes), nil
		case oraclescript.String:
			// Oracle reads a string assigned to RAW/BLOB as hex.
			h := strings.TrimSpace(v.Str)
			if _, err := hex.DecodeString(h); err != nil {
				return "", fmt.Errorf("string '%s' for a bytea column is not hex (Oracle converts strings to RAW as hex; wrap text in UTL_RAW.CAST_TO_RAW)", short(v.Str))
			}
			return `\x` + h, nil
		}
	default: // text, varchar, bpchar, json, jsonb, xml, uuid, interval, ...
		switch v.Kind {
		case oraclescript.String, oraclescript.Number:
			return v.Str, nil
		case oraclescript.Raw:
			if !utf8.Valid(v.Bytes) {
				return "", fmt.Errorf("raw value is not UTF-8 text but the column is %s", c.typ)
			}
			return string(v.Bytes), nil
		case oraclescript.Date:
			return fmtYear(v.Time, "2006-01-02 15:04:05"), nil
		case oraclescript.Timestamp:
			if v.Zone {
				return fmtYear(v.Time, "2006-01-02 15:04:05.999999999-07:00"), nil
			}
			return fmtYear(v.Time, "2006-01-02 15:04:05.999999999"), nil
		}
	}
	return "", fmt.Errorf("a %s value cannot go into a %s column", v.Kind, c.typ)
}

// fmtYear formats t, writing years before 1 as PostgreSQL's "BC".
func fmtYear(t time.Time, layout string) string {
	if t.Year() > 0 {
		return t.Format(layout)
	}
	return t.AddDate(1-2*t.Year(), 0, 0).Format(layout) + " BC"
}

// integer renders v for an integer column, rounding half away from zero
// as Oracle does when a NUMBER(p,0) receives a fraction.
func integer(v oraclescript.Value) (string, error) {
	if v.Kind != oraclescript.Number && v.Kind != oraclescript.String {
		return "", fmt.Errorf("a %s value cannot go into an integer column", v.Kind)
	}
	s := strings.TrimSpace(v.Str)
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("'%s' is not a number", short(s))
	}
	if r.IsInt() {
		return r.Num().String(), nil
	}
	neg := r.Sign() < 0
	r.Abs(r)
	r.Add(r, big.NewRat(1, 2))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if neg {
		q.Neg(q)
	}
	return q.String(), nil
}

func short(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// appendEscaped appends s escaped for COPY's text format.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
