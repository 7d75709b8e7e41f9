// Package oraclesql translates Oracle SQL (expressions, queries and DML)
// into PostgreSQL SQL.
//
// It works on the syntax tree of the ANTLR4 Oracle grammar
// (github.com/bytebase/parser/plsql) and prints PostgreSQL text while
// walking it; SQL text is never rewritten with regular expressions. Nodes
// it has no rule for are printed as they are, so the output keeps the
// source's shape.
//
// The same Translator serves the schema converter (CHECK constraints,
// DEFAULT values, index expressions, views), the PL/SQL converter
// (expressions and statements inside procedure bodies, with variables
// mapped through [Translator.Ident]) and application SQL.
//
// Oracle semantics kept where PostgreSQL differs (docs/oracle.md, "SQL
// translation", lists every rule):
//
//   - ” is NULL in Oracle: the literal ” becomes NULL and a || b becomes
//     NULLIF(concat(a, b), ”), which skips NULL operands as Oracle does
//     and is NULL when the result is empty.
//   - DATE is a timestamp(0); date + n adds n days, date - date is a
//     number of days; ADD_MONTHS, MONTHS_BETWEEN, LAST_DAY and SUBSTR/INSTR
//     with positions PostgreSQL treats differently call small functions in
//     the ferry_ora schema ([CompatSQL]).
//   - a / b divides exactly (Oracle NUMBER division).
//   - DECODE compares NULL equal to NULL; GREATEST/LEAST return NULL when
//     an argument is NULL.
//   - (+) outer joins become LEFT JOINs, ROWNUM a LIMIT or row_number(),
//     CONNECT BY a WITH RECURSIVE query, MINUS becomes EXCEPT, FROM DUAL
//     disappears.
//
// A Translator is not safe for concurrent use; make one per goroutine.
package oraclesql

import (
	"fmt"
	"sort"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// Translator turns Oracle SQL syntax trees into PostgreSQL text. The zero
// value works (unqualified names, no variables, no column types); set the
// fields to adapt it.
type Translator struct {
	// Schema is the target schema for table, view and sequence names. When
	// set, unqualified names are qualified with it and every Oracle schema
	// qualifier is replaced by it. When empty, names keep their (lower
	// cased) Oracle qualifier, if any.
	Schema string

	// Ident maps a name reference that is not a column (a PL/SQL variable
	// or parameter, a record field, :new.col / :old.col in a trigger, a bind
	// variable) to its PostgreSQL text. parts are the dotted parts as
	// written, normalized like identifiers (unquoted parts lower cased, a
	// bind variable keeps its colon: ":new", "id"). Returning false treats
	// the reference as a column.
	Ident func(parts []string) (string, bool)

	// Func maps a call of a user-defined function or a package function
	// (parts normalized as for Ident) with its translated arguments.
	// Returning false prints the call with quoted names.
	Func func(parts []string, args []string) (string, bool)

	// ColumnType returns the Oracle type name (upper case: "DATE",
	// "NUMBER", "VARCHAR2", "TIMESTAMP", ...) of table.column, or "" when
	// unknown. It drives type-dependent translation: date arithmetic,
	// TRUNC and TO_CHAR of dates. table is the lower-case table name.
	ColumnType func(table, column string) string

	// Immutable asks for expressions PostgreSQL accepts in index
	// expressions and generated columns (|| without concat()).
	Immutable bool

	// Rewrite lets a caller replace a run of tokens that starts at token
	// index i (of the parsed text's token stream) with its own text, up
	// to token last (the PL/SQL converter's names: :NEW, cursor%FOUND,
	// package variables). It is asked once per token, at the start of
	// every node and for every token printed; a node entirely inside the
	// run is replaced, a longer node is printed token by token.
	Rewrite func(i int) (text string, last int, ok bool)

	// RewriteType gives the type of a name whose first token (index i)
	// Rewrite replaces (a package variable, :NEW.col), for type-dependent
	// translation (date arithmetic). parts are the dotted parts as written,
	// normalized as for Ident. It returns a type name, Oracle ("DATE",
	// "NUMBER") or PostgreSQL ("timestamp(0)", "numeric", "text"), or the
	// table and column the name stands for (resolved with ColumnType), or
	// nothing when unknown.
	RewriteType func(i int, parts []string) (typ, table, column string)

	// Variable reports whether an unqualified name is a PL/SQL variable or
	// parameter in scope. The CONNECT BY rewrite qualifies the other
	// unqualified names as columns of its table (unless ColumnType knows
	// the name as one of the table's columns, which Oracle prefers).
	Variable func(name string) bool

	// VariableType gives the declared type of a PL/SQL variable,
	// parameter or record field the translator prints as written (parts
	// normalized as for Ident: v_d, r.hire_date), as RewriteType does for
	// rewritten names. A column of a table the query reads takes
	// precedence, as in Oracle.
	VariableType func(parts []string) (typ, table, column string)

	notes   []string
	helpers map[string]bool
	err     error
	scopes  []*scope
	// outerJoinOK allows (+) markers (while printing an ON condition
	// rebuilt from a WHERE clause).
	outerJoinOK bool
	hier        *hierCtx
	hierN       int
	subqueryN   int
	// ctes counts the WITH query names in scope (never schema-qualified).
	ctes map[string]int
	// rewrites memoizes Rewrite (it may record side effects).
	rewrites map[int]rewriteResult
}

type rewriteResult struct {
	text string
	last int
	ok   bool
}

func (t *Translator) rewriteAt(i int) (string, int, bool) {
	if t.rewrites == nil {
		t.rewrites = map[int]rewriteResult{}
	}
	r, seen := t.rewrites[i]
	if !seen {
		r.text, r.last, r.ok = t.Rewrite(i)
		t.rewrites[i] = r
	}
	return r.text, r.last, r.ok
}

// consumedUntil returns the last token of the rewritten run token i lies
// inside (not at the start of), or -1.
func (t *Translator) consumedUntil(i int) int {
	end := -1
	if i < 0 || t.Rewrite == nil {
		return end
	}
	for start, r := range t.rewrites {
		if r.ok && start < i && i <= r.last && r.last > end {
			end = r.last
		}
	}
	return end
}

// rewritten applies Rewrite to a node: the replacement when the run
// covers the node, generic printing when it starts there but ends inside.
func (t *Translator) rewritten(n antlr.Tree) (string, bool) {
	switch x := n.(type) {
	case antlr.TerminalNode:
		i := x.GetSymbol().GetTokenIndex()
		if i < 0 {
			return "", false
		}
		if text, _, ok := t.rewriteAt(i); ok {
			return text, true
		}
	case antlr.ParserRuleContext:
		if x.GetStart() == nil || x.GetStop() == nil {
			return "", false
		}
		i, stop := x.GetStart().GetTokenIndex(), x.GetStop().GetTokenIndex()
		if i < 0 || stop < i {
			return "", false
		}
		if text, last, ok := t.rewriteAt(i); ok {
			if last >= stop {
				return text, true
			}
			// The run ends inside the node. When the node combines
			// several children and the run lies within the first one,
			// the node keeps its own rule (an expression starting with
			// :NEW.col or a package variable still gets date
			// arithmetic, exact division, Oracle's ||) and the child
			// reached by recursion is rewritten; otherwise (a name or
			// call the run starts) the node is printed generically
			// around the run.
			if c, ok := firstChild(x).(antlr.ParserRuleContext); ok && x.GetChildCount() > 1 && c.GetStop() != nil && c.GetStop().GetTokenIndex() >= last {
				return "", false
			}
			return t.children(x), true
		}
	}
	return "", false
}

// Notes returns the warnings gathered since the last Reset: translations
// that are close but not exact (a dropped LISTAGG overflow clause, ...).
func (t *Translator) Notes() []string { return t.notes }

// Helpers returns the names of the ferry_ora compatibility functions the
// translated SQL calls, sorted. [CompatSQL] creates them.
func (t *Translator) Helpers() []string {
	var out []string
	for h := range t.helpers {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// Reset forgets notes and helpers gathered so far.
func (t *Translator) Reset() {
	t.notes, t.helpers, t.err, t.scopes, t.hier = nil, nil, nil, nil, nil
}

// Expr translates an expression.
func (t *Translator) Expr(ctx plsql.IExpressionContext) (string, error) {
	return t.run(ctx)
}

// Condition translates a condition (a WHERE or CHECK condition, which may
// be an IS JSON test).
func (t *Translator) Condition(ctx plsql.IConditionContext) (string, error) {
	return t.run(ctx)
}

// Query translates a SELECT statement.
func (t *Translator) Query(ctx plsql.ISelect_statementContext) (string, error) {
	return t.run(ctx)
}

// Subquery translates a subquery (the query of a view or of a cursor).
func (t *Translator) Subquery(ctx plsql.ISubqueryContext) (string, error) {
	return t.run(ctx)
}

// Statement translates a DML statement: SELECT, INSERT, UPDATE, DELETE or
// MERGE.
func (t *Translator) Statement(ctx plsql.IData_manipulation_language_statementsContext) (string, error) {
	return t.run(ctx)
}

// Node translates any node of the grammar that holds SQL (for callers
// that reach parts the typed methods do not cover).
func (t *Translator) Node(n antlr.ParserRuleContext) (string, error) {
	return t.run(n)
}

// Type translates an Oracle data type to PostgreSQL (see [MapType]).
func (t *Translator) Type(ctx plsql.IType_specContext) (string, error) {
	return t.run(ctx)
}

// TranslateSQL parses one Oracle statement and translates it (a
// convenience for application SQL and tests).
func (t *Translator) TranslateSQL(text string) (string, error) {
	text = strings.TrimRight(strings.TrimSpace(text), ";")
	u, err := Parse(text)
	if err != nil {
		return "", err
	}
	dml := u.Data_manipulation_language_statements()
	if dml == nil {
		return "", fmt.Errorf("not a SELECT, INSERT, UPDATE, DELETE or MERGE statement")
	}
	return t.Statement(dml)
}

// TranslateExpr parses an Oracle expression or condition and translates
// it.
func (t *Translator) TranslateExpr(text string) (string, error) {
	c, err := ParseExpr(text)
	if err != nil {
		return "", err
	}
	return t.Condition(c)
}

func (t *Translator) run(n antlr.Tree) (string, error) {
	t.err = nil
	t.rewrites = nil
	s := t.print(n)
	if t.err != nil {
		return "", t.err
	}
	return s, nil
}

// UnsupportedError names an Oracle construct the translator cannot express
// in PostgreSQL.
type UnsupportedError struct {
	Construct string // the construct as written (shortened)
	Reason    string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: %s", e.Construct, e.Reason)
}

func (t *Translator) fail(n antlr.Tree, reason string) string {
	if t.err == nil {
		c := ""
		if p, ok := n.(antlr.ParserRuleContext); ok {
			c = Source(p)
		} else if tn, ok := n.(antlr.TerminalNode); ok {
			c = tn.GetText()
		}
		c = strings.Join(strings.Fields(c), " ")
		if len(c) > 80 {
			c = c[:77] + "..."
		}
		t.err = &UnsupportedError{Construct: c, Reason: reason}
	}
	return "/*unsupported*/"
}

func (t *Translator) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, x := range t.notes {
		if x == n {
			return
		}
	}
	t.notes = append(t.notes, n)
}

func (t *Translator) helper(name string) string {
	if t.helpers == nil {
		t.helpers = map[string]bool{}
	}
	t.helpers[name] = true
	return CompatSchema + "." + name
}

// Name normalizes an Oracle identifier as written to its PostgreSQL name:
// unquoted names and quoted all-upper-case names are lower cased (Oracle
// folds unquoted names to upper case, PostgreSQL to lower case); other
// quoted names keep their case.
func Name(raw string) string {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		inner := strings.ReplaceAll(raw[1:len(raw)-1], `""`, `"`)
		if inner == strings.ToUpper(inner) {
			return strings.ToLower(inner)
		}
		return inner
	}
	return strings.ToLower(raw)
}

// Quote quotes a PostgreSQL identifier.
func Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QualifiedName returns the quoted target name of an Oracle object name
// (parts as written: ["hr", "emp"] or ["emp"]), applying t.Schema.
func (t *Translator) QualifiedName(parts ...string) string {
	name := Name(parts[len(parts)-1])
	schema := ""
	if len(parts) > 1 {
		schema = Name(parts[len(parts)-2])
	}
	if t.Schema != "" {
		schema = t.Schema
	}
	if schema == "" {
		return Quote(name)
	}
	return Quote(schema) + "." + Quote(name)
}

// ---- generic printing ----

// print translates any node: rule nodes with a rule of their own go to it,
// the others print their children.
func (t *Translator) print(n antlr.Tree) string {
	if t.Rewrite != nil {
		if s, ok := t.rewritten(n); ok {
			return s
		}
	}
	switch x := n.(type) {
	case antlr.TerminalNode:
		return t.terminal(x)
	case *plsql.Id_expressionContext:
		return Quote(Name(x.GetText()))
	case *plsql.Regular_idContext:
		return Quote(Name(x.GetText()))
	case *plsql.ConcatenationContext:
		return t.concatenation(x)
	case *plsql.Constant_without_variableContext:
		return t.constant(x)
	case *plsql.ConstantContext:
		return t.constant(x)
	case *plsql.Quoted_stringContext:
		if x.Variable_name() != nil {
			return t.print(x.Variable_name())
		}
		return t.stringLiteral(x.GetText())
	case *plsql.Char_strContext:
		return t.stringLiteral(x.GetText())
	case *plsql.General_elementContext:
		return t.generalElement(x)
	case *plsql.Table_elementContext:
		return t.tableElement(x)
	case *plsql.Variable_nameContext:
		return t.variableName(x)
	case *plsql.Column_nameContext:
		return t.columnName(x)
	case *plsql.Bind_variableContext:
		return t.bindVariable(x)
	case *plsql.AtomContext:
		return t.atom(x)
	case *plsql.Unary_expressionContext:
		return t.unaryExpression(x)
	case *plsql.String_functionContext:
		return t.stringFunction(x)
	case *plsql.Numeric_functionContext:
		return t.numericFunction(x)
	case *plsql.Other_functionContext:
		return t.otherFunction(x)
	case *plsql.Json_conditionContext:
		return t.jsonCondition(x)
	case *plsql.Type_specContext:
		return t.typeSpec(x)
	case *plsql.DatatypeContext:
		s, err := MapDatatype(x)
		if err != nil {
			return t.fail(x, err.Error())
		}
		return s
	case *plsql.Tableview_nameContext:
		return t.tableviewName(x)
	case *plsql.Table_aliasContext:
		return Quote(Name(x.GetText()))
	case *plsql.Column_aliasContext:
		return t.columnAlias(x)
	case *plsql.Query_blockContext:
		return t.queryBlock(x)
	case *plsql.Table_ref_auxContext:
		return t.tableRefAux(x)
	case *plsql.Subquery_operation_partContext:
		return t.subqueryOperation(x)
	case *plsql.Select_statementContext:
		return t.selectStatement(x)
	case *plsql.Merge_statementContext:
		return t.mergeStatement(x)
	case *plsql.Order_by_clauseContext:
		if x.SIBLINGS() != nil {
			return t.fail(x, "ORDER SIBLINGS BY outside a CONNECT BY query")
		}
	case *plsql.Json_table_clauseContext:
		return t.fail(x, "JSON_TABLE is only translated as a FROM item of a query")
	case *plsql.Cursor_expressionContext:
		return t.fail(x, "CURSOR expressions have no PostgreSQL equivalent")
	case *plsql.Model_clauseContext:
		return t.fail(x, "the MODEL clause has no PostgreSQL equivalent")
	case *plsql.Flashback_query_clauseContext:
		return t.fail(x, "flashback queries (AS OF / VERSIONS) have no PostgreSQL equivalent")
	case *plsql.Pivot_clauseContext, *plsql.Unpivot_clauseContext:
		return t.fail(n, "PIVOT/UNPIVOT must be rewritten with CASE aggregates or crosstab()")
	case *plsql.Quantitative_where_stmtContext:
		return t.fail(n, "unsupported WHERE form")
	}
	if p, ok := n.(antlr.ParserRuleContext); ok {
		return t.children(p)
	}
	return ""
}

// children prints the children of a node, with a space where the source
// had whitespace.
func (t *Translator) children(p antlr.ParserRuleContext) string {
	var sb strings.Builder
	var prev antlr.Tree
	for _, c := range p.GetChildren() {
		var s string
		if end := t.consumedUntil(startToken(c)); end >= 0 {
			// Starts inside a run a rewrite replaced: skip it, or the
			// part of it the run covers.
			p, ok := c.(antlr.ParserRuleContext)
			if !ok || p.GetStop() == nil || p.GetStop().GetTokenIndex() <= end {
				continue
			}
			s = t.children(p)
		} else {
			s = t.print(c)
		}
		if s == "" {
			continue
		}
		if prev != nil && gap(prev, c) && sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(s)
		prev = c
	}
	return sb.String()
}

// firstChild returns the first child of a node, or nil.
func firstChild(p antlr.ParserRuleContext) antlr.Tree {
	if p.GetChildCount() == 0 {
		return nil
	}
	return p.GetChild(0)
}

func startToken(n antlr.Tree) int {
	switch x := n.(type) {
	case antlr.TerminalNode:
		return x.GetSymbol().GetTokenIndex()
	case antlr.ParserRuleContext:
		if x.GetStart() != nil {
			return x.GetStart().GetTokenIndex()
		}
	}
	return -1
}

// gap reports whether whitespace separated two sibling nodes in the source.
func gap(a, b antlr.Tree) bool {
	ea := endChar(a)
	sb := startChar(b)
	if ea < 0 || sb < 0 {
		return true
	}
	return sb > ea+1
}

func startChar(n antlr.Tree) int {
	switch x := n.(type) {
	case antlr.TerminalNode:
		return x.GetSymbol().GetStart()
	case antlr.ParserRuleContext:
		if x.GetStart() == nil {
			return -1
		}
		return x.GetStart().GetStart()
	}
	return -1
}

func endChar(n antlr.Tree) int {
	switch x := n.(type) {
	case antlr.TerminalNode:
		return x.GetSymbol().GetStop()
	case antlr.ParserRuleContext:
		if x.GetStop() == nil {
			return -1
		}
		return x.GetStop().GetStop()
	}
	return -1
}

func (t *Translator) terminal(x antlr.TerminalNode) string {
	tok := x.GetSymbol()
	switch tok.GetTokenType() {
	case antlr.TokenEOF:
		return ""
	case plsql.PlSqlParserDELIMITED_ID, plsql.PlSqlParserREGULAR_ID:
		return Quote(Name(tok.GetText()))
	case plsql.PlSqlParserCHAR_STRING, plsql.PlSqlParserNATIONAL_CHAR_STRING_LIT:
		return t.stringLiteral(tok.GetText())
	case plsql.PlSqlParserMINUS:
		return "EXCEPT"
	case plsql.PlSqlParserUNIQUE:
		// SELECT UNIQUE is Oracle for SELECT DISTINCT.
		if _, ok := x.GetParent().(*plsql.Query_blockContext); ok {
			return "DISTINCT"
		}
	}
	return tok.GetText()
}

// stringLiteral prints an Oracle string literal ('x', N'x', q'[x]') as a
// PostgreSQL one; ” becomes NULL (Oracle has no empty string).
func (t *Translator) stringLiteral(raw string) string {
	v, ok := StringValue(raw)
	if !ok {
		return raw
	}
	if v == "" {
		return "NULL"
	}
	return QuoteString(v)
}

// StringValue decodes an Oracle string literal.
func StringValue(raw string) (string, bool) {
	s := raw
	if len(s) > 0 && (s[0] == 'N' || s[0] == 'n') {
		s = s[1:]
	}
	if len(s) >= 5 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '\'' && s[len(s)-1] == '\'' {
		return s[3 : len(s)-2], true
	}
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
}

// QuoteString quotes a PostgreSQL string literal.
func QuoteString(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

func (t *Translator) constant(x antlr.ParserRuleContext) string {
	first := x.GetStart()
	switch first.GetTokenType() {
	case plsql.PlSqlParserDATE:
		// DATE 'YYYY-MM-DD' is a DATE (timestamp(0) here).
		return "CAST(" + t.children(x)[len("DATE "):] + " AS timestamp(0))"
	case plsql.PlSqlParserTIMESTAMP:
		return t.children(x)
	case plsql.PlSqlParserDBTIMEZONE, plsql.PlSqlParserSESSIONTIMEZONE:
		return "current_setting('TimeZone')"
	}
	return t.children(x)
}

// ---- names ----

// partsOf returns the id_expression texts of a dotted name.
func idParts(n antlr.Tree) []string {
	var out []string
	var walk func(antlr.Tree)
	walk = func(n antlr.Tree) {
		switch x := n.(type) {
		case *plsql.Id_expressionContext:
			out = append(out, x.GetText())
			return
		case *plsql.Function_argumentContext, *plsql.Link_nameContext, *plsql.Char_set_nameContext:
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

func normParts(raw []string) []string {
	out := make([]string, len(raw))
	for i, r := range raw {
		out[i] = Name(r)
	}
	return out
}

// columnRef prints a (possibly qualified) column or variable reference.
func (t *Translator) columnRef(n antlr.Tree, raw []string) string {
	parts := normParts(raw)
	if t.Ident != nil {
		if s, ok := t.Ident(parts); ok {
			return s
		}
	}
	if len(parts) == 1 {
		if s, ok := t.pseudoColumn(n, strings.ToUpper(raw[0])); ok {
			return s
		}
	}
	if t.hier != nil {
		if s, ok := t.hierColumn(parts); ok {
			return s
		}
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = Quote(p)
	}
	return strings.Join(q, ".")
}

// pseudoColumn translates Oracle's argument-less built-ins.
func (t *Translator) pseudoColumn(n antlr.Tree, up string) (string, bool) {
	switch up {
	case "SYSDATE", "CURRENT_DATE":
		return "LOCALTIMESTAMP(0)", true
	case "SYSTIMESTAMP", "CURRENT_TIMESTAMP":
		return "CURRENT_TIMESTAMP", true
	case "LOCALTIMESTAMP":
		return "LOCALTIMESTAMP", true
	case "USER":
		return "upper(CURRENT_USER)", true
	case "ROWNUM":
		if t.scopeTop() != nil && t.scopeTop().selectList {
			return "row_number() OVER ()", true
		}
		return t.fail(n, "ROWNUM is only translated in a select list or as WHERE ROWNUM <= n"), true
	case "LEVEL":
		if t.hier != nil {
			return Quote(t.hier.alias) + ".ferry_level", true
		}
		return t.fail(n, "LEVEL outside a CONNECT BY query"), true
	case "CONNECT_BY_ISLEAF", "CONNECT_BY_ISCYCLE":
		return t.fail(n, up+" has no direct PostgreSQL equivalent"), true
	case "ROWID":
		return t.fail(n, "ROWID has no stable PostgreSQL equivalent (ctid changes on update); use the primary key"), true
	case "SYS_GUID":
		return "gen_random_uuid()", true
	case "DBTIMEZONE", "SESSIONTIMEZONE":
		return "current_setting('TimeZone')", true
	}
	return "", false
}

func (t *Translator) tableElement(x *plsql.Table_elementContext) string {
	return t.columnRef(x, idParts(x))
}

func (t *Translator) variableName(x *plsql.Variable_nameContext) string {
	if x.Bind_variable() != nil {
		return t.print(x.Bind_variable())
	}
	return t.columnRef(x, idParts(x))
}

func (t *Translator) columnName(x *plsql.Column_nameContext) string {
	return t.columnRef(x, idParts(x))
}

func (t *Translator) bindVariable(x *plsql.Bind_variableContext) string {
	raw := x.GetText()
	parts := strings.Split(raw, ".")
	norm := make([]string, len(parts))
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			norm[i] = ":" + Name(p[1:])
		} else {
			norm[i] = Name(p)
		}
	}
	if t.Ident != nil {
		if s, ok := t.Ident(norm); ok {
			return s
		}
	}
	return t.fail(x, "bind variable without a mapping")
}

func (t *Translator) tableviewName(x *plsql.Tableview_nameContext) string {
	if x.Xmltable() != nil {
		return t.fail(x, "XMLTABLE has no translation yet")
	}
	if x.AT_SIGN() != nil {
		return t.fail(x, "database links have no PostgreSQL equivalent (consider postgres_fdw)")
	}
	if x.Partition_extension_clause() != nil {
		return t.fail(x, "PARTITION (...) table references have no PostgreSQL equivalent; query the partition table")
	}
	parts := idParts(x)
	if len(parts) == 1 && t.ctes[Name(parts[0])] > 0 {
		return Quote(Name(parts[0]))
	}
	if len(parts) == 1 && strings.EqualFold(parts[0], "dual") {
		return "(SELECT 'X'::varchar AS dummy) AS " + Quote("dual")
	}
	return t.QualifiedName(parts...)
}

func (t *Translator) columnAlias(x *plsql.Column_aliasContext) string {
	if x.Identifier() != nil {
		return "AS " + Quote(Name(x.Identifier().GetText()))
	}
	if x.Quoted_string() != nil {
		v, _ := StringValue(x.Quoted_string().GetText())
		return "AS " + Quote(v)
	}
	return ""
}

func (t *Translator) generalElement(x *plsql.General_elementContext) string {
	parts := x.AllGeneral_element_part()
	last := parts[len(parts)-1]
	raw := idParts(x)
	// seq.NEXTVAL / seq.CURRVAL
	if len(parts) >= 2 && last.Function_argument() == nil {
		up := strings.ToUpper(raw[len(raw)-1])
		if up == "NEXTVAL" || up == "CURRVAL" {
			seq := t.QualifiedName(raw[:len(raw)-1]...)
			fn := "nextval"
			if up == "CURRVAL" {
				fn = "currval"
			}
			return fn + "(" + QuoteString(seq) + ")"
		}
	}
	for _, p := range parts {
		if p.AT_SIGN() != nil {
			return t.fail(x, "database links have no PostgreSQL equivalent (consider postgres_fdw)")
		}
	}
	for i, p := range parts[:len(parts)-1] {
		if p.Function_argument() != nil {
			_ = i
			return t.fail(x, "a method call on a function result has no PostgreSQL equivalent")
		}
	}
	if last.Function_argument() == nil {
		return t.columnRef(x, raw)
	}
	fa := last.Function_argument()
	if fa.Keep_clause() != nil {
		return t.fail(x, "KEEP (DENSE_RANK FIRST/LAST) must be rewritten (e.g. with DISTINCT ON or a window function)")
	}
	var args []arg
	for _, a := range fa.AllArgument() {
		if a.Identifier() != nil {
			return t.fail(a, "named arguments (name => value) need the PL/SQL converter's mapping")
		}
		args = append(args, arg{node: a.Expression(), sql: t.print(a.Expression())})
	}
	if len(raw) == 1 {
		return t.function(x, strings.ToUpper(raw[0]), args)
	}
	names := normParts(raw)
	sqls := make([]string, len(args))
	for i, a := range args {
		sqls[i] = a.sql
	}
	if t.Func != nil {
		if s, ok := t.Func(names, sqls); ok {
			return s
		}
	}
	if len(names) == 2 && (names[0] == "dbms_random" && names[1] == "value") && len(args) == 0 {
		return "random()"
	}
	q := make([]string, len(names))
	for i, p := range names {
		q[i] = Quote(p)
	}
	return strings.Join(q, ".") + "(" + strings.Join(sqls, ", ") + ")"
}

// arg is a translated function argument with its node (for types and
// literals).
type arg struct {
	node antlr.Tree
	sql  string
}

// ---- expressions ----

func (t *Translator) atom(x *plsql.AtomContext) string {
	if x.Outer_join_sign() != nil {
		if !t.outerJoinOK {
			return t.fail(x, "(+) outer join marker outside a WHERE join condition the translator can rebuild")
		}
		return t.print(x.Table_element())
	}
	if x.Subquery() != nil {
		s := "(" + t.print(x.Subquery()) + ")"
		for _, op := range x.AllSubquery_operation_part() {
			s += " " + t.print(op)
		}
		return s
	}
	return t.children(x)
}

func (t *Translator) unaryExpression(x *plsql.Unary_expressionContext) string {
	switch {
	case x.PRIOR() != nil:
		if t.hier == nil {
			return t.fail(x, "PRIOR outside CONNECT BY")
		}
		return t.hierPrior(x.Unary_expression())
	case x.CONNECT_BY_ROOT() != nil:
		if t.hier == nil {
			return t.fail(x, "CONNECT_BY_ROOT outside a CONNECT BY query")
		}
		return t.hierRoot(x.Unary_expression())
	case x.NEW() != nil:
		return t.fail(x, "NEW type constructors have no PostgreSQL equivalent")
	}
	return t.children(x)
}

// concatenation handles ||, date arithmetic and exact division.
func (t *Translator) concatenation(x *plsql.ConcatenationContext) string {
	if len(x.AllBAR()) > 0 {
		var ops []antlr.Tree
		var flatten func(c plsql.IConcatenationContext)
		flatten = func(c plsql.IConcatenationContext) {
			cc := c.(*plsql.ConcatenationContext)
			if len(cc.AllBAR()) > 0 {
				flatten(cc.Concatenation(0))
				flatten(cc.Concatenation(1))
				return
			}
			ops = append(ops, cc)
		}
		flatten(x)
		parts := make([]string, len(ops))
		literal := false
		for i, o := range ops {
			parts[i] = t.print(o)
			if v, ok := literalString(o); ok && v != "" {
				literal = true
			}
		}
		if t.Immutable {
			for i, p := range parts {
				parts[i] = "coalesce((" + p + ")::text, '')"
			}
			s := "(" + strings.Join(parts, " || ") + ")"
			if literal {
				return s
			}
			return "NULLIF" + s[:len(s)-1] + ", '')"
		}
		s := "concat(" + strings.Join(parts, ", ") + ")"
		if literal {
			return s
		}
		return "NULLIF(" + s + ", '')"
	}
	if x.GetOp() != nil && len(x.AllConcatenation()) == 2 {
		l, r := x.Concatenation(0), x.Concatenation(1)
		ls, rs := t.print(l), t.print(r)
		op := x.GetOp().GetText()
		lt, rt := t.exprType(l), t.exprType(r)
		switch op {
		case "+":
			if isDate(lt) && rt != "interval" {
				return "(" + ls + " + (" + rs + ") * interval '1 day')"
			}
			if isDate(rt) && lt != "interval" {
				return "(" + rs + " + (" + ls + ") * interval '1 day')"
			}
		case "-":
			if lt == "date" && rt == "date" {
				return "trim_scale(EXTRACT(EPOCH FROM (" + ls + ") - (" + rs + ")) / 86400)"
			}
			if isDate(lt) && isDate(rt) {
				return "(" + ls + " - " + rs + ")"
			}
			if isDate(lt) && rt != "interval" {
				return "(" + ls + " - (" + rs + ") * interval '1 day')"
			}
		case "/":
			if lt != "float" && rt != "float" {
				return "trim_scale((" + ls + ")::numeric / " + rs + ")"
			}
		}
		return ls + " " + op + " " + rs
	}
	if x.Interval_expression() != nil {
		return t.fail(x, "interval expressions ((a - b) DAY TO SECOND) must be rewritten")
	}
	return t.children(x)
}

func isDate(typ string) bool { return typ == "date" || typ == "timestamp" }

// literalString returns the value of a node that is just a string literal.
func literalString(n antlr.Tree) (string, bool) {
	for {
		p, ok := n.(antlr.ParserRuleContext)
		if !ok {
			return "", false
		}
		switch x := p.(type) {
		case *plsql.Quoted_stringContext:
			if x.Variable_name() != nil {
				return "", false
			}
			return StringValue(x.GetText())
		case *plsql.Char_strContext:
			return StringValue(x.GetText())
		}
		if p.GetChildCount() != 1 {
			return "", false
		}
		c := p.GetChild(0)
		if tn, ok := c.(antlr.TerminalNode); ok {
			tt := tn.GetSymbol().GetTokenType()
			if tt == plsql.PlSqlParserCHAR_STRING || tt == plsql.PlSqlParserNATIONAL_CHAR_STRING_LIT {
				return StringValue(tn.GetText())
			}
			return "", false
		}
		n = c
	}
}

// literalNumber returns the value of a node that is just a (signed) number.
func literalNumber(n antlr.Tree) (string, bool) {
	txt := ""
	if p, ok := n.(antlr.ParserRuleContext); ok {
		txt = strings.TrimSpace(p.GetText())
	}
	if txt == "" {
		return "", false
	}
	s := strings.TrimPrefix(txt, "-")
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return "", false
		}
	}
	return txt, s != ""
}

// unwrap descends through rule nodes with a single child.
func unwrap(n antlr.Tree) antlr.Tree {
	for {
		switch n.(type) {
		case *plsql.General_elementContext, *plsql.Table_elementContext, *plsql.Variable_nameContext,
			*plsql.Constant_without_variableContext, *plsql.ConstantContext, *plsql.String_functionContext,
			*plsql.Other_functionContext, *plsql.Numeric_functionContext, *plsql.Quoted_stringContext,
			*plsql.Char_strContext, *plsql.NumericContext, *plsql.Bind_variableContext:
			return n
		}
		p, ok := n.(antlr.ParserRuleContext)
		if !ok || p.GetChildCount() != 1 {
			return n
		}
		if _, ok := p.GetChild(0).(antlr.ParserRuleContext); !ok {
			return n
		}
		n = p.GetChild(0)
	}
}

func (t *Translator) jsonCondition(x *plsql.Json_conditionContext) string {
	if x.JSON_EQUAL() != nil {
		return t.fail(x, "JSON_EQUAL: compare ::jsonb values instead")
	}
	col := t.print(x.Column_name())
	s := t.helper("is_json") + "((" + col + ")::text)"
	if x.NOT() != nil {
		s = "NOT " + s
	}
	return s
}

func (t *Translator) typeSpec(x *plsql.Type_specContext) string {
	if x.Datatype() != nil {
		return t.print(x.Datatype())
	}
	if x.PERCENT_TYPE() != nil || x.PERCENT_ROWTYPE() != nil {
		return t.fail(x, "%TYPE/%ROWTYPE need the PL/SQL converter")
	}
	name := strings.ToUpper(x.GetText())
	switch name {
	case "XMLTYPE", "SYS.XMLTYPE":
		return "xml"
	case "JSON":
		return "jsonb"
	}
	return t.fail(x, "user-defined type "+x.GetText()+" has no automatic translation")
}
