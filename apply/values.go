package apply

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ferrydb/ferry/convert"
)

// param converts one event value (docs/events.md representations) to the
// text form of the target column, passed as a query parameter that the
// statement casts to the column's type ($n::text::<type>). It returns nil
// for SQL NULL: NULL itself, and zero dates (as the full load does).
//
// The rules are the migration's (convert.Encoding.Encode); Encode is
// reused where its output carries no COPY escaping (dates, timestamps,
// times, booleans given as text).
func param(cp *convert.ColumnPlan, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch cp.Encoding {
	case convert.EncBool:
		return boolParam(v)
	case convert.EncBytea:
		b, err := bytesOf(v)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 2+hex.EncodedLen(len(b)))
		out[0], out[1] = '\\', 'x'
		hex.Encode(out[2:], b)
		return string(out), nil
	case convert.EncDate, convert.EncTimestampTZ, convert.EncTime:
		s, err := temporalText(v)
		if err != nil {
			return nil, err
		}
		out, warn, err := cp.Encoding.Encode(nil, []byte(s))
		if err != nil {
			return nil, err
		}
		if warn == convert.WarnZeroDate {
			return nil, nil
		}
		return string(out), nil
	case convert.EncSet:
		s, err := textOf(v)
		if err != nil {
			return nil, err
		}
		return setLiteral(s), nil
	}
	if isBitType(cp.Type) {
		n, err := uintOf(v)
		if err != nil {
			return nil, err
		}
		return bitString(n, bitLength(cp)), nil
	}
	return scalarText(v, isIntegerPG(cp.Type))
}

// boolParam maps tinyint(1) values: 0 (or "0") → false, anything else → true.
func boolParam(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return "t", nil
		}
		return "f", nil
	case int64:
		return boolText(x == 0), nil
	case uint64:
		return boolText(x == 0), nil
	case int:
		return boolText(x == 0), nil
	case float64:
		return boolText(x == 0), nil
	case json.Number:
		return boolText(string(x) == "0"), nil
	case string:
		return boolText(x == "0"), nil
	case []byte:
		return boolText(string(x) == "0"), nil
	}
	return nil, fmt.Errorf("unexpected %T value for a boolean column", v)
}

func boolText(zero bool) string {
	if zero {
		return "f"
	}
	return "t"
}

func bytesOf(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		// Events that travelled as JSON carry bytes base64-encoded.
		b, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return nil, fmt.Errorf("bytea value is a string but not base64: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unexpected %T value for a bytea column", v)
}

func textOf(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return "", fmt.Errorf("unexpected %T value for a text column", v)
}

// temporalText accepts the event model's strings, and time.Time for
// callers that hold parsed values (formatted in UTC).
func temporalText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999"), nil
	}
	return "", fmt.Errorf("unexpected %T value for a date/time column", v)
}

// setLiteral turns MySQL's "a,b" into the text[] literal {"a","b"}; ""
// is the empty set. Unlike Encode's EncSet, no COPY escaping.
func setLiteral(s string) string {
	if s == "" {
		return "{}"
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteByte('{')
	for i, m := range strings.Split(s, ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for j := 0; j < len(m); j++ {
			if m[j] == '"' || m[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(m[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func isBitType(pg string) bool {
	return strings.HasPrefix(pg, "bit(") || pg == "bit"
}

// bitLength is n of bit(n): from the target type, else the source length.
func bitLength(cp *convert.ColumnPlan) int {
	if s, ok := strings.CutPrefix(cp.Type, "bit("); ok {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, ")")); err == nil && n > 0 {
			return n
		}
	}
	if cp.Source != nil && cp.Source.Type.Length > 0 {
		return int(cp.Source.Type.Length)
	}
	return 1
}

// bitString renders n as a bit string of exactly length bits.
func bitString(n uint64, length int) string {
	s := strconv.FormatUint(n, 2)
	if len(s) >= length {
		return s[len(s)-length:]
	}
	return strings.Repeat("0", length-len(s)) + s
}

// uintOf reads a BIT value: uint64 per the event model; other integer
// forms (and big-endian bytes) for robustness.
func uintOf(v any) (uint64, error) {
	switch x := v.(type) {
	case uint64:
		return x, nil
	case int64:
		return uint64(x), nil
	case int:
		return uint64(x), nil
	case float64:
		if x >= 0 && x == math.Trunc(x) && x < 1<<64 {
			return uint64(x), nil
		}
	case json.Number:
		return strconv.ParseUint(string(x), 10, 64)
	case string:
		return strconv.ParseUint(x, 10, 64)
	case []byte:
		if len(x) <= 8 {
			var n uint64
			for _, c := range x {
				n = n<<8 | uint64(c)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("unexpected %T value %v for a bit column", v, v)
}

func isIntegerPG(pg string) bool {
	switch pg {
	case "smallint", "integer", "bigint", "numeric(20)":
		return true
	}
	return false
}

// scalarText renders integers, DECIMAL strings, floats, strings (ENUM,
// JSON text, character types) as text.
func scalarText(v any, integer bool) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(x), 10), nil
	case float64:
		if integer || math.IsInf(x, 0) || math.IsNaN(x) {
			// 'f' keeps integral values valid integer input (no exponent).
			return floatText(x, 'f', 64), nil
		}
		return floatText(x, 'g', 64), nil
	case float32:
		return floatText(float64(x), 'g', 32), nil
	case json.Number:
		return string(x), nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	}
	return nil, fmt.Errorf("unexpected %T value", v)
}

func floatText(f float64, format byte, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, format, -1, bits)
}
