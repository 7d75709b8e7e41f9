package mysqltrigger

import (
	"fmt"
	"strings"
)

// tokKind classifies a token of a trigger body.
type tokKind uint8

const (
	tWord   tokKind = iota // keyword, bare identifier or number
	tIdent                 // `quoted identifier`
	tString                // 'string' or "string"
	tPunct                 // operator or punctuation; := is one token
)

// token is a token of the body; start and end are byte offsets into it, so
// that statements and expressions are handed to the SQL parser as written.
type token struct {
	kind       tokKind
	text       string // as written
	low        string // lowercase text of a word
	start, end int
}

// is reports whether the token is the bare word w (lowercase).
func (t token) is(w string) bool { return t.kind == tWord && t.low == w }

// isPunct reports whether the token is the punctuation p.
func (t token) isPunct(p string) bool { return t.kind == tPunct && t.text == p }

// name returns the identifier a word or quoted identifier stands for.
func (t token) name() string {
	if t.kind == tIdent {
		return strings.ReplaceAll(t.text[1:len(t.text)-1], "``", "`")
	}
	return t.text
}

// lex splits a MySQL trigger body into tokens. Strings, quoted identifiers
// and comments are skipped over as units, so that semicolons and keywords
// inside them do not count. Executable comments (/*! ... */, MariaDB's
// /*M! ... */) are refused: their content would run in MySQL.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case c == '#' || (c == '-' && strings.HasPrefix(src[i:], "--") && (i+2 == len(src) || isSpace(src[i+2]))):
			if end := strings.IndexByte(src[i:], '\n'); end >= 0 {
				i += end + 1
			} else {
				i = len(src)
			}
		case strings.HasPrefix(src[i:], "/*"):
			if strings.HasPrefix(src[i:], "/*!") || strings.HasPrefix(src[i:], "/*M!") {
				return nil, fmt.Errorf("unsupported executable comment %s in trigger body", strings.Fields(src[i:])[0])
			}
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment in trigger body")
			}
			i += 2 + end + 2
		case c == '\'' || c == '"' || c == '`':
			j, ok := skipQuoted(src, i)
			if !ok {
				return nil, fmt.Errorf("unterminated quoted text in trigger body: %s", shorten(src[i:]))
			}
			k := tString
			if c == '`' {
				k = tIdent
			}
			toks = append(toks, token{kind: k, text: src[i:j], start: i, end: j})
			i = j
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tWord, text: src[i:j], low: strings.ToLower(src[i:j]), start: i, end: j})
			i = j
		default:
			j := i + 1
			if c == ':' && j < len(src) && src[j] == '=' {
				j++
			}
			toks = append(toks, token{kind: tPunct, text: src[i:j], start: i, end: j})
			i = j
		}
	}
	return toks, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipQuoted returns the index after the quoted token starting at i.
// Backslash escapes apply inside strings, and a doubled quote stands for
// itself.
func skipQuoted(src string, i int) (int, bool) {
	q := src[i]
	j := i + 1
	for j < len(src) {
		switch {
		case src[j] == '\\' && q != '`':
			j += 2
		case src[j] == q:
			if j+1 < len(src) && src[j+1] == q {
				j += 2
				continue
			}
			return j + 1, true
		default:
			j++
		}
	}
	return len(src), false
}

// shorten collapses white space and cuts text for an error message.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut-- // do not split a UTF-8 sequence
	}
	return s[:cut] + "..."
}
