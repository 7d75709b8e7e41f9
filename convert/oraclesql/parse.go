package oraclesql

import (
	"fmt"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// SyntaxError is a parse error located in the statement text: Line and
// Column are 1-based and relative to the start of the parsed text.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at line %d column %d: %s", e.Line, e.Column, e.Msg)
}

type errorListener struct {
	*antlr.DefaultErrorListener
	errs []*SyntaxError
}

func (l *errorListener) SyntaxError(_ antlr.Recognizer, _ any, line, column int, msg string, _ antlr.RecognitionException) {
	// ANTLR lists every token it expected; that list is thousands of
	// keywords long for this grammar and useless to a reader.
	if i := strings.Index(msg, " expecting {"); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	l.errs = append(l.errs, &SyntaxError{Line: line, Column: column + 1, Msg: msg})
}

func newParser(text string, sll bool) (*plsql.PlSqlParser, *errorListener) {
	lexer := plsql.NewPlSqlLexer(antlr.NewInputStream(text))
	el := &errorListener{DefaultErrorListener: antlr.NewDefaultErrorListener()}
	lexer.RemoveErrorListeners()
	lexer.AddErrorListener(el)
	stream := antlr.NewCommonTokenStream(lexer, antlr.TokenDefaultChannel)
	p := plsql.NewPlSqlParser(stream)
	p.SetVersion12(true)
	p.RemoveErrorListeners()
	p.AddErrorListener(el)
	p.BuildParseTrees = true
	if sll {
		p.GetInterpreter().SetPredictionMode(antlr.PredictionModeSLL)
	}
	return p, el
}

// parseRule runs one grammar rule over text: first with SLL prediction
// (several times faster on this grammar), then, if that reports an error,
// with full LL, which is exact; the result must consume all the text.
func parseRule[T any](text string, rule func(*plsql.PlSqlParser) T) (T, error) {
	var zero T
	var err error
	for _, sll := range []bool{true, false} {
		p, el := newParser(text, sll)
		r := rule(p)
		switch {
		case len(el.errs) > 0:
			err = el.errs[0]
		case p.GetTokenStream().LA(1) != antlr.TokenEOF:
			err = fmt.Errorf("unexpected text after %q", text)
		default:
			return r, nil
		}
	}
	return zero, err
}

// Parse parses one Oracle SQL statement (the text of one statement from a
// script, with or without its terminating semicolon; no SQL*Plus slash)
// and returns its unit_statement. A script with several statements is
// split first (source/sqlplus), so that an error is located and one bad
// statement does not stop the others.
func Parse(text string) (plsql.IUnit_statementContext, error) {
	tree, err := parseRule(text, (*plsql.PlSqlParser).Sql_script)
	if err != nil {
		return nil, err
	}
	units := tree.AllUnit_statement()
	if len(units) != 1 {
		return nil, fmt.Errorf("expected one statement, found %d", len(units))
	}
	return units[0], nil
}

// ParseExpr parses a single Oracle expression (a DEFAULT value, a CHECK
// condition, an index expression).
func ParseExpr(text string) (plsql.IConditionContext, error) {
	return parseRule(text, (*plsql.PlSqlParser).Condition)
}

// Source returns the original text of a node, whitespace included.
func Source(n antlr.ParserRuleContext) string {
	start, stop := n.GetStart(), n.GetStop()
	if start == nil || stop == nil || stop.GetTokenIndex() < start.GetTokenIndex() {
		return ""
	}
	return start.GetInputStream().GetTextFromInterval(antlr.NewInterval(start.GetStart(), stop.GetStop()))
}
