// Package oramask reads Oracle datetime format models, the masks of
// TO_DATE, TO_TIMESTAMP, TO_CHAR and SQL*Loader DATE/TIMESTAMP fields
// ('DD-MON-YYYY HH24:MI:SS.FF', 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM', ...).
//
// Tokenize splits a mask into elements (YYYY, RR, MON, HH24, FF6, TZH,
// ...), punctuation and quoted text, keeping the spelling (Month vs
// MONTH), so a translator can map masks to another dialect's. Parse
// applies a mask to a string the way TO_DATE/TO_TIMESTAMP do, with
// Oracle's forgiving rules: punctuation in the mask matches any run of
// punctuation in the value, numeric elements accept fewer digits, month
// names and abbreviations are interchangeable; FX turns exact matching
// on. Names are English (NLS_DATE_LANGUAGE=AMERICAN).
package oramask

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Token is one element of a format model.
type Token struct {
	// Elem is the element in upper case ("YYYY", "HH24", "FF3", "MON",
	// "TZH", "AM", ...); "" for literal text.
	Elem string
	// Text is the token as written: the element's spelling (its case
	// drives TO_CHAR's capitalisation) or the literal text (without the
	// double quotes of quoted text).
	Text string
	// Quoted is true for "quoted text".
	Quoted bool
}

// elements, longest first where one is a prefix of another.
var elements = []string{
	"SYYYY", "SYEAR", "YYYY", "YEAR", "Y,YYY", "YYY", "YY", "Y",
	"RRRR", "RR", "IYYY", "IYY", "IW", "IY", "I",
	"HH24", "HH12", "HH", "MI", "MONTH", "MON", "MM", "RM",
	"SSSSS", "SS", "SCC", "CC", "DDD", "DAY", "DD", "DY", "DS", "DL", "D",
	"FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FF7", "FF8", "FF9", "FF",
	"A.M.", "P.M.", "AM", "PM", "A.D.", "B.C.", "AD", "BC",
	"TZH", "TZM", "TZR", "TZD", "WW", "W", "Q", "J", "X", "FM", "FX", "EE", "E", "TS",
}

// Tokenize splits a format model into tokens. An unknown element is an
// error naming it.
func Tokenize(mask string) ([]Token, error) {
	var out []Token
	up := strings.ToUpper(mask)
	for i := 0; i < len(mask); {
		c := mask[i]
		switch {
		case c == '"':
			j := strings.IndexByte(mask[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("format %q: quoted text never closed", mask)
			}
			out = append(out, Token{Text: mask[i+1 : i+1+j], Quoted: true})
			i += j + 2
			continue
		case strings.ContainsRune(" -/,.;:", rune(c)):
			out = append(out, Token{Text: mask[i : i+1]})
			i++
			continue
		}
		found := ""
		for _, e := range elements {
			if strings.HasPrefix(up[i:], e) {
				found = e
				break
			}
		}
		if found == "" {
			end := i + 1
			for end < len(mask) && isLetter(mask[end]) {
				end++
			}
			return nil, fmt.Errorf("format %q: unknown element %q", mask, mask[i:end])
		}
		out = append(out, Token{Elem: found, Text: mask[i : i+len(found)]})
		i += len(found)
	}
	return out, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// Value is a parsed date or timestamp.
type Value struct {
	Time time.Time
	// HasZone is true when the mask carried a time zone (TZH, TZR, ...);
	// otherwise Time is in UTC and means wall-clock time.
	HasZone bool
}

var months = []string{"JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"}
var days = []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"}
var romans = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

// Parse reads value with mask like TO_TIMESTAMP_TZ. now supplies what
// the mask leaves out, as in Oracle: the current year and month, day 1,
// midnight (and the century for YY and RR).
func Parse(value, mask string, now time.Time) (Value, error) {
	toks, err := Tokenize(mask)
	if err != nil {
		return Value{}, err
	}
	return ParseTokens(value, toks, now)
}

// ParseTokens is Parse with a tokenized mask (tokenize once, parse many
// values).
func ParseTokens(value string, toks []Token, now time.Time) (Value, error) {
	p := parser{v: value}
	year, month, day := now.Year(), int(now.Month()), 1
	var hour, min, sec, nsec, tzh, tzm, doy int
	pm, hasPM, h12, bc := false, false, false, false
	var loc *time.Location
	fx := false
	bad := func(what string) (Value, error) {
		return Value{}, fmt.Errorf("value %q does not match format %q: %s", value, maskString(toks), what)
	}
	for ti, t := range toks {
		// A value may stop early: the remaining elements keep their
		// defaults (TO_DATE('2021-01-01', 'YYYY-MM-DD HH24:MI:SS')).
		if !fx && strings.TrimSpace(p.v[p.i:]) == "" {
			break
		}
		if t.Elem == "" {
			if fx {
				if !strings.HasPrefix(strings.ToUpper(p.v[p.i:]), strings.ToUpper(t.Text)) {
					return bad(fmt.Sprintf("expected %q at offset %d", t.Text, p.i))
				}
				p.i += len(t.Text)
				continue
			}
			if t.Quoted {
				if strings.HasPrefix(strings.ToUpper(p.v[p.i:]), strings.ToUpper(t.Text)) {
					p.i += len(t.Text)
				}
				continue
			}
			signed := ti+1 < len(toks) && (toks[ti+1].Elem == "TZH" || toks[ti+1].Elem == "TZR" || toks[ti+1].Elem == "SYYYY")
			p.skipPunct(signed)
			continue
		}
		if !fx {
			p.skipSpaces()
		}
		// A numeric element followed directly by another numeric element
		// takes exactly its width ("YYYYMMDD").
		exact := fx || (ti+1 < len(toks) && toks[ti+1].Elem != "" && numericElem(toks[ti+1].Elem))
		var n int
		var ok bool
		switch e := t.Elem; e {
		case "FM":
		case "FX":
			fx = true
		case "YYYY", "SYYYY", "RRRR":
			neg := e == "SYYYY" && p.sign()
			if n, ok = p.num(4, exact); !ok {
				return bad("year expected")
			}
			year = n
			if e == "RRRR" && p.lastLen <= 2 {
				year = rrYear(n, now)
			}
			if neg {
				year = -n
			}
		case "Y,YYY":
			a, ok1 := p.num(1, true)
			if p.i < len(p.v) && p.v[p.i] == ',' {
				p.i++
			}
			b, ok2 := p.num(3, true)
			if !ok1 || !ok2 {
				return bad("year expected")
			}
			year = a*1000 + b
		case "YYY", "YY", "Y":
			if n, ok = p.num(len(e), exact); !ok {
				return bad("year expected")
			}
			m := 1
			for range e {
				m *= 10
			}
			year = now.Year()/m*m + n
		case "RR":
			if n, ok = p.num(2, exact); !ok {
				return bad("year expected")
			}
			if p.lastLen > 2 {
				year = n
			} else {
				year = rrYear(n, now)
			}
		case "MM":
			if n, ok = p.num(2, exact); !ok || n < 1 || n > 12 {
				return bad("month (1-12) expected")
			}
			month = n
		case "MON", "MONTH":
			if month, ok = p.name(months, 3); !ok {
				return bad("month name expected")
			}
		case "RM":
			if month, ok = p.roman(); !ok {
				return bad("roman month expected")
			}
		case "DD":
			if n, ok = p.num(2, exact); !ok || n < 1 || n > 31 {
				return bad("day (1-31) expected")
			}
			day = n
		case "DDD":
			if n, ok = p.num(3, exact); !ok || n < 1 || n > 366 {
				return bad("day of year expected")
			}
			doy = n
		case "DY", "DAY":
			if _, ok = p.name(days, 3); !ok {
				return bad("day name expected")
			}
		case "D":
			if _, ok = p.num(1, exact); !ok {
				return bad("day of week expected")
			}
		case "HH", "HH12", "HH24":
			if n, ok = p.num(2, exact); !ok {
				return bad("hour expected")
			}
			if e == "HH24" {
				if n > 23 {
					return bad("hour (0-23) expected")
				}
			} else {
				if n < 1 || n > 12 {
					return bad("hour (1-12) expected")
				}
				h12 = true
			}
			hour = n
		case "MI":
			if n, ok = p.num(2, exact); !ok || n > 59 {
				return bad("minutes (0-59) expected")
			}
			min = n
		case "SS":
			if n, ok = p.num(2, exact); !ok || n > 59 {
				return bad("seconds (0-59) expected")
			}
			sec = n
		case "SSSSS":
			if n, ok = p.num(5, exact); !ok || n > 86399 {
				return bad("seconds past midnight expected")
			}
			hour, min, sec = n/3600, n/60%60, n%60
		case "X":
			if p.i < len(p.v) && (p.v[p.i] == '.' || p.v[p.i] == ',') {
				p.i++
			}
		case "FF", "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FF7", "FF8", "FF9":
			width := 9
			if len(e) == 3 {
				width = int(e[2] - '0')
			}
			start := p.i
			if n, ok = p.num(width, false); !ok {
				return bad("fractional seconds expected")
			}
			for d := p.i - start; d < 9; d++ {
				n *= 10
			}
			nsec = n
		case "AM", "PM", "A.M.", "P.M.":
			rest := strings.ToUpper(p.v[p.i:])
			switch {
			case strings.HasPrefix(rest, "A.M."), strings.HasPrefix(rest, "P.M."):
				pm = rest[0] == 'P'
				p.i += 4
			case strings.HasPrefix(rest, "AM"), strings.HasPrefix(rest, "PM"):
				pm = rest[0] == 'P'
				p.i += 2
			default:
				return bad("AM or PM expected")
			}
			hasPM = true
		case "AD", "BC", "A.D.", "B.C.":
			rest := strings.ToUpper(p.v[p.i:])
			switch {
			case strings.HasPrefix(rest, "A.D."), strings.HasPrefix(rest, "B.C."):
				bc = rest[0] == 'B'
				p.i += 4
			case strings.HasPrefix(rest, "AD"), strings.HasPrefix(rest, "BC"):
				bc = rest[0] == 'B'
				p.i += 2
			default:
				return bad("AD or BC expected")
			}
		case "TZH":
			neg := p.sign()
			if n, ok = p.num(2, exact); !ok || n > 14 {
				return bad("time zone hour expected")
			}
			tzh = n
			if neg {
				tzh = -n
			}
			if loc == nil {
				loc = time.UTC
			}
		case "TZM":
			if n, ok = p.num(2, exact); !ok || n > 59 {
				return bad("time zone minutes expected")
			}
			tzm = n
		case "TZR":
			j := p.i
			for j < len(p.v) && !isBlank(p.v[j]) {
				j++
			}
			name := p.v[p.i:j]
			if len(name) > 0 && (name[0] == '+' || name[0] == '-') {
				off, err := time.Parse("-07:00", name)
				if err != nil {
					return bad("time zone offset expected")
				}
				_, o := off.Zone()
				tzh, tzm = o/3600, (o%3600)/60
				if tzm < 0 {
					tzm = -tzm
				}
				loc = time.UTC
			} else {
				l, err := time.LoadLocation(name)
				if err != nil {
					return bad(fmt.Sprintf("unknown time zone %q", name))
				}
				loc = l
			}
			p.i = j
		case "TZD":
			for p.i < len(p.v) && isLetter(p.v[p.i]) {
				p.i++
			}
		default:
			return bad(fmt.Sprintf("element %s cannot be used to read a value", t.Text))
		}
	}
	p.skipSpaces()
	if p.i < len(p.v) {
		return bad(fmt.Sprintf("unexpected %q at the end", p.v[p.i:]))
	}
	if h12 || hasPM {
		if hour == 12 {
			hour = 0
		}
		if pm {
			hour += 12
		}
	}
	if bc {
		year = 1 - year
	}
	zone := time.UTC
	hasZone := loc != nil
	if loc != nil {
		zone = loc
		if loc == time.UTC && (tzh != 0 || tzm != 0) {
			off := tzh*3600 + tzm*60
			if tzh < 0 {
				off = tzh*3600 - tzm*60
			}
			zone = time.FixedZone(fmt.Sprintf("%+03d:%02d", tzh, tzm), off)
		}
	}
	if doy > 0 {
		t := time.Date(year, 1, 1, hour, min, sec, nsec, zone).AddDate(0, 0, doy-1)
		return Value{Time: t, HasZone: hasZone}, nil
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, zone)
	if t.Day() != day {
		return bad(fmt.Sprintf("day %d is not in month %d of %d", day, month, year))
	}
	return Value{Time: t, HasZone: hasZone}, nil
}

// rrYear applies Oracle's RR rule to a two-digit year.
func rrYear(yy int, now time.Time) int {
	cur := now.Year()
	century := cur / 100 * 100
	switch {
	case cur%100 < 50 && yy >= 50:
		return century - 100 + yy
	case cur%100 >= 50 && yy < 50:
		return century + 100 + yy
	}
	return century + yy
}

func numericElem(e string) bool {
	switch e {
	case "MON", "MONTH", "DY", "DAY", "AM", "PM", "A.M.", "P.M.", "AD", "BC", "A.D.", "B.C.", "TZR", "TZD", "FM", "FX", "RM", "X":
		return false
	}
	return true
}

func maskString(toks []Token) string {
	var b strings.Builder
	for _, t := range toks {
		if t.Quoted {
			b.WriteString(`"` + t.Text + `"`)
		} else {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

type parser struct {
	v       string
	i       int
	lastLen int
}

func (p *parser) skipSpaces() {
	for p.i < len(p.v) && isBlank(p.v[p.i]) {
		p.i++
	}
}

// skipPunct skips a run of punctuation and blanks (Oracle lets any
// separator in the value match a separator in the mask), stopping at a
// sign when keepSign (a signed element follows).
func (p *parser) skipPunct(keepSign bool) {
	for p.i < len(p.v) && !isDigit(p.v[p.i]) && !isLetter(p.v[p.i]) && !(keepSign && (p.v[p.i] == '+' || p.v[p.i] == '-')) {
		p.i++
	}
}

func (p *parser) sign() bool {
	if p.i < len(p.v) && (p.v[p.i] == '-' || p.v[p.i] == '+') {
		p.i++
		return p.v[p.i-1] == '-'
	}
	return false
}

// num reads up to width digits (exactly width when exact).
func (p *parser) num(width int, exact bool) (int, bool) {
	j := p.i
	for j < len(p.v) && j-p.i < width && isDigit(p.v[j]) {
		j++
	}
	if j == p.i || (exact && j-p.i != width && j < len(p.v) && isDigit(p.v[j])) {
		return 0, false
	}
	n, err := strconv.Atoi(p.v[p.i:j])
	if err != nil {
		return 0, false
	}
	p.lastLen = j - p.i
	p.i = j
	return n, true
}

// name reads a full name from names or its first abbrev letters; it
// returns the 1-based index.
func (p *parser) name(names []string, abbrev int) (int, bool) {
	rest := strings.ToUpper(p.v[p.i:])
	for i, n := range names {
		if strings.HasPrefix(rest, n) {
			p.i += len(n)
			return i + 1, true
		}
	}
	for i, n := range names {
		if strings.HasPrefix(rest, n[:abbrev]) {
			p.i += abbrev
			return i + 1, true
		}
	}
	return 0, false
}

func (p *parser) roman() (int, bool) {
	rest := strings.ToUpper(p.v[p.i:])
	best, bl := 0, 0
	for i, r := range romans {
		if strings.HasPrefix(rest, r) && len(r) > bl {
			best, bl = i+1, len(r)
		}
	}
	p.i += bl
	return best, bl > 0
}
