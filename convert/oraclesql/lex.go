package oraclesql

import (
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// Token is one lexical token of Oracle SQL text (comments and whitespace
// excluded).
type Token struct {
	Type       int    // plsql.PlSqlLexer* token type
	Text       string // as written
	Start, End int    // rune offsets in the text, End exclusive
}

// Upper returns the token text in upper case (keywords compare so).
func (t Token) Upper() string { return strings.ToUpper(t.Text) }

// Lex splits text into tokens with the grammar's lexer. Some statements
// the grammar does not cover (a comma-separated ADD (...) list, virtual
// columns, ORGANIZATION INDEX without options) are taken apart on tokens
// and their parts parsed with the grammar's rules one by one.
func Lex(text string) []Token {
	lexer := plsql.NewPlSqlLexer(antlr.NewInputStream(text))
	lexer.RemoveErrorListeners()
	var out []Token
	for {
		tok := lexer.NextToken()
		if tok.GetTokenType() == antlr.TokenEOF {
			return out
		}
		if tok.GetChannel() != antlr.TokenDefaultChannel {
			continue
		}
		out = append(out, Token{Type: tok.GetTokenType(), Text: tok.GetText(), Start: tok.GetStart(), End: tok.GetStop() + 1})
	}
}

// Slice returns the source text from token i to token j (inclusive).
func Slice(runes []rune, toks []Token, i, j int) string {
	if i > j || i >= len(toks) {
		return ""
	}
	return string(runes[toks[i].Start:toks[j].End])
}

// Matching returns the index of the parenthesis closing the one at i, or
// -1.
func Matching(toks []Token, i int) int {
	depth := 0
	for k := i; k < len(toks); k++ {
		switch toks[k].Text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// SplitTop splits tokens lo..hi (inclusive) at top-level commas and
// returns [start, end] index pairs.
func SplitTop(toks []Token, lo, hi int) [][2]int {
	var out [][2]int
	depth := 0
	start := lo
	for k := lo; k <= hi; k++ {
		switch toks[k].Text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, [2]int{start, k - 1})
				start = k + 1
			}
		}
	}
	if start <= hi {
		out = append(out, [2]int{start, hi})
	}
	return out
}

// ParseRule parses text with one rule of the grammar (e.g.
// (*plsql.PlSqlParser).Column_definition) and checks that it consumed all
// of it.
func ParseRule[T any](text string, rule func(*plsql.PlSqlParser) T) (T, error) {
	return parseRule(text, rule)
}
