package mysqlview

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// This file translates the pieces of SQL found in trigger bodies: single
// scalar expressions and INSERT, UPDATE and DELETE statements. They share
// the expression generator with views, so NOW(), CONCAT, division, boolean
// columns and so on come out the same way.

// TranslateExpr translates a MySQL scalar expression (a default, a generated
// column, the value of a SET in a trigger).
func TranslateExpr(expr string, opt Options) (string, error) {
	return translateScalar(expr, opt, func(g *gen, n ast.ExprNode) (pexpr, error) { return g.expr(n) })
}

// TranslateCond translates a MySQL expression used as a condition (IF,
// WHERE, CHECK): numbers are true when they are not zero, as in MySQL.
func TranslateCond(expr string, opt Options) (string, error) {
	return translateScalar(expr, opt, func(g *gen, n ast.ExprNode) (pexpr, error) { return g.cond(n) })
}

// TranslateAssigned translates a MySQL expression whose value is stored in
// column of the MySQL table table. When Options.BoolColumns says the column
// became boolean, 0/1 become FALSE/TRUE and numbers are compared with 0;
// a condition stored in a column that is not boolean becomes 0/1.
func TranslateAssigned(expr, table, column string, opt Options) (string, error) {
	return translateScalar(expr, opt, func(g *gen, n ast.ExprNode) (pexpr, error) {
		e, err := g.expr(n)
		if err != nil {
			return e, err
		}
		return g.assigned(table, column, e), nil
	})
}

// TranslateDML translates one MySQL INSERT (VALUES, SET or SELECT form),
// single-table UPDATE or single-table DELETE statement. Constructs with no
// direct PostgreSQL equivalent (REPLACE, IGNORE, ON DUPLICATE KEY UPDATE,
// ORDER BY or LIMIT in UPDATE/DELETE, multiple-table forms) are reported as
// *UnsupportedError.
func TranslateDML(stmt string, opt Options) (out string, err error) {
	n, err := parseStmt(stmt)
	if err != nil {
		return "", fmt.Errorf("cannot parse statement: %v", err)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("cannot translate statement: internal error: %v", r)
		}
	}()
	g := newGen(opt)
	switch s := n.(type) {
	case *ast.InsertStmt:
		return g.insert(s)
	case *ast.UpdateStmt:
		return g.update(s)
	case *ast.DeleteStmt:
		return g.delete(s)
	}
	return "", fmt.Errorf("not an INSERT, UPDATE or DELETE statement (%T)", n)
}

// parseStmt parses one statement, retrying without the character sets and
// collations the parser does not know.
func parseStmt(sql string) (ast.StmtNode, error) {
	p := parser.New()
	stmt, err := p.ParseOneStmt(sql, "", "")
	if err != nil {
		if norm, changed := normalizeCharsets(sql); changed {
			if s, err2 := p.ParseOneStmt(norm, "", ""); err2 == nil {
				return s, nil
			}
		}
	}
	return stmt, err
}

func translateScalar(expr string, opt Options, tr func(*gen, ast.ExprNode) (pexpr, error)) (out string, err error) {
	n, err := parseStmt("SELECT " + expr)
	if err != nil {
		return "", fmt.Errorf("cannot parse expression %q: %v", expr, err)
	}
	s, ok := n.(*ast.SelectStmt)
	if !ok || s.Kind != ast.SelectStmtKindSelect || s.From != nil || s.Where != nil || s.GroupBy != nil ||
		s.Having != nil || s.OrderBy != nil || s.Limit != nil || s.With != nil || s.Distinct ||
		s.SelectIntoOpt != nil || len(s.WindowSpecs) > 0 || (s.LockInfo != nil && s.LockInfo.LockType != ast.SelectLockNone) ||
		s.Fields == nil || len(s.Fields.Fields) != 1 || s.Fields.Fields[0].WildCard != nil || s.Fields.Fields[0].AsName.O != "" {
		return "", fmt.Errorf("%q is not a single expression", expr)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("cannot translate expression %q: internal error: %v", expr, r)
		}
	}()
	e, err := tr(newGen(opt), s.Fields.Fields[0].Expr)
	if err != nil {
		return "", err
	}
	return e.sql, nil
}

// assigned adapts a value stored in column col of MySQL table table to the
// column's PostgreSQL type where booleans are concerned.
func (g *gen) assigned(table, col string, e pexpr) pexpr {
	switch g.boolKind(strings.ToLower(table), strings.ToLower(col)) {
	case kBool:
		if e.is01() {
			return boolLit(*e.intLit == 1)
		}
		if e.kind == kNum || e.kind == kOther {
			return asCond(e)
		}
	case kOther:
		if e.kind == kBool {
			return asNum(e)
		}
	}
	return e
}

// singleTable returns the table of a single-table statement and its alias.
func singleTable(refs *ast.TableRefsClause, what string) (*ast.TableName, string, error) {
	if refs == nil || refs.TableRefs == nil {
		return nil, "", unsupported("%s without a table", what)
	}
	j := refs.TableRefs
	if j.Right != nil {
		return nil, "", unsupported("multiple-table %s", what)
	}
	var src ast.ResultSetNode = j.Left
	alias := ""
	if ts, ok := src.(*ast.TableSource); ok {
		src, alias = ts.Source, ts.AsName.O
	}
	tn, ok := src.(*ast.TableName)
	if !ok {
		return nil, "", unsupported("%s of %T", what, src)
	}
	return tn, alias, nil
}

// dmlScope opens the scope of the statement's target table, for column
// kinds in SET and WHERE. The caller pops it.
func (g *gen) dmlScope(tn *ast.TableName, alias string) {
	ref := tn.Name.L
	if alias != "" {
		ref = strings.ToLower(alias)
	}
	g.scopes = append(g.scopes, &scope{tables: map[string]string{ref: tn.Name.L}, cols: map[string]map[string]kind{}})
}

// value translates a value of VALUES or SET, where DEFAULT is allowed.
func (g *gen) value(n ast.ExprNode, table, col string) (string, error) {
	if d, ok := n.(*ast.DefaultExpr); ok && d.Name == nil {
		return "DEFAULT", nil
	}
	e, err := g.expr(n)
	if err != nil {
		return "", err
	}
	if col != "" {
		e = g.assigned(table, col, e)
	}
	return e.sql, nil
}

func (g *gen) insert(s *ast.InsertStmt) (string, error) {
	switch {
	case s.IsReplace:
		return "", unsupported("REPLACE")
	case s.IgnoreErr:
		return "", unsupported("INSERT IGNORE")
	case len(s.OnDuplicate) > 0:
		return "", unsupported("INSERT ... ON DUPLICATE KEY UPDATE")
	case len(s.PartitionNames) > 0:
		return "", unsupported("PARTITION selection in INSERT")
	}
	tn, alias, err := singleTable(s.Table, "INSERT")
	if err != nil {
		return "", err
	}
	if alias != "" {
		return "", unsupported("table alias in INSERT")
	}
	table, err := g.tableName(tn)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table)
	if len(s.Columns) > 0 {
		cols := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			cols[i] = g.ident(c.Name.O)
		}
		b.WriteString(" (" + strings.Join(cols, ", ") + ")")
	}
	switch {
	case s.Select != nil:
		q, err := g.query(s.Select, false)
		if err != nil {
			return "", err
		}
		b.WriteString(" " + q)
	case len(s.Columns) == 0 && len(s.Lists) == 1 && len(s.Lists[0]) == 0:
		b.WriteString(" DEFAULT VALUES")
	case len(s.Lists) == 0:
		return "", unsupported("INSERT without values")
	default:
		rows := make([]string, len(s.Lists))
		for i, row := range s.Lists {
			if len(row) == 0 || (len(s.Columns) > 0 && len(row) != len(s.Columns)) {
				return "", fmt.Errorf("INSERT: %d values for %d columns", len(row), len(s.Columns))
			}
			vals := make([]string, len(row))
			for j, v := range row {
				col := ""
				if len(s.Columns) > 0 {
					col = s.Columns[j].Name.O
				}
				val, err := g.value(v, tn.Name.O, col)
				if err != nil {
					return "", err
				}
				vals[j] = val
			}
			rows[i] = "(" + strings.Join(vals, ", ") + ")"
		}
		b.WriteString(" VALUES " + strings.Join(rows, ", "))
	}
	return b.String(), nil
}

// dmlTarget resolves the single target table of an UPDATE or DELETE,
// renders it (with its alias) and opens its column scope; the caller pops
// the scope when done.
func (g *gen) dmlTarget(refs *ast.TableRefsClause, stmt string) (*ast.TableName, string, string, error) {
	tn, alias, err := singleTable(refs, stmt)
	if err != nil {
		return nil, "", "", err
	}
	table, err := g.tableName(tn)
	if err != nil {
		return nil, "", "", err
	}
	if alias != "" {
		table += " AS " + g.ident(alias)
	}
	g.dmlScope(tn, alias)
	return tn, alias, table, nil
}

func (g *gen) update(s *ast.UpdateStmt) (string, error) {
	switch {
	case s.With != nil:
		return "", unsupported("WITH in UPDATE")
	case s.MultipleTable:
		return "", unsupported("multiple-table UPDATE")
	case s.IgnoreErr:
		return "", unsupported("UPDATE IGNORE")
	case s.Order != nil || s.Limit != nil:
		return "", unsupported("ORDER BY or LIMIT in UPDATE")
	}
	tn, alias, table, err := g.dmlTarget(s.TableRefs, "UPDATE")
	if err != nil {
		return "", err
	}
	defer func() { g.scopes = g.scopes[:len(g.scopes)-1] }()
	ref := tn.Name.L
	if alias != "" {
		ref = strings.ToLower(alias)
	}
	// MySQL assigns single-table UPDATE columns from left to right, and a
	// later expression sees the new value of an earlier column; PostgreSQL
	// evaluates every expression on the old row.
	set := map[string]bool{}
	sets := make([]string, len(s.List))
	for i, a := range s.List {
		if a.Column.Table.O != "" && a.Column.Table.L != ref {
			return "", unsupported("UPDATE of column %s.%s of another table", a.Column.Table.O, a.Column.Name.O)
		}
		if c := readsColumn(a.Expr, ref, set); c != "" {
			return "", unsupported("UPDATE that reads column %s after setting it (MySQL uses the new value)", c)
		}
		set[a.Column.Name.L] = true
		val, err := g.value(a.Expr, tn.Name.O, a.Column.Name.O)
		if err != nil {
			return "", err
		}
		sets[i] = g.ident(a.Column.Name.O) + " = " + val
	}
	out := "UPDATE " + table + " SET " + strings.Join(sets, ", ")
	if s.Where != nil {
		w, err := g.cond(s.Where)
		if err != nil {
			return "", err
		}
		out += " WHERE " + w.sql
	}
	return out, nil
}

// readsColumn returns the name of a column of cols (lowercase) that the
// expression references, unqualified or qualified with ref.
func readsColumn(n ast.ExprNode, ref string, cols map[string]bool) string {
	if len(cols) == 0 {
		return ""
	}
	v := &colFinder{ref: ref, cols: cols}
	n.Accept(v)
	return v.found
}

type colFinder struct {
	ref   string
	cols  map[string]bool
	found string
}

func (v *colFinder) Enter(n ast.Node) (ast.Node, bool) {
	if c, ok := n.(*ast.ColumnNameExpr); ok && v.found == "" {
		if (c.Name.Table.O == "" || (c.Name.Schema.O == "" && c.Name.Table.L == v.ref)) && v.cols[c.Name.Name.L] {
			v.found = c.Name.Name.O
		}
	}
	return n, v.found != ""
}

func (v *colFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func (g *gen) delete(s *ast.DeleteStmt) (string, error) {
	switch {
	case s.With != nil:
		return "", unsupported("WITH in DELETE")
	case s.IsMultiTable:
		return "", unsupported("multiple-table DELETE")
	case s.IgnoreErr:
		return "", unsupported("DELETE IGNORE")
	case s.Order != nil || s.Limit != nil:
		return "", unsupported("ORDER BY or LIMIT in DELETE")
	}
	_, _, table, err := g.dmlTarget(s.TableRefs, "DELETE")
	if err != nil {
		return "", err
	}
	defer func() { g.scopes = g.scopes[:len(g.scopes)-1] }()
	out := "DELETE FROM " + table
	if s.Where != nil {
		w, err := g.cond(s.Where)
		if err != nil {
			return "", err
		}
		out += " WHERE " + w.sql
	}
	return out, nil
}
