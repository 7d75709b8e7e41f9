package postgres

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ferrydb/ferry/convert"
)

// Binary COPY format (COPY ... FROM STDIN (FORMAT binary)).
//
// The binary format hands PostgreSQL each value in its internal "send"
// form, so the server skips text parsing of numbers and dates. Each column
// gets an encodeFunc built from its target type and encoding; a table with
// any column ferry cannot encode in binary is copied in the text format.
//
// The encoders must store exactly what the text format stores. They parse
// MySQL's own text output, which is strict (plain decimals, YYYY-MM-DD
// dates), so parse-sensitive types are only encoded in binary when the
// source column is of a MySQL type whose text form is known; a user cast
// from, say, varchar to date keeps the text format, where PostgreSQL's
// lenient input functions apply.

// encodeFunc appends one non-NULL source value as a binary COPY field
// (int32 length + bytes, or length -1 for NULL) to dst.
type encodeFunc func(dst, v []byte) (out []byte, warn int, err error)

// binaryHeader starts a binary COPY stream: signature, flags, extension length.
var binaryHeader = []byte("PGCOPY\n\377\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// binaryTrailer ends it: a field count of -1.
var binaryTrailer = []byte{0xff, 0xff}

// PostgreSQL's epoch, 2000-01-01, as a Julian day number.
const pgEpochJDate = 2451545

const usecsPerDay = 86400 * 1000000

// textOID is the OID of type text (array element type of text[]).
const textOID = 25

// appendBinaryRow appends one row (field count, then each field) to line
// and counts warnings per column in warns. On error it also returns the
// index of the failing column.
func appendBinaryRow(line []byte, row [][]byte, encs []encodeFunc, warns []int64) ([]byte, int, error) {
	line = binary.BigEndian.AppendUint16(line, uint16(len(row)))
	for i, v := range row {
		if v == nil {
			line = appendNull(line)
			continue
		}
		var warn int
		var err error
		line, warn, err = encs[i](line, v)
		if err != nil {
			return line, i, err
		}
		if warn != 0 {
			warns[i]++
		}
	}
	return line, 0, nil
}

// binaryEncoder returns the binary COPY encoder for a target column, or
// false when the column must use the text format.
func binaryEncoder(cp *convert.ColumnPlan) (encodeFunc, bool) {
	base := normType(cp.Type)
	src := ""
	if cp.Source != nil {
		src = cp.Source.Type.Name
	}
	enc := cp.Encoding
	switch base {
	case "boolean", "bool":
		if enc == convert.EncBool {
			return encBool, true
		}
	case "smallint", "int2":
		if enc == convert.EncText && plainNumberSource(src) {
			return encInt2, true
		}
	case "integer", "int", "int4":
		if enc == convert.EncText && plainNumberSource(src) {
			return encInt4, true
		}
	case "bigint", "int8":
		if enc == convert.EncText && plainNumberSource(src) {
			return encInt8, true
		}
	case "numeric", "decimal":
		// Floats print as 1e20; only exact types print plain decimals.
		if enc == convert.EncText && (integerSource(src) || src == "decimal" || src == "numeric") {
			return encNumeric, true
		}
	case "real", "float4":
		if enc == convert.EncText && plainNumberSource(src) {
			return encFloat4, true
		}
	case "double precision", "float8":
		if enc == convert.EncText && plainNumberSource(src) {
			return encFloat8, true
		}
	case "bytea":
		if enc == convert.EncBytea {
			return encRaw, true
		}
	case "text", "varchar", "character varying", "char", "character", "bpchar":
		switch enc {
		case convert.EncText, convert.EncGeometry:
			return encRaw, true
		case convert.EncDate:
			return encRawZeroDate, true
		}
	case "json":
		if enc == convert.EncText {
			return encRaw, true
		}
	case "jsonb":
		if enc == convert.EncText {
			return encJSONB, true
		}
	case "date":
		if enc == convert.EncDate && dateSource(src) {
			return encDate, true
		}
	case "timestamp", "timestamp without time zone":
		if enc == convert.EncDate && dateSource(src) {
			return encTimestamp, true
		}
	case "timestamptz", "timestamp with time zone":
		// EncTimestampTZ appends +00 to UTC text; EncDate text would be read
		// in the session time zone, which ferry sets to UTC. Both are UTC.
		if (enc == convert.EncTimestampTZ || enc == convert.EncDate) && dateSource(src) {
			return encTimestamp, true
		}
	case "time", "time without time zone":
		if enc == convert.EncTime && src == "time" {
			return encTime, true
		}
	case "text[]":
		if enc == convert.EncSet {
			return encSet, true
		}
	case "bit":
		if enc == convert.EncText && src == "bit" {
			return encBit, true
		}
	}
	return nil, false
}

// normType lower-cases a PostgreSQL type and drops its modifiers:
// "numeric(10,2)" → "numeric", "timestamp(3) with time zone" →
// "timestamp with time zone".
func normType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		if j := strings.IndexByte(t[i:], ')'); j >= 0 {
			t = t[:i] + t[i+j+1:]
		}
	}
	return strings.Join(strings.Fields(t), " ")
}

func integerSource(src string) bool {
	switch src {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		return true
	}
	return false
}

// plainNumberSource reports MySQL types printed as plain numbers, which
// strconv and PostgreSQL's number input read alike.
func plainNumberSource(src string) bool {
	switch src {
	case "decimal", "numeric", "float", "double", "real":
		return true
	}
	return integerSource(src)
}

func dateSource(src string) bool {
	return src == "date" || src == "datetime" || src == "timestamp"
}

// appendInt32 and friends append big-endian integers.
func appendInt32(dst []byte, n int32) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(n))
}

func appendNull(dst []byte) []byte { return append(dst, 0xff, 0xff, 0xff, 0xff) }

func encBool(dst, v []byte) ([]byte, int, error) {
	b := byte(1)
	if len(v) == 1 && v[0] == '0' {
		b = 0
	}
	return append(dst, 0, 0, 0, 1, b), 0, nil
}

func encRaw(dst, v []byte) ([]byte, int, error) {
	dst = appendInt32(dst, int32(len(v)))
	return append(dst, v...), 0, nil
}

func encRawZeroDate(dst, v []byte) ([]byte, int, error) {
	if isZeroDate(v) {
		return appendNull(dst), convert.WarnZeroDate, nil
	}
	return encRaw(dst, v)
}

func encJSONB(dst, v []byte) ([]byte, int, error) {
	dst = appendInt32(dst, int32(len(v)+1))
	dst = append(dst, 1) // jsonb binary format version
	return append(dst, v...), 0, nil
}

// trimSpace drops the white space PostgreSQL's number input skips.
func trimSpace(v []byte) []byte {
	for len(v) > 0 && isSpace(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isSpace(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	return v
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseInt parses a decimal integer of bitSize bits without allocating on
// success.
func parseInt(v []byte, bitSize int, typ string) (int64, error) {
	s := trimSpace(v)
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, fmt.Errorf("invalid input syntax for type %s: %q", typ, v)
	}
	// Accumulate negatively so the minimum fits.
	limit := int64(-1) << (bitSize - 1)
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("invalid input syntax for type %s: %q", typ, v)
		}
		d := int64(c - '0')
		if n < limit/10 {
			return 0, fmt.Errorf("value %q is out of range for type %s", v, typ)
		}
		n *= 10 // ≥ limit: limit/10 rounds toward zero
		if n < limit+d {
			return 0, fmt.Errorf("value %q is out of range for type %s", v, typ)
		}
		n -= d
	}
	if !neg {
		if n == limit {
			return 0, fmt.Errorf("value %q is out of range for type %s", v, typ)
		}
		n = -n
	}
	return n, nil
}

func encInt2(dst, v []byte) ([]byte, int, error) {
	n, err := parseInt(v, 16, "smallint")
	if err != nil {
		return dst, 0, err
	}
	return binary.BigEndian.AppendUint16(append(dst, 0, 0, 0, 2), uint16(n)), 0, nil
}

func encInt4(dst, v []byte) ([]byte, int, error) {
	n, err := parseInt(v, 32, "integer")
	if err != nil {
		return dst, 0, err
	}
	return binary.BigEndian.AppendUint32(append(dst, 0, 0, 0, 4), uint32(n)), 0, nil
}

func encInt8(dst, v []byte) ([]byte, int, error) {
	n, err := parseInt(v, 64, "bigint")
	if err != nil {
		return dst, 0, err
	}
	return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), uint64(n)), 0, nil
}

// parseFloat reads a float as PostgreSQL's float4in/float8in do: values
// too large, or so small they round to zero, are out of range.
func parseFloat(v []byte, bitSize int, typ string) (float64, error) {
	s := trimSpace(v)
	f, err := strconv.ParseFloat(string(s), bitSize) // no allocation: the conversion does not escape
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is out of range for type %s", v, typ)
		}
		return 0, fmt.Errorf("invalid input syntax for type %s: %q", typ, v)
	}
	if f == 0 {
		for _, c := range s {
			if c == 'e' || c == 'E' {
				break
			}
			if c >= '1' && c <= '9' {
				return 0, fmt.Errorf("%q is out of range for type %s", v, typ)
			}
		}
	}
	return f, nil
}

func encFloat4(dst, v []byte) ([]byte, int, error) {
	f, err := parseFloat(v, 32, "real")
	if err != nil {
		return dst, 0, err
	}
	return binary.BigEndian.AppendUint32(append(dst, 0, 0, 0, 4), math.Float32bits(float32(f))), 0, nil
}

func encFloat8(dst, v []byte) ([]byte, int, error) {
	f, err := parseFloat(v, 64, "double precision")
	if err != nil {
		return dst, 0, err
	}
	return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), math.Float64bits(f)), 0, nil
}

const (
	numericPos = 0x0000
	numericNeg = 0x4000
)

// encNumeric writes PostgreSQL's numeric send format: ndigits, weight,
// sign, dscale (int16 each), then ndigits base-10000 digits, the first of
// weight 10000^weight. dscale is the number of digits after the point in
// the input, as numeric_in counts it.
func encNumeric(dst, v []byte) ([]byte, int, error) {
	s := trimSpace(v)
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracEnd = i
	}
	if i != len(s) || (intEnd == intStart && fracEnd == fracStart) {
		return dst, 0, fmt.Errorf("invalid input syntax for type numeric: %q", v)
	}
	for intStart < intEnd && s[intStart] == '0' {
		intStart++
	}
	nInt, dscale := intEnd-intStart, fracEnd-fracStart
	if dscale > 0x3fff {
		return dst, 0, fmt.Errorf("value %q has too many digits after the decimal point for type numeric", v)
	}
	intGroups := (nInt + 3) / 4
	weight := intGroups - 1

	// Fill the digits in place after a header, then trim zero digits.
	hdr := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // length, ndigits, weight, sign, dscale
	first := len(dst)
	// Integer part: the first group holds the leftover digits.
	p := intStart
	for g := 0; g < intGroups; g++ {
		n := 4
		if g == 0 {
			n = nInt - 4*(intGroups-1)
		}
		d := 0
		for k := 0; k < n; k++ {
			d = d*10 + int(s[p]-'0')
			p++
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(d))
	}
	// Fraction: groups of four from the point, the last padded with zeros.
	for p = fracStart; p < fracEnd; p += 4 {
		d := 0
		for k := 0; k < 4; k++ {
			d *= 10
			if p+k < fracEnd {
				d += int(s[p+k] - '0')
			}
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(d))
	}
	// Leading zero digits move the weight down; trailing ones go.
	lead := first
	for lead < len(dst) && dst[lead] == 0 && dst[lead+1] == 0 {
		lead += 2
		weight--
	}
	if lead > first {
		n := copy(dst[first:], dst[lead:])
		dst = dst[:first+n]
	}
	for len(dst) > first && dst[len(dst)-2] == 0 && dst[len(dst)-1] == 0 {
		dst = dst[:len(dst)-2]
	}
	ndigits := (len(dst) - first) / 2
	sign := uint16(numericPos)
	if ndigits == 0 {
		weight = 0 // zero is positive, as numeric_in stores it
	} else if neg {
		sign = numericNeg
	}
	if weight > math.MaxInt16 || weight < math.MinInt16 {
		return dst[:hdr], 0, fmt.Errorf("value %q overflows numeric format", v)
	}
	h := dst[hdr:first]
	binary.BigEndian.PutUint32(h[0:], uint32(len(dst)-first+8))
	binary.BigEndian.PutUint16(h[4:], uint16(ndigits))
	binary.BigEndian.PutUint16(h[6:], uint16(int16(weight)))
	binary.BigEndian.PutUint16(h[8:], sign)
	binary.BigEndian.PutUint16(h[10:], uint16(dscale))
	return dst, 0, nil
}

// isZeroDate reports MySQL zero dates: year, month or day zero (as
// convert.Encoding.Encode decides).
func isZeroDate(v []byte) bool {
	if len(v) < 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	return string(v[0:4]) == "0000" || string(v[5:7]) == "00" || string(v[8:10]) == "00"
}

func digits(v []byte) (int, bool) {
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// date2j is PostgreSQL's Julian day number of a proleptic Gregorian date.
func date2j(y, m, d int) int {
	if m > 2 {
		m++
		y += 4800
	} else {
		m += 13
		y += 4799
	}
	century := y / 100
	j := y*365 - 32167
	j += y/4 - century + century/4
	j += 7834*m/256 + d
	return j
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var errDateForm = errors.New("not in MySQL's date/time form")

// parseDate reads "YYYY-MM-DD" into days since 2000-01-01.
func parseDate(v []byte) (int64, error) {
	if len(v) < 10 || v[4] != '-' || v[7] != '-' {
		return 0, errDateForm
	}
	y, ok1 := digits(v[0:4])
	m, ok2 := digits(v[5:7])
	d, ok3 := digits(v[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, errDateForm
	}
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, fmt.Errorf("date/time field value out of range: %q", v)
	}
	return int64(date2j(y, m, d) - pgEpochJDate), nil
}

// parseClock reads "HH:MM:SS[.ffffff]" into microseconds (hours up to
// maxHour).
func parseClock(v []byte, maxHour int) (int64, error) {
	if len(v) < 8 || v[2] != ':' || v[5] != ':' {
		return 0, errDateForm
	}
	h, ok1 := digits(v[0:2])
	m, ok2 := digits(v[3:5])
	s, ok3 := digits(v[6:8])
	if !ok1 || !ok2 || !ok3 {
		return 0, errDateForm
	}
	var frac int64
	if len(v) > 8 {
		f := v[9:]
		if v[8] != '.' || len(f) > 6 {
			return 0, errDateForm
		}
		n, ok := digits(f)
		if !ok {
			return 0, errDateForm
		}
		frac = int64(n)
		for k := len(f); k < 6; k++ {
			frac *= 10
		}
	}
	if h > maxHour || m > 59 || s > 59 {
		return 0, fmt.Errorf("date/time field value out of range: %q", v)
	}
	return (int64(h)*3600+int64(m)*60+int64(s))*1000000 + frac, nil
}

// parseTimestamp reads "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" into microseconds
// since 2000-01-01 00:00:00 (UTC: the source session's time zone).
func parseTimestamp(v []byte) (int64, error) {
	days, err := parseDate(v)
	if err != nil {
		return 0, err
	}
	var us int64
	if len(v) > 10 {
		if v[10] != ' ' {
			return 0, errDateForm
		}
		if us, err = parseClock(v[11:], 23); err != nil {
			return 0, err
		}
	}
	return days*usecsPerDay + us, nil
}

func dateErr(v []byte, err error) error {
	if err == errDateForm {
		return fmt.Errorf("date/time value %q is not in the form YYYY-MM-DD[ HH:MM:SS[.ffffff]]", v)
	}
	return err
}

func encDate(dst, v []byte) ([]byte, int, error) {
	if isZeroDate(v) {
		return appendNull(dst), convert.WarnZeroDate, nil
	}
	// A datetime read into a date keeps its date, as date_in does.
	us, err := parseTimestamp(v)
	if err != nil {
		return dst, 0, dateErr(v, err)
	}
	days := us / usecsPerDay
	if us < 0 && us%usecsPerDay != 0 {
		days--
	}
	return appendInt32(append(dst, 0, 0, 0, 4), int32(days)), 0, nil
}

func encTimestamp(dst, v []byte) ([]byte, int, error) {
	if isZeroDate(v) {
		return appendNull(dst), convert.WarnZeroDate, nil
	}
	us, err := parseTimestamp(v)
	if err != nil {
		return dst, 0, dateErr(v, err)
	}
	return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), uint64(us)), 0, nil
}

func encTime(dst, v []byte) ([]byte, int, error) {
	us, err := parseClock(v, 24)
	if err != nil || us > usecsPerDay {
		// The text path's message (convert.Encoding.Encode).
		return dst, 0, fmt.Errorf("TIME value %q is outside PostgreSQL's time range 00:00:00-24:00:00; add a cast rule {type: time, to: interval}", v)
	}
	return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), uint64(us)), 0, nil
}

// encSet writes MySQL's 'a,b' as a one-dimensional text[] (lower bound 1,
// no NULLs); ” is the empty array.
func encSet(dst, v []byte) ([]byte, int, error) {
	hdr := len(dst)
	dst = append(dst, 0, 0, 0, 0) // length, patched below
	if len(v) == 0 {
		dst = appendInt32(dst, 0) // ndim
		dst = appendInt32(dst, 0) // has nulls
		dst = appendInt32(dst, textOID)
	} else {
		n := 1
		for _, c := range v {
			if c == ',' {
				n++
			}
		}
		dst = appendInt32(dst, 1)
		dst = appendInt32(dst, 0)
		dst = appendInt32(dst, textOID)
		dst = appendInt32(dst, int32(n))
		dst = appendInt32(dst, 1)
		start := 0
		for i := 0; i <= len(v); i++ {
			if i == len(v) || v[i] == ',' {
				dst = appendInt32(dst, int32(i-start))
				dst = append(dst, v[start:i]...)
				start = i + 1
			}
		}
	}
	binary.BigEndian.PutUint32(dst[hdr:], uint32(len(dst)-hdr-4))
	return dst, 0, nil
}

// encBit writes a '0'/'1' string as bit(n): the bit count, then the bits,
// most significant first, the last byte padded with zeros.
func encBit(dst, v []byte) ([]byte, int, error) {
	nbytes := (len(v) + 7) / 8
	dst = appendInt32(dst, int32(4+nbytes))
	dst = appendInt32(dst, int32(len(v)))
	var b byte
	for i, c := range v {
		switch c {
		case '0':
		case '1':
			b |= 0x80 >> (i % 8)
		default:
			return dst, 0, fmt.Errorf("%q is not a valid binary digit in bit value %q", c, v)
		}
		if i%8 == 7 {
			dst = append(dst, b)
			b = 0
		}
	}
	if len(v)%8 != 0 {
		dst = append(dst, b)
	}
	return dst, 0, nil
}
