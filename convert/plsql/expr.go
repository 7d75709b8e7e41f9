package plsql

import (
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// SQLTranslator turns the Oracle expressions and SQL statements found in
// PL/SQL code into PostgreSQL text. Every expression, condition and
// embedded SQL statement of a converted unit goes through it, so one
// reusable translator serves views, defaults and code alike.
//
// The PL/SQL layer needs to rewrite names the SQL translator does not know
// about (:NEW.col, cursor%NOTFOUND, package variables, INSERTING, ...): it
// passes a Rewriter that the translator consults for every token first.
type SQLTranslator interface {
	// Translate returns the PostgreSQL text of the parse subtree node
	// (an expression, a condition or a SQL statement).
	Translate(tokens antlr.TokenStream, node antlr.ParserRuleContext, names Names) (string, error)
}

// Names is what the PL/SQL layer tells the SQL translator about the names
// it handles.
type Names struct {
	// Rewrite replaces PL/SQL-specific token runs; nil rewrites nothing.
	Rewrite Rewriter
	// Type gives the type of a name whose first token (index i) Rewrite
	// replaces, as oraclesql.Translator.RewriteType; nil when unknown.
	Type func(i int, parts []string) (typ, table, column string)
	// Variable reports whether an unqualified name (lower case) is a
	// variable or parameter in scope; nil when unknown.
	Variable func(name string) bool
	// VarType gives the declared type of a variable, parameter or record
	// field in scope (parts lower case: v_d, r.hire_date), as
	// oraclesql.Translator.VariableType; nil when unknown.
	VarType func(parts []string) (typ, table, column string)
}

// QueryTyper is implemented by SQLTranslators that can tell the types of
// a query's columns (for the fields of cursor records): cols maps a
// select-list column's name (lower case) to its type family as
// oraclesql.Translator.SelectTypes gives it; star is the table whose
// columns a SELECT * returns.
type QueryTyper interface {
	QueryTypes(tokens antlr.TokenStream, query antlr.ParserRuleContext, names Names) (cols map[string]string, star string)
}

// Rewriter replaces the PL/SQL-specific token run that starts at token
// index i. It returns the replacement text and the index of the last token
// it consumed, or ok false to leave the token to the translator.
type Rewriter func(i int) (text string, last int, ok bool)

// TokenTranslator is a minimal SQLTranslator (the default is
// SharedTranslator, which this one predates): it prints the tokens of the
// node (whitespace and comments included), applying the Rewriter and a few
// word-level differences where Oracle and PostgreSQL disagree on simple
// expressions: SYSDATE, SYSTIMESTAMP, NVL, FROM DUAL, MINUS and quoted
// upper-case identifiers (Oracle's default case) lowered to PostgreSQL's.
// Everything else is passed through as written: Oracle and PostgreSQL agree
// on most operators, literals and common functions. It does not give `||`
// Oracle's NULL semantics.
type TokenTranslator struct{}

// Translate implements SQLTranslator.
func (TokenTranslator) Translate(ts antlr.TokenStream, node antlr.ParserRuleContext, names Names) (string, error) {
	return printTokens(ts, node.GetStart().GetTokenIndex(), node.GetStop().GetTokenIndex(), names.Rewrite), nil
}

// printTokens prints tokens from..to (inclusive) of ts.
func printTokens(ts antlr.TokenStream, from, to int, rw Rewriter) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		tok := ts.Get(i)
		if tok.GetChannel() != antlr.TokenDefaultChannel {
			b.WriteString(tok.GetText())
			continue
		}
		if rw != nil {
			if text, last, ok := rw(i); ok {
				b.WriteString(text)
				i = last
				continue
			}
		}
		text := tok.GetText()
		switch strings.ToUpper(text) {
		case "SYSDATE":
			text = "LOCALTIMESTAMP(0)"
		case "SYSTIMESTAMP":
			text = "CURRENT_TIMESTAMP"
		case "NVL":
			text = "COALESCE"
		case "MINUS":
			text = "EXCEPT"
		case "FROM":
			if j := nextDefault(ts, i, to); j >= 0 && strings.EqualFold(ts.Get(j).GetText(), "DUAL") {
				i = j
				continue
			}
		}
		if tok.GetTokenType() == plsql.PlSqlLexerDELIMITED_ID {
			text = lowerQuoted(text)
		}
		b.WriteString(text)
	}
	return b.String()
}

// nextDefault returns the index of the next default-channel token after i
// and not after to, or -1.
func nextDefault(ts antlr.TokenStream, i, to int) int {
	for j := i + 1; j <= to; j++ {
		if ts.Get(j).GetChannel() == antlr.TokenDefaultChannel {
			return j
		}
	}
	return -1
}

// lowerQuoted maps a quoted Oracle identifier to PostgreSQL: an all
// upper-case name (Oracle's folding of unquoted names) is lowered, as
// PostgreSQL folds unquoted names to lower case; any other is kept.
func lowerQuoted(q string) string {
	inner := strings.Trim(q, `"`)
	if inner == strings.ToUpper(inner) {
		return `"` + strings.ToLower(inner) + `"`
	}
	return q
}

// identName returns the PostgreSQL spelling of an Oracle identifier:
// unquoted names lowered, quoted names as lowerQuoted.
func identName(s string) string {
	if strings.HasPrefix(s, `"`) {
		return lowerQuoted(s)
	}
	return strings.ToLower(s)
}
