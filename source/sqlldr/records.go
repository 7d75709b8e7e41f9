package sqlldr

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"

	"github.com/ferrydb/ferry/convert/oramask"
	"github.com/ferrydb/ferry/source/oraclescript"
)

// Columns returns the fields that are loaded (not FILLER), in order.
func (c *Control) Columns() []*Field {
	var out []*Field
	for _, f := range c.Fields {
		if !f.Filler {
			out = append(out, f)
		}
	}
	return out
}

// field is one extracted field of a record.
type field struct {
	s       string
	present bool
}

// Read streams the records of every data file, calling emit with the
// values of Columns() and the record's file:line. A record that cannot
// be read stops with an error naming file:line and the field.
func (c *Control) Read(ctx context.Context, s *oraclescript.Session, emit func(vals []oraclescript.Value, pos string) error) error {
	cols := c.Columns()
	masks := make([][]oramask.Token, len(c.Fields))
	for i, f := range c.Fields {
		var m string
		switch f.Type {
		case DateType:
			m = s.DateFormat
		case TimestampType:
			m = s.TimestampFormat
		case TimestampTZType:
			m = s.TimestampTZFormat
		default:
			continue
		}
		if f.Mask != "" {
			m = f.Mask
		}
		toks, err := oramask.Tokenize(m)
		if err != nil {
			return fmt.Errorf("%s:%d: field %s: %w", c.Path, f.Line, f.Name, err)
		}
		masks[i] = toks
	}
	byName := map[string]int{}
	for i, f := range c.Fields {
		byName[strings.ToUpper(f.Name)] = i
	}
	for _, f := range c.Fields {
		if f.NullIf != nil {
			if _, ok := byName[f.NullIf.Field]; !ok {
				return fmt.Errorf("%s:%d: NULLIF of field %s names unknown field %s", c.Path, f.Line, f.Name, f.NullIf.Field)
			}
		}
	}
	vals := make([]oraclescript.Value, len(cols))
	fields := make([]field, len(c.Fields))
	var recno, loaded int64
	skip := c.Skip
	for _, in := range c.Infiles {
		name, first := in, 1
		var r io.Reader
		if in == "" {
			fh, err := os.Open(c.Path)
			if err != nil {
				return fmt.Errorf("sqlldr: %w", err)
			}
			defer fh.Close()
			br := bufio.NewReaderSize(fh, 64<<10)
			for i := 0; i < c.dataLine; i++ {
				if _, err := br.ReadString('\n'); err != nil {
					return fmt.Errorf("%s: read BEGINDATA: %w", c.Path, err)
				}
			}
			r, name, first = br, c.Path, c.dataLine+1
		} else {
			fh, err := os.Open(in)
			if err != nil {
				return fmt.Errorf("%s: INFILE: %w", c.Path, err)
			}
			defer fh.Close()
			r = fh
		}
		br := bufio.NewReaderSize(r, 64<<10)
		for line := first; ; line++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			text, err := br.ReadString('\n')
			if err != nil && err != io.EOF {
				return fmt.Errorf("%s:%d: read: %w", name, line, err)
			}
			if text == "" && err == io.EOF {
				break
			}
			text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
			recno++
			if skip > 0 {
				skip--
				continue
			}
			pos := fmt.Sprintf("%s:%d", name, line)
			if strings.TrimSpace(text) == "" && len(c.Fields) > 0 {
				// A blank record loads nothing (SQL*Loader rejects it).
				continue
			}
			if ferr := c.split(text, fields); ferr != nil {
				return fmt.Errorf("%s: %w", pos, ferr)
			}
			loaded++
			k := 0
			for i, f := range c.Fields {
				if f.Filler {
					continue
				}
				v, err := c.value(f, i, fields, byName, masks[i], s, recno, loaded)
				if err != nil {
					return fmt.Errorf("%s: field %s: %w", pos, f.Name, err)
				}
				vals[k] = v
				k++
			}
			if err := emit(vals, pos); err != nil {
				return err
			}
			if err == io.EOF {
				break
			}
		}
	}
	return nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimBlanksRight(s string) string { return strings.TrimRight(s, " \t") }

// split extracts the raw fields of one record.
func (c *Control) split(line string, out []field) error {
	pos := 0
	for i, f := range c.Fields {
		out[i] = field{}
		if f.Generated() {
			continue
		}
		term, encl := f.Term, f.Encl
		if term == nil {
			term = c.Term
		}
		if encl == nil && f.Term == nil {
			encl = c.Encl
		}
		if f.Start > 0 {
			end := f.End
			if end == 0 && f.Length > 0 {
				end = f.Start + f.Length - 1
			}
			if end > 0 {
				if f.Start-1 >= len(line) {
					pos = len(line) + 1
					continue
				}
				out[i] = field{s: trimBlanksRight(line[f.Start-1 : min(end, len(line))]), present: true}
				pos = end
				continue
			}
			pos = f.Start - 1
		} else if term == nil && encl == nil {
			if f.Length == 0 {
				return fmt.Errorf("field %s has no POSITION, length or terminator: add FIELDS TERMINATED BY", f.Name)
			}
			if pos >= len(line) {
				pos = len(line) + 1
				continue
			}
			end := min(pos+f.Length, len(line))
			out[i] = field{s: trimBlanksRight(line[pos:end]), present: true}
			pos = end
			continue
		}
		if pos > len(line) {
			continue
		}
		v, next, err := delimited(line, pos, term, encl)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		out[i] = field{s: v, present: true}
		pos = next
	}
	return nil
}

// delimited reads one delimited field at pos; next is len(line)+1 when
// the line ended without a terminator.
func delimited(line string, pos int, term *Delim, encl *Encl) (string, int, error) {
	end := len(line) + 1
	if term != nil && term.Whitespace {
		for pos < len(line) && isBlank(line[pos]) {
			pos++
		}
		if pos >= len(line) {
			return "", end, nil
		}
	}
	if encl != nil {
		p := pos
		for p < len(line) && isBlank(line[p]) {
			p++
		}
		if strings.HasPrefix(line[p:], encl.Open) {
			var b strings.Builder
			i := p + len(encl.Open)
			for {
				j := strings.Index(line[i:], encl.Shut)
				if j < 0 {
					return "", 0, fmt.Errorf("enclosure %s never closed on this line", encl.Open)
				}
				b.WriteString(line[i : i+j])
				i += j + len(encl.Shut)
				if strings.HasPrefix(line[i:], encl.Shut) { // doubled: a literal
					b.WriteString(encl.Shut)
					i += len(encl.Shut)
					continue
				}
				break
			}
			for i < len(line) && isBlank(line[i]) && (term == nil || term.Whitespace || !strings.HasPrefix(line[i:], term.Str)) {
				i++
			}
			switch {
			case i >= len(line):
				return b.String(), end, nil
			case term == nil:
				return b.String(), i, nil
			case term.Whitespace:
				return b.String(), i, nil
			case strings.HasPrefix(line[i:], term.Str):
				return b.String(), i + len(term.Str), nil
			}
			return "", 0, fmt.Errorf("unexpected %q after the closing %s", short(line[i:]), encl.Shut)
		}
		if !encl.Optional {
			return "", 0, fmt.Errorf("expected a value enclosed by %s", encl.Open)
		}
		pos = p
	}
	if term == nil {
		return trimBlanksRight(line[pos:]), end, nil
	}
	if term.Whitespace {
		j := pos
		for j < len(line) && !isBlank(line[j]) {
			j++
		}
		if j >= len(line) {
			return line[pos:], end, nil
		}
		return line[pos:j], j, nil
	}
	j := strings.Index(line[pos:], term.Str)
	if j < 0 {
		return trimBlanksRight(line[pos:]), end, nil
	}
	return trimBlanksRight(line[pos : pos+j]), pos + j + len(term.Str), nil
}

func short(s string) string {
	if len(s) > 20 {
		return s[:17] + "..."
	}
	return s
}

func (c *Control) value(f *Field, i int, fields []field, byName map[string]int, mask []oramask.Token, s *oraclescript.Session, recno, loaded int64) (oraclescript.Value, error) {
	switch {
	case f.Constant != nil:
		return oraclescript.Value{Kind: oraclescript.String, Str: *f.Constant}, nil
	case f.RecNum:
		return oraclescript.Value{Kind: oraclescript.Number, Str: strconv.FormatInt(recno, 10)}, nil
	case f.SysDate:
		return oraclescript.Value{Kind: oraclescript.Date, Time: s.Now}, nil
	case f.Seq != nil:
		return oraclescript.Value{Kind: oraclescript.Number, Str: strconv.FormatInt(f.Seq[0]+(loaded-1)*f.Seq[1], 10)}, nil
	}
	fv := fields[i]
	if !fv.present {
		if !c.Trailing {
			return oraclescript.Value{}, fmt.Errorf("missing: the record is too short (TRAILING NULLCOLS loads missing trailing fields as NULL)")
		}
		return oraclescript.Value{}, nil
	}
	if n := f.NullIf; n != nil {
		ref := fields[byName[n.Field]].s
		var hit bool
		if n.Blanks {
			hit = strings.Trim(ref, " \t") == ""
		} else {
			hit = ref == n.Value
		}
		if hit != n.Not {
			return oraclescript.Value{}, nil
		}
	}
	v := fv.s
	if v == "" {
		return oraclescript.Value{}, nil
	}
	switch f.Type {
	case IntegerExternal, DecimalExternal, FloatExternal:
		t := strings.TrimSpace(v)
		if t == "" {
			return oraclescript.Value{}, nil
		}
		t = strings.TrimPrefix(t, "+")
		r, ok := new(big.Rat).SetString(t)
		if !ok {
			return oraclescript.Value{}, fmt.Errorf("%q is not a number", v)
		}
		if f.Type == IntegerExternal && !r.IsInt() {
			return oraclescript.Value{}, fmt.Errorf("%q is not an integer", v)
		}
		return oraclescript.Value{Kind: oraclescript.Number, Str: t}, nil
	case DateType, TimestampType, TimestampTZType:
		t := strings.TrimSpace(v)
		if t == "" {
			return oraclescript.Value{}, nil
		}
		tv, err := oramask.ParseTokens(t, mask, s.Now)
		if err != nil {
			return oraclescript.Value{}, err
		}
		if f.Type == DateType {
			return oraclescript.Value{Kind: oraclescript.Date, Time: tv.Time}, nil
		}
		return oraclescript.Value{Kind: oraclescript.Timestamp, Time: tv.Time, Zone: tv.HasZone}, nil
	}
	if f.Length > 0 && len(v) > f.Length && f.Start == 0 {
		return oraclescript.Value{}, fmt.Errorf("%d bytes exceed CHAR(%d)", len(v), f.Length)
	}
	return oraclescript.Value{Kind: oraclescript.String, Str: v}, nil
}
