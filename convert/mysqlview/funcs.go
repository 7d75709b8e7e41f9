package mysqlview

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// call renders name(args).
func call(name string, k kind, args ...pexpr) pexpr {
	return atom(name+"("+sqlList(args)+")", k)
}

func argCountError(name string, want string) error {
	return fmt.Errorf("function %s expects %s", strings.ToUpper(name), want)
}

func mapArgs(es []pexpr, f func(pexpr) pexpr) []pexpr {
	out := make([]pexpr, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}

// intArg returns the value of an integer literal argument.
func intArg(n ast.ExprNode) (int64, bool) {
	switch x := n.(type) {
	case *test_driver.ValueExpr:
		switch x.Kind() {
		case test_driver.KindInt64:
			return x.GetInt64(), true
		case test_driver.KindUint64:
			if x.GetUint64() < 1<<62 {
				return int64(x.GetUint64()), true
			}
		}
	case *ast.UnaryOperationExpr:
		if v, ok := intArg(x.V); ok && x.Op == opcode.Minus {
			return -v, true
		}
	case *ast.ParenthesesExpr:
		return intArg(x.Expr)
	}
	return 0, false
}

// stringArg returns the value of a string literal argument.
func stringArg(n ast.ExprNode) (string, bool) {
	if v, ok := n.(*test_driver.ValueExpr); ok && (v.Kind() == test_driver.KindString || v.Kind() == test_driver.KindBytes) {
		return v.GetString(), true
	}
	return "", false
}

func (g *gen) funcCall(f *ast.FuncCallExpr) (pexpr, error) {
	name := f.FnName.L
	if f.Schema.O != "" {
		return pexpr{}, unsupported("call to stored function %s.%s", f.Schema.O, f.FnName.O)
	}
	switch name {
	case ast.DateLiteral, ast.TimeLiteral, ast.TimestampLiteral:
		s, ok := stringArg(f.Args[0])
		if !ok {
			return pexpr{}, unsupported("date/time literal form")
		}
		lit, err := stringLit(s)
		if err != nil {
			return lit, err
		}
		kw := map[string]string{ast.DateLiteral: "DATE ", ast.TimeLiteral: "TIME ", ast.TimestampLiteral: "TIMESTAMP "}[name]
		return atom(kw+lit.sql, kTime), nil
	case "date_add", "adddate", "date_sub", "subdate":
		return g.dateArith(f)
	case "timestampdiff":
		return g.timestampDiff(f)
	case "extract":
		if len(f.Args) != 2 {
			return pexpr{}, argCountError(name, "a unit and a value")
		}
		u, ok := f.Args[0].(*ast.TimeUnitExpr)
		if !ok {
			return pexpr{}, unsupported("EXTRACT form")
		}
		v, err := g.expr(f.Args[1])
		if err != nil {
			return v, err
		}
		return extractField(u.Unit, asTime(v))
	case "trim":
		return g.trim(f)
	case "convert":
		// CONVERT(x USING charset): PostgreSQL text has one encoding.
		if len(f.Args) < 1 {
			return pexpr{}, argCountError(name, "arguments")
		}
		e, err := g.expr(f.Args[0])
		if err != nil {
			return e, err
		}
		return asText(e), nil
	}

	args, err := g.exprs(f.Args)
	if err != nil {
		return pexpr{}, err
	}
	n := len(args)
	want := func(counts ...int) error {
		for _, c := range counts {
			if c == n {
				return nil
			}
		}
		s := make([]string, len(counts))
		for i, c := range counts {
			s[i] = strconv.Itoa(c)
		}
		return argCountError(name, strings.Join(s, " or ")+" arguments")
	}
	atLeast := func(c int) error {
		if n < c {
			return argCountError(name, "at least "+strconv.Itoa(c)+" arguments")
		}
		return nil
	}

	switch name {
	// Control flow.
	case "if":
		if err := want(3); err != nil {
			return pexpr{}, err
		}
		rs := []pexpr{args[1], args[2]}
		unifyList(rs)
		return atom("CASE WHEN "+asCond(args[0]).sql+" THEN "+rs[0].sql+" ELSE "+rs[1].sql+" END", commonKind(rs)), nil
	case "ifnull", "nvl", "coalesce":
		if err := atLeast(1); err != nil {
			return pexpr{}, err
		}
		if name != "coalesce" {
			if err := want(2); err != nil {
				return pexpr{}, err
			}
		}
		unifyList(args)
		return call("COALESCE", commonKind(args), args...), nil
	case "nullif":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		l, r := unifyPair(args[0], args[1])
		return call("NULLIF", l.kind, l, r), nil
	case "isnull":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: args[0].at(precCmp+1) + " IS NULL", prec: precIs, kind: kBool}, nil
	case "greatest", "least":
		if err := atLeast(2); err != nil {
			return pexpr{}, err
		}
		unifyList(args)
		fn := call(strings.ToUpper(name), commonKind(args), args...)
		// MySQL returns NULL if any argument is NULL; PostgreSQL ignores
		// NULLs.
		var tests []string
		for _, a := range args {
			if a.kind == kNull {
				return atom("NULL", kNull), nil
			}
			if a.intLit == nil && a.strLit == nil && !a.decLit && a.boolLit == nil {
				tests = append(tests, a.at(precCmp+1)+" IS NULL")
			}
		}
		if len(tests) == 0 {
			return fn, nil
		}
		return atom("CASE WHEN "+strings.Join(tests, " OR ")+" THEN NULL ELSE "+fn.sql+" END", fn.kind), nil

	// Strings.
	case "concat":
		if err := atLeast(1); err != nil {
			return pexpr{}, err
		}
		return concat(args), nil
	case "concat_ws":
		if err := atLeast(2); err != nil {
			return pexpr{}, err
		}
		out := []pexpr{asText(args[0])}
		for _, a := range args[1:] {
			if a.kind == kBool {
				a = asText(a)
			}
			out = append(out, a)
		}
		return call("concat_ws", kText, out...), nil
	case "upper", "ucase", "lower", "lcase":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		fn := "upper"
		if name == "lower" || name == "lcase" {
			fn = "lower"
		}
		return call(fn, kText, asText(args[0])), nil
	case "length", "octet_length":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return call("octet_length", kNum, asText(args[0])), nil
	case "char_length", "character_length":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return call("char_length", kNum, asText(args[0])), nil
	case "bit_length":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return call("bit_length", kNum, asText(args[0])), nil
	case "substr", "substring", "mid":
		if err := want(2, 3); err != nil {
			return pexpr{}, err
		}
		return g.substr(f.Args, args)
	case "left", "right":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return call(name, kText, asText(args[0]), asNum(args[1])), nil
	case "ltrim", "rtrim":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return call(name, kText, asText(args[0])), nil
	case "replace":
		if err := want(3); err != nil {
			return pexpr{}, err
		}
		return call("replace", kText, mapArgs(args, asText)...), nil
	case "reverse", "md5", "ascii":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		k := kText
		if name == "ascii" {
			k = kNum
		}
		return call(name, k, asText(args[0])), nil
	case "repeat":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return call("repeat", kText, asText(args[0]), asNum(args[1])), nil
	case "space":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return call("repeat", kText, atom("' '", kText), asNum(args[0])), nil
	case "lpad", "rpad":
		if err := want(2, 3); err != nil {
			return pexpr{}, err
		}
		out := []pexpr{asText(args[0]), asNum(args[1])}
		if n == 3 {
			out = append(out, asText(args[2]))
		}
		return call(name, kText, out...), nil
	case "locate", "instr", "position":
		var sub, str pexpr
		if name == "instr" {
			if err := want(2); err != nil {
				return pexpr{}, err
			}
			str, sub = args[0], args[1]
		} else {
			if err := want(2, 3); err != nil {
				return pexpr{}, err
			}
			sub, str = args[0], args[1]
		}
		if n == 3 {
			// LOCATE(sub, str, pos): search from pos, 0 when not found.
			pos := asNum(args[2])
			found := call("strpos", kNum, call("substr", kText, asText(str), pos), asText(sub))
			return atom("CASE WHEN "+found.sql+" = 0 THEN 0 ELSE "+found.sql+" + "+pos.at(precAdd+1)+" - 1 END", kNum), nil
		}
		return call("strpos", kNum, asText(str), asText(sub)), nil
	case "regexp_replace":
		if err := want(3); err != nil {
			return pexpr{}, err
		}
		// MySQL replaces every match.
		return call("regexp_replace", kText, asText(args[0]), asText(args[1]), asText(args[2]), atom("'g'", kText)), nil
	case "regexp_like":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: asText(args[0]).at(precOther+1) + " ~ " + asText(args[1]).at(precOther+1), prec: precOther, kind: kBool}, nil

	case "substring_index":
		if err := want(3); err != nil {
			return pexpr{}, err
		}
		cnt, ok := intArg(f.Args[2])
		if !ok {
			return pexpr{}, unsupported("SUBSTRING_INDEX with a count that is not a constant")
		}
		str, delim := asText(args[0]), asText(args[1])
		switch {
		case cnt == 0:
			return atom("''", kText), nil
		case cnt == 1 || cnt == -1:
			return call("split_part", kText, str, delim, intLit(cnt)), nil
		case cnt > 0:
			parts := "(string_to_array(" + str.sql + ", " + delim.sql + "))[1:" + strconv.FormatInt(cnt, 10) + "]"
			return atom("array_to_string("+parts+", "+delim.sql+")", kText), nil
		default:
			rev := func(e pexpr) string { return "reverse(" + e.sql + ")" }
			parts := "(string_to_array(" + rev(str) + ", " + rev(delim) + "))[1:" + strconv.FormatInt(-cnt, 10) + "]"
			return atom("reverse(array_to_string("+parts+", "+rev(delim)+"))", kText), nil
		}
	case "find_in_set":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		str, list := asText(args[0]), asText(args[1])
		pos := "COALESCE(array_position(string_to_array(" + list.sql + ", ','), " + str.sql + "), 0)"
		return atom("CASE WHEN "+str.at(precCmp+1)+" IS NULL OR "+list.at(precCmp+1)+" IS NULL THEN NULL ELSE "+pos+" END", kNum), nil
	case "json_extract":
		if err := want(2); err != nil {
			return pexpr{}, unsupported("JSON_EXTRACT with several paths")
		}
		path, err := jsonPath(f.Args[1])
		if err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: cast(args[0], "jsonb", kUnknown).sql + " #> " + path, prec: precOther}, nil
	case "json_unquote":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		// JSON_UNQUOTE(JSON_EXTRACT(doc, path)), which is what doc->>path
		// becomes.
		if inner, ok := f.Args[0].(*ast.FuncCallExpr); ok && inner.FnName.L == "json_extract" && len(inner.Args) == 2 && inner.Schema.O == "" {
			doc, err := g.expr(inner.Args[0])
			if err != nil {
				return doc, err
			}
			path, err := jsonPath(inner.Args[1])
			if err != nil {
				return pexpr{}, err
			}
			return pexpr{sql: cast(doc, "jsonb", kUnknown).sql + " #>> " + path, prec: precOther, kind: kText}, nil
		}
		return pexpr{}, unsupported("JSON_UNQUOTE of anything but JSON_EXTRACT")

	// Numbers.
	case "abs", "sign", "floor", "ceil", "ceiling", "sqrt", "exp", "ln", "sin", "cos", "tan", "asin", "acos", "cot", "degrees", "radians", "log10":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		fn := name
		if fn == "ceiling" {
			fn = "ceil"
		}
		return call(fn, kNum, asNum(args[0])), nil
	case "atan":
		if err := want(1, 2); err != nil {
			return pexpr{}, err
		}
		if n == 2 {
			return call("atan2", kNum, asNum(args[0]), asNum(args[1])), nil
		}
		return call("atan", kNum, asNum(args[0])), nil
	case "atan2":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return call("atan2", kNum, asNum(args[0]), asNum(args[1])), nil
	case "pi":
		if err := want(0); err != nil {
			return pexpr{}, err
		}
		return atom("pi()", kNum), nil
	case "power", "pow":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return call("power", kNum, asNum(args[0]), asNum(args[1])), nil
	case "log":
		if err := want(1, 2); err != nil {
			return pexpr{}, err
		}
		if n == 1 {
			// MySQL's one-argument LOG is the natural logarithm.
			return call("ln", kNum, asNum(args[0])), nil
		}
		return call("log", kNum, cast(asNum(args[0]), "numeric", kNum), cast(asNum(args[1]), "numeric", kNum)), nil
	case "log2":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return call("log", kNum, atom("2", kNum), cast(asNum(args[0]), "numeric", kNum)), nil
	case "mod":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: asNum(args[0]).at(precMul) + " % " + nonZero(asNum(args[1])).at(precMul+1), prec: precMul, kind: kNum}, nil
	case "round":
		if err := want(1, 2); err != nil {
			return pexpr{}, err
		}
		if n == 1 {
			return call("round", kNum, asNum(args[0])), nil
		}
		// PostgreSQL has round(numeric, int) only.
		return call("round", kNum, cast(asNum(args[0]), "numeric", kNum), asNum(args[1])), nil
	case "truncate":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return call("trunc", kNum, cast(asNum(args[0]), "numeric", kNum), asNum(args[1])), nil
	case "rand":
		if err := want(0); err != nil {
			return pexpr{}, unsupported("RAND with a seed")
		}
		return atom("random()", kNum), nil

	// Date and time.
	case "now", "current_timestamp", "localtime", "localtimestamp", "sysdate":
		if err := want(0, 1); err != nil {
			return pexpr{}, err
		}
		// MySQL's NOW() is a DATETIME: no time zone, whole seconds unless a
		// precision is given.
		return atom("LOCALTIMESTAMP("+fsp(f.Args)+")", kTime), nil
	case "curdate", "current_date":
		if err := want(0); err != nil {
			return pexpr{}, err
		}
		return atom("CURRENT_DATE", kTime), nil
	case "curtime", "current_time":
		if err := want(0, 1); err != nil {
			return pexpr{}, err
		}
		return atom("LOCALTIME("+fsp(f.Args)+")", kTime), nil
	case "utc_timestamp":
		if err := want(0, 1); err != nil {
			return pexpr{}, err
		}
		return atom("(CURRENT_TIMESTAMP("+fsp(f.Args)+") AT TIME ZONE 'UTC')", kTime), nil
	case "utc_date":
		if err := want(0); err != nil {
			return pexpr{}, err
		}
		return cast(atom("(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')", kTime), "date", kTime), nil
	case "date":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return cast(args[0], "date", kTime), nil
	case "time":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return cast(args[0], "time", kTime), nil
	case "timestamp":
		if err := want(1); err != nil {
			return pexpr{}, unsupported("TIMESTAMP with two arguments")
		}
		return cast(args[0], "timestamp", kTime), nil
	case "year", "month", "day", "dayofmonth", "hour", "minute", "second", "microsecond", "quarter", "dayofyear", "weekofyear":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		unit := map[string]ast.TimeUnitType{
			"year": ast.TimeUnitYear, "month": ast.TimeUnitMonth, "day": ast.TimeUnitDay, "dayofmonth": ast.TimeUnitDay,
			"hour": ast.TimeUnitHour, "minute": ast.TimeUnitMinute, "second": ast.TimeUnitSecond,
			"microsecond": ast.TimeUnitMicrosecond, "quarter": ast.TimeUnitQuarter,
		}
		switch name {
		case "dayofyear":
			return cast(atom("EXTRACT(DOY FROM "+asTime(args[0]).sql+")", kNum), "int", kNum), nil
		case "weekofyear":
			return cast(atom("EXTRACT(WEEK FROM "+asTime(args[0]).sql+")", kNum), "int", kNum), nil
		}
		return extractField(unit[name], asTime(args[0]))
	case "dayofweek":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: cast(atom("EXTRACT(DOW FROM "+asTime(args[0]).sql+")", kNum), "int", kNum).sql + " + 1", prec: precAdd, kind: kNum}, nil
	case "weekday":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: cast(atom("EXTRACT(ISODOW FROM "+asTime(args[0]).sql+")", kNum), "int", kNum).sql + " - 1", prec: precAdd, kind: kNum}, nil
	case "dayname", "monthname":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		pat := "'FMDay'"
		if name == "monthname" {
			pat = "'FMMonth'"
		}
		return call("to_char", kText, asTime(args[0]), atom(pat, kText)), nil
	case "datediff":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: cast(args[0], "date", kTime).sql + " - " + cast(args[1], "date", kTime).sql, prec: precAdd, kind: kNum}, nil
	case "to_days":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		// Days since year 0; TO_DAYS('0001-01-01') is 366.
		return pexpr{sql: cast(args[0], "date", kTime).sql + " - DATE '0001-01-01' + 366", prec: precAdd, kind: kNum}, nil
	case "from_days":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return pexpr{sql: "DATE '0001-01-01' + " + pexpr{sql: asNum(args[0]).at(precAdd) + " - 366", prec: precAdd}.at(precAdd+1), prec: precAdd, kind: kTime}, nil
	case "last_day":
		if err := want(1); err != nil {
			return pexpr{}, err
		}
		return cast(atom("(date_trunc('month', "+cast(args[0], "timestamp", kTime).sql+") + INTERVAL '1 month - 1 day')", kTime), "date", kTime), nil
	case "unix_timestamp":
		if err := want(0, 1); err != nil {
			return pexpr{}, err
		}
		if n == 0 {
			return cast(atom("EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(0))", kNum), "bigint", kNum), nil
		}
		return cast(atom("EXTRACT(EPOCH FROM "+cast(args[0], "timestamptz", kTime).sql+")", kNum), "bigint", kNum), nil
	case "from_unixtime":
		if err := want(1, 2); err != nil {
			return pexpr{}, err
		}
		ts := cast(call("to_timestamp", kTime, asNum(args[0])), "timestamp", kTime)
		if n == 1 {
			return ts, nil
		}
		pf, err := formatArg(f.Args[1], "FROM_UNIXTIME")
		if err != nil {
			return pexpr{}, err
		}
		return call("to_char", kText, ts, pf), nil
	case "date_format":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		pf, err := formatArg(f.Args[1], "DATE_FORMAT")
		if err != nil {
			return pexpr{}, err
		}
		return call("to_char", kText, asTime(args[0]), pf), nil
	case "str_to_date":
		if err := want(2); err != nil {
			return pexpr{}, err
		}
		pf, err := formatArg(f.Args[1], "STR_TO_DATE")
		if err != nil {
			return pexpr{}, err
		}
		mf, _ := stringArg(f.Args[1])
		if formatHasTime(mf) {
			return cast(call("to_timestamp", kTime, asText(args[0]), pf), "timestamp", kTime), nil
		}
		return call("to_date", kTime, asText(args[0]), pf), nil

	// Session information.
	case "database", "schema":
		if err := want(0); err != nil {
			return pexpr{}, err
		}
		return atom("current_schema()", kText), nil
	case "user", "session_user", "system_user":
		return atom("SESSION_USER", kText), nil
	case "current_user":
		return atom("CURRENT_USER", kText), nil
	case "version":
		return atom("version()", kText), nil
	case "connection_id":
		return atom("pg_backend_pid()", kNum), nil
	case "uuid":
		return cast(atom("gen_random_uuid()", kText), "text", kText), nil
	}
	return pexpr{}, unsupported("function %s", strings.ToUpper(f.FnName.O))
}

// jsonPath converts a constant MySQL JSON path such as $.a.b[0] or
// $."x y" to a PostgreSQL text array literal for #> and #>>.
func jsonPath(n ast.ExprNode) (string, error) {
	p, ok := stringArg(n)
	if !ok || !strings.HasPrefix(p, "$") {
		return "", unsupported("JSON path that is not a constant string starting with $")
	}
	var elems []string
	rest := p[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			var key string
			if strings.HasPrefix(rest, `"`) {
				end := strings.IndexByte(rest[1:], '"')
				if end < 0 {
					return "", unsupported("JSON path %s", p)
				}
				key, rest = rest[1:1+end], rest[2+end:]
			} else {
				end := strings.IndexAny(rest, ".[")
				if end < 0 {
					end = len(rest)
				}
				key, rest = rest[:end], rest[end:]
			}
			if key == "" || strings.Contains(key, "*") {
				return "", unsupported("JSON path %s", p)
			}
			elems = append(elems, key)
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return "", unsupported("JSON path %s", p)
			}
			idx := strings.TrimSpace(rest[1:end])
			if _, err := strconv.ParseUint(idx, 10, 32); err != nil {
				return "", unsupported("JSON path %s", p)
			}
			elems = append(elems, idx)
			rest = rest[end+1:]
		default:
			return "", unsupported("JSON path %s", p)
		}
	}
	// Text array literal: quote every element.
	quoted := make([]string, len(elems))
	for i, e := range elems {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(e) + `"`
	}
	lit, err := stringLit("{" + strings.Join(quoted, ",") + "}")
	if err != nil {
		return "", err
	}
	return lit.sql, nil
}

// fsp renders the fractional seconds precision argument of NOW() and the
// like: 0 by default, as in MySQL.
func fsp(args []ast.ExprNode) string {
	if len(args) == 1 {
		if v, ok := intArg(args[0]); ok && v >= 0 && v <= 6 {
			return strconv.FormatInt(v, 10)
		}
	}
	return "0"
}

// concat translates CONCAT(a, b, ...) to a || b || ..., which like MySQL's
// CONCAT is NULL when any argument is NULL.
func concat(args []pexpr) pexpr {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = asText(a).at(precOther + 1)
	}
	if len(parts) == 1 {
		return asText(args[0])
	}
	return pexpr{sql: strings.Join(parts, " || "), prec: precOther, kind: kText}
}

// substr translates SUBSTRING(str, pos[, len]).
func (g *gen) substr(raw []ast.ExprNode, args []pexpr) (pexpr, error) {
	str := asText(args[0])
	if pos, ok := intArg(raw[1]); ok && pos < 0 {
		// A negative position counts from the end.
		tail := call("right", kText, str, intLit(-pos))
		if len(args) == 3 {
			return call("left", kText, tail, asNum(args[2])), nil
		}
		return tail, nil
	}
	out := []pexpr{str, asNum(args[1])}
	if len(args) == 3 {
		out = append(out, asNum(args[2]))
	}
	return call("substr", kText, out...), nil
}

// trim translates TRIM([{BOTH|LEADING|TRAILING} [remstr] FROM] str).
func (g *gen) trim(f *ast.FuncCallExpr) (pexpr, error) {
	if len(f.Args) < 1 || len(f.Args) > 3 {
		return pexpr{}, argCountError("trim", "1 to 3 arguments")
	}
	str, err := g.expr(f.Args[0])
	if err != nil {
		return str, err
	}
	fn := "btrim"
	if len(f.Args) == 3 {
		if d, ok := f.Args[2].(*ast.TrimDirectionExpr); ok {
			switch d.Direction {
			case ast.TrimLeading:
				fn = "ltrim"
			case ast.TrimTrailing:
				fn = "rtrim"
			}
		}
	}
	args := []pexpr{asText(str)}
	if len(f.Args) >= 2 {
		if v, ok := f.Args[1].(*test_driver.ValueExpr); !ok || v.Kind() != test_driver.KindNull {
			rem, ok := stringArg(f.Args[1])
			if !ok || len([]rune(rem)) != 1 {
				// PostgreSQL trims a set of characters, MySQL a string.
				return pexpr{}, unsupported("TRIM of a string other than a single character")
			}
			r, err := g.expr(f.Args[1])
			if err != nil {
				return r, err
			}
			args = append(args, r)
		}
	}
	return call(fn, kText, args...), nil
}

// interval renders n units as a PostgreSQL interval.
func interval(n pexpr, raw ast.ExprNode, unit ast.TimeUnitType) (pexpr, error) {
	var pgUnit string
	mult := int64(1)
	switch unit {
	case ast.TimeUnitMicrosecond:
		pgUnit = "microseconds"
	case ast.TimeUnitSecond:
		pgUnit = "seconds"
	case ast.TimeUnitMinute:
		pgUnit = "minutes"
	case ast.TimeUnitHour:
		pgUnit = "hours"
	case ast.TimeUnitDay:
		pgUnit = "days"
	case ast.TimeUnitWeek:
		pgUnit = "days"
		mult = 7
	case ast.TimeUnitMonth:
		pgUnit = "months"
	case ast.TimeUnitQuarter:
		pgUnit = "months"
		mult = 3
	case ast.TimeUnitYear:
		pgUnit = "years"
	default:
		return pexpr{}, unsupported("interval unit %s", unit)
	}
	if v, ok := intArg(raw); ok && v >= 0 {
		return atom("INTERVAL '"+strconv.FormatInt(v*mult, 10)+" "+pgUnit+"'", kUnknown), nil
	}
	if s, ok := stringArg(raw); ok {
		if v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && v >= 0 {
			return atom("INTERVAL '"+strconv.FormatInt(v*mult, 10)+" "+pgUnit+"'", kUnknown), nil
		}
	}
	return pexpr{sql: asNum(n).at(precMul) + " * INTERVAL '" + strconv.FormatInt(mult, 10) + " " + pgUnit + "'", prec: precMul}, nil
}

// dateArith translates DATE_ADD/DATE_SUB/ADDDATE/SUBDATE and the
// "d + INTERVAL n unit" operators the parser turns into them.
func (g *gen) dateArith(f *ast.FuncCallExpr) (pexpr, error) {
	name := f.FnName.L
	var unit ast.TimeUnitType
	switch len(f.Args) {
	case 2: // ADDDATE(d, n): days
		unit = ast.TimeUnitDay
	case 3:
		u, ok := f.Args[2].(*ast.TimeUnitExpr)
		if !ok {
			return pexpr{}, unsupported("%s form", strings.ToUpper(name))
		}
		unit = u.Unit
	default:
		return pexpr{}, argCountError(name, "2 or 3 arguments")
	}
	d, err := g.expr(f.Args[0])
	if err != nil {
		return d, err
	}
	n, err := g.expr(f.Args[1])
	if err != nil {
		return n, err
	}
	iv, err := interval(n, f.Args[1], unit)
	if err != nil {
		return iv, err
	}
	op := " + "
	if name == "date_sub" || name == "subdate" {
		op = " - "
	}
	return pexpr{sql: asTime(d).at(precAdd) + op + iv.at(precAdd+1), prec: precAdd, kind: kTime}, nil
}

// timestampDiff translates TIMESTAMPDIFF(unit, a, b).
func (g *gen) timestampDiff(f *ast.FuncCallExpr) (pexpr, error) {
	if len(f.Args) != 3 {
		return pexpr{}, argCountError("timestampdiff", "3 arguments")
	}
	u, ok := f.Args[0].(*ast.TimeUnitExpr)
	if !ok {
		return pexpr{}, unsupported("TIMESTAMPDIFF form")
	}
	a, err := g.expr(f.Args[1])
	if err != nil {
		return a, err
	}
	b, err := g.expr(f.Args[2])
	if err != nil {
		return b, err
	}
	ta, tb := cast(a, "timestamp", kTime), cast(b, "timestamp", kTime)
	seconds := map[ast.TimeUnitType]string{
		ast.TimeUnitSecond: "1", ast.TimeUnitMinute: "60", ast.TimeUnitHour: "3600",
		ast.TimeUnitDay: "86400", ast.TimeUnitWeek: "604800",
	}
	if div, ok := seconds[u.Unit]; ok {
		epoch := "EXTRACT(EPOCH FROM " + tb.sql + " - " + ta.sql + ")"
		if div != "1" {
			epoch += " / " + div
		}
		return cast(atom("trunc("+epoch+")", kNum), "bigint", kNum), nil
	}
	age := "age(" + tb.sql + ", " + ta.sql + ")"
	months := "EXTRACT(YEAR FROM " + age + ") * 12 + EXTRACT(MONTH FROM " + age + ")"
	switch u.Unit {
	case ast.TimeUnitMicrosecond:
		return cast(atom("trunc(EXTRACT(EPOCH FROM "+tb.sql+" - "+ta.sql+") * 1000000)", kNum), "bigint", kNum), nil
	case ast.TimeUnitMonth:
		return cast(atom("("+months+")", kNum), "bigint", kNum), nil
	case ast.TimeUnitQuarter:
		return cast(atom("trunc(("+months+") / 3)", kNum), "bigint", kNum), nil
	case ast.TimeUnitYear:
		return cast(atom("EXTRACT(YEAR FROM "+age+")", kNum), "bigint", kNum), nil
	}
	return pexpr{}, unsupported("TIMESTAMPDIFF unit %s", u.Unit)
}

// extractField translates EXTRACT(unit FROM v) and YEAR(v)-style functions;
// MySQL returns integers.
func extractField(unit ast.TimeUnitType, v pexpr) (pexpr, error) {
	field := map[ast.TimeUnitType]string{
		ast.TimeUnitYear: "YEAR", ast.TimeUnitMonth: "MONTH", ast.TimeUnitDay: "DAY",
		ast.TimeUnitHour: "HOUR", ast.TimeUnitMinute: "MINUTE", ast.TimeUnitQuarter: "QUARTER",
	}
	switch unit {
	case ast.TimeUnitSecond:
		return cast(atom("floor(EXTRACT(SECOND FROM "+v.sql+"))", kNum), "int", kNum), nil
	case ast.TimeUnitMicrosecond:
		return pexpr{sql: cast(atom("EXTRACT(MICROSECONDS FROM "+v.sql+")", kNum), "int", kNum).sql + " % 1000000", prec: precMul, kind: kNum}, nil
	}
	f, ok := field[unit]
	if !ok {
		return pexpr{}, unsupported("EXTRACT of %s", unit)
	}
	return cast(atom("EXTRACT("+f+" FROM "+v.sql+")", kNum), "int", kNum), nil
}

// formatArg converts a constant MySQL date format argument to a
// PostgreSQL to_char template literal.
func formatArg(n ast.ExprNode, fn string) (pexpr, error) {
	s, ok := stringArg(n)
	if !ok {
		return pexpr{}, unsupported("%s with a format that is not a constant string", fn)
	}
	pf, err := convertDateFormat(s)
	if err != nil {
		return pexpr{}, err
	}
	return stringLit(pf)
}

// dateFormatSpecs maps MySQL DATE_FORMAT specifiers to to_char patterns.
var dateFormatSpecs = map[byte]string{
	'a': "Dy", 'b': "Mon", 'c': "FMMM", 'D': "FMDDth", 'd': "DD", 'e': "FMDD",
	'f': "US", 'H': "HH24", 'h': "HH12", 'I': "HH12", 'i': "MI", 'j': "DDD",
	'k': "FMHH24", 'l': "FMHH12", 'M': "FMMonth", 'm': "MM", 'p': "AM",
	'r': "HH12:MI:SS AM", 'S': "SS", 's': "SS", 'T': "HH24:MI:SS",
	'v': "IW", 'W': "FMDay", 'x': "IYYY", 'Y': "YYYY", 'y': "YY",
}

// convertDateFormat converts a MySQL date format string to a to_char
// template. Literal text is double-quoted so that letters in it are not
// taken for patterns.
func convertDateFormat(f string) (string, error) {
	var out, lit strings.Builder
	flush := func() {
		if lit.Len() == 0 {
			return
		}
		s := lit.String()
		lit.Reset()
		if strings.Trim(s, " -:/.,;") == "" {
			out.WriteString(s)
			return
		}
		out.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				out.WriteByte('\\')
			}
			out.WriteRune(r)
		}
		out.WriteByte('"')
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			lit.WriteByte(c)
			continue
		}
		i++
		spec := f[i]
		if p, ok := dateFormatSpecs[spec]; ok {
			flush()
			out.WriteString(p)
			continue
		}
		switch spec {
		case 'U', 'u', 'V', 'X', 'w':
			return "", unsupported("date format specifier %%%c", spec)
		default:
			// %% and unknown specifiers stand for the character itself.
			lit.WriteByte(spec)
		}
	}
	flush()
	return out.String(), nil
}

// formatHasTime reports whether a MySQL date format has time fields.
func formatHasTime(f string) bool {
	for i := 0; i+1 < len(f); i++ {
		if f[i] == '%' {
			i++
			if strings.IndexByte("fHhIiklprSsT", f[i]) >= 0 {
				return true
			}
		}
	}
	return false
}
