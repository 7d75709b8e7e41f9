package mysqlview

import (
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// gen holds the state of one translation.
type gen struct {
	opt    Options
	ident  func(string) string
	scopes []*scope // innermost last
	// ctes holds the CTE names in scope, with their output columns.
	ctes []map[string][]outCol
	// outCols are the output columns of the query translated last.
	outCols []outCol
	depth   int // query nesting; depth 0 is formatted over several lines
	// named is set while translating a query whose column names are
	// visible: the view itself, a derived table, a CTE.
	named bool
}

// scope describes the FROM clause of one SELECT, for column resolution.
type scope struct {
	// tables maps a lowercase reference name (alias, or table name when
	// there is no alias) to the lowercase MySQL table name, or "" for a
	// derived table or CTE.
	tables map[string]string
	// subst maps lowercase select-list aliases to their expressions while
	// HAVING or ORDER BY is translated (MySQL lets them refer to aliases).
	subst map[string]ast.ExprNode
	// groupCols holds lowercase column names in GROUP BY; in HAVING such a
	// name refers to the column, not to a select alias.
	groupCols map[string]bool
	inHaving  bool
	// cols holds the output column kinds of derived tables and CTEs by
	// lowercase reference name and column name.
	cols map[string]map[string]kind
}

// outCol is an output column of a query.
type outCol struct {
	name string
	kind kind
}

// colKinds indexes output columns by lowercase name, renamed by position
// when the reference gives a column list.
func colKinds(cols []outCol, rename []ast.CIStr) map[string]kind {
	m := map[string]kind{}
	for i, c := range cols {
		name := c.name
		if i < len(rename) {
			name = rename[i].O
		}
		m[strings.ToLower(name)] = c.kind
	}
	return m
}

func newGen(opt Options) *gen {
	g := &gen{opt: opt, ident: opt.Ident, named: true}
	if g.ident == nil {
		g.ident = QuoteIdent
	}
	return g
}

func (g *gen) cur() *scope {
	if len(g.scopes) == 0 {
		return nil
	}
	return g.scopes[len(g.scopes)-1]
}

// nl returns the clause separator: a newline at the top level, a space in
// subqueries.
func (g *gen) nl(indent string) string {
	if g.depth == 0 {
		return "\n" + indent
	}
	return " "
}

// isSourceSchema reports whether a database qualifier names the view's own
// database.
func (g *gen) isSourceSchema(schema string) bool {
	return schema == "" || g.opt.SourceSchema == "" || strings.EqualFold(schema, g.opt.SourceSchema)
}

func (g *gen) isCTE(name string) bool {
	_, ok := g.cteCols(name)
	return ok
}

func (g *gen) cteCols(name string) ([]outCol, bool) {
	l := strings.ToLower(name)
	for i := len(g.ctes) - 1; i >= 0; i-- {
		if cols, ok := g.ctes[i][l]; ok {
			return cols, true
		}
	}
	return nil, false
}

// tableName renders a table reference in FROM.
func (g *gen) tableName(t *ast.TableName) (string, error) {
	if len(t.PartitionNames) > 0 {
		return "", unsupported("PARTITION selection on table %s", t.Name.O)
	}
	if t.AsOf != nil {
		return "", unsupported("AS OF on table %s", t.Name.O)
	}
	if t.TableSample != nil {
		return "", unsupported("TABLESAMPLE on table %s", t.Name.O)
	}
	if t.Schema.O == "" && g.isCTE(t.Name.O) {
		return g.ident(t.Name.O), nil
	}
	if g.isSourceSchema(t.Schema.O) {
		if g.opt.Table != nil {
			return g.opt.Table(t.Name.O), nil
		}
		if g.opt.TargetSchema != "" {
			return QuoteIdent(g.opt.TargetSchema) + "." + g.ident(t.Name.O), nil
		}
		return g.ident(t.Name.O), nil
	}
	return g.ident(t.Schema.O) + "." + g.ident(t.Name.O), nil
}

// query translates a nested query: a subquery in an expression, or (with
// named set) a derived table or CTE body, whose column names matter.
func (g *gen) query(n ast.Node, named bool) (string, error) {
	g.depth++
	saved := g.named
	g.named = named
	defer func() { g.depth--; g.named = saved }()
	return g.anyQuery(n)
}

func (g *gen) anyQuery(n ast.Node) (string, error) {
	switch q := n.(type) {
	case *ast.SelectStmt:
		return g.selectStmt(q)
	case *ast.SetOprStmt:
		return g.setOprStmt(q)
	case *ast.SubqueryExpr:
		return g.anyQuery(q.Query)
	case *ast.SetOprSelectList:
		return g.setOprList(q, nil, nil)
	}
	return "", unsupported("query form %T", n)
}

// with renders a WITH clause and registers its CTE names. The caller must
// pop g.ctes when it is done with the statement.
func (g *gen) with(w *ast.WithClause) (string, error) {
	names := map[string][]outCol{}
	g.ctes = append(g.ctes, names)
	var parts []string
	for _, c := range w.CTEs {
		if w.IsRecursive {
			// A recursive CTE sees itself.
			names[c.Name.L] = nil
		}
		body, err := g.query(c.Query, true)
		if err != nil {
			return "", err
		}
		cols := g.outCols
		s := g.ident(c.Name.O)
		if len(c.ColNameList) > 0 {
			idents := make([]string, len(c.ColNameList))
			for i, cn := range c.ColNameList {
				idents[i] = g.ident(cn.O)
				if i < len(cols) {
					cols[i].name = cn.O
				}
			}
			s += " (" + strings.Join(idents, ", ") + ")"
		}
		names[c.Name.L] = cols
		parts = append(parts, s+" AS ("+body+")")
	}
	kw := "WITH "
	if w.IsRecursive {
		kw = "WITH RECURSIVE "
	}
	return kw + strings.Join(parts, ", ") + g.nl(""), nil
}

func (g *gen) selectStmt(s *ast.SelectStmt) (string, error) {
	var b strings.Builder
	if s.With != nil {
		w, err := g.with(s.With)
		if err != nil {
			return "", err
		}
		defer func() { g.ctes = g.ctes[:len(g.ctes)-1] }()
		b.WriteString(w)
	}
	switch s.Kind {
	case ast.SelectStmtKindSelect:
	case ast.SelectStmtKindTable:
		return "", unsupported("TABLE statement")
	default:
		return "", unsupported("VALUES statement")
	}
	if s.LockInfo != nil && s.LockInfo.LockType != ast.SelectLockNone {
		return "", unsupported("locking clause %s", s.LockInfo.LockType)
	}
	if s.SelectIntoOpt != nil {
		return "", unsupported("SELECT ... INTO")
	}

	sc := &scope{tables: map[string]string{}, cols: map[string]map[string]kind{}}
	if s.From != nil && s.From.TableRefs != nil {
		g.collectTables(s.From.TableRefs, sc)
	}
	g.scopes = append(g.scopes, sc)
	defer func() { g.scopes = g.scopes[:len(g.scopes)-1] }()

	// FROM is translated first: derived tables' column types are needed
	// for the select list.
	from := ""
	if s.From != nil && s.From.TableRefs != nil {
		f, err := g.tableRef(s.From.TableRefs)
		if err != nil {
			return "", err
		}
		from = f
	}
	b.WriteString("SELECT")
	if s.Distinct {
		b.WriteString(" DISTINCT")
	}
	fields, outCols, err := g.fields(s.Fields)
	if err != nil {
		return "", err
	}
	if g.depth == 0 && len(fields) > 1 {
		b.WriteString("\n  ")
		b.WriteString(strings.Join(fields, ",\n  "))
	} else {
		b.WriteString(" " + strings.Join(fields, ", "))
	}
	if from != "" {
		b.WriteString(g.nl("") + "FROM " + from)
	}
	if s.Where != nil {
		w, err := g.cond(s.Where)
		if err != nil {
			return "", err
		}
		b.WriteString(g.nl("") + "WHERE " + w.sql)
	}
	if s.GroupBy != nil {
		items := make([]string, 0, len(s.GroupBy.Items))
		sc.groupCols = map[string]bool{}
		for _, it := range s.GroupBy.Items {
			if v, ok := it.Expr.(*test_driver.ValueExpr); ok && v.Kind() != test_driver.KindInt64 && v.Kind() != test_driver.KindUint64 {
				continue // GROUP BY NULL: PostgreSQL rejects constants
			}
			if c, ok := it.Expr.(*ast.ColumnNameExpr); ok {
				sc.groupCols[c.Name.Name.L] = true
			}
			e, err := g.expr(it.Expr)
			if err != nil {
				return "", err
			}
			items = append(items, e.sql)
		}
		list := strings.Join(items, ", ")
		if s.GroupBy.Rollup {
			list = "ROLLUP (" + list + ")"
		}
		if len(items) > 0 {
			b.WriteString(g.nl("") + "GROUP BY " + list)
		}
	}
	aliases := selectAliases(s.Fields)
	if s.Having != nil {
		sc.subst, sc.inHaving = aliases, true
		h, err := g.cond(s.Having.Expr)
		sc.subst, sc.inHaving = nil, false
		if err != nil {
			return "", err
		}
		b.WriteString(g.nl("") + "HAVING " + h.sql)
	}
	if len(s.WindowSpecs) > 0 {
		defs := make([]string, len(s.WindowSpecs))
		for i := range s.WindowSpecs {
			ws := &s.WindowSpecs[i]
			body, err := g.windowBody(ws)
			if err != nil {
				return "", err
			}
			defs[i] = g.ident(ws.Name.O) + " AS (" + body + ")"
		}
		b.WriteString(g.nl("") + "WINDOW " + strings.Join(defs, ", "))
	}
	if s.OrderBy != nil {
		sc.subst = aliases
		o, err := g.orderBy(s.OrderBy, true)
		sc.subst = nil
		if err != nil {
			return "", err
		}
		if o != "" {
			b.WriteString(g.nl("") + "ORDER BY " + o)
		}
	}
	if s.Limit != nil {
		l, err := g.limit(s.Limit)
		if err != nil {
			return "", err
		}
		b.WriteString(g.nl("") + l)
	}
	g.outCols = outCols
	return b.String(), nil
}

// selectAliases maps lowercase aliases of the select list to expressions.
func selectAliases(fl *ast.FieldList) map[string]ast.ExprNode {
	m := map[string]ast.ExprNode{}
	if fl == nil {
		return m
	}
	for _, f := range fl.Fields {
		if f.AsName.O != "" && f.Expr != nil {
			if _, dup := m[f.AsName.L]; !dup {
				m[f.AsName.L] = f.Expr
			}
		}
	}
	return m
}

func (g *gen) fields(fl *ast.FieldList) ([]string, []outCol, error) {
	if fl == nil || len(fl.Fields) == 0 {
		return nil, nil, unsupported("SELECT without columns")
	}
	var out []string
	var cols []outCol
	for _, f := range fl.Fields {
		if f.Auxiliary {
			continue
		}
		if f.WildCard != nil {
			w := f.WildCard
			switch {
			case w.Table.O == "":
				out = append(out, "*")
			case g.isSourceSchema(w.Schema.O):
				out = append(out, g.ident(w.Table.O)+".*")
			default:
				out = append(out, g.ident(w.Schema.O)+"."+g.ident(w.Table.O)+".*")
			}
			continue
		}
		e, err := g.expr(f.Expr)
		if err != nil {
			return nil, nil, err
		}
		alias := f.AsName.O
		if alias == "" && g.named {
			switch x := f.Expr.(type) {
			case *ast.ColumnNameExpr:
			case *test_driver.ValueExpr:
				// MySQL names a constant column after its value.
				if x.Kind() == test_driver.KindString {
					alias = x.GetString()
				} else {
					alias = strings.TrimSpace(f.Text())
				}
			default:
				// MySQL names such a column after the expression text.
				alias = strings.TrimSpace(f.Text())
			}
		}
		name := alias
		if alias != "" {
			out = append(out, e.sql+" AS "+g.ident(alias))
		} else {
			out = append(out, e.sql)
			if c, ok := f.Expr.(*ast.ColumnNameExpr); ok {
				name = c.Name.Name.O
			}
		}
		cols = append(cols, outCol{name: name, kind: e.kind})
	}
	return out, cols, nil
}

// orderBy renders ORDER BY items. MySQL sorts NULLs first in ascending
// order and last in descending order; PostgreSQL does the opposite, so the
// order is made explicit. Bare names of select aliases are kept (PostgreSQL
// resolves them to output columns, as MySQL does) when allowAlias is set.
func (g *gen) orderBy(o *ast.OrderByClause, allowAlias bool) (string, error) {
	items := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		if v, ok := it.Expr.(*test_driver.ValueExpr); ok && v.Kind() != test_driver.KindInt64 && v.Kind() != test_driver.KindUint64 {
			// ORDER BY NULL or another constant does not order anything in
			// MySQL; PostgreSQL rejects it.
			continue
		}
		var s string
		if c, ok := it.Expr.(*ast.ColumnNameExpr); ok && allowAlias && c.Name.Table.O == "" && g.cur() != nil && g.cur().subst[c.Name.Name.L] != nil {
			s = g.ident(c.Name.Name.O)
		} else {
			e, err := g.expr(it.Expr)
			if err != nil {
				return "", err
			}
			s = e.sql
		}
		if it.Desc {
			s += " DESC NULLS LAST"
		} else {
			s += " NULLS FIRST"
		}
		items = append(items, s)
	}
	return strings.Join(items, ", "), nil
}

func (g *gen) limit(l *ast.Limit) (string, error) {
	var parts []string
	if l.Count != nil {
		c, err := g.expr(l.Count)
		if err != nil {
			return "", err
		}
		parts = append(parts, "LIMIT "+c.sql)
	}
	if l.Offset != nil {
		o, err := g.expr(l.Offset)
		if err != nil {
			return "", err
		}
		parts = append(parts, "OFFSET "+o.sql)
	}
	return strings.Join(parts, " "), nil
}

func (g *gen) setOprStmt(s *ast.SetOprStmt) (string, error) {
	prefix := ""
	if s.With != nil {
		w, err := g.with(s.With)
		if err != nil {
			return "", err
		}
		defer func() { g.ctes = g.ctes[:len(g.ctes)-1] }()
		prefix = w
	}
	body, err := g.setOprList(s.SelectList, s.OrderBy, s.Limit)
	if err != nil {
		return "", err
	}
	return prefix + body, nil
}

// setOprList renders a UNION/EXCEPT/INTERSECT chain. MySQL and PostgreSQL
// give INTERSECT the same higher precedence, so the chain is emitted flat,
// with parentheses where the source had them.
func (g *gen) setOprList(l *ast.SetOprSelectList, order *ast.OrderByClause, lim *ast.Limit) (string, error) {
	var b strings.Builder
	if l.With != nil {
		w, err := g.with(l.With)
		if err != nil {
			return "", err
		}
		defer func() { g.ctes = g.ctes[:len(g.ctes)-1] }()
		b.WriteString(w)
	}
	var cols []outCol
	for i, n := range l.Selects {
		var op *ast.SetOprType
		var part string
		switch x := n.(type) {
		case *ast.SelectStmt:
			op = x.AfterSetOperator
			if x.IsInBraces || x.OrderBy != nil || x.Limit != nil || x.With != nil {
				s, err := g.inline(x)
				if err != nil {
					return "", err
				}
				part = "(" + s + ")"
			} else {
				s, err := g.selectStmt(x)
				if err != nil {
					return "", err
				}
				part = s
			}
		case *ast.SetOprSelectList:
			op = x.AfterSetOperator
			// "(SELECT ...)" is a list of one select.
			var inner ast.Node = x
			if len(x.Selects) == 1 && x.OrderBy == nil && x.Limit == nil && x.With == nil {
				inner = x.Selects[0]
			}
			s, err := g.inline(inner)
			if err != nil {
				return "", err
			}
			part = "(" + s + ")"
		default:
			return "", unsupported("set operation member %T", n)
		}
		if i == 0 {
			cols = g.outCols
		}
		if i > 0 {
			if op == nil {
				return "", unsupported("set operation without operator")
			}
			b.WriteString(g.nl("") + setOpName(*op) + g.nl(""))
		}
		b.WriteString(part)
	}
	if order == nil {
		order = l.OrderBy
	}
	if lim == nil {
		lim = l.Limit
	}
	if order != nil {
		// ORDER BY of a set operation refers to output columns; it has no
		// FROM scope of its own.
		g.scopes = append(g.scopes, &scope{tables: map[string]string{}})
		o, err := g.orderBy(order, false)
		g.scopes = g.scopes[:len(g.scopes)-1]
		if err != nil {
			return "", err
		}
		if o != "" {
			b.WriteString(g.nl("") + "ORDER BY " + o)
		}
	}
	if lim != nil {
		s, err := g.limit(lim)
		if err != nil {
			return "", err
		}
		b.WriteString(g.nl("") + s)
	}
	g.outCols = cols
	return b.String(), nil
}

// inline translates a parenthesised query of a set operation on one line,
// keeping whether column names matter.
func (g *gen) inline(n ast.Node) (string, error) {
	return g.query(n, g.named)
}

func setOpName(t ast.SetOprType) string {
	switch t {
	case ast.Union:
		return "UNION"
	case ast.UnionAll:
		return "UNION ALL"
	case ast.Except:
		return "EXCEPT"
	case ast.ExceptAll:
		return "EXCEPT ALL"
	case ast.Intersect:
		return "INTERSECT"
	case ast.IntersectAll:
		return "INTERSECT ALL"
	}
	return "UNION"
}

// collectTables records the reference names of a FROM clause.
func (g *gen) collectTables(n ast.ResultSetNode, sc *scope) {
	switch x := n.(type) {
	case *ast.Join:
		if x.Left != nil {
			g.collectTables(x.Left, sc)
		}
		if x.Right != nil {
			g.collectTables(x.Right, sc)
		}
	case *ast.TableSource:
		switch src := x.Source.(type) {
		case *ast.TableName:
			real := src.Name.L
			ref := src.Name.L
			if x.AsName.O != "" {
				ref = x.AsName.L
			}
			if src.Schema.O == "" {
				if cols, ok := g.cteCols(src.Name.O); ok {
					real = ""
					sc.cols[ref] = colKinds(cols, nil)
				}
			}
			sc.tables[ref] = real
		case *ast.Join:
			g.collectTables(src, sc)
		default:
			sc.tables[x.AsName.L] = ""
		}
	case *ast.TableName:
		sc.tables[x.Name.L] = x.Name.L
	}
}

// tableRef renders a FROM item.
func (g *gen) tableRef(n ast.ResultSetNode) (string, error) {
	switch x := n.(type) {
	case *ast.Join:
		return g.join(x)
	case *ast.TableSource:
		return g.tableSource(x)
	case *ast.TableName:
		return g.tableName(x)
	}
	return "", unsupported("FROM item %T", n)
}

func (g *gen) tableSource(ts *ast.TableSource) (string, error) {
	var s string
	switch src := ts.Source.(type) {
	case *ast.TableName:
		t, err := g.tableName(src)
		if err != nil {
			return "", err
		}
		s = t
	case *ast.SelectStmt, *ast.SetOprStmt:
		if ts.Lateral {
			// A LATERAL subquery sees the tables before it: keep the scope.
			s = "LATERAL "
		}
		saved := g.scopes
		if !ts.Lateral {
			// A derived table does not see the FROM clause it is part of,
			// but it does see enclosing queries (MySQL 8.0.14+).
			g.scopes = g.scopes[: len(g.scopes)-1 : len(g.scopes)-1]
		}
		q, err := g.query(src, true)
		g.scopes = saved
		if err != nil {
			return "", err
		}
		s += "(" + q + ")"
		if sc := g.cur(); sc != nil {
			sc.cols[ts.AsName.L] = colKinds(g.outCols, ts.ColumnNames)
		}
	case *ast.Join:
		g.depth++
		j, err := g.join(src)
		g.depth--
		if err != nil {
			return "", err
		}
		s = "(" + j + ")"
	default:
		return "", unsupported("FROM item %T", ts.Source)
	}
	if ts.AsName.O != "" {
		s += " AS " + g.ident(ts.AsName.O)
		if len(ts.ColumnNames) > 0 {
			cols := make([]string, len(ts.ColumnNames))
			for i, c := range ts.ColumnNames {
				cols[i] = g.ident(c.O)
			}
			s += " (" + strings.Join(cols, ", ") + ")"
		}
	}
	return s, nil
}

func (g *gen) join(j *ast.Join) (string, error) {
	left, err := g.tableRef(j.Left)
	if err != nil {
		return "", err
	}
	if j.Right == nil {
		return left, nil
	}
	rj, nested := j.Right.(*ast.Join)
	nested = nested && rj.Right != nil
	if nested {
		g.depth++ // a parenthesised join stays on one line
	}
	right, err := g.tableRef(j.Right)
	if nested {
		g.depth--
	}
	if err != nil {
		return "", err
	}
	if nested {
		right = "(" + right + ")"
	}
	var kw string
	switch j.Tp {
	case ast.LeftJoin:
		kw = "LEFT JOIN"
	case ast.RightJoin:
		kw = "RIGHT JOIN"
	default:
		if j.On == nil && len(j.Using) == 0 && !j.NaturalJoin {
			kw = "CROSS JOIN"
		} else {
			kw = "JOIN"
		}
	}
	if j.NaturalJoin {
		kw = "NATURAL " + kw
	}
	s := left + g.nl("  ") + kw + " " + right
	if j.On != nil {
		c, err := g.cond(j.On.Expr)
		if err != nil {
			return "", err
		}
		s += " ON " + c.sql
	}
	if len(j.Using) > 0 {
		cols := make([]string, len(j.Using))
		for i, c := range j.Using {
			cols[i] = g.ident(c.Name.O)
		}
		s += " USING (" + strings.Join(cols, ", ") + ")"
	}
	return s, nil
}

// itoa is strconv.Itoa, kept short for the many call sites.
func itoa(i int) string { return strconv.Itoa(i) }
