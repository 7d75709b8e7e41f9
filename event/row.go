package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// Row is a row image: column name → value, as docs/events.md lists the
// values (nil, numbers, strings). Decoded from JSON, numbers are
// json.Number, so bigints above 2^53 and decimals stay exact.
type Row map[string]any

// UnmarshalJSON decodes a row image. Row images are flat objects of
// scalars, which it reads in one pass without reflection (decoding rows is
// most of the CDC applier's decoding work); anything else (nested values,
// escapes it does not take itself) goes to encoding/json with UseNumber,
// so the result is the same either way.
func (r *Row) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*r = nil
		return nil
	}
	m, ok := parseFlat(b)
	if !ok {
		m = map[string]any{}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("event: decode a row image: %w", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return fmt.Errorf("event: decode a row image: data after the object")
		}
	}
	*r = m
	return nil
}

// parseFlat parses a JSON object whose values are strings, numbers, true,
// false or null. It reports false for anything else, or for input it
// does not handle, and the caller falls back to encoding/json.
func parseFlat(b []byte) (map[string]any, bool) {
	// One string for the whole row: keys and plain values are slices of
	// it, one allocation instead of one per key and value.
	text := string(b)
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	m := make(map[string]any, 8)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return m, skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		key, n, ok := parseString(b, text, i)
		if !ok {
			return nil, false
		}
		i = skipSpace(b, n)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return nil, false
		}
		var v any
		switch c := b[i]; {
		case c == '"':
			s, n, ok := parseString(b, text, i)
			if !ok {
				return nil, false
			}
			v, i = s, n
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(b) && isNumberByte(b[j]) {
				j++
			}
			num := text[i:j]
			if !validNumber(num) {
				return nil, false
			}
			v, i = json.Number(num), j
		case bytes.HasPrefix(b[i:], []byte("null")):
			v, i = nil, i+4
		case bytes.HasPrefix(b[i:], []byte("true")):
			v, i = true, i+4
		case bytes.HasPrefix(b[i:], []byte("false")):
			v, i = false, i+5
		default:
			return nil, false // an object or array: not a flat row
		}
		if _, dup := m[key]; dup {
			return nil, false // encoding/json's rule: the last one wins
		}
		m[key] = v
		i = skipSpace(b, i)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return m, skipSpace(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}

// parseString reads the JSON string starting at b[i] (a quote): its value
// and the index after its closing quote. text is string(b): a plain
// string's value is a slice of it. Strings with escapes or bytes that are
// not valid UTF-8 are decoded by encoding/json.
func parseString(b []byte, text string, i int) (string, int, bool) {
	j := i + 1
	plain := true
	for ; j < len(b); j++ {
		c := b[j]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			j++ // skip the escaped byte (an escaped quote does not end it)
			continue
		}
		if c < 0x20 {
			return "", 0, false
		}
		if c >= utf8.RuneSelf {
			plain = false
		}
	}
	if j >= len(b) {
		return "", 0, false
	}
	raw := b[i+1 : j]
	if plain || (bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw)) {
		return text[i+1 : j], j + 1, true
	}
	var s string
	if err := json.Unmarshal(b[i:j+1], &s); err != nil {
		return "", 0, false
	}
	return s, j + 1, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// validNumber checks JSON's number grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i = skipDigits(s, i+1); s[i-1] == '.' {
			return false // no digit after the point
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		if i = skipDigits(s, i); i == d {
			return false
		}
	}
	return i == len(s)
}

// skipDigits returns the index of the first non-digit at or after i.
func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
