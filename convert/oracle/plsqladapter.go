package oracle

import (
	"github.com/antlr4-go/antlr/v4"

	"github.com/ferrydb/ferry/convert/oraclesql"
	codeconv "github.com/ferrydb/ferry/convert/plsql"
)

// PLSQLTranslator is the shared SQL translator (convert/oraclesql) as
// convert/plsql's SQLTranslator: expressions and SQL inside PL/SQL units
// get the same translation as views and checks, with the PL/SQL
// converter's Rewriter mapping its names (:NEW, cursor attributes,
// package variables, INTO STRICT).
type PLSQLTranslator struct {
	// Schema is as in oraclesql.Translator.
	Schema string
	// Shared gives column types and collects the ferry_ora helpers used
	// (pass the same one in Options.Shared); nil works.
	Shared *Shared
}

// Translate implements convert/plsql.SQLTranslator.
func (a PLSQLTranslator) Translate(_ antlr.TokenStream, node antlr.ParserRuleContext, names codeconv.Names) (string, error) {
	t := &oraclesql.Translator{Schema: a.Schema}
	if a.Shared != nil {
		t.ColumnType = a.Shared.ColumnType
	}
	if rw := names.Rewrite; rw != nil {
		t.Rewrite = func(i int) (string, int, bool) { return rw(i) }
		t.RewriteType = names.Type
	}
	t.Variable = names.Variable
	t.VariableType = names.VarType
	s, err := t.Node(node)
	if a.Shared != nil {
		for _, h := range t.Helpers() {
			a.Shared.helpers[h] = true
		}
	}
	return s, err
}

// QueryTypes implements convert/plsql.QueryTyper: the types of a cursor
// query's columns, from the converted tables' columns.
func (a PLSQLTranslator) QueryTypes(_ antlr.TokenStream, query antlr.ParserRuleContext, names codeconv.Names) (map[string]string, string) {
	t := &oraclesql.Translator{Schema: a.Schema, VariableType: names.VarType}
	if a.Shared != nil {
		t.ColumnType = a.Shared.ColumnType
	}
	return t.SelectTypes(query)
}

var (
	_ codeconv.SQLTranslator = PLSQLTranslator{}
	_ codeconv.QueryTyper    = PLSQLTranslator{}
)
