// Package sqlldr reads SQL*Loader control files and the data files they
// describe, streaming one record at a time.
//
// Supported: OPTIONS (SKIP=n; other options are ignored), LOAD [DATA],
// CHARACTERSET (UTF8/AL32UTF8 only), INFILE 'file' (several) or INFILE *
// with BEGINDATA, BADFILE/DISCARDFILE/DISCARDMAX (ignored: a bad record
// stops the load), INTO TABLE [schema.]t with APPEND, REPLACE, TRUNCATE
// or INSERT (before or after INTO TABLE), FIELDS TERMINATED BY ','|X'09'|
// WHITESPACE [OPTIONALLY] ENCLOSED BY '"' [AND '"'], TRAILING NULLCOLS,
// and fields with POSITION(a:b) / POSITION(a-b), CHAR[(n)], INTEGER
// EXTERNAL, DECIMAL EXTERNAL, FLOAT EXTERNAL, DATE ["mask"], TIMESTAMP
// [WITH [LOCAL] TIME ZONE] ["mask"], a field's own TERMINATED/ENCLOSED
// BY, NULLIF field = BLANKS / = 'x' / != 'x', FILLER, CONSTANT 'x',
// RECNUM, SYSDATE and SEQUENCE(n[, step]). Anything else (WHEN, SQL
// expressions, binary types, DEFAULTIF, record formats, several INTO
// TABLE clauses) is an error naming the clause and its line.
package sqlldr

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Method is what happens to the table's existing rows.
type Method string

// Load methods.
const (
	Insert   Method = "INSERT"   // the table must be empty (SQL*Loader's default)
	Append   Method = "APPEND"   // keep the rows
	Replace  Method = "REPLACE"  // delete the rows first
	Truncate Method = "TRUNCATE" // truncate first
)

// Type is a field's data type.
type Type int

// Field types.
const (
	Char Type = iota
	IntegerExternal
	DecimalExternal
	FloatExternal
	DateType
	TimestampType
	TimestampTZType
)

// Cond is a NULLIF condition.
type Cond struct {
	Field  string // field name (upper case)
	Blanks bool   // = BLANKS
	Not    bool   // != / <>
	Value  string
}

// Field is one field of the record description.
type Field struct {
	Name     string // as written; Quoted says whether it was "quoted"
	Quoted   bool
	Filler   bool
	Start    int // POSITION start (1-based), 0 if none
	End      int // POSITION end (inclusive), 0 if none
	Length   int // CHAR(n) etc., 0 if none
	Type     Type
	Mask     string
	Term     *Delim // field's own TERMINATED BY, else the table's
	Encl     *Encl  // field's own ENCLOSED BY, else the table's
	NullIf   *Cond
	Constant *string // CONSTANT 'x'
	RecNum   bool
	SysDate  bool
	Seq      *[2]int64 // SEQUENCE(start, step)
	Line     int       // line in the control file
}

// Generated reports whether the field takes nothing from the record.
func (f *Field) Generated() bool {
	return f.Constant != nil || f.RecNum || f.SysDate || f.Seq != nil
}

// Delim is a field terminator.
type Delim struct {
	Whitespace bool
	Str        string
}

// Encl is an enclosure.
type Encl struct {
	Optional   bool
	Open, Shut string
}

// Control is a parsed control file.
type Control struct {
	Path     string
	Skip     int
	Infiles  []string // "" is the BEGINDATA data of the control file
	Method   Method
	Schema   string
	Table    string
	TQuoted  bool // the table name was quoted
	Term     *Delim
	Encl     *Encl
	Trailing bool // TRAILING NULLCOLS
	Fields   []*Field
	Notes    []string // ignored clauses, for the log
	// dataLine is the control file's line before BEGINDATA data.
	dataLine int
}

// ParseFile reads a control file up to BEGINDATA (the data after it is
// read by Records).
func ParseFile(path string) (*Control, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sqlldr: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var b strings.Builder
	line := 0
	dataLine := -1
	for {
		s, err := br.ReadString('\n')
		if s != "" {
			line++
			if strings.EqualFold(strings.TrimSpace(s), "BEGINDATA") {
				dataLine = line
				break
			}
			b.WriteString(s)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sqlldr: %s: %w", path, err)
		}
	}
	c, err := Parse(b.String(), path)
	if err != nil {
		return nil, err
	}
	c.dataLine = dataLine
	for i, in := range c.Infiles {
		if in == "" && dataLine < 0 {
			return nil, fmt.Errorf("%s: INFILE * but no BEGINDATA section", path)
		}
		if in != "" && !filepath.IsAbs(in) {
			c.Infiles[i] = filepath.Join(filepath.Dir(path), in)
		}
	}
	if len(c.Infiles) == 0 {
		if dataLine >= 0 {
			c.Infiles = []string{""}
		} else {
			// SQL*Loader's default: the control file's name with .dat
			c.Infiles = []string{strings.TrimSuffix(path, filepath.Ext(path)) + ".dat"}
		}
	}
	return c, nil
}

type ctok struct {
	kind byte // 'w' word, 's' 'string', 'q' "string", 'x' X'hex', 'n' number, 'p' punctuation, 0 EOF
	text string
	line int
}

func ctlLex(src, path string) ([]ctok, error) {
	var out []ctok
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case (c == 'x' || c == 'X') && i+1 < len(src) && src[i+1] == '\'':
			j := strings.IndexByte(src[i+2:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("%s:%d: X'...' never closed", path, line)
			}
			out = append(out, ctok{'x', src[i+2 : i+2+j], line})
			i += j + 3
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(src[j:], c)
				if k < 0 {
					return nil, fmt.Errorf("%s:%d: quote %c never closed", path, line, c)
				}
				b.WriteString(src[j : j+k])
				j += k + 1
				if j < len(src) && src[j] == c { // doubled quote
					b.WriteByte(c)
					j++
					continue
				}
				break
			}
			kind := byte('s')
			if c == '"' {
				kind = 'q'
			}
			out = append(out, ctok{kind, b.String(), line})
			line += strings.Count(src[i:j], "\n")
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			out = append(out, ctok{'n', src[i:j], line})
			i = j
		case c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' || c >= 0x80:
			j := i
			for j < len(src) && (src[j]|0x20 >= 'a' && src[j]|0x20 <= 'z' || src[j] >= '0' && src[j] <= '9' || src[j] == '_' || src[j] == '$' || src[j] == '#' || src[j] >= 0x80) {
				j++
			}
			out = append(out, ctok{'w', strings.ToUpper(src[i:j]), line})
			i = j
		default:
			if strings.HasPrefix(src[i:], "!=") || strings.HasPrefix(src[i:], "<>") {
				out = append(out, ctok{'p', "!=", line})
				i += 2
				continue
			}
			out = append(out, ctok{'p', src[i : i+1], line})
			i++
		}
	}
	return append(out, ctok{0, "", line}), nil
}

type cparser struct {
	toks []ctok
	i    int
	path string
}

func (p *cparser) peek() ctok { return p.toks[p.i] }
func (p *cparser) next() ctok {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}
func (p *cparser) isWord(w string) bool { t := p.peek(); return t.kind == 'w' && t.text == w }
func (p *cparser) acceptWord(w string) bool {
	if p.isWord(w) {
		p.i++
		return true
	}
	return false
}
func (p *cparser) acceptP(s string) bool {
	if t := p.peek(); t.kind == 'p' && t.text == s {
		p.i++
		return true
	}
	return false
}
func (p *cparser) errf(t ctok, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.path, t.line, fmt.Sprintf(format, args...))
}
func (p *cparser) expectP(s string) error {
	if !p.acceptP(s) {
		t := p.peek()
		return p.errf(t, "expected %q, found %q", s, t.text)
	}
	return nil
}

func unsupported(p *cparser, t ctok, what string) error {
	return p.errf(t, "%s is not supported by ferry's SQL*Loader reader (supported: see docs/oracle.md, \"Loading data from scripts\")", what)
}

// Parse parses control file text (without its BEGINDATA data); path is
// used in messages.
func Parse(src, path string) (*Control, error) {
	toks, err := ctlLex(src, path)
	if err != nil {
		return nil, err
	}
	p := &cparser{toks: toks, path: path}
	c := &Control{Path: path, Method: Insert}
	if p.acceptWord("OPTIONS") {
		if err := p.expectP("("); err != nil {
			return nil, err
		}
		for !p.acceptP(")") {
			t := p.next()
			if t.kind == 0 {
				return nil, p.errf(t, "OPTIONS never closed")
			}
			if t.kind == 'w' && t.text == "SKIP" && p.acceptP("=") {
				n := p.next()
				v, err := strconv.Atoi(n.text)
				if err != nil {
					return nil, p.errf(n, "SKIP=%s: not a number", n.text)
				}
				c.Skip = v
			}
		}
	}
	if t := p.peek(); !p.acceptWord("LOAD") {
		if !p.isWord("CONTINUE_LOAD") {
			return nil, p.errf(t, "expected LOAD DATA, found %q", t.text)
		}
		return nil, unsupported(p, t, "CONTINUE_LOAD")
	}
	p.acceptWord("DATA")
	for {
		t := p.peek()
		switch {
		case p.acceptWord("CHARACTERSET"):
			cs := p.next()
			switch strings.ToUpper(cs.text) {
			case "UTF8", "AL32UTF8", "US7ASCII":
			default:
				return nil, unsupported(p, cs, "CHARACTERSET "+cs.text+" (convert the data file to UTF-8 first, e.g. with iconv)")
			}
		case p.acceptWord("BYTEORDER"), p.acceptWord("LENGTH"):
			return nil, unsupported(p, t, t.text)
		case p.acceptWord("INFILE"):
			f := p.next()
			switch {
			case f.kind == 'p' && f.text == "*":
				c.Infiles = append(c.Infiles, "")
			case f.kind == 's' || f.kind == 'q' || f.kind == 'w':
				c.Infiles = append(c.Infiles, f.text)
			default:
				return nil, p.errf(f, "INFILE: expected a file name or *")
			}
			if q := p.peek(); q.kind == 'q' {
				return nil, unsupported(p, q, fmt.Sprintf("record format %q", q.text))
			}
		case p.acceptWord("BADFILE"), p.acceptWord("DISCARDFILE"):
			f := p.next()
			c.Notes = append(c.Notes, fmt.Sprintf("%s %s ignored: a bad record stops the load instead", t.text, f.text))
		case p.acceptWord("DISCARDMAX"), p.acceptWord("DISCARDS"):
			p.next()
		case p.isWord("APPEND") || p.isWord("REPLACE") || p.isWord("TRUNCATE") || p.isWord("INSERT"):
			c.Method = Method(p.next().text)
		case p.acceptWord("INTO"):
			if c.Table != "" {
				return nil, unsupported(p, t, "a second INTO TABLE")
			}
			if err := p.intoTable(c); err != nil {
				return nil, err
			}
		case t.kind == 0:
			if c.Table == "" {
				return nil, p.errf(t, "no INTO TABLE clause")
			}
			return c, nil
		default:
			return nil, unsupported(p, t, fmt.Sprintf("clause %q", t.text))
		}
	}
}

func (p *cparser) name() (string, bool, error) {
	t := p.next()
	switch t.kind {
	case 'w':
		return t.text, false, nil
	case 'q':
		return t.text, true, nil
	}
	return "", false, p.errf(t, "expected a name, found %q", t.text)
}

func (p *cparser) intoTable(c *Control) error {
	if t := p.peek(); !p.acceptWord("TABLE") {
		return p.errf(t, "expected INTO TABLE")
	}
	n, q, err := p.name()
	if err != nil {
		return err
	}
	c.Table, c.TQuoted = n, q
	if p.acceptP(".") {
		c.Schema = n
		if c.Table, c.TQuoted, err = p.name(); err != nil {
			return err
		}
	}
	for {
		t := p.peek()
		switch {
		case p.isWord("APPEND") || p.isWord("REPLACE") || p.isWord("TRUNCATE") || p.isWord("INSERT"):
			c.Method = Method(p.next().text)
		case p.isWord("WHEN") || p.isWord("SORTED") || p.isWord("SINGLEROW") || p.isWord("PARTITION") || p.isWord("SUBPARTITION") || p.isWord("OID") || p.isWord("SID") || p.isWord("TREAT") || p.isWord("REENABLE") || p.isWord("EVALUATE"):
			return unsupported(p, t, t.text)
		case p.acceptWord("FIELDS"):
			term, encl, err := p.delims()
			if err != nil {
				return err
			}
			c.Term, c.Encl = term, encl
		case p.acceptWord("TRAILING"):
			if t := p.peek(); !p.acceptWord("NULLCOLS") {
				return p.errf(t, "expected TRAILING NULLCOLS")
			}
			c.Trailing = true
		case p.acceptP("("):
			return p.fields(c)
		default:
			return unsupported(p, t, fmt.Sprintf("clause %q in INTO TABLE", t.text))
		}
	}
}

// delims reads [TERMINATED BY x] [[OPTIONALLY] ENCLOSED BY 'a' [AND 'b']].
func (p *cparser) delims() (*Delim, *Encl, error) {
	var term *Delim
	var encl *Encl
	for {
		t := p.peek()
		switch {
		case p.acceptWord("TERMINATED"):
			p.acceptWord("BY")
			d := p.next()
			switch {
			case d.kind == 'w' && d.text == "WHITESPACE":
				term = &Delim{Whitespace: true}
			case d.kind == 'w' && d.text == "EOF":
				return nil, nil, unsupported(p, d, "TERMINATED BY EOF")
			case d.kind == 's' || d.kind == 'q':
				term = &Delim{Str: d.text}
			case d.kind == 'x':
				s, err := hexStr(d.text)
				if err != nil {
					return nil, nil, p.errf(d, "X'%s': %v", d.text, err)
				}
				term = &Delim{Str: s}
			default:
				return nil, nil, p.errf(d, "TERMINATED BY: expected 'x', X'hex' or WHITESPACE")
			}
		case p.isWord("OPTIONALLY") || p.isWord("ENCLOSED"):
			opt := p.acceptWord("OPTIONALLY")
			if !p.acceptWord("ENCLOSED") {
				return nil, nil, p.errf(p.peek(), "expected ENCLOSED BY")
			}
			p.acceptWord("BY")
			open, err := p.delimStr()
			if err != nil {
				return nil, nil, err
			}
			e := &Encl{Optional: opt, Open: open, Shut: open}
			if p.acceptWord("AND") {
				if e.Shut, err = p.delimStr(); err != nil {
					return nil, nil, err
				}
			}
			encl = e
		default:
			_ = t
			return term, encl, nil
		}
	}
}

func (p *cparser) delimStr() (string, error) {
	d := p.next()
	switch d.kind {
	case 's', 'q':
		if d.text == "" {
			return "", p.errf(d, "empty enclosure")
		}
		return d.text, nil
	case 'x':
		s, err := hexStr(d.text)
		if err != nil {
			return "", p.errf(d, "X'%s': %v", d.text, err)
		}
		return s, nil
	}
	return "", p.errf(d, "expected a quoted string or X'hex'")
}

func hexStr(h string) (string, error) {
	if len(h)%2 != 0 {
		return "", fmt.Errorf("odd number of hex digits")
	}
	b := make([]byte, len(h)/2)
	for i := range b {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return "", err
		}
		b[i] = byte(v)
	}
	return string(b), nil
}

func (p *cparser) fields(c *Control) error {
	for {
		f := &Field{Line: p.peek().line}
		var err error
		if f.Name, f.Quoted, err = p.name(); err != nil {
			return err
		}
		if err := p.fieldSpec(f); err != nil {
			return err
		}
		c.Fields = append(c.Fields, f)
		if p.acceptP(")") {
			return nil
		}
		if t := p.peek(); !p.acceptP(",") {
			return p.errf(t, "expected ',' or ')' after field %s, found %q", f.Name, t.text)
		}
	}
}

func (p *cparser) length() (int, error) {
	if !p.acceptP("(") {
		return 0, nil
	}
	n := p.next()
	v, err := strconv.Atoi(n.text)
	if err != nil {
		return 0, p.errf(n, "expected a length, found %q", n.text)
	}
	return v, p.expectP(")")
}

func (p *cparser) fieldSpec(f *Field) error {
	for {
		t := p.peek()
		if t.kind == 0 || (t.kind == 'p' && (t.text == "," || t.text == ")")) {
			return nil
		}
		var err error
		switch {
		case p.acceptWord("FILLER"), p.acceptWord("BOUNDFILLER"):
			f.Filler = true
		case p.acceptWord("POSITION"):
			err = p.position(f)
		case p.acceptWord("CHAR"), p.acceptWord("VARCHARC"):
			f.Type = Char
			f.Length, err = p.length()
		case p.isWord("INTEGER") || p.isWord("DECIMAL") || p.isWord("FLOAT") || p.isWord("ZONED"):
			w := p.next().text
			if !p.acceptWord("EXTERNAL") {
				return unsupported(p, t, "binary "+w+" (only "+w+" EXTERNAL)")
			}
			f.Type = map[string]Type{"INTEGER": IntegerExternal, "DECIMAL": DecimalExternal, "FLOAT": FloatExternal, "ZONED": DecimalExternal}[w]
			f.Length, err = p.length()
		case p.acceptWord("DATE"):
			f.Type = DateType
			if f.Length, err = p.length(); err == nil && p.peek().kind == 'q' {
				f.Mask = p.next().text
			}
		case p.acceptWord("TIMESTAMP"):
			f.Type = TimestampType
			if p.acceptWord("WITH") {
				p.acceptWord("LOCAL")
				if !p.acceptWord("TIME") || !p.acceptWord("ZONE") {
					return p.errf(t, "expected TIMESTAMP WITH [LOCAL] TIME ZONE")
				}
				f.Type = TimestampTZType
			}
			if f.Length, err = p.length(); err == nil && p.peek().kind == 'q' {
				f.Mask = p.next().text
			}
		case p.acceptWord("TERMINATED"):
			p.i--
			f.Term, f.Encl, err = p.delimsKeep(f.Encl)
		case p.isWord("ENCLOSED") || p.isWord("OPTIONALLY"):
			var term *Delim
			term, f.Encl, err = p.delims()
			if term != nil {
				f.Term = term
			}
		case p.acceptWord("NULLIF"):
			f.NullIf, err = p.cond(f)
		case p.acceptWord("CONSTANT"):
			v := p.next()
			if v.kind != 's' && v.kind != 'q' && v.kind != 'n' {
				return p.errf(v, "CONSTANT: expected a value")
			}
			s := v.text
			f.Constant = &s
		case p.acceptWord("RECNUM"):
			f.RecNum = true
		case p.acceptWord("SYSDATE"):
			f.SysDate = true
		case p.acceptWord("SEQUENCE"):
			err = p.sequence(f)
		case t.kind == 'q':
			return unsupported(p, t, fmt.Sprintf("SQL expression %q on field %s", t.text, f.Name))
		default:
			return unsupported(p, t, fmt.Sprintf("%q in field %s", t.text, f.Name))
		}
		if err != nil {
			return err
		}
	}
}

func (p *cparser) delimsKeep(encl *Encl) (*Delim, *Encl, error) {
	term, e, err := p.delims()
	if e == nil {
		e = encl
	}
	return term, e, err
}

func (p *cparser) position(f *Field) error {
	if err := p.expectP("("); err != nil {
		return err
	}
	a := p.next()
	start, err := strconv.Atoi(a.text)
	if err != nil {
		return unsupported(p, a, fmt.Sprintf("POSITION(%s...)", a.text))
	}
	f.Start = start
	if p.acceptP(":") || p.acceptP("-") {
		b := p.next()
		if f.End, err = strconv.Atoi(b.text); err != nil || f.End < start {
			return p.errf(b, "POSITION(%d:%s): bad end", start, b.text)
		}
	}
	return p.expectP(")")
}

func (p *cparser) cond(f *Field) (*Cond, error) {
	paren := p.acceptP("(")
	n, _, err := p.name()
	if err != nil {
		return nil, err
	}
	c := &Cond{Field: strings.ToUpper(n)}
	op := p.next()
	switch {
	case op.kind == 'p' && op.text == "=":
	case op.kind == 'p' && op.text == "!=":
		c.Not = true
	default:
		return nil, p.errf(op, "NULLIF on field %s: expected = or !=", f.Name)
	}
	v := p.next()
	switch {
	case v.kind == 'w' && v.text == "BLANKS":
		c.Blanks = true
	case v.kind == 's' || v.kind == 'q':
		c.Value = v.text
	case v.kind == 'x':
		if c.Value, err = hexStr(v.text); err != nil {
			return nil, p.errf(v, "X'%s': %v", v.text, err)
		}
	default:
		return nil, p.errf(v, "NULLIF on field %s: expected BLANKS, 'value' or X'hex'", f.Name)
	}
	if paren {
		if err := p.expectP(")"); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.kind == 'w' && (t.text == "AND" || t.text == "OR") {
		return nil, unsupported(p, t, "NULLIF with several conditions")
	}
	return c, nil
}

func (p *cparser) sequence(f *Field) error {
	if err := p.expectP("("); err != nil {
		return err
	}
	seq := [2]int64{1, 1}
	a := p.next()
	switch {
	case a.kind == 'w' && a.text == "COUNT":
		seq[0] = 0 // not supported exactly: counts from the table's row count
		return unsupported(p, a, "SEQUENCE(COUNT)")
	case a.kind == 'w' && a.text == "MAX":
		return unsupported(p, a, "SEQUENCE(MAX)")
	default:
		v, err := strconv.ParseInt(a.text, 10, 64)
		if err != nil {
			return p.errf(a, "SEQUENCE: expected a number")
		}
		seq[0] = v
	}
	if p.acceptP(",") {
		b := p.next()
		v, err := strconv.ParseInt(b.text, 10, 64)
		if err != nil {
			return p.errf(b, "SEQUENCE: expected an increment")
		}
		seq[1] = v
	}
	f.Seq = &seq
	return p.expectP(")")
}
