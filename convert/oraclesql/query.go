package oraclesql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// scope is one query block's FROM items, for column types and (+) joins.
type scope struct {
	tables     []scopeTable
	selectList bool
}

type scopeTable struct {
	alias, table string // lower case; table "" for subqueries
}

func (t *Translator) scopeTop() *scope {
	if len(t.scopes) == 0 {
		return nil
	}
	return t.scopes[len(t.scopes)-1]
}

// fromItems lists the FROM items of a query block with their aliases.
func fromItems(q *plsql.Query_blockContext) []scopeTable {
	var out []scopeTable
	add := func(aux plsql.ITable_ref_auxContext) {
		if aux == nil {
			return
		}
		st := scopeTable{}
		if one, ok := aux.Table_ref_aux_internal().(*plsql.Table_ref_aux_internal_oneContext); ok {
			if tv := one.Dml_table_expression_clause().Tableview_name(); tv != nil {
				parts := idParts(tv)
				if len(parts) > 0 {
					st.table = Name(parts[len(parts)-1])
					st.alias = st.table
				}
			}
		}
		if a := aux.Table_alias(); a != nil {
			st.alias = Name(a.GetText())
		}
		out = append(out, st)
	}
	fc := q.From_clause()
	if fc == nil {
		return nil
	}
	for _, tr := range fc.Table_ref_list().AllTable_ref() {
		add(tr.Table_ref_aux())
		for _, j := range tr.AllJoin_clause() {
			add(j.Table_ref_aux())
		}
	}
	return out
}

func (t *Translator) queryBlock(q *plsql.Query_blockContext) string {
	sc := &scope{tables: fromItems(q)}
	t.scopes = append(t.scopes, sc)
	defer func() { t.scopes = t.scopes[:len(t.scopes)-1] }()

	if q.Into_clause() != nil && t.Rewrite == nil {
		return t.fail(q.Into_clause(), "SELECT INTO belongs to PL/SQL; the PL/SQL converter translates it")
	}
	if q.Model_clause() != nil {
		return t.fail(q.Model_clause(), "the MODEL clause has no PostgreSQL equivalent")
	}
	if w := q.Subquery_factoring_clause(); w != nil {
		if t.ctes == nil {
			t.ctes = map[string]int{}
		}
		for _, fe := range w.AllFactoring_element() {
			name := Name(fe.Query_name().GetText())
			t.ctes[name]++
			defer func() { t.ctes[name]-- }()
		}
	}
	if q.Hierarchical_query_clause() != nil {
		return t.hierQuery(q)
	}
	var sb strings.Builder
	if w := q.Subquery_factoring_clause(); w != nil {
		sb.WriteString(t.withClause(w) + " ")
	}
	sb.WriteString("SELECT ")
	if q.DISTINCT() != nil || q.UNIQUE() != nil {
		sb.WriteString("DISTINCT ")
	}
	sc.selectList = true
	sb.WriteString(t.print(q.Selected_list()))
	sc.selectList = false
	if in := q.Into_clause(); in != nil {
		sb.WriteString(" " + t.print(in))
	}

	var conj []antlr.Tree
	if w := q.Where_clause(); w != nil {
		if w.Expression() == nil {
			return t.fail(w, "unsupported WHERE form")
		}
		conj = splitAnd(w.Expression())
	}
	// ROWNUM <= n
	limit := ""
	kept := conj[:0:0]
	for _, c := range conj {
		if l, ok := t.rownumLimit(c); ok {
			if limit != "" {
				return t.fail(c, "more than one ROWNUM condition")
			}
			limit = l
			continue
		}
		kept = append(kept, c)
	}
	conj = kept
	if limit != "" && (q.Order_by_clause() != nil || q.Group_by_clause() != nil || q.DISTINCT() != nil || q.UNIQUE() != nil) {
		return t.fail(q, "ROWNUM filters rows before ORDER BY/GROUP BY/DISTINCT of the same query block; rewrite it (ORDER BY in a subquery, ROWNUM outside)")
	}

	from, rest := t.fromClause(q, conj)
	if from != "" {
		sb.WriteString(" " + from)
	}
	if len(rest) > 0 {
		parts := make([]string, len(rest))
		for i, c := range rest {
			parts[i] = t.print(c)
		}
		sb.WriteString(" WHERE " + strings.Join(parts, " AND "))
	}
	if g := q.Group_by_clause(); g != nil {
		sb.WriteString(" " + t.print(g))
	}
	if o := q.Order_by_clause(); o != nil {
		sb.WriteString(" " + t.print(o))
	}
	if f := q.Fetch_clause(); f != nil {
		sb.WriteString(" " + t.print(f))
	}
	if limit != "" {
		sb.WriteString(" LIMIT " + limit)
		if inSetOperation(q) {
			return "(" + sb.String() + ")"
		}
	}
	return sb.String()
}

// inSetOperation reports whether a query block is one side of UNION &c.
func inSetOperation(q *plsql.Query_blockContext) bool {
	be, ok := q.GetParent().(*plsql.Subquery_basic_elementsContext)
	if !ok {
		return false
	}
	switch p := be.GetParent().(type) {
	case *plsql.Subquery_operation_partContext:
		return true
	case *plsql.SubqueryContext:
		return len(p.AllSubquery_operation_part()) > 0
	}
	return false
}

func (t *Translator) withClause(w plsql.ISubquery_factoring_clauseContext) string {
	recursive := false
	for _, fe := range w.AllFactoring_element() {
		name := Name(fe.Query_name().GetText())
		for _, p := range collectRefs(fe.Subquery()) {
			if p == name {
				recursive = true
			}
		}
	}
	s := t.children(w)
	if recursive {
		s = "WITH RECURSIVE" + strings.TrimPrefix(s, "WITH")
	}
	return s
}

// TablesRead lists the (lower-case) names of the tables and views a
// query reads, in order, with duplicates.
func TablesRead(n antlr.Tree) []string { return collectRefs(n) }

// collectRefs lists the table names a subtree reads.
func collectRefs(n antlr.Tree) []string {
	var out []string
	var walk func(antlr.Tree)
	walk = func(n antlr.Tree) {
		if tv, ok := n.(*plsql.Tableview_nameContext); ok {
			parts := idParts(tv)
			if len(parts) > 0 {
				out = append(out, Name(parts[len(parts)-1]))
			}
			return
		}
		if p, ok := n.(antlr.ParserRuleContext); ok {
			for _, c := range p.GetChildren() {
				walk(c)
			}
		}
	}
	walk(n)
	return out
}

// splitAnd splits a condition into its top-level AND operands.
func splitAnd(n antlr.Tree) []antlr.Tree {
	switch x := n.(type) {
	case *plsql.ExpressionContext:
		if x.Logical_expression() != nil {
			return splitAnd(x.Logical_expression())
		}
	case *plsql.ConditionContext:
		if x.Expression() != nil {
			return splitAnd(x.Expression())
		}
	case *plsql.Logical_expressionContext:
		if x.AND() != nil {
			return append(splitAnd(x.Logical_expression(0)), splitAnd(x.Logical_expression(1))...)
		}
	}
	return []antlr.Tree{n}
}

// rownumLimit recognizes ROWNUM <= n, ROWNUM < n, ROWNUM = 1 (and the
// mirrored forms) and returns the LIMIT.
func (t *Translator) rownumLimit(c antlr.Tree) (string, bool) {
	re, ok := unwrap(c).(*plsql.Relational_expressionContext)
	if !ok || re.Relational_operator() == nil {
		return "", false
	}
	op := strings.ReplaceAll(re.Relational_operator().GetText(), " ", "")
	l, r := re.Relational_expression(0), re.Relational_expression(1)
	isRownum := func(n antlr.Tree) bool {
		return strings.EqualFold(strings.TrimSpace(n.(antlr.ParserRuleContext).GetText()), "ROWNUM")
	}
	var bound antlr.Tree
	switch {
	case isRownum(l):
		bound = r
	case isRownum(r):
		bound = l
		switch op {
		case ">=":
			op = "<="
		case ">":
			op = "<"
		case "<=", "<":
			return "", false
		}
	default:
		return "", false
	}
	b := t.print(bound)
	switch op {
	case "<=":
		return b, true
	case "<":
		if n, err := strconv.Atoi(b); err == nil {
			return strconv.Itoa(max(n-1, 0)), true
		}
		return "(" + b + ") - 1", true
	case "=":
		if b == "1" {
			return "1", true
		}
	}
	return "", false
}

// fromClause prints FROM (nothing for FROM DUAL) and rebuilds (+) outer
// joins as LEFT JOINs; it returns the WHERE conjuncts left.
func (t *Translator) fromClause(q *plsql.Query_blockContext, conj []antlr.Tree) (string, []antlr.Tree) {
	fc := q.From_clause()
	if fc == nil {
		return "", conj
	}
	refs := fc.Table_ref_list().AllTable_ref()
	if len(refs) == 1 && len(refs[0].AllJoin_clause()) == 0 {
		if tv := simpleTable(refs[0]); tv != nil && strings.EqualFold(tv.GetText(), "dual") {
			return "", conj
		}
	}
	hasOuter := false
	for _, c := range conj {
		if hasOuterSign(c) {
			hasOuter = true
		}
	}
	if !hasOuter {
		return "FROM " + t.print(fc.Table_ref_list()), conj
	}
	// Oracle (+) joins: only over a plain comma list.
	type item struct {
		alias string
		sql   string
		on    []string
		deps  map[string]bool
		outer bool
		done  bool
	}
	items := make([]*item, len(refs))
	byAlias := map[string]*item{}
	sc := t.scopeTop()
	for i, r := range refs {
		if len(r.AllJoin_clause()) > 0 {
			return t.fail(r, "(+) outer joins mixed with ANSI joins in one FROM clause"), nil
		}
		items[i] = &item{alias: sc.tables[i].alias, sql: t.print(r), deps: map[string]bool{}}
		byAlias[items[i].alias] = items[i]
	}
	var rest []antlr.Tree
	for _, c := range conj {
		if !hasOuterSign(c) {
			rest = append(rest, c)
			continue
		}
		marked, others := t.outerAliases(c)
		if len(marked) != 1 {
			return t.fail(c, "a (+) condition must mark columns of exactly one table"), nil
		}
		var m string
		for a := range marked {
			m = a
		}
		it := byAlias[m]
		if it == nil {
			return t.fail(c, "(+) on a column whose table is not in the FROM clause"), nil
		}
		it.outer = true
		for a := range others {
			if a != m {
				it.deps[a] = true
			}
		}
		t.outerJoinOK = true
		it.on = append(it.on, t.print(c))
		t.outerJoinOK = false
	}
	var sb strings.Builder
	sb.WriteString("FROM ")
	placed := map[string]bool{}
	first := true
	for _, it := range items {
		if it.outer {
			continue
		}
		if !first {
			sb.WriteString(" CROSS JOIN ")
		}
		sb.WriteString(it.sql)
		placed[it.alias] = true
		it.done = true
		first = false
	}
	if first {
		return t.fail(q, "every table of the FROM clause is (+)-joined: no table to preserve"), nil
	}
	for progress := true; progress; {
		progress = false
		for _, it := range items {
			if it.done {
				continue
			}
			ready := true
			for d := range it.deps {
				if !placed[d] {
					ready = false
				}
			}
			if !ready {
				continue
			}
			sb.WriteString(" LEFT JOIN " + it.sql + " ON " + strings.Join(it.on, " AND "))
			placed[it.alias] = true
			it.done = true
			progress = true
		}
	}
	for _, it := range items {
		if !it.done {
			return t.fail(q, "circular (+) outer joins"), nil
		}
	}
	return sb.String(), rest
}

func simpleTable(r plsql.ITable_refContext) plsql.ITableview_nameContext {
	one, ok := r.Table_ref_aux().Table_ref_aux_internal().(*plsql.Table_ref_aux_internal_oneContext)
	if !ok {
		return nil
	}
	return one.Dml_table_expression_clause().Tableview_name()
}

func hasOuterSign(n antlr.Tree) bool {
	if _, ok := n.(*plsql.Outer_join_signContext); ok {
		return true
	}
	if p, ok := n.(antlr.ParserRuleContext); ok {
		for _, c := range p.GetChildren() {
			if hasOuterSign(c) {
				return true
			}
		}
	}
	return false
}

// outerAliases returns the aliases of the (+)-marked columns of a
// condition and of its other columns.
func (t *Translator) outerAliases(c antlr.Tree) (marked, others map[string]bool) {
	marked, others = map[string]bool{}, map[string]bool{}
	var walk func(n antlr.Tree)
	walk = func(n antlr.Tree) {
		switch x := n.(type) {
		case *plsql.AtomContext:
			if x.Outer_join_sign() != nil {
				marked[t.aliasOf(normParts(idParts(x.Table_element())))] = true
				return
			}
		case *plsql.General_elementContext:
			parts := normParts(idParts(x))
			if x.General_element_part(len(x.AllGeneral_element_part())-1).Function_argument() == nil {
				if a := t.aliasOf(parts); a != "" {
					others[a] = true
				}
				return
			}
		case *plsql.Table_elementContext:
			if a := t.aliasOf(normParts(idParts(x))); a != "" {
				others[a] = true
			}
			return
		}
		if p, ok := n.(antlr.ParserRuleContext); ok {
			for _, ch := range p.GetChildren() {
				walk(ch)
			}
		}
	}
	walk(c)
	return marked, others
}

// aliasOf returns the FROM alias a column reference belongs to.
func (t *Translator) aliasOf(parts []string) string {
	sc := t.scopeTop()
	if sc == nil {
		return ""
	}
	if len(parts) >= 2 {
		return parts[len(parts)-2]
	}
	if len(sc.tables) == 1 {
		return sc.tables[0].alias
	}
	if t.ColumnType != nil {
		found := ""
		for _, tb := range sc.tables {
			if t.ColumnType(tb.table, parts[0]) != "" {
				if found != "" {
					return ""
				}
				found = tb.alias
			}
		}
		return found
	}
	return ""
}

func (t *Translator) subqueryOperation(x *plsql.Subquery_operation_partContext) string {
	return t.children(x)
}

func (t *Translator) selectStatement(x *plsql.Select_statementContext) string {
	for _, f := range x.AllFor_update_clause() {
		if strings.Contains(strings.ToUpper(f.GetText()), "OF") {
			t.note("FOR UPDATE OF column list: PostgreSQL locks whole rows of the named tables (FOR UPDATE OF table)")
		}
	}
	return t.children(x)
}

// tableRefAux prints one FROM item: JSON_TABLE and unaliased subqueries
// need work.
func (t *Translator) tableRefAux(x *plsql.Table_ref_auxContext) string {
	alias := ""
	if a := x.Table_alias(); a != nil {
		alias = Quote(Name(a.GetText()))
	}
	if len(x.AllFlashback_query_clause()) > 0 {
		return t.fail(x, "flashback queries (AS OF / VERSIONS) have no PostgreSQL equivalent")
	}
	if one, ok := x.Table_ref_aux_internal().(*plsql.Table_ref_aux_internal_oneContext); ok {
		d := one.Dml_table_expression_clause()
		if jt := d.Json_table_clause(); jt != nil {
			if alias == "" && d.Identifier() != nil {
				alias = Quote(Name(d.Identifier().GetText()))
			}
			if alias == "" {
				alias = Quote("json_table")
			}
			return t.jsonTable(jt.(*plsql.Json_table_clauseContext), alias)
		}
		if d.Table_collection_expression() != nil {
			return t.fail(d, "TABLE(collection) expressions need manual translation (unnest)")
		}
		if d.Select_statement() != nil {
			if d.Subquery_restriction_clause() != nil {
				t.note("WITH READ ONLY/CHECK OPTION on an inline view dropped")
			}
			s := "(" + t.print(d.Select_statement()) + ")"
			if alias == "" {
				t.subqueryN++
				alias = Quote(fmt.Sprintf("ferry_sub%d", t.subqueryN))
			}
			return s + " AS " + alias
		}
	}
	s := t.print(x.Table_ref_aux_internal())
	if alias != "" {
		s += " " + alias
	}
	return s
}

// ---- JSON_TABLE ----

type jtLevel struct {
	v      string
	path   string
	cols   []string
	nested *jtLevel
}

func (t *Translator) jsonTable(x *plsql.Json_table_clauseContext, alias string) string {
	src := t.print(x.Expression())
	switch t.exprTypeRaw(x.Expression()) {
	case "JSON":
	case "BLOB":
		src = "convert_from(" + src + ", 'UTF8')::jsonb"
	default:
		src = "(" + src + ")::jsonb"
	}
	rowPath := "$"
	if x.CHAR_STRING() != nil {
		rowPath, _ = StringValue(x.CHAR_STRING().GetText())
	}
	n := 0
	var build func(cc plsql.IJson_column_clauseContext, path string) *jtLevel
	build = func(cc plsql.IJson_column_clauseContext, path string) *jtLevel {
		lv := &jtLevel{v: fmt.Sprintf("ferry_j%d", n), path: path}
		n++
		if cc == nil {
			return lv
		}
		for _, cd := range cc.AllJson_column_definition() {
			d := cd.(*plsql.Json_column_definitionContext)
			switch {
			case d.NESTED() != nil:
				if lv.nested != nil {
					t.fail(d, "JSON_TABLE with sibling NESTED PATH clauses needs manual translation")
					return lv
				}
				p, _ := literalString(d.Expression())
				lv.nested = build(d.Json_column_clause(), p)
			case d.ORDINALITY() != nil:
				name := Quote(Name(d.Expression().GetText()))
				lv.cols = append(lv.cols, "row_number() OVER () AS "+name)
			default:
				name := Name(d.Expression().GetText())
				p := "$." + name
				if d.CHAR_STRING() != nil {
					p, _ = StringValue(d.CHAR_STRING().GetText())
				}
				get := "jsonb_path_query_first(" + lv.v + ", " + QuoteString(p) + ")"
				if d.FORMAT() != nil {
					lv.cols = append(lv.cols, get+" AS "+Quote(name))
					continue
				}
				typ := "text"
				if rt := d.Json_value_return_type(); rt != nil {
					if m, err := ParseType(rt.GetText()); err == nil {
						typ = m.SQL
					} else {
						t.fail(rt, err.Error())
					}
				}
				if d.EXISTS() != nil {
					lv.cols = append(lv.cols, "jsonb_path_exists("+lv.v+", "+QuoteString(p)+") AS "+Quote(name))
					continue
				}
				lv.cols = append(lv.cols, "("+get+" #>> '{}')::"+typ+" AS "+Quote(name))
			}
		}
		return lv
	}
	root := build(x.Json_column_clause(), rowPath)
	var cols []string
	from := "jsonb_path_query(" + src + ", " + QuoteString(root.path) + ") AS " + root.v
	for lv := root; lv != nil; lv = lv.nested {
		cols = append(cols, lv.cols...)
		if lv.nested != nil {
			from += " LEFT JOIN LATERAL jsonb_path_query(" + lv.v + ", " + QuoteString(lv.nested.path) + ") AS " + lv.nested.v + " ON true"
		}
	}
	t.note("JSON_TABLE rewritten with jsonb_path_query (PostgreSQL 15 has no JSON_TABLE)")
	return "LATERAL (SELECT " + strings.Join(cols, ", ") + " FROM " + from + ") AS " + alias
}

// exprTypeRaw returns the Oracle type name of a column reference, or "".
func (t *Translator) exprTypeRaw(n antlr.Tree) string {
	if t.ColumnType == nil {
		return ""
	}
	parts := normParts(idParts(n))
	if len(parts) == 0 {
		return ""
	}
	col := parts[len(parts)-1]
	alias := t.aliasOf(parts)
	for i := len(t.scopes) - 1; i >= 0; i-- {
		for _, tb := range t.scopes[i].tables {
			if tb.alias == alias || (alias == "" && len(parts) == 1) {
				if typ := t.ColumnType(tb.table, col); typ != "" {
					return strings.ToUpper(typ)
				}
			}
		}
	}
	return ""
}

// ParseType parses and maps an Oracle data type written as text
// ("VARCHAR2(30 CHAR)", "NUMBER(8,2)").
func ParseType(text string) (Mapped, error) {
	d, err := parseRule(text, (*plsql.PlSqlParser).Datatype)
	if err != nil {
		switch strings.ToUpper(strings.TrimSpace(text)) {
		case "XMLTYPE":
			return Mapped{SQL: "xml", Oracle: "XMLTYPE"}, nil
		case "JSON":
			return Mapped{SQL: "jsonb", Oracle: "JSON"}, nil
		}
		return Mapped{}, fmt.Errorf("data type %s: %w", text, err)
	}
	return MapType(d)
}

// ---- MERGE ----

func (t *Translator) mergeStatement(x *plsql.Merge_statementContext) string {
	var sb strings.Builder
	tvs := x.AllSelected_tableview()
	sb.WriteString("MERGE INTO " + t.print(tvs[0]) + " USING " + t.print(tvs[1]) + " ON (" + t.print(x.Condition()) + ")")
	if u := x.Merge_update_clause(); u != nil {
		if u.Merge_update_delete_part() != nil {
			return t.fail(u.Merge_update_delete_part(), "MERGE ... DELETE WHERE (delete after update) has no single-statement PostgreSQL equivalent")
		}
		sb.WriteString(" WHEN MATCHED")
		if w := u.Where_clause(); w != nil {
			sb.WriteString(" AND " + t.print(w.Expression()))
		}
		sb.WriteString(" THEN UPDATE SET ")
		for i, e := range u.AllMerge_element() {
			if i > 0 {
				sb.WriteString(", ")
			}
			parts := normParts(idParts(e.Column_name()))
			sb.WriteString(Quote(parts[len(parts)-1]) + " = " + t.print(e.Expression()))
		}
	}
	if ins := x.Merge_insert_clause(); ins != nil {
		sb.WriteString(" WHEN NOT MATCHED")
		if w := ins.Where_clause(); w != nil {
			sb.WriteString(" AND " + t.print(w.Expression()))
		}
		sb.WriteString(" THEN INSERT")
		if pl := ins.Paren_column_list(); pl != nil {
			var cols []string
			for _, c := range pl.Column_list().AllColumn_name() {
				parts := normParts(idParts(c))
				cols = append(cols, Quote(parts[len(parts)-1]))
			}
			sb.WriteString(" (" + strings.Join(cols, ", ") + ")")
		}
		sb.WriteString(" " + t.print(ins.Values_clause()))
	}
	if x.Error_logging_clause() != nil {
		return t.fail(x.Error_logging_clause(), "LOG ERRORS has no PostgreSQL equivalent")
	}
	return sb.String()
}
