package mysqlview

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

func (g *gen) aggregate(x *ast.AggregateFuncExpr) (pexpr, error) {
	return g.aggCall(strings.ToLower(x.F), x.Args, x.Distinct, x.Order, false)
}

// aggCall translates an aggregate function call, as an aggregate or (with
// window set) as a window function whose OVER clause the caller appends.
func (g *gen) aggCall(name string, raw []ast.ExprNode, distinct bool, order *ast.OrderByClause, window bool) (pexpr, error) {
	if name == ast.AggFuncGroupConcat {
		return g.groupConcat(raw, distinct, order, window)
	}
	upper := strings.ToUpper(name)
	if window && distinct {
		return pexpr{}, unsupported("DISTINCT in window function %s", upper)
	}
	dist := ""
	if distinct {
		dist = "DISTINCT "
	}
	switch name {
	case ast.AggFuncCount:
		if len(raw) == 1 && !distinct {
			if v, ok := raw[0].(*test_driver.ValueExpr); ok && v.Kind() != test_driver.KindNull {
				// COUNT(*) (the parser's COUNT(1)); MariaDB writes COUNT(0).
				return atom("count(*)", kNum), nil
			}
		}
		args, err := g.exprs(raw)
		if err != nil {
			return pexpr{}, err
		}
		if len(args) == 1 {
			return atom("count("+dist+args[0].sql+")", kNum), nil
		}
		if !distinct {
			return pexpr{}, argCountError(name, "one argument")
		}
		// COUNT(DISTINCT a, b) counts the distinct rows without NULLs.
		var tests []string
		for _, a := range args {
			tests = append(tests, a.at(precCmp+1)+" IS NULL")
		}
		return atom("count(DISTINCT CASE WHEN "+strings.Join(tests, " OR ")+" THEN NULL ELSE ("+sqlList(args)+") END)", kNum), nil
	}
	args, err := g.exprs(raw)
	if err != nil {
		return pexpr{}, err
	}
	one := func() error {
		if len(args) != 1 {
			return argCountError(name, "one argument")
		}
		return nil
	}
	switch name {
	case ast.AggFuncSum, ast.AggFuncAvg, ast.AggFuncBitAnd, ast.AggFuncBitOr, ast.AggFuncBitXor,
		ast.AggFuncStddevPop, ast.AggFuncStddevSamp, ast.AggFuncVarPop, ast.AggFuncVarSamp,
		"std", "stddev", "variance":
		if err := one(); err != nil {
			return pexpr{}, err
		}
		fn := map[string]string{"std": "stddev_pop", "stddev": "stddev_pop", "variance": "var_pop"}[name]
		if fn == "" {
			fn = name
		}
		return atom(fn+"("+dist+asNum(args[0]).sql+")", kNum), nil
	case ast.AggFuncMin, ast.AggFuncMax:
		if err := one(); err != nil {
			return pexpr{}, err
		}
		a := args[0]
		if a.kind == kBool {
			// PostgreSQL has no MIN/MAX over booleans.
			fn := "bool_and"
			if name == ast.AggFuncMax {
				fn = "bool_or"
			}
			return atom(fn+"("+a.sql+")", kBool), nil
		}
		return atom(name+"("+dist+a.sql+")", a.kind), nil
	case ast.AggFuncJsonArrayagg:
		if err := one(); err != nil {
			return pexpr{}, err
		}
		return atom("json_agg("+dist+args[0].sql+")", kUnknown), nil
	case ast.AggFuncJsonObjectAgg:
		if len(args) != 2 {
			return pexpr{}, argCountError(name, "two arguments")
		}
		return atom("json_object_agg("+asText(args[0]).sql+", "+args[1].sql+")", kUnknown), nil
	}
	return pexpr{}, unsupported("aggregate function %s", upper)
}

// groupConcat translates GROUP_CONCAT([DISTINCT] expr, ... [ORDER BY ...]
// [SEPARATOR s]); the parser passes the separator as the last argument.
func (g *gen) groupConcat(raw []ast.ExprNode, distinct bool, order *ast.OrderByClause, window bool) (pexpr, error) {
	if len(raw) < 2 {
		return pexpr{}, argCountError("group_concat", "at least one argument")
	}
	sepStr, ok := stringArg(raw[len(raw)-1])
	if !ok {
		return pexpr{}, unsupported("GROUP_CONCAT separator that is not a string")
	}
	sep, err := stringLit(sepStr)
	if err != nil {
		return sep, err
	}
	valueArgs := raw[:len(raw)-1]
	args, err := g.exprs(valueArgs)
	if err != nil {
		return pexpr{}, err
	}
	value := concat(args)
	if window {
		if distinct {
			return pexpr{}, unsupported("DISTINCT in window function GROUP_CONCAT")
		}
		return atom("string_agg("+value.sql+", "+sep.sql+")", kText), nil
	}
	if !distinct || order == nil {
		s := "string_agg("
		if distinct {
			s += "DISTINCT "
		}
		s += value.sql + ", " + sep.sql
		if order != nil {
			o, err := g.orderBy(order, false)
			if err != nil {
				return pexpr{}, err
			}
			if o != "" {
				s += " ORDER BY " + o
			}
		}
		return atom(s+")", kText), nil
	}

	// DISTINCT with ORDER BY: PostgreSQL requires the ORDER BY expressions
	// to be the aggregated value.
	if len(order.Items) != 1 {
		return pexpr{}, unsupported("GROUP_CONCAT(DISTINCT ...) ordered by several expressions")
	}
	item := order.Items[0]
	key, err := g.expr(item.Expr)
	if err != nil {
		return key, err
	}
	desc := ""
	if item.Desc {
		desc = " DESC"
	}
	if len(args) == 1 && key.sql == args[0].sql {
		if value.kind == kText && args[0].kind == kText {
			return atom("string_agg(DISTINCT "+value.sql+", "+sep.sql+" ORDER BY "+value.sql+desc+")", kText), nil
		}
		// Keep the value's own ordering (numbers, dates) by aggregating
		// it into an array first.
		v := asNum(args[0])
		return atom("array_to_string(array_agg(DISTINCT "+v.sql+" ORDER BY "+v.sql+desc+") FILTER (WHERE "+v.at(precCmp+1)+" IS NOT NULL), "+sep.sql+")", kText), nil
	}
	// Ordered by the leading part of the value, as in
	// GROUP_CONCAT(DISTINCT CONCAT(name, ': ', x) ORDER BY name): order by
	// the whole value, which sorts the same way.
	first, ok := leadingPart(valueArgs)
	if ok {
		f, err := g.expr(first)
		if err != nil {
			return f, err
		}
		if f.sql == key.sql {
			return atom("string_agg(DISTINCT "+value.sql+", "+sep.sql+" ORDER BY "+value.sql+desc+")", kText), nil
		}
	}
	return pexpr{}, unsupported("GROUP_CONCAT(DISTINCT ...) with ORDER BY an expression that is not the aggregated value")
}

// leadingPart returns the first piece of a GROUP_CONCAT value: the first
// argument, or the first argument of a single CONCAT argument.
func leadingPart(args []ast.ExprNode) (ast.ExprNode, bool) {
	if len(args) > 1 {
		return args[0], true
	}
	if f, ok := args[0].(*ast.FuncCallExpr); ok && f.FnName.L == "concat" && len(f.Args) > 1 {
		return f.Args[0], true
	}
	return nil, false
}

var rankingFuncs = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true,
	"cume_dist": true, "ntile": true, "lead": true, "lag": true,
	"first_value": true, "last_value": true, "nth_value": true,
}

func (g *gen) window(x *ast.WindowFuncExpr) (pexpr, error) {
	name := strings.ToLower(x.Name)
	if x.IgnoreNull {
		return pexpr{}, unsupported("IGNORE NULLS in window function %s", strings.ToUpper(name))
	}
	if x.FromLast {
		return pexpr{}, unsupported("FROM LAST in window function %s", strings.ToUpper(name))
	}
	var fn pexpr
	if rankingFuncs[name] {
		args, err := g.exprs(x.Args)
		if err != nil {
			return pexpr{}, err
		}
		k := kNum
		switch name {
		case "lead", "lag", "first_value", "last_value", "nth_value":
			if len(args) > 0 {
				k = args[0].kind
			}
		}
		fn = atom(name+"("+sqlList(args)+")", k)
	} else {
		var err error
		fn, err = g.aggCall(name, x.Args, x.Distinct, nil, true)
		if err != nil {
			return fn, err
		}
	}
	if x.Spec.OnlyAlias {
		return atom(fn.sql+" OVER "+g.ident(x.Spec.Name.O), fn.kind), nil
	}
	body, err := g.windowBody(&x.Spec)
	if err != nil {
		return pexpr{}, err
	}
	return atom(fn.sql+" OVER ("+body+")", fn.kind), nil
}

// windowBody renders the inside of OVER (...) or of a WINDOW definition.
func (g *gen) windowBody(ws *ast.WindowSpec) (string, error) {
	var parts []string
	if ws.Ref.O != "" {
		parts = append(parts, g.ident(ws.Ref.O))
	}
	if ws.PartitionBy != nil {
		items := make([]string, 0, len(ws.PartitionBy.Items))
		for _, it := range ws.PartitionBy.Items {
			e, err := g.expr(it.Expr)
			if err != nil {
				return "", err
			}
			items = append(items, e.sql)
		}
		parts = append(parts, "PARTITION BY "+strings.Join(items, ", "))
	}
	if ws.OrderBy != nil {
		o, err := g.orderBy(ws.OrderBy, false)
		if err != nil {
			return "", err
		}
		if o != "" {
			parts = append(parts, "ORDER BY "+o)
		}
	}
	if ws.Frame != nil {
		kw := map[ast.FrameType]string{ast.Rows: "ROWS", ast.Ranges: "RANGE", ast.Groups: "GROUPS"}[ws.Frame.Type]
		start, err := g.frameBound(&ws.Frame.Extent.Start)
		if err != nil {
			return "", err
		}
		end, err := g.frameBound(&ws.Frame.Extent.End)
		if err != nil {
			return "", err
		}
		parts = append(parts, kw+" BETWEEN "+start+" AND "+end)
	}
	return strings.Join(parts, " "), nil
}

func (g *gen) frameBound(b *ast.FrameBound) (string, error) {
	dir := " PRECEDING"
	if b.Type == ast.Following {
		dir = " FOLLOWING"
	}
	switch {
	case b.Type == ast.CurrentRow:
		return "CURRENT ROW", nil
	case b.UnBounded:
		return "UNBOUNDED" + dir, nil
	case b.Expr == nil:
		return "", unsupported("window frame bound")
	}
	e, err := g.expr(b.Expr)
	if err != nil {
		return "", err
	}
	if b.Unit != ast.TimeUnitInvalid {
		iv, err := interval(e, b.Expr, b.Unit)
		if err != nil {
			return "", err
		}
		if iv.prec < precAtom {
			return "", unsupported("window frame with a computed interval")
		}
		return iv.sql + dir, nil
	}
	return e.sql + dir, nil
}
