package oraclesql

import (
	"fmt"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// hierCtx is the state of a CONNECT BY query being rewritten as WITH
// RECURSIVE.
type hierCtx struct {
	alias string // the table's alias, also the CTE's alias outside
	table string // the table's name (for ColumnType)
	prior bool   // printing a PRIOR operand: columns are the parent's
	paths []hierPath
	roots []antlr.Tree
	// priorCols are the columns PRIOR reads (the cycle check's key).
	priorCols []string
}

type hierPath struct {
	expr antlr.Tree
	sep  string
}

const priorAlias = "ferry_prior"

// hierQuery rewrites SELECT ... FROM t [WHERE w] START WITH s CONNECT BY
// [NOCYCLE] PRIOR a = b [ORDER SIBLINGS BY x] as
//
//	WITH RECURSIVE h AS (
//	  SELECT t.*, 1 AS ferry_level, ... FROM t WHERE s
//	  UNION ALL
//	  SELECT t.*, ferry_prior.ferry_level + 1, ... FROM t JOIN h ferry_prior ON a' = b)
//	  [SEARCH DEPTH FIRST BY x SET ferry_order] CYCLE key SET ferry_cycle USING ferry_cycle_path
//	SELECT ... FROM h t WHERE NOT ferry_cycle [AND w] [ORDER BY ferry_order]
//
// LEVEL, SYS_CONNECT_BY_PATH and CONNECT_BY_ROOT become columns of h.
func (t *Translator) hierQuery(q *plsql.Query_blockContext) string {
	sc := t.scopeTop()
	fc := q.From_clause()
	refs := fc.Table_ref_list().AllTable_ref()
	if len(refs) != 1 || len(refs[0].AllJoin_clause()) > 0 || simpleTable(refs[0]) == nil {
		return t.fail(q.Hierarchical_query_clause(), "CONNECT BY over more than one table (or a subquery) needs manual translation")
	}
	if q.Selected_list().GetText() == "*" {
		return t.fail(q.Selected_list(), "SELECT * in a CONNECT BY query: list the columns")
	}
	if t.hier != nil {
		return t.fail(q.Hierarchical_query_clause(), "nested CONNECT BY queries need manual translation")
	}
	alias := sc.tables[0].alias
	t.hierN++
	cte := Quote(fmt.Sprintf("ferry_hier%d", t.hierN))
	table := t.print(simpleTable(refs[0]))
	h := &hierCtx{alias: alias, table: sc.tables[0].table}
	t.hier = h
	defer func() { t.hier = nil }()

	// The outer query first: it registers paths and roots.
	sc.selectList = true
	sel := t.print(q.Selected_list())
	sc.selectList = false
	if in := q.Into_clause(); in != nil {
		// SELECT ... INTO (PL/SQL): the targets are variables.
		t.hier = nil
		sel += " " + t.print(in)
		t.hier = h
	}
	where := []string{"NOT " + Quote(alias) + ".ferry_cycle"}
	if w := q.Where_clause(); w != nil {
		if w.Expression() == nil {
			return t.fail(w, "unsupported WHERE form")
		}
		where = append(where, t.print(w.Expression()))
	}
	tail := ""
	if g := q.Group_by_clause(); g != nil {
		tail += " " + t.print(g)
	}
	search := ""
	if o := q.Order_by_clause(); o != nil {
		if o.SIBLINGS() != nil {
			var cols []string
			for _, e := range o.AllOrder_by_elements() {
				if e.DESC() != nil || e.NULLS() != nil {
					return t.fail(e, "ORDER SIBLINGS BY ... DESC/NULLS needs manual translation")
				}
				parts := normParts(idParts(e.Expression()))
				if len(parts) == 0 || !isSimpleColumn(e.Expression()) {
					return t.fail(e, "ORDER SIBLINGS BY an expression needs manual translation")
				}
				cols = append(cols, Quote(parts[len(parts)-1]))
			}
			search = " SEARCH DEPTH FIRST BY " + strings.Join(cols, ", ") + " SET ferry_order"
			tail += " ORDER BY " + Quote(alias) + ".ferry_order"
		} else {
			tail += " " + t.print(o)
		}
	}
	if f := q.Fetch_clause(); f != nil {
		tail += " " + t.print(f)
	}

	// Anchor and recursive members.
	hc := q.Hierarchical_query_clause()
	start := "true"
	if sp := hc.Start_part(); sp != nil {
		start = t.print(sp.Condition())
	}
	anchorCols := []string{Quote(alias) + ".*", "1 AS ferry_level"}
	recCols := []string{Quote(alias) + ".*", priorAlias + ".ferry_level + 1"}
	for i, p := range h.paths {
		e := t.print(p.expr)
		anchorCols = append(anchorCols, fmt.Sprintf("concat(%s, %s)::text AS ferry_path%d", QuoteString(p.sep), e, i+1))
		recCols = append(recCols, fmt.Sprintf("concat(%s.ferry_path%d, %s, %s)::text", priorAlias, i+1, QuoteString(p.sep), e))
	}
	for i, r := range h.roots {
		anchorCols = append(anchorCols, fmt.Sprintf("%s AS ferry_root%d", t.print(r), i+1))
		recCols = append(recCols, fmt.Sprintf("%s.ferry_root%d", priorAlias, i+1))
	}
	connect := t.print(hc.Condition())
	if len(h.priorCols) == 0 {
		return t.fail(hc, "CONNECT BY without PRIOR")
	}
	key := dedupe(h.priorCols)
	var sb strings.Builder
	sb.WriteString("WITH RECURSIVE ")
	if w := q.Subquery_factoring_clause(); w != nil {
		sb.WriteString(strings.TrimSpace(strings.TrimPrefix(t.children(w), "WITH")) + ", ")
	}
	sb.WriteString(cte + " AS (SELECT " + strings.Join(anchorCols, ", ") + " FROM " + table + " " + Quote(alias) + " WHERE " + start +
		" UNION ALL SELECT " + strings.Join(recCols, ", ") + " FROM " + table + " " + Quote(alias) + " JOIN " + cte + " " + priorAlias + " ON " + connect + ")")
	sb.WriteString(search)
	sb.WriteString(" CYCLE " + strings.Join(key, ", ") + " SET ferry_cycle USING ferry_cycle_path")
	sb.WriteString(" SELECT ")
	if q.DISTINCT() != nil || q.UNIQUE() != nil {
		sb.WriteString("DISTINCT ")
	}
	sb.WriteString(sel + " FROM " + cte + " " + Quote(alias) + " WHERE " + strings.Join(where, " AND ") + tail)
	if hc.NOCYCLE() == nil {
		t.note("CONNECT BY: a cycle in the data stops the recursion (Oracle raises ORA-01436 instead)")
	}
	return sb.String()
}

func isSimpleColumn(n antlr.Tree) bool {
	switch x := unwrap(n).(type) {
	case *plsql.General_elementContext:
		for _, p := range x.AllGeneral_element_part() {
			if p.Function_argument() != nil {
				return false
			}
		}
		return true
	case *plsql.Table_elementContext:
		return true
	}
	return false
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// hierColumn rewrites column references inside a PRIOR operand to the
// parent row.
func (t *Translator) hierColumn(parts []string) (string, bool) {
	h := t.hier
	col := parts[len(parts)-1]
	if len(parts) == 1 && t.Variable != nil && t.Variable(col) &&
		(t.ColumnType == nil || t.ColumnType(h.table, col) == "") {
		// A PL/SQL variable or parameter, not a column.
		return "", false
	}
	if !h.prior {
		if len(parts) == 1 {
			// Qualified: the recursive member joins the table to the CTE,
			// which has the same columns.
			return Quote(h.alias) + "." + Quote(col), true
		}
		return "", false
	}
	if len(parts) == 1 || (len(parts) == 2 && parts[0] == h.alias) {
		h.priorCols = append(h.priorCols, Quote(col))
		return priorAlias + "." + Quote(col), true
	}
	return "", false
}

func (t *Translator) hierPrior(n plsql.IUnary_expressionContext) string {
	t.hier.prior = true
	s := t.print(n)
	t.hier.prior = false
	return s
}

func (t *Translator) hierRoot(n plsql.IUnary_expressionContext) string {
	t.hier.roots = append(t.hier.roots, n)
	return fmt.Sprintf("%s.ferry_root%d", Quote(t.hier.alias), len(t.hier.roots))
}

func (t *Translator) hierPath(n antlr.Tree, args []arg) string {
	if len(args) != 2 {
		return t.fail(n, "SYS_CONNECT_BY_PATH takes two arguments")
	}
	sep, ok := literalString(args[1].node)
	if !ok {
		return t.fail(n, "SYS_CONNECT_BY_PATH with a separator that is not a literal")
	}
	t.hier.paths = append(t.hier.paths, hierPath{expr: args[0].node, sep: sep})
	return fmt.Sprintf("%s.ferry_path%d", Quote(t.hier.alias), len(t.hier.paths))
}
