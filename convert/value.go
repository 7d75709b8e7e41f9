package convert

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// Warning kinds counted by Encode.
const (
	WarnNone     = 0
	WarnZeroDate = 1 // a zero or partly zero date became NULL
)

// Encode converts one non-NULL source value to the target's text form and
// appends it to dst, escaped for PostgreSQL's COPY text format. It returns
// whether the value became NULL (written as \N) and a warning kind.
func (e Encoding) Encode(dst, v []byte) (out []byte, warn int, err error) {
	switch e {
	case EncBool:
		if len(v) == 1 && v[0] == '0' {
			return append(dst, 'f'), 0, nil
		}
		return append(dst, 't'), 0, nil
	case EncBytea:
		dst = append(dst, '\\', '\\', 'x')
		n := len(dst)
		dst = append(dst, make([]byte, hex.EncodedLen(len(v)))...)
		hex.Encode(dst[n:], v)
		return dst, 0, nil
	case EncDate, EncTimestampTZ:
		if isZeroDate(v) {
			return append(dst, '\\', 'N'), WarnZeroDate, nil
		}
		dst = append(dst, v...)
		if e == EncTimestampTZ {
			dst = append(dst, '+', '0', '0')
		}
		return dst, 0, nil
	case EncSet:
		dst = append(dst, '{')
		if len(v) > 0 {
			for i, m := range bytes.Split(v, []byte{','}) {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, '"')
				for _, c := range m {
					if c == '"' || c == '\\' {
						dst = appendCopyEscaped(dst, []byte{'\\'})
					}
					dst = appendCopyEscaped(dst, []byte{c})
				}
				dst = append(dst, '"')
			}
		}
		return append(dst, '}'), 0, nil
	case EncTime:
		if !validPGTime(v) {
			return dst, 0, fmt.Errorf("TIME value %q is outside PostgreSQL's time range 00:00:00-24:00:00; add a cast rule {type: time, to: interval}", v)
		}
		return append(dst, v...), 0, nil
	}
	return appendCopyEscaped(dst, v), 0, nil
}

// isZeroDate reports MySQL zero dates: year, month or day zero.
func isZeroDate(v []byte) bool {
	if len(v) < 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	return string(v[0:4]) == "0000" || string(v[5:7]) == "00" || string(v[8:10]) == "00"
}

func validPGTime(v []byte) bool {
	// MySQL TIME spans -838:59:59..838:59:59; PostgreSQL time 00:00:00..24:00:00.
	if len(v) < 8 || v[0] == '-' || v[2] != ':' {
		return false
	}
	h := int(v[0]-'0')*10 + int(v[1]-'0')
	if h > 24 {
		return false
	}
	if h == 24 {
		for _, c := range v[3:] {
			if c != '0' && c != ':' && c != '.' {
				return false
			}
		}
	}
	return true
}

// appendCopyEscaped escapes backslash, newline, carriage return and tab.
func appendCopyEscaped(dst, v []byte) []byte {
	start := 0
	for i, c := range v {
		var r byte
		switch c {
		case '\\':
			r = '\\'
		case '\n':
			r = 'n'
		case '\r':
			r = 'r'
		case '\t':
			r = 't'
		default:
			continue
		}
		dst = append(dst, v[start:i]...)
		dst = append(dst, '\\', r)
		start = i + 1
	}
	return append(dst, v[start:]...)
}
