package sqlplus

import (
	"fmt"
	"io"
	"strings"
)

// scanner tracks quotes and comments across the lines of a statement.
type scanner struct {
	str    bool // inside '...'
	qclose byte // inside q'<qclose ...>': its closing delimiter
	ident  bool // inside "..."
	block  bool // inside /* ... */
}

func (s *scanner) normal() bool { return !s.str && s.qclose == 0 && !s.ident && !s.block }

// scan walks t from the scanner's state. It calls word for each word in
// normal text and stops at the first ';' in normal text when semi is
// true, returning its offset (-1 when there is none).
func (s *scanner) scan(t string, semi bool, word func(string)) int {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case s.block:
			if c == '*' && i+1 < len(t) && t[i+1] == '/' {
				s.block = false
				i++
			}
		case s.str:
			if c == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					i++
				} else {
					s.str = false
				}
			}
		case s.qclose != 0:
			if c == s.qclose && i+1 < len(t) && t[i+1] == '\'' {
				s.qclose = 0
				i++
			}
		case s.ident:
			if c == '"' {
				s.ident = false
			}
		case c == '-' && i+1 < len(t) && t[i+1] == '-':
			return -1
		case c == '/' && i+1 < len(t) && t[i+1] == '*':
			s.block = true
			i++
		case c == '\'':
			if isQQuote(t, i) && i+1 < len(t) {
				s.qclose = closing(t[i+1])
				i++
			} else {
				s.str = true
			}
		case c == '"':
			s.ident = true
		case c == ';':
			if semi {
				return i
			}
		case nameChar(c):
			j := i
			for j < len(t) && nameChar(t[j]) {
				j++
			}
			if word != nil {
				word(strings.ToUpper(t[i:j]))
			}
			i = j - 1
		}
	}
	return -1
}

// isQQuote reports whether the quote at t[i] opens a q'...' (or nq'...')
// literal.
func isQQuote(t string, i int) bool {
	if i == 0 || t[i-1]|0x20 != 'q' {
		return false
	}
	if i == 1 || !nameChar(t[i-2]) {
		return true
	}
	return t[i-2]|0x20 == 'n' && (i == 2 || !nameChar(t[i-3]))
}

func closing(c byte) byte {
	switch c {
	case '[':
		return ']'
	case '{':
		return '}'
	case '(':
		return ')'
	case '<':
		return '>'
	}
	return c
}

// classify decides from the first words of a statement whether it is a
// PL/SQL block; ok is false while more words are needed.
func classify(w []string) (Kind, bool) {
	if len(w) == 0 {
		return SQL, false
	}
	switch w[0] {
	case "DECLARE", "BEGIN":
		return PLSQL, true
	case "CREATE":
	default:
		return SQL, true
	}
	for _, x := range w[1:] {
		switch x {
		case "OR", "REPLACE", "EDITIONABLE", "NONEDITIONABLE", "EDITIONING", "AND", "COMPILE", "RESOLVE", "NOFORCE", "FORCE":
		case "PROCEDURE", "FUNCTION", "PACKAGE", "TRIGGER", "TYPE", "LIBRARY", "JAVA":
			return PLSQL, true
		default:
			return SQL, true
		}
	}
	return SQL, false
}

// statement reads a SQL statement or PL/SQL block starting at l. ok is
// false when nothing is to be returned (a SQL statement ended by a blank
// line is kept in r.buffered instead).
func (r *Reader) statement(l line) (Statement, bool, error) {
	st := Statement{File: l.fr.name, Line: l.no, EndLine: l.no}
	var sc scanner
	var words []string
	decided := false
	kind := SQL
	word := func(w string) {
		if !decided {
			words = append(words, w)
			kind, decided = classify(words)
		}
	}
	var b strings.Builder
	text, err := r.substitute(l.text, l)
	if err != nil {
		return st, false, err
	}
	text = strings.TrimLeft(text, " \t")
	first := true
	lastText := b.Len() // length of b up to the last non-blank line
	for {
		if !first {
			t := strings.TrimSpace(text)
			switch {
			case t == "/" && (kind == PLSQL || sc.normal()):
				st.Text = strings.TrimRight(b.String()[:lastText], " \t\n")
				st.Kind = kind
				return st, true, nil
			case t == "" && kind != PLSQL && decided && !r.blankLines && sc.normal():
				st.Text = strings.TrimRight(b.String(), " \t\n")
				st.Kind = kind
				r.buffered = &st
				return st, false, nil
			}
			b.WriteByte('\n')
		}
		first = false
		semi := kind != PLSQL
		i := sc.scan(text, semi, word)
		if i >= 0 && kind != PLSQL {
			b.WriteString(text[:i])
			st.Text = strings.TrimRight(b.String(), " \t\n")
			st.Kind = SQL
			st.EndLine = l.no
			if rest := text[i+1:]; strings.TrimSpace(rest) != "" {
				r.pending = &line{text: rest, fr: l.fr, no: l.no}
			}
			return st, true, nil
		}
		b.WriteString(text)
		if strings.TrimSpace(text) != "" {
			lastText = b.Len()
			st.EndLine = l.no
		}
		l, err = r.readLine()
		if err == io.EOF || (err == nil && l.no < 0) {
			if err == nil {
				r.pending = &l // the file boundary, for Next
			}
			st.Text = strings.TrimRight(b.String()[:lastText], " \t\n")
			st.Kind = kind
			if st.Text == "" {
				return st, false, nil
			}
			r.log.Warn("statement at the end of the file has no terminator (';' or '/'): returned anyway", "at", st.Pos(), "kind", kind.String())
			return st, true, nil
		}
		if err != nil {
			return st, false, err
		}
		if text, err = r.substitute(l.text, l); err != nil {
			return st, false, fmt.Errorf("%w (in the statement starting at %s)", err, st.Pos())
		}
	}
}
