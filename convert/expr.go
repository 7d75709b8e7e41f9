package convert

import (
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/convert/mysqlview"
)

// translateExpr translates a MySQL scalar expression (a default, a CHECK
// clause, a generated column) with the view translator, by wrapping it in a
// SELECT.
func translateExpr(expr string) (string, error) {
	out, err := mysqlview.Translate("SELECT "+expr+" AS ferry_expr", mysqlview.Options{Ident: func(s string) string { return QuoteIdent(Name(s)) }})
	if err != nil {
		return "", err
	}
	body, ok := strings.CutPrefix(out, "SELECT ")
	if ok {
		body, ok = strings.CutSuffix(body, ` AS "ferry_expr"`)
	}
	if !ok || strings.Contains(strings.ToUpper(body), " FROM ") {
		return "", fmt.Errorf("expression %q did not translate to a scalar", expr)
	}
	return body, nil
}
