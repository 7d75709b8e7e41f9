package mysqlview

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// PostgreSQL operator precedence, higher binds tighter.
const (
	precOr    = 1
	precAnd   = 2
	precNot   = 3
	precIs    = 4  // IS NULL, IS TRUE, IS DISTINCT FROM
	precCmp   = 5  // = <> < > <= >=
	precIn    = 6  // IN, BETWEEN, LIKE, ILIKE
	precOther = 7  // ||, ~, &, |, #, <<, >> and other operators
	precAdd   = 8  // binary + -
	precMul   = 9  // * / %
	precUnary = 10 // unary - ~
	precCast  = 11 // ::
	precAtom  = 12 // literals, names, function calls, parenthesised
)

// kind is what is known about an expression's type.
type kind uint8

const (
	kUnknown kind = iota
	kNull
	kBool
	kNum
	kText
	kTime
	// kOther is a column known not to be boolean (Options.BoolColumns is
	// set and does not list it), of otherwise unknown type.
	kOther
)

// pexpr is a translated expression.
type pexpr struct {
	sql  string
	prec int
	kind kind
	// intLit is set for integer literals (including negated ones).
	intLit *int64
	// boolLit is set for TRUE and FALSE.
	boolLit *bool
	// strLit is set for string literals (the unquoted value).
	strLit *string
	// decLit is set for decimal and float literals, nonZeroLit for numeric
	// literals other than zero.
	decLit, nonZeroLit bool
}

// at returns the SQL, parenthesised if it binds less tightly than min.
func (e pexpr) at(min int) string {
	if e.prec < min {
		return "(" + e.sql + ")"
	}
	return e.sql
}

func atom(sql string, k kind) pexpr { return pexpr{sql: sql, prec: precAtom, kind: k} }

func intLit(v int64) pexpr {
	e := pexpr{sql: strconv.FormatInt(v, 10), prec: precAtom, kind: kNum, intLit: &v, nonZeroLit: v != 0}
	if v < 0 {
		e.prec = precUnary
	}
	return e
}

func boolLit(v bool) pexpr {
	s := "FALSE"
	if v {
		s = "TRUE"
	}
	return pexpr{sql: s, prec: precAtom, kind: kBool, boolLit: &v}
}

// is01 reports whether e is the integer literal 0 or 1.
func (e pexpr) is01() bool { return e.intLit != nil && (*e.intLit == 0 || *e.intLit == 1) }

// cast appends a PostgreSQL cast.
func cast(e pexpr, typ string, k kind) pexpr {
	return pexpr{sql: e.at(precCast) + "::" + typ, prec: precCast, kind: k}
}

// asNum makes a value usable where MySQL expects a number: booleans become
// integers.
func asNum(e pexpr) pexpr {
	if e.kind == kBool {
		if e.boolLit != nil {
			if *e.boolLit {
				return intLit(1)
			}
			return intLit(0)
		}
		return cast(e, "int", kNum)
	}
	return e
}

// asText makes a value usable where MySQL expects a string. Values of
// unknown type are cast to text (MySQL converts implicitly, PostgreSQL does
// not); booleans become '1'/'0' as in MySQL.
func asText(e pexpr) pexpr {
	switch e.kind {
	case kText, kNull:
		return e
	case kBool:
		return cast(asNum(e), "text", kText)
	}
	return cast(e, "text", kText)
}

// asTime makes a string literal usable as a timestamp.
func asTime(e pexpr) pexpr {
	if e.strLit != nil {
		return cast(e, "timestamp", kTime)
	}
	return e
}

// asCond makes a value usable as a condition. MySQL treats any non-zero
// number as true.
func asCond(e pexpr) pexpr {
	switch e.kind {
	case kNum, kOther:
		if e.intLit != nil {
			return boolLit(*e.intLit != 0)
		}
		return pexpr{sql: e.at(precCmp+1) + " <> 0", prec: precCmp, kind: kBool}
	}
	return e
}

// unifyPair reconciles a boolean with a number in a comparison: a 0/1
// literal becomes FALSE/TRUE, otherwise the boolean becomes an integer.
func unifyPair(l, r pexpr) (pexpr, pexpr) {
	if l.kind == kBool && r.kind != kBool {
		l, r = fixBool(l, r)
	} else if r.kind == kBool && l.kind != kBool {
		r, l = fixBool(r, l)
	}
	return l, r
}

func fixBool(b, o pexpr) (pexpr, pexpr) {
	if o.is01() {
		return b, boolLit(*o.intLit == 1)
	}
	if o.kind == kNum || o.kind == kOther {
		return asNum(b), o
	}
	return b, o
}

// unifyList reconciles booleans with numbers in a list of values that must
// have one type (CASE results, COALESCE arguments, IN lists).
func unifyList(es []pexpr) {
	hasBool, needInt := false, false
	for _, e := range es {
		switch {
		case e.kind == kBool:
			hasBool = true
		case e.is01():
		case e.kind == kNum || e.kind == kOther:
			needInt = true
		}
	}
	if !hasBool {
		return
	}
	for i, e := range es {
		if needInt {
			es[i] = asNum(e)
		} else if e.is01() {
			es[i] = boolLit(*e.intLit == 1)
		}
	}
}

func sqlList(es []pexpr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.sql
	}
	return strings.Join(s, ", ")
}

// cond translates an expression used as a condition.
func (g *gen) cond(n ast.ExprNode) (pexpr, error) {
	e, err := g.expr(n)
	if err != nil {
		return e, err
	}
	return asCond(e), nil
}

func (g *gen) exprs(ns []ast.ExprNode) ([]pexpr, error) {
	out := make([]pexpr, len(ns))
	for i, n := range ns {
		e, err := g.expr(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// expr translates an expression.
func (g *gen) expr(n ast.ExprNode) (pexpr, error) {
	switch x := n.(type) {
	case *test_driver.ValueExpr:
		return literal(x)
	case *ast.ColumnNameExpr:
		return g.column(x.Name)
	case *ast.ParenthesesExpr:
		// Parentheses are re-added from PostgreSQL precedence where needed.
		return g.expr(x.Expr)
	case *ast.BinaryOperationExpr:
		return g.binary(x)
	case *ast.UnaryOperationExpr:
		return g.unary(x)
	case *ast.IsNullExpr:
		e, err := g.expr(x.Expr)
		if err != nil {
			return e, err
		}
		op := " IS NULL"
		if x.Not {
			op = " IS NOT NULL"
		}
		return pexpr{sql: e.at(precCmp+1) + op, prec: precIs, kind: kBool}, nil
	case *ast.IsTruthExpr:
		e, err := g.cond(x.Expr)
		if err != nil {
			return e, err
		}
		op := " IS "
		if x.Not {
			op = " IS NOT "
		}
		if x.True != 0 {
			op += "TRUE"
		} else {
			op += "FALSE"
		}
		return pexpr{sql: e.at(precCmp+1) + op, prec: precIs, kind: kBool}, nil
	case *ast.BetweenExpr:
		es, err := g.exprs([]ast.ExprNode{x.Expr, x.Left, x.Right})
		if err != nil {
			return pexpr{}, err
		}
		unifyList(es)
		op := " BETWEEN "
		if x.Not {
			op = " NOT BETWEEN "
		}
		return pexpr{sql: es[0].at(precIn+1) + op + es[1].at(precIn+1) + " AND " + es[2].at(precIn+1), prec: precIn, kind: kBool}, nil
	case *ast.PatternInExpr:
		return g.in(x)
	case *ast.PatternLikeOrIlikeExpr:
		return g.like(x)
	case *ast.PatternRegexpExpr:
		l, err := g.expr(x.Expr)
		if err != nil {
			return l, err
		}
		r, err := g.expr(x.Pattern)
		if err != nil {
			return r, err
		}
		op := " ~ "
		if x.Not {
			op = " !~ "
		}
		return pexpr{sql: asText(l).at(precOther+1) + op + asText(r).at(precOther+1), prec: precOther, kind: kBool}, nil
	case *ast.CaseExpr:
		return g.caseExpr(x)
	case *ast.SubqueryExpr:
		q, err := g.query(x.Query, false)
		if err != nil {
			return pexpr{}, err
		}
		return atom("("+q+")", kUnknown), nil
	case *ast.ExistsSubqueryExpr:
		sub, ok := x.Sel.(*ast.SubqueryExpr)
		if !ok {
			return pexpr{}, unsupported("EXISTS over %T", x.Sel)
		}
		q, err := g.query(sub.Query, false)
		if err != nil {
			return pexpr{}, err
		}
		if x.Not {
			return pexpr{sql: "NOT EXISTS (" + q + ")", prec: precNot, kind: kBool}, nil
		}
		return atom("EXISTS ("+q+")", kBool), nil
	case *ast.CompareSubqueryExpr:
		l, err := g.expr(x.L)
		if err != nil {
			return l, err
		}
		sub, ok := x.R.(*ast.SubqueryExpr)
		if !ok {
			return pexpr{}, unsupported("comparison with %T", x.R)
		}
		q, err := g.query(sub.Query, false)
		if err != nil {
			return pexpr{}, err
		}
		op, ok := cmpOps[x.Op]
		if !ok {
			return pexpr{}, unsupported("operator %s with ANY/ALL", x.Op)
		}
		quant := " ANY "
		if x.All {
			quant = " ALL "
		}
		return pexpr{sql: l.at(precCmp+1) + " " + op + quant + "(" + q + ")", prec: precCmp, kind: kBool}, nil
	case *ast.RowExpr:
		es, err := g.exprs(x.Values)
		if err != nil {
			return pexpr{}, err
		}
		return atom("("+sqlList(es)+")", kUnknown), nil
	case *ast.FuncCallExpr:
		return g.funcCall(x)
	case *ast.AggregateFuncExpr:
		return g.aggregate(x)
	case *ast.WindowFuncExpr:
		return g.window(x)
	case *ast.FuncCastExpr:
		return g.castExpr(x)
	case *ast.SetCollationExpr:
		// Collation names differ between the systems; PostgreSQL compares
		// case-sensitively by default, which is what _bin collations ask for.
		return g.expr(x.Expr)
	case *ast.PositionExpr:
		if x.P != nil {
			return pexpr{}, unsupported("parameter marker in ORDER BY")
		}
		return intLit(int64(x.N)), nil
	case *ast.VariableExpr:
		if x.IsSystem {
			return pexpr{}, unsupported("system variable @@%s", x.Name)
		}
		return pexpr{}, unsupported("user variable @%s", x.Name)
	case *ast.DefaultExpr:
		return pexpr{}, unsupported("DEFAULT in an expression")
	case *ast.MatchAgainst:
		return pexpr{}, unsupported("full-text search MATCH ... AGAINST")
	case *ast.ValuesExpr:
		return pexpr{}, unsupported("VALUES() function")
	case *ast.TimeUnitExpr:
		return pexpr{}, unsupported("time unit %s here", x.Unit)
	case ast.ParamMarkerExpr:
		return pexpr{}, unsupported("parameter marker ?")
	}
	return pexpr{}, unsupported("expression %T", n)
}

// literal translates a constant.
func literal(v *test_driver.ValueExpr) (pexpr, error) {
	switch v.Kind() {
	case test_driver.KindNull:
		return atom("NULL", kNull), nil
	case test_driver.KindInt64:
		if v.Type.GetFlag()&mysql.IsBooleanFlag != 0 {
			return boolLit(v.GetInt64() != 0), nil
		}
		return intLit(v.GetInt64()), nil
	case test_driver.KindUint64:
		return atom(strconv.FormatUint(v.GetUint64(), 10), kNum), nil
	case test_driver.KindFloat32, test_driver.KindFloat64:
		s := strconv.FormatFloat(v.GetFloat64(), 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0"
		}
		return decLit(s, v.GetFloat64() != 0), nil
	case test_driver.KindMysqlDecimal:
		d := v.GetMysqlDecimal().String()
		return decLit(d, strings.Trim(d, "-0.") != ""), nil
	case test_driver.KindString, test_driver.KindBytes:
		return stringLit(v.GetString())
	case test_driver.KindBinaryLiteral:
		b := []byte(v.GetBinaryLiteral())
		if utf8.Valid(b) && !strings.ContainsRune(string(b), 0) {
			// Hex and bit literals are strings in MySQL's string context,
			// the usual one in views.
			return stringLit(string(b))
		}
		return pexpr{}, unsupported("binary literal that is not valid UTF-8 text")
	}
	return pexpr{}, unsupported("literal of kind %d", v.Kind())
}

func decLit(s string, nonZero bool) pexpr {
	e := atom(s, kNum)
	e.decLit, e.nonZeroLit = true, nonZero
	if strings.HasPrefix(s, "-") {
		e.prec = precUnary
	}
	return e
}

// stringLit quotes a string for PostgreSQL with standard_conforming_strings
// on: only single quotes are doubled, backslashes are literal.
func stringLit(s string) (pexpr, error) {
	if !utf8.ValidString(s) {
		return pexpr{}, unsupported("string literal that is not valid UTF-8")
	}
	if strings.ContainsRune(s, 0) {
		return pexpr{}, unsupported("string literal containing a NUL character")
	}
	e := atom("'"+strings.ReplaceAll(s, "'", "''")+"'", kText)
	e.strLit = &s
	return e, nil
}

// column translates a column reference.
func (g *gen) column(c *ast.ColumnName) (pexpr, error) {
	if c.Table.O == "" {
		if sc := g.cur(); sc != nil && sc.subst != nil {
			if target, ok := sc.subst[c.Name.L]; ok && !(sc.inHaving && sc.groupCols[c.Name.L]) {
				if tc, isCol := target.(*ast.ColumnNameExpr); !isCol || !strings.EqualFold(tc.Name.Name.O, c.Name.O) {
					// A select alias in HAVING or an ORDER BY expression:
					// PostgreSQL does not resolve those, use the expression.
					subst := sc.subst
					sc.subst = nil
					e, err := g.expr(target)
					sc.subst = subst
					if err != nil {
						return e, err
					}
					if e.prec < precAtom {
						e = atom("("+e.sql+")", e.kind)
					}
					return e, nil
				}
			}
		}
	}
	if g.isTriggerRow(c) {
		return atom(strings.ToUpper(c.Table.L)+"."+g.ident(c.Name.O), g.boolKind(strings.ToLower(g.opt.TriggerTable), c.Name.L)), nil
	}
	var sql string
	switch {
	case c.Table.O == "":
		sql = g.ident(c.Name.O)
	case g.isSourceSchema(c.Schema.O):
		sql = g.ident(c.Table.O) + "." + g.ident(c.Name.O)
	default:
		sql = g.ident(c.Schema.O) + "." + g.ident(c.Table.O) + "." + g.ident(c.Name.O)
	}
	return atom(sql, g.columnKind(c)), nil
}

// isTriggerRow reports whether a column reference is NEW.col or OLD.col in
// a trigger body. As in MySQL, NEW and OLD always name the trigger's row,
// even where a table or alias of that name is in scope.
func (g *gen) isTriggerRow(c *ast.ColumnName) bool {
	return g.opt.TriggerTable != "" && c.Schema.O == "" && (c.Table.L == "new" || c.Table.L == "old")
}

// columnKind finds out whether a column is boolean: from the output of a
// derived table or CTE, or from Options.BoolColumns.
func (g *gen) columnKind(c *ast.ColumnName) kind {
	col := c.Name.L
	if c.Table.O != "" {
		q := c.Table.L
		for i := len(g.scopes) - 1; i >= 0; i-- {
			if real, ok := g.scopes[i].tables[q]; ok {
				if real == "" {
					return derivedKind(g.scopes[i].cols[q], col)
				}
				return g.boolKind(real, col)
			}
		}
		return g.boolKind(q, col)
	}
	derived := false
	for i := len(g.scopes) - 1; i >= 0; i-- {
		for ref, real := range g.scopes[i].tables {
			if real == "" {
				derived = true
				if k, ok := g.scopes[i].cols[ref][col]; ok && k == kBool {
					return kBool
				}
			} else if g.opt.BoolColumns[real+"."+col] {
				return kBool
			}
		}
	}
	if derived || g.opt.BoolColumns == nil {
		return kUnknown
	}
	return kOther
}

// derivedKind is the kind of a derived table's column: boolean or unknown.
func derivedKind(cols map[string]kind, col string) kind {
	if cols[col] == kBool {
		return kBool
	}
	return kUnknown
}

func (g *gen) boolKind(table, col string) kind {
	switch {
	case g.opt.BoolColumns == nil:
		return kUnknown
	case g.opt.BoolColumns[table+"."+col]:
		return kBool
	}
	return kOther
}

var cmpOps = map[opcode.Op]string{
	opcode.EQ: "=",
	opcode.NE: "<>",
	opcode.LT: "<",
	opcode.LE: "<=",
	opcode.GT: ">",
	opcode.GE: ">=",
}

func (g *gen) binary(x *ast.BinaryOperationExpr) (pexpr, error) {
	switch x.Op {
	case opcode.LogicAnd, opcode.LogicOr, opcode.LogicXor:
		l, err := g.cond(x.L)
		if err != nil {
			return l, err
		}
		r, err := g.cond(x.R)
		if err != nil {
			return r, err
		}
		switch x.Op {
		case opcode.LogicAnd:
			return pexpr{sql: l.at(precAnd) + " AND " + r.at(precAnd+1), prec: precAnd, kind: kBool}, nil
		case opcode.LogicOr:
			return pexpr{sql: l.at(precOr) + " OR " + r.at(precOr+1), prec: precOr, kind: kBool}, nil
		default:
			// Values of unknown type are assumed to be booleans in a
			// condition; an integer casts to boolean as MySQL treats it.
			if l.kind == kUnknown {
				l = cast(l, "boolean", kBool)
			}
			if r.kind == kUnknown {
				r = cast(r, "boolean", kBool)
			}
			return pexpr{sql: l.at(precCmp+1) + " <> " + r.at(precCmp+1), prec: precCmp, kind: kBool}, nil
		}
	}
	l, err := g.expr(x.L)
	if err != nil {
		return l, err
	}
	r, err := g.expr(x.R)
	if err != nil {
		return r, err
	}
	if op, ok := cmpOps[x.Op]; ok {
		l, r = unifyPair(l, r)
		if s, ok := simplifyBoolCmp(x.Op, l, r); ok {
			return s, nil
		}
		return pexpr{sql: l.at(precCmp+1) + " " + op + " " + r.at(precCmp+1), prec: precCmp, kind: kBool}, nil
	}
	switch x.Op {
	case opcode.NullEQ:
		l, r = unifyPair(l, r)
		return pexpr{sql: l.at(precCmp+1) + " IS NOT DISTINCT FROM " + r.at(precCmp+1), prec: precIs, kind: kBool}, nil
	case opcode.Plus, opcode.Minus:
		op := " + "
		if x.Op == opcode.Minus {
			op = " - "
		}
		return pexpr{sql: asNum(l).at(precAdd) + op + asNum(r).at(precAdd+1), prec: precAdd, kind: kNum}, nil
	case opcode.Mul:
		return pexpr{sql: asNum(l).at(precMul) + " * " + asNum(r).at(precMul+1), prec: precMul, kind: kNum}, nil
	case opcode.Div:
		// MySQL's / never truncates and gives NULL for division by zero.
		l = asNum(l)
		if !l.decLit {
			l = cast(l, "numeric", kNum)
		}
		return pexpr{sql: l.at(precMul) + " / " + nonZero(asNum(r)).at(precMul+1), prec: precMul, kind: kNum}, nil
	case opcode.IntDiv:
		l = cast(asNum(l), "numeric", kNum)
		q := l.at(precMul) + " / " + nonZero(asNum(r)).at(precMul+1)
		return cast(atom("trunc("+q+")", kNum), "bigint", kNum), nil
	case opcode.Mod:
		return pexpr{sql: asNum(l).at(precMul) + " % " + nonZero(asNum(r)).at(precMul+1), prec: precMul, kind: kNum}, nil
	case opcode.And, opcode.Or, opcode.Xor, opcode.LeftShift, opcode.RightShift:
		op := map[opcode.Op]string{opcode.And: "&", opcode.Or: "|", opcode.Xor: "#", opcode.LeftShift: "<<", opcode.RightShift: ">>"}[x.Op]
		return pexpr{sql: asNum(l).at(precOther) + " " + op + " " + asNum(r).at(precOther+1), prec: precOther, kind: kNum}, nil
	}
	return pexpr{}, unsupported("operator %s", x.Op)
}

// nonZero wraps a divisor in NULLIF(x, 0) unless it is a non-zero literal.
func nonZero(e pexpr) pexpr {
	if e.nonZeroLit {
		return e
	}
	return atom("NULLIF("+e.sql+", 0)", kNum)
}

// simplifyBoolCmp turns "b = TRUE" into "b" and "b = FALSE" into "NOT b"
// (and the <> forms), which MariaDB writes for boolean tests of tinyint(1)
// columns ("flag <> 0").
func simplifyBoolCmp(op opcode.Op, l, r pexpr) (pexpr, bool) {
	if op != opcode.EQ && op != opcode.NE {
		return pexpr{}, false
	}
	if l.boolLit != nil && r.boolLit == nil {
		l, r = r, l
	}
	if r.boolLit == nil || l.boolLit != nil || l.kind != kBool {
		return pexpr{}, false
	}
	positive := *r.boolLit == (op == opcode.EQ)
	if positive {
		return l, true
	}
	return pexpr{sql: "NOT " + l.at(precCast), prec: precNot, kind: kBool}, true
}

func (g *gen) unary(x *ast.UnaryOperationExpr) (pexpr, error) {
	switch x.Op {
	case opcode.Not, opcode.Not2:
		e, err := g.cond(x.V)
		if err != nil {
			return e, err
		}
		if e.boolLit != nil {
			return boolLit(!*e.boolLit), nil
		}
		return pexpr{sql: "NOT " + e.at(precCast), prec: precNot, kind: kBool}, nil
	}
	e, err := g.expr(x.V)
	if err != nil {
		return e, err
	}
	e = asNum(e)
	switch x.Op {
	case opcode.Plus:
		return e, nil
	case opcode.Minus:
		if e.intLit != nil && *e.intLit > -1<<63 {
			return intLit(-*e.intLit), nil
		}
		s := e.at(precUnary)
		if strings.HasPrefix(s, "-") {
			s = "(" + s + ")" // "--" would start a comment
		}
		return pexpr{sql: "-" + s, prec: precUnary, kind: kNum, decLit: e.decLit, nonZeroLit: e.nonZeroLit}, nil
	case opcode.BitNeg:
		s := e.at(precUnary)
		if strings.HasPrefix(s, "-") {
			s = "(" + s + ")"
		}
		return pexpr{sql: "~" + s, prec: precUnary, kind: kNum}, nil
	}
	return pexpr{}, unsupported("operator %s", x.Op)
}

func (g *gen) in(x *ast.PatternInExpr) (pexpr, error) {
	l, err := g.expr(x.Expr)
	if err != nil {
		return l, err
	}
	op := " IN "
	if x.Not {
		op = " NOT IN "
	}
	if x.Sel != nil {
		sub, ok := x.Sel.(*ast.SubqueryExpr)
		if !ok {
			return pexpr{}, unsupported("IN over %T", x.Sel)
		}
		q, err := g.query(sub.Query, false)
		if err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: l.at(precIn+1) + op + "(" + q + ")", prec: precIn, kind: kBool}, nil
	}
	items, err := g.exprs(x.List)
	if err != nil {
		return pexpr{}, err
	}
	all := append([]pexpr{l}, items...)
	unifyList(all)
	return pexpr{sql: all[0].at(precIn+1) + op + "(" + sqlList(all[1:]) + ")", prec: precIn, kind: kBool}, nil
}

func (g *gen) like(x *ast.PatternLikeOrIlikeExpr) (pexpr, error) {
	l, err := g.expr(x.Expr)
	if err != nil {
		return l, err
	}
	p, err := g.expr(x.Pattern)
	if err != nil {
		return p, err
	}
	op := "LIKE"
	if !x.IsLike {
		op = "ILIKE"
	}
	if x.Not {
		op = "NOT " + op
	}
	s := asText(l).at(precIn+1) + " " + op + " " + asText(p).at(precIn+1)
	if x.Escape != '\\' || x.EscapeExplicit {
		esc, err := stringLit(string(rune(x.Escape)))
		if err != nil {
			return esc, err
		}
		s += " ESCAPE " + esc.sql
	}
	return pexpr{sql: s, prec: precIn, kind: kBool}, nil
}

func (g *gen) caseExpr(x *ast.CaseExpr) (pexpr, error) {
	var b strings.Builder
	b.WriteString("CASE")
	var whens []pexpr
	if x.Value != nil {
		vals := []ast.ExprNode{x.Value}
		for _, w := range x.WhenClauses {
			vals = append(vals, w.Expr)
		}
		es, err := g.exprs(vals)
		if err != nil {
			return pexpr{}, err
		}
		unifyList(es)
		b.WriteString(" " + es[0].sql)
		whens = es[1:]
	} else {
		for _, w := range x.WhenClauses {
			c, err := g.cond(w.Expr)
			if err != nil {
				return c, err
			}
			whens = append(whens, c)
		}
	}
	results := make([]ast.ExprNode, 0, len(x.WhenClauses)+1)
	for _, w := range x.WhenClauses {
		results = append(results, w.Result)
	}
	if x.ElseClause != nil {
		results = append(results, x.ElseClause)
	}
	rs, err := g.exprs(results)
	if err != nil {
		return pexpr{}, err
	}
	unifyList(rs)
	for i := range x.WhenClauses {
		b.WriteString(" WHEN " + whens[i].sql + " THEN " + rs[i].sql)
	}
	if x.ElseClause != nil {
		b.WriteString(" ELSE " + rs[len(rs)-1].sql)
	}
	b.WriteString(" END")
	return atom(b.String(), commonKind(rs)), nil
}

// commonKind is the kind shared by all values, ignoring NULLs.
func commonKind(es []pexpr) kind {
	k := kNull
	for _, e := range es {
		switch {
		case e.kind == kNull:
		case k == kNull:
			k = e.kind
		case k != e.kind:
			return kUnknown
		}
	}
	if k == kNull {
		return kUnknown
	}
	return k
}

func (g *gen) castExpr(x *ast.FuncCastExpr) (pexpr, error) {
	e, err := g.expr(x.Expr)
	if err != nil {
		return e, err
	}
	if x.FunctionType == ast.CastBinaryOperator {
		// BINARY x asks for a case-sensitive comparison, PostgreSQL's
		// default.
		return e, nil
	}
	tp := x.Tp
	switch tp.GetType() {
	case mysql.TypeVarString, mysql.TypeString, mysql.TypeVarchar:
		if tp.GetFlen() > 0 {
			return cast(asNum(e), "varchar("+itoa(tp.GetFlen())+")", kText), nil
		}
		return asText(e), nil
	case mysql.TypeDate:
		return cast(e, "date", kTime), nil
	case mysql.TypeDatetime, mysql.TypeTimestamp:
		if tp.GetDecimal() > 0 {
			return cast(e, "timestamp("+itoa(tp.GetDecimal())+")", kTime), nil
		}
		return cast(e, "timestamp", kTime), nil
	case mysql.TypeDuration:
		if tp.GetDecimal() > 0 {
			return cast(e, "time("+itoa(tp.GetDecimal())+")", kTime), nil
		}
		return cast(e, "time", kTime), nil
	case mysql.TypeNewDecimal:
		flen, dec := tp.GetFlen(), tp.GetDecimal()
		if flen <= 0 {
			flen = 10
		}
		if dec < 0 {
			dec = 0
		}
		return cast(asNum(e), "numeric("+itoa(flen)+","+itoa(dec)+")", kNum), nil
	case mysql.TypeLonglong:
		return cast(asNum(e), "bigint", kNum), nil
	case mysql.TypeDouble:
		return cast(asNum(e), "double precision", kNum), nil
	case mysql.TypeFloat:
		return cast(asNum(e), "real", kNum), nil
	case mysql.TypeYear:
		return cast(asNum(e), "smallint", kNum), nil
	case mysql.TypeJSON:
		return cast(e, "jsonb", kUnknown), nil
	}
	return pexpr{}, unsupported("CAST to %s", tp.String())
}
