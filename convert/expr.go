package convert

import "github.com/ferrydb/ferry/convert/mysqlview"

// translateExpr translates a MySQL scalar expression (a default, a CHECK
// clause, a generated column) to PostgreSQL.
func translateExpr(expr string) (string, error) {
	return mysqlview.TranslateExpr(expr, mysqlview.Options{Ident: func(s string) string { return QuoteIdent(Name(s)) }})
}

// translateCond translates a MySQL condition (a CHECK clause); numeric
// results become "<> 0" as MySQL treats them.
func translateCond(expr string) (string, error) {
	return mysqlview.TranslateCond(expr, mysqlview.Options{Ident: func(s string) string { return QuoteIdent(Name(s)) }})
}
