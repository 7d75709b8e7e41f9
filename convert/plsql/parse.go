package plsql

import (
	"fmt"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// parsed is one parsed statement with its token stream.
type parsed struct {
	tree   plsql.ISql_scriptContext
	tokens *antlr.CommonTokenStream
	parser *plsql.PlSqlParser
}

type errCollector struct {
	*antlr.DefaultErrorListener
	errs []string
}

func (e *errCollector) SyntaxError(_ antlr.Recognizer, _ any, line, column int, msg string, _ antlr.RecognitionException) {
	e.errs = append(e.errs, fmt.Sprintf("line %d:%d %s", line, column, msg))
}

// parse parses one statement (a CREATE PROCEDURE ..., an anonymous block).
func parse(text string) (*parsed, error) {
	lexer := plsql.NewPlSqlLexer(antlr.NewInputStream(text))
	ec := &errCollector{DefaultErrorListener: antlr.NewDefaultErrorListener()}
	lexer.RemoveErrorListeners()
	lexer.AddErrorListener(ec)
	stream := antlr.NewCommonTokenStream(lexer, antlr.TokenDefaultChannel)
	p := plsql.NewPlSqlParser(stream)
	p.SetVersion12(true)
	p.RemoveErrorListeners()
	p.AddErrorListener(ec)
	p.BuildParseTrees = true
	tree := p.Sql_script()
	if len(ec.errs) > 0 {
		return nil, fmt.Errorf("parse: %s", strings.Join(ec.errs, "; "))
	}
	return &parsed{tree: tree, tokens: stream, parser: p}, nil
}
