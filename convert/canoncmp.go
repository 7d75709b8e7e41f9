package convert

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
)

// Float32Digits is the precision of EqualCanonical for a real holding a
// rounded DOUBLE: equal when the two differ by at most half a unit in the
// 6th significant digit of the larger one, the digits a float holds
// exactly (FLT_DIG). Doubles (and FLOAT, compared as its exact double)
// must be the same double.
const Float32Digits = 6

// CompareCanonical orders two canonical key texts of a column as verify's
// queries sort them: numbers numerically, everything else byte-wise. nil
// (NULL) sorts first.
func CompareCanonical(k CanonKind, a, b []byte) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	switch k {
	case CanonNumber, CanonFloat32, CanonFloat64:
		if x, ok := parseInt64(a); ok {
			if y, ok := parseInt64(b); ok {
				switch {
				case x < y:
					return -1
				case x > y:
					return 1
				}
				return 0
			}
		}
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(b))
		if okx && oky {
			return x.Cmp(y)
		}
	}
	return bytes.Compare(a, b)
}

// EqualCanonical reports whether two canonical texts of a column are the
// same value (nil is NULL): see CanonKind.
func EqualCanonical(k CanonKind, a, b []byte) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if bytes.Equal(a, b) {
		return true
	}
	switch k {
	case CanonNumber:
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(b))
		return okx && oky && x.Cmp(y) == 0
	case CanonFloat64:
		// Both servers print a double's shortest round-trip form, and the
		// load and the applier copy it exactly: equal means the same
		// double (-0 is not 0), whatever the spelling (1e20, 1e+20).
		return floatsExact(string(a), string(b))
	case CanonFloat32:
		return floatsEqual(string(a), string(b), Float32Digits)
	case CanonJSON:
		return jsonEqual(a, b)
	}
	return false
}

func floatsExact(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return x == y && math.Signbit(x) == math.Signbit(y)
}

func floatsEqual(a, b string, digits int) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if x == y {
		return math.Signbit(x) == math.Signbit(y)
	}
	if math.IsNaN(x) && math.IsNaN(y) {
		return true
	}
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		return false
	}
	m := math.Max(math.Abs(x), math.Abs(y))
	unit := math.Pow(10, math.Floor(math.Log10(m))-float64(digits-1))
	return math.Abs(x-y) <= unit/2
}

// jsonEqual compares two JSON documents as values: objects by key (the
// last of duplicate keys wins, as in jsonb), arrays in order, numbers
// numerically, strings after unescaping.
func jsonEqual(a, b []byte) bool {
	x, err1 := decodeJSON(a)
	y, err2 := decodeJSON(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return jsonValuesEqual(x, y)
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func jsonValuesEqual(x, y any) bool {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !jsonValuesEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !jsonValuesEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := y.(json.Number)
		if !ok {
			return false
		}
		if a == b {
			return true
		}
		p, ok1 := new(big.Rat).SetString(string(a))
		q, ok2 := new(big.Rat).SetString(string(b))
		return ok1 && ok2 && p.Cmp(q) == 0
	}
	return x == y // string, bool, nil
}

// parseInt64 parses a decimal integer without allocating.
func parseInt64(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 { // 18 digits always fit
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
