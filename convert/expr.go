package convert

import "github.com/ferrydb/ferry/convert/mysqlview"

// translateExpr translates a MySQL scalar expression (a default, a CHECK
// clause, a generated column) to PostgreSQL.
func translateExpr(expr string) (string, error) {
	return mysqlview.TranslateExpr(expr, mysqlview.Options{Ident: func(s string) string { return QuoteIdent(Name(s)) }})
}
