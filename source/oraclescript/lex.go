package oraclescript

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // unquoted identifier or keyword, upper-cased in text
	tQIdent         // "quoted identifier", text without quotes
	tString         // '...', q'...', N'...': text is the value
	tNumber         // numeric literal as written (suffix f/F/d/D dropped)
	tOp             // operator or punctuation
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the statement text
}

// lexer splits Oracle SQL/PL/SQL text into tokens, skipping comments.
type lexer struct {
	src  string
	i    int
	toks []token
}

func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, t)
		if t.kind == tEOF {
			return l.toks, nil
		}
	}
}

func identStart(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c >= 0x80
}

func identChar(c byte) bool {
	return identStart(c) || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '#'
}

func (l *lexer) next() (token, error) {
	s := l.src
	for l.i < len(s) {
		c := s[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			l.i++
		case c == '-' && l.i+1 < len(s) && s[l.i+1] == '-':
			for l.i < len(s) && s[l.i] != '\n' {
				l.i++
			}
		case c == '/' && l.i+1 < len(s) && s[l.i+1] == '*':
			j := strings.Index(s[l.i+2:], "*/")
			if j < 0 {
				return token{}, l.errAt(l.i, "comment /* never closed")
			}
			l.i += j + 4
		default:
			return l.token()
		}
	}
	return token{kind: tEOF, pos: len(s)}, nil
}

func (l *lexer) errAt(pos int, msg string) error {
	return &posError{pos: pos, msg: msg}
}

// posError is an error at a byte offset of the statement; the caller
// turns it into file:line.
type posError struct {
	pos int
	msg string
}

func (e *posError) Error() string { return e.msg }

func (l *lexer) token() (token, error) {
	s, start := l.src, l.i
	c := s[l.i]
	// q'[...]', nq'[...]', N'...'
	if c|0x20 == 'n' || c|0x20 == 'q' {
		j := l.i
		if s[j]|0x20 == 'n' {
			j++
		}
		if j+1 < len(s) && s[j]|0x20 == 'q' && s[j+1] == '\'' {
			if j+2 >= len(s) {
				return token{}, l.errAt(start, "q-quoted literal never closed")
			}
			open := s[j+2]
			close := open
			switch open {
			case '[':
				close = ']'
			case '{':
				close = '}'
			case '(':
				close = ')'
			case '<':
				close = '>'
			}
			k := strings.Index(s[j+3:], string(close)+"'")
			if k < 0 {
				return token{}, l.errAt(start, "q-quoted literal never closed")
			}
			l.i = j + 3 + k + 2
			return token{kind: tString, text: s[j+3 : j+3+k], pos: start}, nil
		}
		if j < len(s) && s[j] == '\'' && j > l.i { // N'...'
			l.i = j
			t, err := l.str()
			t.pos = start
			return t, err
		}
	}
	switch {
	case c == '\'':
		return l.str()
	case c == '"':
		j := strings.IndexByte(s[l.i+1:], '"')
		if j < 0 {
			return token{}, l.errAt(start, "quoted identifier never closed")
		}
		l.i += j + 2
		return token{kind: tQIdent, text: s[start+1 : start+1+j], pos: start}, nil
	case identStart(c):
		for l.i < len(s) && identChar(s[l.i]) {
			l.i++
		}
		return token{kind: tIdent, text: strings.ToUpper(s[start:l.i]), pos: start}, nil
	case c >= '0' && c <= '9' || c == '.' && l.i+1 < len(s) && s[l.i+1] >= '0' && s[l.i+1] <= '9':
		for l.i < len(s) && (s[l.i] >= '0' && s[l.i] <= '9' || s[l.i] == '.' && !strings.HasPrefix(s[l.i:], "..")) {
			l.i++
		}
		if l.i < len(s) && s[l.i]|0x20 == 'e' {
			j := l.i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j < len(s) && s[j] >= '0' && s[j] <= '9' {
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				l.i = j
			}
		}
		text := s[start:l.i]
		if l.i < len(s) && (s[l.i]|0x20 == 'f' || s[l.i]|0x20 == 'd') && (l.i+1 >= len(s) || !identChar(s[l.i+1])) {
			l.i++ // BINARY_FLOAT / BINARY_DOUBLE suffix
		}
		if strings.Count(text, ".") > 1 {
			return token{}, l.errAt(start, fmt.Sprintf("malformed number %q", text))
		}
		return token{kind: tNumber, text: text, pos: start}, nil
	}
	for _, op := range []string{"||", ":=", "=>", "<=", ">=", "<>", "!=", ".."} {
		if strings.HasPrefix(s[l.i:], op) {
			l.i += len(op)
			return token{kind: tOp, text: op, pos: start}, nil
		}
	}
	l.i++
	return token{kind: tOp, text: s[start:l.i], pos: start}, nil
}

// str reads a '...' literal at l.i (” is a quote).
func (l *lexer) str() (token, error) {
	s, start := l.src, l.i
	var b strings.Builder
	i := l.i + 1
	for {
		j := strings.IndexByte(s[i:], '\'')
		if j < 0 {
			return token{}, l.errAt(start, "string literal never closed")
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		if i < len(s) && s[i] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		break
	}
	l.i = i
	return token{kind: tString, text: b.String(), pos: start}, nil
}
