package oraclesql

import (
	"strings"

	"github.com/ferrydb/ferry/convert/oramask"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// argsOf collects the argument nodes of a built-in function node of the
// grammar (string_function, numeric_function, other_function): its rule
// children, with expression lists expanded.
func (t *Translator) argsOf(p antlr.ParserRuleContext) []arg {
	var out []arg
	for _, c := range p.GetChildren() {
		switch x := c.(type) {
		case *plsql.ExpressionsContext:
			for _, e := range x.AllExpression() {
				out = append(out, arg{node: e, sql: t.print(e)})
			}
		case *plsql.ExpressionContext, *plsql.ConcatenationContext, *plsql.Table_elementContext,
			*plsql.Standard_functionContext, *plsql.Quoted_stringContext, *plsql.ArgumentContext:
			out = append(out, arg{node: x, sql: t.print(x)})
		case *plsql.Function_argument_analyticContext:
			for _, a := range x.AllArgument() {
				out = append(out, arg{node: a, sql: t.print(a)})
			}
		case *plsql.Function_argumentContext:
			for _, a := range x.AllArgument() {
				out = append(out, arg{node: a, sql: t.print(a)})
			}
		case antlr.TerminalNode:
			switch x.GetSymbol().GetTokenType() {
			case plsql.PlSqlParserUNSIGNED_INTEGER, plsql.PlSqlParserCHAR_STRING:
				out = append(out, arg{node: x, sql: t.terminal(x)})
			}
		}
	}
	return out
}

func (t *Translator) stringFunction(x *plsql.String_functionContext) string {
	name := strings.ToUpper(x.GetStart().GetText())
	switch name {
	case "TRIM":
		return t.trim(x)
	case "CHR":
		return "chr(" + t.print(x.Concatenation()) + ")"
	case "TO_DATE":
		if x.DEFAULT() != nil {
			return t.fail(x, "TO_DATE ... DEFAULT ON CONVERSION ERROR has no PostgreSQL equivalent")
		}
	}
	return t.function(x, name, t.argsOf(x))
}

func (t *Translator) trim(x antlr.ParserRuleContext) string {
	var where, chars string
	var subject antlr.Tree
	for _, c := range x.GetChildren() {
		switch y := c.(type) {
		case antlr.TerminalNode:
			switch y.GetSymbol().GetTokenType() {
			case plsql.PlSqlParserLEADING, plsql.PlSqlParserTRAILING, plsql.PlSqlParserBOTH:
				where = strings.ToUpper(y.GetText()) + " "
			}
		case *plsql.Quoted_stringContext:
			chars = t.print(y) + " "
		case *plsql.ConcatenationContext:
			subject = y
		}
	}
	s := t.print(subject)
	if where == "" && chars == "" {
		return "NULLIF(trim(" + s + "), '')"
	}
	return "NULLIF(trim(" + where + chars + "FROM " + s + "), '')"
}

func (t *Translator) numericFunction(x *plsql.Numeric_functionContext) string {
	name := strings.ToUpper(x.GetStart().GetText())
	switch name {
	case "SUM", "AVG", "MAX", "COUNT":
		return t.children(x)
	}
	return t.function(x, name, t.argsOf(x))
}

func (t *Translator) otherFunction(x *plsql.Other_functionContext) string {
	first := strings.ToUpper(x.GetStart().GetText())
	switch {
	case x.LISTAGG() != nil:
		return t.listagg(x)
	case x.CAST() != nil:
		if x.MULTISET() != nil {
			return t.fail(x, "CAST(MULTISET(...)) builds a collection; rewrite with ARRAY(SELECT ...)")
		}
		if x.DEFAULT() != nil {
			return t.fail(x, "CAST ... DEFAULT ON CONVERSION ERROR has no PostgreSQL equivalent")
		}
		return "CAST(" + t.print(x.Concatenation(0)) + " AS " + t.print(x.Type_spec()) + ")"
	case x.EXTRACT() != nil:
		return "EXTRACT(" + strings.ToUpper(x.Regular_id().GetText()) + " FROM " + t.print(x.Concatenation(0)) + ")"
	case x.TRIM() != nil:
		return t.trim(x)
	case x.COUNT() != nil, x.Over_clause_keyword() != nil, x.Within_or_over_clause_keyword() != nil,
		x.FIRST_VALUE() != nil, x.LAST_VALUE() != nil:
		return t.analytic(x)
	case x.TO_NUMBER() != nil, x.TO_TIMESTAMP() != nil, x.TO_TIMESTAMP_TZ() != nil,
		x.TO_BINARY_DOUBLE() != nil, x.TO_BINARY_FLOAT() != nil, x.TO_DSINTERVAL() != nil, x.TO_YMINTERVAL() != nil:
		if x.DEFAULT() != nil {
			return t.fail(x, first+" ... DEFAULT ON CONVERSION ERROR has no PostgreSQL equivalent")
		}
		return t.function(x, first, t.argsOf(x))
	case x.TRANSLATE() != nil:
		if x.USING() != nil {
			return t.fail(x, "TRANSLATE ... USING has no PostgreSQL equivalent")
		}
		return t.function(x, first, t.argsOf(x))
	case x.COALESCE() != nil:
		return t.function(x, first, t.argsOf(x))
	case x.Regular_id() != nil && x.Function_argument_modeling() != nil && strings.EqualFold(x.Regular_id().GetText(), "TRANSLATE"):
		// TRANSLATE(s USING CHAR_CS | NCHAR_CS) converts between the
		// database and national character sets: one encoding in PostgreSQL.
		fm := x.Function_argument_modeling()
		if fm.Column_name() != nil && len(fm.AllExpression()) == 1 {
			switch strings.ToUpper(fm.Expression(0).GetText()) {
			case "CHAR_CS", "NCHAR_CS":
				t.note("TRANSLATE(... USING %s) dropped: PostgreSQL has one character set for both", strings.ToUpper(fm.Expression(0).GetText()))
				return t.print(fm.Column_name())
			}
		}
		return t.fail(x, "TRANSLATE ... USING has no PostgreSQL equivalent")
	case x.Regular_id() != nil && x.Function_argument_modeling() != nil:
		return t.fail(x, "model function arguments have no PostgreSQL equivalent")
	}
	return t.fail(x, "function "+first+" has no translation")
}

// analytic prints aggregate/analytic functions whose shape PostgreSQL
// shares (COUNT, ROW_NUMBER, RANK, LAG, ... OVER (...), PERCENTILE_CONT
// WITHIN GROUP); a few names change.
func (t *Translator) analytic(x *plsql.Other_functionContext) string {
	name := strings.ToUpper(x.GetStart().GetText())
	switch name {
	case "MEDIAN":
		args := t.argsOf(x)
		if len(args) != 1 {
			return t.fail(x, "MEDIAN takes one argument")
		}
		s := "percentile_cont(0.5) WITHIN GROUP (ORDER BY " + args[0].sql + ")"
		for _, p := range x.AllWithin_or_over_part() {
			s += " " + t.print(p)
		}
		return s
	case "RATIO_TO_REPORT":
		args := t.argsOf(x)
		over := ""
		for _, p := range x.AllWithin_or_over_part() {
			over += " " + t.print(p)
		}
		return "(" + args[0].sql + ") / sum(" + args[0].sql + ")" + over
	case "STDDEV":
		// Oracle STDDEV is the sample standard deviation, as in PostgreSQL.
	}
	if x.Respect_or_ignore_nulls() != nil && strings.Contains(strings.ToUpper(x.Respect_or_ignore_nulls().GetText()), "IGNORE") {
		return t.fail(x, "IGNORE NULLS in window functions has no PostgreSQL equivalent")
	}
	if x.COUNT() != nil && x.UNIQUE() != nil {
		s := t.children(x)
		return strings.Replace(s, "UNIQUE", "DISTINCT", 1)
	}
	return t.children(x)
}

func (t *Translator) listagg(x *plsql.Other_functionContext) string {
	if x.Over_clause() != nil {
		return t.fail(x, "LISTAGG ... OVER (analytic LISTAGG) must be rewritten with string_agg in a subquery")
	}
	val := t.print(x.Argument())
	sep := "''"
	if x.CHAR_STRING() != nil {
		v, _ := StringValue(x.CHAR_STRING().GetText())
		sep = QuoteString(v)
	}
	distinct := ""
	if x.DISTINCT() != nil || x.UNIQUE() != nil {
		distinct = "DISTINCT "
	}
	order := ""
	if ob := x.Order_by_clause(); ob != nil {
		order = " " + t.print(ob)
		if distinct != "" {
			// PostgreSQL orders a DISTINCT aggregate only by its argument.
			order = " ORDER BY (" + val + ")::text"
		}
	}
	if x.Listagg_overflow_clause() != nil {
		t.note("LISTAGG ... ON OVERFLOW dropped: PostgreSQL's string_agg has no length limit, so it never overflows")
	}
	return "string_agg(" + distinct + "(" + val + ")::text, " + sep + order + ")"
}

// function translates a call of a built-in Oracle function by name.
func (t *Translator) function(n antlr.Tree, name string, args []arg) string {
	sqls := make([]string, len(args))
	for i, a := range args {
		sqls[i] = a.sql
	}
	call := func(fn string) string { return fn + "(" + strings.Join(sqls, ", ") + ")" }
	nargs := func(lo, hi int) bool {
		if len(args) < lo || len(args) > hi {
			t.fail(n, name+" has an unexpected number of arguments")
			return false
		}
		return true
	}
	switch name {
	case "NVL":
		if !nargs(2, 2) {
			return ""
		}
		return call("COALESCE")
	case "NVL2":
		if !nargs(3, 3) {
			return ""
		}
		return "CASE WHEN " + sqls[0] + " IS NOT NULL THEN " + sqls[1] + " ELSE " + sqls[2] + " END"
	case "DECODE":
		if len(args) < 3 {
			return t.fail(n, "DECODE needs at least three arguments")
		}
		var sb strings.Builder
		sb.WriteString("CASE")
		i := 1
		for ; i+1 < len(args); i += 2 {
			s := args[i]
			switch {
			case s.sql == "NULL":
				sb.WriteString(" WHEN " + sqls[0] + " IS NULL")
			case isConstant(s.node):
				sb.WriteString(" WHEN " + sqls[0] + " = " + s.sql)
			default:
				sb.WriteString(" WHEN " + sqls[0] + " IS NOT DISTINCT FROM " + s.sql)
			}
			sb.WriteString(" THEN " + sqls[i+1])
		}
		if i < len(args) {
			sb.WriteString(" ELSE " + sqls[i])
		}
		sb.WriteString(" END")
		return sb.String()
	case "NULLIF", "COALESCE", "ABS", "CEIL", "FLOOR", "SIGN", "SQRT", "EXP", "LN", "POWER", "MOD",
		"UPPER", "LOWER", "INITCAP", "ASCII", "REPLACE", "TRANSLATE", "LPAD", "RPAD", "LTRIM", "RTRIM",
		"SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "ATAN2", "SINH", "COSH", "TANH",
		"REGEXP_SUBSTR", "REGEXP_INSTR", "REGEXP_COUNT", "REGEXP_LIKE", "BITAND",
		"ROW_NUMBER", "RANK", "DENSE_RANK", "LAG", "LEAD", "NTILE", "CUME_DIST", "PERCENT_RANK",
		"MIN", "STDDEV", "VARIANCE", "VAR_POP", "VAR_SAMP", "STDDEV_POP", "STDDEV_SAMP",
		"CHR", "CONCAT", "SOUNDEX", "REVERSE", "NANVL", "ROUND", "TRUNC_NUMBER":
		switch name {
		case "REPLACE":
			if len(args) == 2 {
				sqls = append(sqls, "''")
			} else {
				// Oracle's NULL ('') replacement removes the matches.
				sqls[2] = "coalesce(" + sqls[2] + ", '')"
			}
			return "NULLIF(" + call("replace") + ", '')"
		case "LPAD", "RPAD", "LTRIM", "RTRIM", "TRANSLATE", "INITCAP", "UPPER", "LOWER":
			return "NULLIF(" + call(strings.ToLower(name)) + ", '')"
		case "CONCAT":
			return "NULLIF(" + call("concat") + ", '')"
		case "BITAND":
			if !nargs(2, 2) {
				return ""
			}
			return "(" + sqls[0] + ")::bigint & (" + sqls[1] + ")::bigint"
		case "ATAN2":
			return call("atan2")
		case "ROUND":
			if len(args) >= 1 && isDate(t.exprType(args[0].node)) {
				return t.fail(n, "ROUND(date) has no direct PostgreSQL equivalent")
			}
			if len(args) == 2 {
				return "round((" + sqls[0] + ")::numeric, " + sqls[1] + ")"
			}
		case "NANVL":
			return "CASE WHEN " + sqls[0] + " = 'NaN' THEN " + sqls[1] + " ELSE " + sqls[0] + " END"
		}
		return call(strings.ToLower(name))
	case "GREATEST", "LEAST":
		// Oracle returns NULL when any argument is NULL.
		conds := make([]string, len(sqls))
		for i, s := range sqls {
			conds[i] = s + " IS NULL"
		}
		return "CASE WHEN " + strings.Join(conds, " OR ") + " THEN NULL ELSE " + call(name) + " END"
	case "LENGTH", "LENGTHC":
		return call("length")
	case "LENGTHB":
		return "octet_length(" + strings.Join(sqls, ", ") + ")"
	case "SUBSTR":
		if !nargs(2, 3) {
			return ""
		}
		pos, okp := literalNumber(args[1].node)
		if okp && !strings.HasPrefix(pos, "-") && pos != "0" && !strings.Contains(pos, ".") {
			if len(args) == 2 {
				return "NULLIF(substr(" + sqls[0] + ", " + sqls[1] + "), '')"
			}
			if l, ok := literalNumber(args[2].node); ok && !strings.HasPrefix(l, "-") && l != "0" && !strings.Contains(l, ".") {
				return "NULLIF(substr(" + sqls[0] + ", " + sqls[1] + ", " + sqls[2] + "), '')"
			}
		}
		return t.helper("substr") + "(" + strings.Join(sqls, ", ") + ")"
	case "INSTR":
		if !nargs(2, 4) {
			return ""
		}
		if len(args) == 2 {
			return "strpos(" + sqls[0] + ", " + sqls[1] + ")"
		}
		return t.helper("instr") + "(" + strings.Join(sqls, ", ") + ")"
	case "REGEXP_REPLACE":
		if len(args) <= 3 {
			for len(sqls) < 3 {
				sqls = append(sqls, "''")
			}
			sqls[2] = "coalesce(" + sqls[2] + ", '')"
			return "NULLIF(regexp_replace(" + strings.Join(sqls, ", ") + ", 'g'), '')"
		}
		return t.fail(n, "REGEXP_REPLACE with position/occurrence arguments needs manual translation")
	case "TO_CHAR":
		return t.toChar(n, args)
	case "TO_DATE":
		if !nargs(1, 3) {
			return ""
		}
		if len(args) == 1 {
			return "CAST(" + sqls[0] + " AS timestamp(0))"
		}
		mask, ok := literalString(args[1].node)
		if !ok {
			return t.fail(n, "TO_DATE with a format that is not a literal")
		}
		return "to_timestamp(" + sqls[0] + ", " + QuoteString(DateMask(mask)) + ")::timestamp(0)"
	case "TO_TIMESTAMP":
		if len(args) == 1 {
			return "CAST(" + sqls[0] + " AS timestamp)"
		}
		mask, ok := literalString(args[1].node)
		if !ok {
			return t.fail(n, "TO_TIMESTAMP with a format that is not a literal")
		}
		return "to_timestamp(" + sqls[0] + ", " + QuoteString(DateMask(mask)) + ")::timestamp"
	case "TO_TIMESTAMP_TZ":
		if len(args) == 1 {
			return "CAST(" + sqls[0] + " AS timestamptz)"
		}
		mask, ok := literalString(args[1].node)
		if !ok {
			return t.fail(n, "TO_TIMESTAMP_TZ with a format that is not a literal")
		}
		return "to_timestamp(" + sqls[0] + ", " + QuoteString(DateMask(mask)) + ")"
	case "TO_NUMBER":
		if len(args) == 1 {
			return "CAST(" + sqls[0] + " AS numeric)"
		}
		return "to_number(" + sqls[0] + ", " + sqls[1] + ")"
	case "TO_BINARY_DOUBLE":
		return "CAST(" + sqls[0] + " AS double precision)"
	case "TO_BINARY_FLOAT":
		return "CAST(" + sqls[0] + " AS real)"
	case "TO_DSINTERVAL", "TO_YMINTERVAL":
		return "CAST(" + sqls[0] + " AS interval)"
	case "NUMTODSINTERVAL", "NUMTOYMINTERVAL":
		if !nargs(2, 2) {
			return ""
		}
		unit, ok := literalString(args[1].node)
		if !ok {
			return t.fail(n, name+" with a unit that is not a literal")
		}
		return "((" + sqls[0] + ") * interval " + QuoteString("1 "+strings.ToLower(unit)) + ")"
	case "ADD_MONTHS":
		if !nargs(2, 2) {
			return ""
		}
		return t.helper("add_months") + "(" + strings.Join(sqls, ", ") + ")"
	case "MONTHS_BETWEEN":
		if !nargs(2, 2) {
			return ""
		}
		return t.helper("months_between") + "(" + strings.Join(sqls, ", ") + ")"
	case "LAST_DAY":
		if !nargs(1, 1) {
			return ""
		}
		return t.helper("last_day") + "(" + sqls[0] + ")"
	case "NEXT_DAY":
		return t.fail(n, "NEXT_DAY depends on the session's date language; rewrite with extract(dow ...)")
	case "TRUNC":
		if !nargs(1, 2) {
			return ""
		}
		typ := t.exprType(args[0].node)
		if len(args) == 2 {
			if f, ok := literalString(args[1].node); ok {
				unit, ok := truncUnit(f)
				if !ok {
					return t.fail(n, "TRUNC format "+f+" has no PostgreSQL equivalent")
				}
				return "date_trunc('" + unit + "', " + sqls[0] + ")::timestamp(0)"
			}
			return "trunc(" + sqls[0] + ", " + sqls[1] + ")"
		}
		if isDate(typ) {
			return "date_trunc('day', " + sqls[0] + ")::timestamp(0)"
		}
		if typ == "" {
			t.note("TRUNC(%s): the argument's type is unknown, translated as a number", sqls[0])
		}
		return "trunc(" + sqls[0] + ")"
	case "GROUPING_ID":
		return call("GROUPING")
	case "SYS_CONNECT_BY_PATH":
		if t.hier == nil {
			return t.fail(n, "SYS_CONNECT_BY_PATH outside a CONNECT BY query")
		}
		return t.hierPath(n, args)
	case "SYS_GUID":
		return "gen_random_uuid()"
	case "USERENV", "SYS_CONTEXT":
		return t.fail(n, name+" reads the Oracle session context; map each attribute by hand (current_user, inet_client_addr(), ...)")
	case "DUMP", "VSIZE", "RAWTOHEX", "HEXTORAW", "UTL_RAW", "EMPTY_BLOB", "EMPTY_CLOB":
		switch name {
		case "RAWTOHEX":
			return "upper(encode(" + sqls[0] + ", 'hex'))"
		case "HEXTORAW":
			return "decode(" + sqls[0] + ", 'hex')"
		case "EMPTY_BLOB":
			return "'\\x'::bytea"
		case "EMPTY_CLOB":
			return "NULL::text"
		}
		return t.fail(n, name+" has no PostgreSQL equivalent")
	case "LNNVL":
		return "(" + sqls[0] + ") IS NOT TRUE"
	case "MEDIAN":
		return "percentile_cont(0.5) WITHIN GROUP (ORDER BY " + sqls[0] + ")"
	case "COUNT", "SUM", "AVG", "MAX":
		return call(strings.ToLower(name))
	}
	// Not a built-in we know: a user function (or a built-in PostgreSQL
	// shares).
	if t.Func != nil {
		if s, ok := t.Func([]string{strings.ToLower(name)}, sqls); ok {
			return s
		}
	}
	return Quote(strings.ToLower(name)) + "(" + strings.Join(sqls, ", ") + ")"
}

func isConstant(n antlr.Tree) bool {
	if _, ok := literalString(n); ok {
		return true
	}
	_, ok := literalNumber(n)
	return ok
}

// truncUnit maps a TRUNC(date, fmt) format to a date_trunc unit.
func truncUnit(f string) (string, bool) {
	switch strings.ToUpper(f) {
	case "DD", "DDD", "J":
		return "day", true
	case "MM", "MON", "MONTH", "RM":
		return "month", true
	case "YYYY", "YYY", "YY", "Y", "YEAR", "SYYYY", "SYEAR":
		return "year", true
	case "Q":
		return "quarter", true
	case "IW":
		return "week", true
	case "HH", "HH12", "HH24":
		return "hour", true
	case "MI":
		return "minute", true
	case "CC", "SCC":
		return "century", true
	}
	return "", false
}

func (t *Translator) toChar(n antlr.Tree, args []arg) string {
	if len(args) == 0 || len(args) > 3 {
		return t.fail(n, "TO_CHAR has an unexpected number of arguments")
	}
	if len(args) == 3 {
		t.note("TO_CHAR NLS parameter %s dropped", args[2].sql)
	}
	typ := t.exprType(args[0].node)
	if len(args) == 1 {
		switch {
		case isDate(typ):
			// Oracle's default NLS_DATE_FORMAT.
			t.note("TO_CHAR(date) without a format uses Oracle's default format DD-MON-RR; check NLS_DATE_FORMAT of the source")
			return "to_char(" + args[0].sql + ", 'DD-MON-YY')"
		}
		return "(" + args[0].sql + ")::text"
	}
	mask, ok := literalString(args[1].node)
	if !ok {
		return t.fail(n, "TO_CHAR with a format that is not a literal")
	}
	if isDate(typ) || (typ == "" && looksLikeDateMask(mask)) {
		return "to_char(" + args[0].sql + ", " + QuoteString(DateMask(mask)) + ")"
	}
	return "to_char(" + args[0].sql + ", " + QuoteString(NumberMask(mask)) + ")"
}

func looksLikeDateMask(m string) bool {
	u := strings.ToUpper(m)
	for _, k := range []string{"YY", "MM", "DD", "HH", "MI", "SS", "MON", "DAY", "DY", "Q", "WW", "IW", "J"} {
		if strings.Contains(u, k) {
			return true
		}
	}
	return false
}

// DateMask converts an Oracle datetime format mask to PostgreSQL's. Most
// elements are the same; RR/RRRR, SYYYY, SSSSS, FF7-9, TZR/TZH and X are
// mapped, quoted text is kept, and Oracle's FM (which toggles fill mode
// for the rest of the mask) becomes an FM before each following element
// (PostgreSQL's FM applies to the next element only).
func DateMask(m string) string {
	toks, err := oramask.Tokenize(m)
	if err != nil {
		return m
	}
	var sb strings.Builder
	fm := false
	for _, tk := range toks {
		if tk.Elem == "" {
			if tk.Quoted {
				sb.WriteString(`"` + tk.Text + `"`)
			} else {
				sb.WriteString(tk.Text)
			}
			continue
		}
		text := tk.Text
		switch tk.Elem {
		case "FM":
			fm = !fm
			continue
		case "FX":
			sb.WriteString("FX")
			continue
		case "RRRR", "SYYYY":
			text = "YYYY"
		case "RR":
			text = "YY"
		case "SYEAR":
			text = "YEAR"
		case "SSSSS":
			text = "SSSS"
		case "FF", "FF7", "FF8", "FF9":
			text = "FF6"
		case "TZR", "TZD":
			text = "TZ"
		case "TZH":
			text = "OF"
		case "TZM":
			s := strings.TrimSuffix(sb.String(), ":")
			sb.Reset()
			sb.WriteString(s)
			continue
		case "X":
			sb.WriteString(".")
			continue
		}
		if fm {
			sb.WriteString("FM")
		}
		sb.WriteString(text)
	}
	return sb.String()
}

// NumberMask converts an Oracle number format mask to PostgreSQL's: the
// elements are the same (9, 0, D, G, ., ,, S, MI, PR, L, FM, EEEE) except
// Oracle's leading $ → PostgreSQL's L is left alone ('$' is literal text
// in both).
func NumberMask(m string) string {
	return m
}
