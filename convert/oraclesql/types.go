package oraclesql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// Mapped is an Oracle data type mapped to PostgreSQL.
type Mapped struct {
	SQL    string // PostgreSQL type
	Oracle string // Oracle base type name, upper case (NUMBER, VARCHAR2, DATE, ...)
	Note   string // a warning about the mapping, or ""
}

// MapDatatype maps an Oracle datatype node to PostgreSQL (docs/oracle.md,
// "Type mapping").
func MapDatatype(d plsql.IDatatypeContext) (string, error) {
	m, err := MapType(d)
	return m.SQL, err
}

// MapType maps an Oracle datatype node to PostgreSQL with its notes.
func MapType(d plsql.IDatatypeContext) (Mapped, error) {
	x := d.(*plsql.DatatypeContext)
	if x.INTERVAL() != nil {
		if x.YEAR() != nil {
			return Mapped{SQL: "interval year to month", Oracle: "INTERVAL YEAR TO MONTH"}, nil
		}
		s := "interval day to second"
		if exprs := x.AllExpression(); len(exprs) == 2 {
			if n, err := strconv.Atoi(exprs[1].GetText()); err == nil {
				s += "(" + strconv.Itoa(min(n, 6)) + ")"
			}
		}
		return Mapped{SQL: s, Oracle: "INTERVAL DAY TO SECOND"}, nil
	}
	base := strings.ToUpper(x.Native_datatype_element().GetText())
	var p, s *int
	charSem := false
	if pp := x.Precision_part(); pp != nil {
		nums := pp.AllNumeric()
		if len(nums) > 0 {
			v, _ := strconv.Atoi(nums[0].GetText())
			p = &v
		}
		if len(nums) > 1 {
			v, _ := strconv.Atoi(nums[1].GetText())
			s = &v
		} else if pp.Numeric_negative() != nil {
			v, _ := strconv.Atoi(pp.Numeric_negative().GetText())
			s = &v
		}
		if pp.ASTERISK() != nil && len(nums) == 1 {
			// NUMBER(*, s): the number is the scale.
			s, p = p, nil
		}
		charSem = pp.CHAR() != nil
	}
	_ = charSem
	tz := x.TIME() != nil
	local := x.LOCAL() != nil
	m := Mapped{Oracle: base}
	switch base {
	case "NUMBER", "NUMERIC", "DECIMAL", "DEC":
		switch {
		case p == nil && s == nil:
			m.SQL = "numeric"
		case p == nil && s != nil && *s == 0:
			m.SQL = "numeric(38,0)"
		case p == nil:
			m.SQL = fmt.Sprintf("numeric(38,%d)", *s)
		case s == nil || *s == 0:
			switch {
			case *p <= 4:
				m.SQL = "smallint"
			case *p <= 9:
				m.SQL = "integer"
			case *p <= 18:
				m.SQL = "bigint"
			default:
				m.SQL = fmt.Sprintf("numeric(%d)", *p)
			}
			if base != "NUMBER" && (s != nil || *p > 0) {
				// DECIMAL(p) keeps its exact declaration.
				m.SQL = fmt.Sprintf("numeric(%d)", *p)
			}
		default:
			m.SQL = fmt.Sprintf("numeric(%d,%d)", *p, *s)
			if *s > *p {
				m.Note = fmt.Sprintf("%s(%d,%d): a scale above the precision is kept (PostgreSQL 15+ accepts it)", base, *p, *s)
			}
		}
	case "INTEGER", "INT", "SMALLINT":
		// Oracle's INTEGER is NUMBER(38); its precision is a default, not
		// an intent. bigint keeps keys and identities integral.
		m.SQL = "bigint"
	case "PLS_INTEGER", "BINARY_INTEGER", "SIMPLE_INTEGER", "NATURAL", "NATURALN", "POSITIVE", "POSITIVEN", "SIGNTYPE":
		m.SQL = "integer"
	case "FLOAT":
		if p != nil && *p <= 24 {
			m.SQL = "real"
		} else {
			m.SQL = "double precision"
		}
	case "REAL", "DOUBLE", "DOUBLEPRECISION", "BINARY_DOUBLE":
		m.SQL = "double precision"
	case "BINARY_FLOAT":
		m.SQL = "real"
	case "VARCHAR2", "VARCHAR", "NVARCHAR2", "STRING":
		if p == nil {
			m.SQL = "varchar"
		} else {
			// BYTE or CHAR semantics alike: varchar(n) counts characters,
			// and n bytes never hold more than n characters.
			m.SQL = fmt.Sprintf("varchar(%d)", *p)
		}
	case "CHAR", "NCHAR", "CHARACTER":
		n := 1
		if p != nil {
			n = *p
		}
		m.SQL = fmt.Sprintf("char(%d)", n)
	case "DATE":
		m.SQL = "timestamp(0)"
	case "TIMESTAMP":
		n := 6
		if p != nil {
			n = *p
		}
		if n > 6 {
			m.Note = fmt.Sprintf("TIMESTAMP(%d): PostgreSQL keeps microseconds; the digits beyond are rounded", n)
			n = 6
		}
		m.SQL = fmt.Sprintf("timestamp(%d)", n)
		if tz {
			m.SQL = fmt.Sprintf("timestamptz(%d)", n)
			m.Oracle = "TIMESTAMP WITH TIME ZONE"
			if local {
				m.Oracle = "TIMESTAMP WITH LOCAL TIME ZONE"
			} else {
				m.Note = strings.TrimPrefix(m.Note+"; ", "; ") + "TIMESTAMP WITH TIME ZONE: PostgreSQL stores the instant, not the original zone"
			}
		}
	case "TIMESTAMP_UNCONSTRAINED":
		m.SQL = "timestamp(6)"
	case "TIMESTAMP_TZ_UNCONSTRAINED", "TIMESTAMP_LTZ_UNCONSTRAINED":
		m.SQL = "timestamptz(6)"
	case "YMINTERVAL_UNCONSTRAINED":
		m.SQL = "interval year to month"
	case "DSINTERVAL_UNCONSTRAINED":
		m.SQL = "interval day to second"
	case "CLOB", "NCLOB", "LONG":
		m.SQL = "text"
	case "BLOB", "RAW", "LONGRAW":
		m.SQL = "bytea"
	case "ROWID":
		m.SQL = "varchar(18)"
	case "UROWID":
		n := 4000
		if p != nil {
			n = *p
		}
		m.SQL = fmt.Sprintf("varchar(%d)", n)
	case "BOOLEAN":
		m.SQL = "boolean"
	default:
		return m, fmt.Errorf("data type %s has no PostgreSQL equivalent", x.GetText())
	}
	return m, nil
}

// typeFamily groups Oracle type names by how expressions treat them.
func typeFamily(oracle string) string {
	u := strings.ToUpper(oracle)
	switch {
	case u == "":
		return ""
	case u == "DATE":
		return "date"
	case strings.HasPrefix(u, "TIMESTAMP"):
		return "timestamp"
	case strings.HasPrefix(u, "INTERVAL"):
		return "interval"
	case u == "FLOAT" || strings.HasPrefix(u, "BINARY_") || u == "REAL" || u == "DOUBLE PRECISION":
		return "float"
	case u == "NUMBER" || u == "INTEGER" || u == "INT" || u == "SMALLINT" || u == "DECIMAL" || u == "NUMERIC" || u == "DEC" || strings.HasSuffix(u, "INTEGER"):
		return "number"
	case strings.Contains(u, "CHAR") || strings.Contains(u, "CLOB") || u == "LONG" || u == "STRING":
		return "text"
	}
	return "other"
}

// TypeOf infers the PostgreSQL type of an expression from its shape and
// the ColumnType callback: "text", "numeric", "double precision",
// "timestamp(0)" (Oracle DATE), "timestamp", "interval", or "" when
// unknown.
func (t *Translator) TypeOf(n antlr.Tree) string {
	switch t.exprType(n) {
	case "text":
		return "text"
	case "number":
		return "numeric"
	case "float":
		return "double precision"
	case "date":
		return "timestamp(0)"
	case "timestamp":
		return "timestamp"
	case "interval":
		return "interval"
	}
	return ""
}

// exprType infers the type family of an expression node ("date",
// "timestamp", "number", "float", "text", "interval" or "" when unknown).
func (t *Translator) exprType(n antlr.Tree) string {
	n = unwrap(n)
	switch x := n.(type) {
	case *plsql.ConcatenationContext:
		if len(x.AllBAR()) > 0 {
			return "text"
		}
		if x.GetOp() != nil && len(x.AllConcatenation()) == 2 {
			l, r := t.exprType(x.Concatenation(0)), t.exprType(x.Concatenation(1))
			switch x.GetOp().GetText() {
			case "+":
				if isDate(l) {
					return l
				}
				if isDate(r) {
					return r
				}
			case "-":
				if l == "date" && r == "date" {
					return "number"
				}
				if isDate(l) && isDate(r) {
					return "interval"
				}
				if isDate(l) {
					return l
				}
			}
			if l == "float" || r == "float" {
				return "float"
			}
			return "number"
		}
	case *plsql.AtomContext:
		if e := x.Expressions(); e != nil && len(e.AllExpression()) == 1 {
			return t.exprType(e.Expression(0))
		}
		return ""
	case *plsql.Bind_variableContext:
		return t.rewrittenType(x, strings.Split(x.GetText(), "."))
	case *plsql.General_elementContext:
		if typ := t.rewrittenType(x, idParts(x)); typ != "" {
			return typ
		}
		parts := x.AllGeneral_element_part()
		raw := idParts(x)
		last := parts[len(parts)-1]
		if last.Function_argument() == nil {
			if len(raw) == 1 {
				switch strings.ToUpper(raw[0]) {
				case "SYSDATE", "CURRENT_DATE":
					return "date"
				case "SYSTIMESTAMP", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP":
					return "timestamp"
				case "ROWNUM", "LEVEL":
					return "number"
				}
			}
			return t.columnType(normParts(raw))
		}
		if len(raw) == 1 {
			return funcType(strings.ToUpper(raw[0]))
		}
	case *plsql.Table_elementContext:
		return t.columnType(normParts(idParts(x)))
	case *plsql.Variable_nameContext:
		if x.Bind_variable() != nil {
			return t.exprType(x.Bind_variable())
		}
		if typ := t.rewrittenType(x, idParts(x)); typ != "" {
			return typ
		}
		return t.columnType(normParts(idParts(x)))
	case *plsql.String_functionContext:
		name := strings.ToUpper(x.GetStart().GetText())
		if name == "NVL" {
			return t.exprType(x.Expression(0))
		}
		return funcType(name)
	case *plsql.Other_functionContext:
		if x.CAST() != nil && x.Type_spec() != nil && x.Type_spec().Datatype() != nil {
			dt := x.Type_spec().Datatype().(*plsql.DatatypeContext)
			if dt.INTERVAL() != nil {
				return "interval"
			}
			return typeFamily(dt.Native_datatype_element().GetText())
		}
		return funcType(strings.ToUpper(x.GetStart().GetText()))
	case *plsql.Numeric_functionContext:
		return "number"
	case *plsql.Constant_without_variableContext, *plsql.ConstantContext:
		p := x.(antlr.ParserRuleContext)
		switch p.GetStart().GetTokenType() {
		case plsql.PlSqlParserDATE:
			return "date"
		case plsql.PlSqlParserTIMESTAMP:
			return "timestamp"
		case plsql.PlSqlParserINTERVAL:
			return "interval"
		case plsql.PlSqlParserCHAR_STRING, plsql.PlSqlParserNATIONAL_CHAR_STRING_LIT:
			return "text"
		case plsql.PlSqlParserUNSIGNED_INTEGER:
			return "number"
		case plsql.PlSqlParserAPPROXIMATE_NUM_LIT:
			if strings.ContainsAny(p.GetText(), "eEdDfF") {
				return "float"
			}
			return "number"
		}
	case *plsql.NumericContext:
		return "number"
	case *plsql.Quoted_stringContext, *plsql.Char_strContext:
		return "text"
	case *plsql.Unary_expressionContext:
		if x.Unary_expression() != nil {
			return t.exprType(x.Unary_expression())
		}
	}
	return ""
}

// rewrittenType is the type family of a name the Rewrite hook replaces,
// from RewriteType, or "".
func (t *Translator) rewrittenType(n antlr.ParserRuleContext, raw []string) string {
	if t.Rewrite == nil || t.RewriteType == nil || n.GetStart() == nil {
		return ""
	}
	i := n.GetStart().GetTokenIndex()
	if _, _, ok := t.rewriteAt(i); !ok {
		return ""
	}
	parts := make([]string, len(raw))
	for k, p := range raw {
		if strings.HasPrefix(p, ":") {
			parts[k] = ":" + Name(p[1:])
		} else {
			parts[k] = Name(p)
		}
	}
	typ, table, column := t.RewriteType(i, parts)
	if table != "" {
		if t.ColumnType == nil {
			return ""
		}
		return typeFamily(t.ColumnType(table, column))
	}
	return anyTypeFamily(typ)
}

// anyTypeFamily is typeFamily for an Oracle or a PostgreSQL type name
// (Oracle's DATE is PostgreSQL's timestamp(0)).
func anyTypeFamily(typ string) string {
	u := strings.ToUpper(strings.TrimSpace(typ))
	if i := strings.IndexByte(u, '('); i > 0 && !strings.HasPrefix(u, "TIMESTAMP") {
		u = strings.TrimSpace(u[:i])
	}
	switch {
	case u == "":
		return ""
	case u == "TIMESTAMP(0)" || u == "TIMESTAMP(0) WITHOUT TIME ZONE":
		return "date"
	case u == "BIGINT" || u == "NUMERIC":
		return "number"
	case u == "DOUBLE PRECISION" || u == "REAL":
		return "float"
	case u == "TEXT":
		return "text"
	}
	f := typeFamily(u)
	if f == "other" {
		return ""
	}
	return f
}

func funcType(name string) string {
	switch name {
	case "SYSDATE", "TO_DATE", "ADD_MONTHS", "LAST_DAY", "NEXT_DAY", "TRUNC_DATE", "NEW_TIME":
		return "date"
	case "TO_TIMESTAMP", "TO_TIMESTAMP_TZ", "SYSTIMESTAMP", "FROM_TZ", "CAST_TIMESTAMP":
		return "timestamp"
	case "TO_NUMBER", "LENGTH", "INSTR", "MONTHS_BETWEEN", "MOD", "ABS", "COUNT", "SUM", "ROUND", "CEIL", "FLOOR":
		return "number"
	case "TO_CHAR", "SUBSTR", "UPPER", "LOWER", "TRIM", "LTRIM", "RTRIM", "REPLACE", "LPAD", "RPAD", "INITCAP", "CONCAT":
		return "text"
	case "TO_DSINTERVAL", "TO_YMINTERVAL", "NUMTODSINTERVAL", "NUMTOYMINTERVAL":
		return "interval"
	}
	return ""
}

// columnType resolves a column reference through the query scopes and
// the ColumnType callback, then as a PL/SQL variable (VariableType).
func (t *Translator) columnType(parts []string) string {
	switch len(parts) {
	case 1:
		if t.ColumnType != nil {
			for i := len(t.scopes) - 1; i >= 0; i-- {
				for _, tb := range t.scopes[i].tables {
					if typ := t.ColumnType(tb.table, parts[0]); typ != "" {
						return typeFamily(typ)
					}
				}
			}
		}
		return t.variableType(parts)
	case 2, 3:
		q, col := parts[len(parts)-2], parts[len(parts)-1]
		for i := len(t.scopes) - 1; i >= 0; i-- {
			for _, tb := range t.scopes[i].tables {
				if tb.alias == q {
					if t.ColumnType == nil {
						return ""
					}
					return typeFamily(t.ColumnType(tb.table, col))
				}
			}
		}
		if len(parts) == 2 {
			if typ := t.variableType(parts); typ != "" {
				return typ
			}
		}
		if t.ColumnType == nil {
			return ""
		}
		return typeFamily(t.ColumnType(q, col))
	}
	return ""
}

// variableType is the type family of a PL/SQL variable or record field
// from VariableType, or "".
func (t *Translator) variableType(parts []string) string {
	if t.VariableType == nil {
		return ""
	}
	typ, table, column := t.VariableType(parts)
	if table != "" {
		if t.ColumnType == nil {
			return ""
		}
		return typeFamily(t.ColumnType(table, column))
	}
	return anyTypeFamily(typ)
}

// SelectTypes returns the type families ("date", "number", "text", ...,
// as exprType) of the select-list columns of the first query block in n
// (a cursor's query), by output name (lower case). star is the table
// read when the select list is * (or t.*) over one table, whose columns
// are then the record's fields.
func (t *Translator) SelectTypes(n antlr.Tree) (cols map[string]string, star string) {
	q := firstQueryBlock(n)
	if q == nil {
		return nil, ""
	}
	sc := &scope{tables: fromItems(q)}
	t.scopes = append(t.scopes, sc)
	defer func() { t.scopes = t.scopes[:len(t.scopes)-1] }()
	sl := q.Selected_list()
	if sl == nil {
		return nil, ""
	}
	if sl.ASTERISK() != nil {
		if len(sc.tables) == 1 {
			return nil, sc.tables[0].table
		}
		return nil, ""
	}
	cols = map[string]string{}
	for _, e := range sl.AllSelect_list_elements() {
		if e.Table_wild() != nil {
			if len(sc.tables) == 1 {
				star = sc.tables[0].table
			}
			continue
		}
		ex := e.Expression()
		if ex == nil {
			continue
		}
		name := ""
		if a := e.Column_alias(); a != nil {
			if id := a.Identifier(); id != nil {
				name = Name(id.GetText())
			} else if qs := a.Quoted_string(); qs != nil {
				v, _ := StringValue(qs.GetText())
				name = v
			}
		} else if parts := idParts(ex); len(parts) > 0 && ex.GetText() == strings.Join(parts, ".") {
			name = Name(parts[len(parts)-1])
		}
		if name == "" {
			continue
		}
		if typ := t.exprType(ex); typ != "" {
			cols[name] = typ
		}
	}
	return cols, star
}

// firstQueryBlock finds the first query block under n, depth first.
func firstQueryBlock(n antlr.Tree) *plsql.Query_blockContext {
	if q, ok := n.(*plsql.Query_blockContext); ok {
		return q
	}
	p, ok := n.(antlr.ParserRuleContext)
	if !ok {
		return nil
	}
	for _, c := range p.GetChildren() {
		if q := firstQueryBlock(c); q != nil {
			return q
		}
	}
	return nil
}
