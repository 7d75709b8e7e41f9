package plsql

import (
	"github.com/antlr4-go/antlr/v4"

	"github.com/ferrydb/ferry/convert/oraclesql"
)

// SharedTranslator is the shared Oracle SQL translator (convert/oraclesql)
// as a SQLTranslator: expressions and SQL inside PL/SQL units get the same
// translation as views and checks (NVL, DECODE, `||` with Oracle's NULL
// semantics, ...), with the converter's Rewriter mapping its names (:NEW,
// cursor attributes, package variables, INTO STRICT). It is the default;
// convert/oracle's PLSQLTranslator adds the column types and helper
// collection of a whole conversion.
type SharedTranslator struct {
	// Schema is as in oraclesql.Translator.
	Schema string
}

// Translate implements SQLTranslator.
func (s SharedTranslator) Translate(_ antlr.TokenStream, node antlr.ParserRuleContext, names Names) (string, error) {
	t := &oraclesql.Translator{Schema: s.Schema}
	if rw := names.Rewrite; rw != nil {
		t.Rewrite = func(i int) (string, int, bool) { return rw(i) }
		t.RewriteType = names.Type
	}
	t.Variable = names.Variable
	t.VariableType = names.VarType
	return t.Node(node)
}

// QueryTypes implements QueryTyper.
func (s SharedTranslator) QueryTypes(_ antlr.TokenStream, query antlr.ParserRuleContext, names Names) (map[string]string, string) {
	t := &oraclesql.Translator{Schema: s.Schema, VariableType: names.VarType}
	return t.SelectTypes(query)
}
