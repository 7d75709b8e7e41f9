package oraclescript

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ferrydb/ferry/convert/oramask"
)

// expr := term (('+' | '-' | '||') term)*
func (p *parser) expr() (Value, error) {
	v, err := p.term()
	if err != nil {
		return v, err
	}
	for {
		t := p.peek()
		if t.kind != tOp || (t.text != "+" && t.text != "-" && t.text != "||") {
			return v, nil
		}
		p.next()
		w, err := p.term()
		if err != nil {
			return v, err
		}
		if v, err = p.binary(t, v, w); err != nil {
			return v, err
		}
	}
}

// term := unary (('*' | '/') unary)*
func (p *parser) term() (Value, error) {
	v, err := p.unary()
	if err != nil {
		return v, err
	}
	for {
		t := p.peek()
		if t.kind != tOp || (t.text != "*" && t.text != "/") {
			return v, nil
		}
		p.next()
		w, err := p.unary()
		if err != nil {
			return v, err
		}
		if v, err = p.binary(t, v, w); err != nil {
			return v, err
		}
	}
}

func (p *parser) unary() (Value, error) {
	if t := p.peek(); t.kind == tOp && (t.text == "-" || t.text == "+") {
		p.next()
		v, err := p.unary()
		if err != nil || t.text == "+" {
			return v, err
		}
		switch v.Kind {
		case Null:
			return v, nil
		case Number:
			if strings.HasPrefix(v.Str, "-") {
				v.Str = v.Str[1:]
			} else {
				v.Str = "-" + v.Str
			}
			return v, nil
		}
		return v, p.errf(t, "cannot negate a %s", v.Kind)
	}
	return p.primary()
}

// text is Oracle's implicit conversion of a value to a string (NULL is
// the empty string for ||).
func text(v Value) string {
	switch v.Kind {
	case String, Number:
		return v.Str
	case Raw:
		return strings.ToUpper(hex.EncodeToString(v.Bytes))
	case Date:
		return v.Time.Format("2006-01-02 15:04:05")
	case Timestamp:
		return v.Time.Format("2006-01-02 15:04:05.999999999")
	}
	return ""
}

func (p *parser) binary(op token, a, b Value) (Value, error) {
	if op.text == "||" {
		s := text(a) + text(b)
		if s == "" { // '' is NULL
			return Value{}, nil
		}
		return Value{Kind: String, Str: s}, nil
	}
	if a.Kind == Null || b.Kind == Null {
		return Value{}, nil
	}
	// date ± days
	if (a.Kind == Date || a.Kind == Timestamp) && b.Kind == Number && (op.text == "+" || op.text == "-") {
		r, ok := new(big.Rat).SetString(b.Str)
		if !ok {
			return a, p.errf(op, "bad number %q", b.Str)
		}
		if op.text == "-" {
			r.Neg(r)
		}
		secs, _ := new(big.Rat).Mul(r, big.NewRat(86400, 1)).Float64()
		a.Time = a.Time.Add(time.Duration(secs * float64(time.Second)).Round(time.Second))
		a.Kind = Date
		return a, nil
	}
	if a.Kind != Number || b.Kind != Number {
		return a, p.errf(op, "cannot compute %s %s %s in a data script", a.Kind, op.text, b.Kind)
	}
	x, ok1 := new(big.Rat).SetString(a.Str)
	y, ok2 := new(big.Rat).SetString(b.Str)
	if !ok1 || !ok2 {
		return a, p.errf(op, "bad number")
	}
	switch op.text {
	case "+":
		x.Add(x, y)
	case "-":
		x.Sub(x, y)
	case "*":
		x.Mul(x, y)
	case "/":
		if y.Sign() == 0 {
			return a, p.errf(op, "division by zero")
		}
		x.Quo(x, y)
	}
	return Value{Kind: Number, Str: ratString(x)}, nil
}

// ratString prints r exactly when it is a finite decimal, else with 38
// significant digits (Oracle NUMBER's precision).
func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	if prec, exact := r.FloatPrec(); exact {
		return r.FloatString(prec)
	}
	s := r.FloatString(40)
	return strings.TrimRight(s, "0")
}

func (p *parser) primary() (Value, error) {
	t := p.next()
	switch t.kind {
	case tString:
		if t.text == "" {
			return Value{}, nil // '' is NULL
		}
		return Value{Kind: String, Str: t.text}, nil
	case tNumber:
		s := t.text
		if strings.HasPrefix(s, ".") {
			s = "0" + s
		}
		s = strings.TrimSuffix(s, ".")
		if strings.HasSuffix(s, ".e") || strings.HasSuffix(s, ".E") {
			return Value{}, p.errf(t, "malformed number %q", t.text)
		}
		return Value{Kind: Number, Str: s}, nil
	case tOp:
		if t.text == "(" {
			v, err := p.expr()
			if err != nil {
				return v, err
			}
			return v, p.expect(tOp, ")")
		}
		return Value{}, p.errf(t, "expected a value, found %s", describe(t))
	case tQIdent:
		return Value{}, p.errf(t, "column reference %q in a value: only constants can be loaded", t.text)
	case tEOF:
		return Value{}, p.errf(t, "expected a value, found the end of the statement")
	}
	name := t.text
	switch name {
	case "NULL":
		return Value{}, nil
	case "DATE", "TIMESTAMP":
		if s := p.peek(); s.kind == tString {
			p.next()
			return p.ansiLiteral(t, s)
		}
	case "SYSDATE", "CURRENT_DATE":
		return Value{Kind: Date, Time: p.s.Now}, nil
	case "SYSTIMESTAMP", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP":
		return Value{Kind: Timestamp, Time: p.s.Now, Zone: name != "LOCALTIMESTAMP"}, nil
	case "TRUE", "FALSE":
		return Value{Kind: String, Str: name}, nil
	}
	if p.accept(tOp, ".") {
		u, err := p.name()
		if err != nil {
			return Value{}, err
		}
		if u.Name == "NEXTVAL" || u.Name == "CURRVAL" {
			return Value{}, p.errf(t, "%s.%s: sequence values cannot be computed without Oracle; put the numbers in the script", name, u.Name)
		}
		name += "." + u.Name
	}
	if p.accept(tOp, "(") {
		var args []Value
		if !p.accept(tOp, ")") {
			for {
				v, err := p.expr()
				if err != nil {
					return v, err
				}
				args = append(args, v)
				if p.accept(tOp, ")") {
					break
				}
				if err := p.expect(tOp, ","); err != nil {
					return v, err
				}
			}
		}
		return p.call(t, name, args)
	}
	if v, ok := p.vars[name]; ok {
		return v, nil
	}
	return Value{}, p.errf(t, "%s is not a constant: only literals, constant functions and declared variables can be loaded", name)
}

func (p *parser) ansiLiteral(kw, s token) (Value, error) {
	masks := []string{"YYYY-MM-DD"}
	kind := Date
	if kw.text == "TIMESTAMP" {
		kind = Timestamp
		masks = []string{"YYYY-MM-DD HH24:MI:SS.FF TZH:TZM", "YYYY-MM-DD HH24:MI:SS.FF TZR", "YYYY-MM-DD HH24:MI:SS.FF", "YYYY-MM-DD HH24:MI:SS", "YYYY-MM-DD"}
	}
	for _, m := range masks {
		if v, err := p.s.parseTime(strings.TrimSpace(s.text), m); err == nil {
			return Value{Kind: kind, Time: v.Time, Zone: v.HasZone}, nil
		}
	}
	return Value{}, p.errf(s, "bad %s literal '%s'", kw.text, s.text)
}

func (p *parser) call(t token, name string, args []Value) (Value, error) {
	nargs := func(lo, hi int) error {
		if len(args) < lo || len(args) > hi {
			return p.errf(t, "%s takes %d to %d arguments, not %d", name, lo, hi, len(args))
		}
		return nil
	}
	switch name {
	case "TO_DATE", "TO_TIMESTAMP", "TO_TIMESTAMP_TZ":
		if err := nargs(1, 3); err != nil {
			return Value{}, err
		}
		if args[0].Kind == Null {
			return Value{}, nil
		}
		if args[0].Kind == Date || args[0].Kind == Timestamp {
			return args[0], nil
		}
		mask := map[string]string{"TO_DATE": p.s.DateFormat, "TO_TIMESTAMP": p.s.TimestampFormat, "TO_TIMESTAMP_TZ": p.s.TimestampTZFormat}[name]
		if len(args) > 1 {
			mask = args[1].Str
		}
		v, err := p.s.parseTime(strings.TrimSpace(text(args[0])), mask)
		if err != nil {
			return Value{}, p.errf(t, "%s: %v", name, err)
		}
		if name == "TO_DATE" {
			return Value{Kind: Date, Time: v.Time.Truncate(time.Second)}, nil
		}
		return Value{Kind: Timestamp, Time: v.Time, Zone: v.HasZone}, nil
	case "TO_NUMBER", "TO_BINARY_DOUBLE", "TO_BINARY_FLOAT":
		if err := nargs(1, 1); err != nil {
			return Value{}, err
		}
		switch args[0].Kind {
		case Null, Number:
			return args[0], nil
		}
		s := strings.TrimSpace(text(args[0]))
		if _, ok := new(big.Rat).SetString(s); !ok {
			return Value{}, p.errf(t, "%s('%s'): not a number", name, s)
		}
		return Value{Kind: Number, Str: s}, nil
	case "TO_CHAR", "TO_NCHAR", "TO_CLOB", "TO_NCLOB":
		if len(args) != 1 {
			return Value{}, p.errf(t, "%s with a format cannot be loaded", name)
		}
		if args[0].Kind == Null {
			return args[0], nil
		}
		return Value{Kind: String, Str: text(args[0])}, nil
	case "UTL_RAW.CAST_TO_RAW", "TO_BLOB":
		if err := nargs(1, 1); err != nil {
			return Value{}, err
		}
		switch args[0].Kind {
		case Null, Raw:
			return args[0], nil
		}
		return Value{Kind: Raw, Bytes: []byte(text(args[0]))}, nil
	case "HEXTORAW":
		if err := nargs(1, 1); err != nil {
			return Value{}, err
		}
		if args[0].Kind == Null {
			return args[0], nil
		}
		b, err := hex.DecodeString(strings.TrimSpace(text(args[0])))
		if err != nil {
			return Value{}, p.errf(t, "HEXTORAW: %v", err)
		}
		return Value{Kind: Raw, Bytes: b}, nil
	case "UTL_RAW.CAST_TO_VARCHAR2":
		if err := nargs(1, 1); err != nil {
			return Value{}, err
		}
		if args[0].Kind == Raw {
			return Value{Kind: String, Str: string(args[0].Bytes)}, nil
		}
		return args[0], nil
	case "EMPTY_BLOB":
		return Value{Kind: Raw, Bytes: []byte{}}, nil
	case "EMPTY_CLOB":
		return Value{Kind: String, Str: ""}, nil
	case "CHR", "NCHR":
		if err := nargs(1, 1); err != nil {
			return Value{}, err
		}
		var n int
		if _, err := fmt.Sscan(args[0].Str, &n); err != nil || args[0].Kind != Number {
			return Value{}, p.errf(t, "CHR needs a number")
		}
		return Value{Kind: String, Str: string(rune(n))}, nil
	case "NVL":
		if err := nargs(2, 2); err != nil {
			return Value{}, err
		}
		if args[0].Kind == Null {
			return args[1], nil
		}
		return args[0], nil
	}
	return Value{}, p.errf(t, "function %s cannot be computed by a script load (supported: TO_DATE, TO_TIMESTAMP[_TZ], TO_NUMBER, TO_CHAR, HEXTORAW, UTL_RAW.CAST_TO_RAW, CHR, NVL, EMPTY_BLOB, EMPTY_CLOB)", name)
}

// ToTime converts a string to a date or timestamp like Oracle's implicit
// conversion, with the session's NLS masks (NLS_DATE_FORMAT for Date,
// NLS_TIMESTAMP_FORMAT then NLS_TIMESTAMP_TZ_FORMAT for Timestamp); ISO
// 'YYYY-MM-DD[ HH24:MI:SS[.FF]]' is accepted too.
func (s *Session) ToTime(str string, kind Kind) (Value, error) {
	str = strings.TrimSpace(str)
	masks := []string{s.DateFormat}
	if kind == Timestamp {
		masks = []string{s.TimestampFormat, s.TimestampTZFormat}
	}
	masks = append(masks, "YYYY-MM-DD HH24:MI:SS.FF", "YYYY-MM-DD HH24:MI:SS", "YYYY-MM-DD")
	var first error
	for _, m := range masks {
		v, err := s.parseTime(str, m)
		if err == nil {
			return Value{Kind: kind, Time: v.Time, Zone: v.HasZone}, nil
		}
		if first == nil {
			first = err
		}
	}
	return Value{}, first
}

// parseTime parses str with mask, tokenizing each mask once.
func (s *Session) parseTime(str, mask string) (oramask.Value, error) {
	toks, ok := s.masks[mask]
	if !ok {
		var err error
		if toks, err = oramask.Tokenize(mask); err != nil {
			return oramask.Value{}, err
		}
		if s.masks == nil || len(s.masks) > 256 {
			s.masks = map[string][]oramask.Token{}
		}
		s.masks[mask] = toks
	}
	return oramask.ParseTokens(str, toks, s.Now)
}
