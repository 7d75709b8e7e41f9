package plsql

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"

	"github.com/ferrydb/ferry/convert"
)

// unit converts one routine, trigger body or anonymous block.
type unit struct {
	c   *Converter
	p   *parsed
	obj *convert.Object

	isProc, isFunc, isDo bool
	trig                 *trigInfo
	pkg                  *pkgInfo // the package whose body this routine belongs to
	inWhen               bool     // translating a trigger WHEN clause

	cursors     map[string]bool
	cursorAttrs map[string]map[string]bool // cursor -> attributes used (found, rowcount, isopen)
	sqlRowcount bool
	extraDecls  []string
	declared    map[string]bool
	excCodes    map[string]string
	localTypes  map[string]string
	colls       map[string]bool
	pre         []string // statements that must run before the routine
	scopes      []map[string]*varInfo
	curFields   map[string]*varInfo          // cursor -> its record's fields (for c%ROWTYPE and FOR r IN c)
	recFields   map[string]map[string]string // local record type -> field -> Oracle type
	closeAt     map[int]string               // token index -> replacement (collection subscripts)
	intoStrict  int                          // token index of a SELECT's INTO to make STRICT
	b           *strings.Builder
}

// varInfo is what the unit knows of a variable's or parameter's type, for
// type-dependent translation (date arithmetic, exact division, TO_CHAR).
type varInfo struct {
	typ           string            // Oracle or PostgreSQL type name, "" when unknown
	table, column string            // the column a %TYPE names
	rowTable      string            // a table%ROWTYPE record: its fields are the table's columns
	fields        map[string]string // a record's fields -> Oracle type or type family
}

type trigInfo struct {
	newName, oldName string
	table            string // the table's name, lower case, unqualified (for column types)
	row, before      bool
	events           []string
}

func (c *Converter) newUnit(p *parsed, o *convert.Object) *unit {
	u := &unit{c: c, p: p, obj: o, cursors: map[string]bool{}, cursorAttrs: map[string]map[string]bool{},
		declared: map[string]bool{}, excCodes: map[string]string{}, localTypes: map[string]string{},
		colls: map[string]bool{}, curFields: map[string]*varInfo{}, recFields: map[string]map[string]string{}, closeAt: map[int]string{}, intoStrict: -1, b: &strings.Builder{}}
	u.scanAttrs()
	return u
}

// scanAttrs finds SQL%ROWCOUNT and cursor attributes used in the unit, to
// declare the variables that track them.
func (u *unit) scanAttrs() {
	ts := u.p.tokens
	for i := 1; i < ts.Size(); i++ {
		var attr string
		switch ts.Get(i).GetTokenType() {
		case plsql.PlSqlLexerPERCENT_FOUND, plsql.PlSqlLexerPERCENT_NOTFOUND:
			attr = "found"
		case plsql.PlSqlLexerPERCENT_ROWCOUNT:
			attr = "rowcount"
		case plsql.PlSqlLexerPERCENT_ISOPEN:
			attr = "isopen"
		default:
			continue
		}
		name := strings.ToLower(ts.Get(i - 1).GetText())
		if name == "sql" {
			if attr == "rowcount" {
				u.sqlRowcount = true
			}
			continue
		}
		if u.cursorAttrs[name] == nil {
			u.cursorAttrs[name] = map[string]bool{}
		}
		u.cursorAttrs[name][attr] = true
	}
}

func (u *unit) text(n antlr.ParserRuleContext) string { return u.p.text(n) }

// item records an action item and returns the code lines that stand in for
// the construct: the original text as a comment and, for statements, a
// RAISE so that reaching it fails loudly.
func (u *unit) item(n antlr.ParserRuleContext, ind int, reason string, stmt bool) {
	src := u.text(n)
	u.obj.Items = append(u.obj.Items, convert.ActionItem{Object: u.obj.Name, Kind: u.obj.Kind, Reason: reason, Source: src})
	pad := strings.Repeat("  ", ind)
	fmt.Fprintf(u.b, "%s-- FERRY ACTION ITEM: %s\n", pad, reason)
	for _, l := range strings.Split(src, "\n") {
		fmt.Fprintf(u.b, "%s-- %s\n", pad, strings.TrimRight(l, " \t\r"))
	}
	if stmt {
		fmt.Fprintf(u.b, "%sRAISE EXCEPTION 'ferry: not converted: %s';\n", pad, strings.ReplaceAll(strings.ReplaceAll(reason, "'", "''"), "%", "%%"))
	}
}

func (u *unit) note(s string) {
	for _, n := range u.obj.Notes {
		if n == s {
			return
		}
	}
	u.obj.Notes = append(u.obj.Notes, s)
}

func (u *unit) line(ind int, s string) {
	u.b.WriteString(strings.Repeat("  ", ind))
	u.b.WriteString(s)
	u.b.WriteByte('\n')
}

// tr translates an expression, condition or SQL statement.
func (u *unit) tr(n antlr.ParserRuleContext) string {
	if n == nil {
		return ""
	}
	s, err := u.c.sql.Translate(u.p.tokens, n, u.names())
	if err != nil {
		u.obj.Items = append(u.obj.Items, convert.ActionItem{Object: u.obj.Name, Kind: u.obj.Kind, Reason: "expression not translated: " + err.Error(), Source: u.text(n)})
		return u.text(n)
	}
	return s
}

// names is what the SQL translator is told about the unit's names.
func (u *unit) names() Names {
	return Names{Rewrite: u.rewrite, Type: u.rewriteType, Variable: u.isLocal, VarType: u.varType}
}

func (u *unit) pushScope() { u.scopes = append(u.scopes, map[string]*varInfo{}) }
func (u *unit) popScope()  { u.scopes = u.scopes[:len(u.scopes)-1] }
func (u *unit) declare(name string) {
	u.declareVar(name, &varInfo{})
}

// declareVar declares a variable with what is known of its type in the
// innermost scope.
func (u *unit) declareVar(name string, v *varInfo) {
	if len(u.scopes) > 0 {
		u.scopes[len(u.scopes)-1][strings.ToLower(name)] = v
	}
}

func (u *unit) isLocal(name string) bool {
	return u.local(name) != nil
}

// local finds a variable in the innermost scope declaring it.
func (u *unit) local(name string) *varInfo {
	for i := len(u.scopes) - 1; i >= 0; i-- {
		if v, ok := u.scopes[i][name]; ok {
			return v
		}
	}
	return nil
}

// varType is Names.VarType: the declared type of a local variable or
// parameter (v), or of a record's field (r.f).
func (u *unit) varType(parts []string) (typ, table, column string) {
	if len(parts) == 0 || len(parts) > 2 {
		return "", "", ""
	}
	v := u.local(parts[0])
	if v == nil {
		return "", "", ""
	}
	if len(parts) == 1 {
		return v.typ, v.table, v.column
	}
	if v.rowTable != "" {
		return "", v.rowTable, parts[1]
	}
	return v.fields[parts[1]], "", ""
}

// typeInfo is what a type_spec tells of a variable's type.
func (u *unit) typeInfo(ts plsql.IType_specContext) *varInfo {
	if ts == nil {
		return &varInfo{}
	}
	if dt := ts.Datatype(); dt != nil {
		return &varInfo{typ: u.text(dt)}
	}
	name := ""
	if tn := ts.Type_name(); tn != nil {
		name = u.text(tn)
	}
	parts := strings.Split(strings.ToLower(identPath(name)), ".")
	for i, p := range parts {
		parts[i] = strings.Trim(p, `"`)
	}
	last := parts[len(parts)-1]
	switch {
	case ts.PERCENT_ROWTYPE() != nil:
		if len(parts) == 1 {
			if f, ok := u.curFields[last]; ok {
				return f
			}
		}
		return &varInfo{rowTable: last}
	case ts.PERCENT_TYPE() != nil:
		if v := u.local(parts[0]); v != nil {
			if len(parts) == 1 {
				return v
			}
			typ, table, column := u.varType(parts[:2])
			return &varInfo{typ: typ, table: table, column: column}
		}
		if len(parts) >= 2 {
			return &varInfo{table: parts[len(parts)-2], column: last}
		}
		return &varInfo{}
	}
	if f, ok := u.recFields[last]; ok && len(parts) == 1 {
		return &varInfo{fields: f}
	}
	return &varInfo{typ: u.typeOf(ts)}
}

// queryFields are the fields of a record fetched from a query.
func (u *unit) queryFields(q antlr.ParserRuleContext) *varInfo {
	qt, ok := u.c.sql.(QueryTyper)
	if !ok || q == nil {
		return &varInfo{}
	}
	cols, star := qt.QueryTypes(u.p.tokens, q, u.names())
	if star != "" {
		return &varInfo{rowTable: star}
	}
	return &varInfo{fields: cols}
}

func (u *unit) addDecl(name, decl string) {
	if u.declared[name] {
		return
	}
	u.declared[name] = true
	u.extraDecls = append(u.extraDecls, decl)
}

func (u *unit) pkgTypes() map[string]string {
	if u.pkg == nil {
		return nil
	}
	return u.pkg.types
}

// prevDefault and nextDef return neighbouring default-channel tokens.
func (u *unit) prevDefault(i int) antlr.Token {
	for j := i - 1; j >= 0; j-- {
		if t := u.p.tokens.Get(j); t.GetChannel() == antlr.TokenDefaultChannel {
			return t
		}
	}
	return nil
}

func (u *unit) nextDef(i int) (antlr.Token, int) {
	for j := i + 1; j < u.p.tokens.Size(); j++ {
		if t := u.p.tokens.Get(j); t.GetChannel() == antlr.TokenDefaultChannel {
			return t, j
		}
	}
	return nil, -1
}

// matchParen returns the index of the parenthesis closing the one at i.
func (u *unit) matchParen(i int) int {
	depth := 0
	for j := i; j < u.p.tokens.Size(); j++ {
		switch u.p.tokens.Get(j).GetTokenType() {
		case plsql.PlSqlLexerLEFT_PAREN:
			depth++
		case plsql.PlSqlLexerRIGHT_PAREN:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// rewrite is the Rewriter for PL/SQL-specific names.
func (u *unit) rewrite(i int) (string, int, bool) {
	if r, ok := u.closeAt[i]; ok {
		return r, i, true
	}
	tok := u.p.tokens.Get(i)
	if i == u.intoStrict {
		return "INTO STRICT", i, true
	}
	text := tok.GetText()
	low := strings.ToLower(text)
	next, ni := u.nextDef(i)
	prev := u.prevDefault(i)
	afterDot := prev != nil && prev.GetTokenType() == plsql.PlSqlLexerPERIOD
	if tok.GetTokenType() == plsql.PlSqlLexerBINDVAR {
		if u.trig != nil && next != nil && next.GetTokenType() == plsql.PlSqlLexerPERIOD {
			switch strings.TrimPrefix(low, ":") {
			case u.trig.newName:
				return "NEW", i, true
			case u.trig.oldName:
				return "OLD", i, true
			}
		}
		u.obj.Items = append(u.obj.Items, convert.ActionItem{Object: u.obj.Name, Kind: u.obj.Kind, Reason: "bind variable " + text + " (a SQL*Plus or host variable) has no PL/pgSQL equivalent", Source: text})
		return text, i, true
	}
	if next != nil && !afterDot {
		var attr string
		switch next.GetTokenType() {
		case plsql.PlSqlLexerPERCENT_FOUND:
			attr = "found"
		case plsql.PlSqlLexerPERCENT_NOTFOUND:
			attr = "notfound"
		case plsql.PlSqlLexerPERCENT_ROWCOUNT:
			attr = "rowcount"
		case plsql.PlSqlLexerPERCENT_ISOPEN:
			attr = "isopen"
		}
		if attr != "" {
			return u.attr(low, attr), ni, true
		}
	}
	if u.inWhen && (low == "new" || low == "old") && next != nil && next.GetTokenType() == plsql.PlSqlLexerPERIOD {
		return strings.ToUpper(low), i, true
	}
	if afterDot {
		return "", 0, false
	}
	if u.trig != nil && !u.isLocal(low) {
		switch low {
		case "inserting":
			return "(TG_OP = 'INSERT')", i, true
		case "deleting":
			return "(TG_OP = 'DELETE')", i, true
		case "updating":
			if next != nil && next.GetTokenType() == plsql.PlSqlLexerLEFT_PAREN {
				end := u.matchParen(ni)
				col := strings.Trim(u.p.tokens.GetTextFromInterval(antlr.NewInterval(ni+1, end-1)), " '")
				col = identName(strings.ToLower(col))
				u.note("UPDATING('" + col + "') became NEW." + col + " IS DISTINCT FROM OLD." + col + ": true when the value changed, where Oracle tests whether the column was in the UPDATE's SET list")
				return fmt.Sprintf("(TG_OP = 'UPDATE' AND NEW.%s IS DISTINCT FROM OLD.%s)", col, col), end, true
			}
			return "(TG_OP = 'UPDATE')", i, true
		}
	}
	switch low {
	case "sqlcode":
		if !u.isLocal(low) {
			u.note("SQLCODE became SQLSTATE: a five-character code (docs/oracle.md maps Oracle error numbers to SQLSTATEs), not a negative number")
			return "SQLSTATE", i, true
		}
	}
	// Package variables and routines.
	if pk, ok := u.c.packages[low]; ok && next != nil && next.GetTokenType() == plsql.PlSqlLexerPERIOD && !u.isLocal(low) {
		if nn, nj := u.nextDef(ni); nn != nil {
			if v, ok := pk.vars[strings.ToLower(nn.GetText())]; ok {
				return pk.getter(v.name), nj, true
			}
			if r := strings.ToLower(nn.GetText()); pk.routines[r] {
				if after, _ := u.nextDef(nj); after == nil || after.GetTokenType() != plsql.PlSqlLexerLEFT_PAREN {
					return pk.schema + "." + identName(nn.GetText()) + "()", nj, true
				}
			}
		}
	}
	if u.pkg != nil && !u.isLocal(low) {
		if v, ok := u.pkg.vars[low]; ok {
			return u.pkg.getter(v.name), i, true
		}
		if u.pkg.routines[low] && (next == nil || next.GetTokenType() != plsql.PlSqlLexerPERIOD) {
			if next == nil || next.GetTokenType() != plsql.PlSqlLexerLEFT_PAREN {
				return u.pkg.schema + "." + identName(text) + "()", i, true
			}
			return u.pkg.schema + "." + identName(text), i, true
		}
	}
	// Collections: v(i) -> v[i], v.COUNT, v.FIRST, v.LAST.
	if u.colls[low] && next != nil {
		switch next.GetTokenType() {
		case plsql.PlSqlLexerLEFT_PAREN:
			end := u.matchParen(ni)
			if end > 0 {
				u.closeAt[end] = "]"
				return identName(text) + "[", ni, true
			}
		case plsql.PlSqlLexerPERIOD:
			if m, mj := u.nextDef(ni); m != nil {
				switch strings.ToUpper(m.GetText()) {
				case "COUNT":
					return fmt.Sprintf("coalesce(cardinality(%s), 0)", identName(text)), mj, true
				case "FIRST":
					return fmt.Sprintf("array_lower(%s, 1)", identName(text)), mj, true
				case "LAST":
					return fmt.Sprintf("array_upper(%s, 1)", identName(text)), mj, true
				}
			}
		}
	}
	return "", 0, false
}

// rewriteType is the type of a name rewrite replaces at token i: a
// package variable's type, or the trigger table's column for :NEW.col and
// :OLD.col.
func (u *unit) rewriteType(i int, parts []string) (typ, table, column string) {
	if len(parts) == 0 {
		return "", "", ""
	}
	first := parts[0]
	if strings.HasPrefix(first, ":") {
		if u.trig != nil && len(parts) == 2 && (first[1:] == u.trig.newName || first[1:] == u.trig.oldName) {
			return "", u.trig.table, parts[1]
		}
		return "", "", ""
	}
	if u.isLocal(first) {
		return "", "", ""
	}
	if u.inWhen && len(parts) == 2 && u.trig != nil && (first == "new" || first == "old") {
		return "", u.trig.table, parts[1]
	}
	if len(parts) == 2 {
		if pk, ok := u.c.packages[first]; ok {
			if v, ok := pk.vars[parts[1]]; ok {
				return v.typ, "", ""
			}
		}
	}
	if len(parts) == 1 && u.pkg != nil {
		if v, ok := u.pkg.vars[first]; ok {
			return v.typ, "", ""
		}
	}
	return "", "", ""
}

// attr translates cursor%ATTR and SQL%ATTR.
func (u *unit) attr(name, attr string) string {
	if name == "sql" {
		switch attr {
		case "found":
			return "FOUND"
		case "notfound":
			return "(NOT FOUND)"
		case "rowcount":
			u.addDecl("ora_sql_rowcount", "ora_sql_rowcount integer := 0;")
			return "ora_sql_rowcount"
		default:
			return "false"
		}
	}
	v := cursorVar(name, attr)
	switch attr {
	case "found":
		return v
	case "notfound":
		return "(NOT " + cursorVar(name, "found") + ")"
	}
	return v
}

func cursorVar(name, attr string) string {
	if attr == "notfound" {
		attr = "found"
	}
	return identName(name) + "__" + attr
}

// declareCursorVars declares the variables tracking a cursor's attributes.
func (u *unit) declareCursorVars(name string) {
	attrs := u.cursorAttrs[strings.ToLower(name)]
	if attrs["found"] {
		u.addDecl(cursorVar(name, "found"), cursorVar(name, "found")+" boolean;")
	}
	if attrs["rowcount"] {
		u.addDecl(cursorVar(name, "rowcount"), cursorVar(name, "rowcount")+" integer := 0;")
	}
	if attrs["isopen"] {
		u.addDecl(cursorVar(name, "isopen"), cursorVar(name, "isopen")+" boolean := false;")
	}
}

// exceptionCode returns the SQLSTATE of a user-declared exception: the
// EXCEPTION_INIT mapping when there is one, else P3 and three digits
// hashed from the (package-qualified) name, the same in every unit.
func exceptionCode(qualified string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(qualified)))
	return fmt.Sprintf("P3%03d", h.Sum32()%1000)
}

// oracleErrorState maps an Oracle error number to a SQLSTATE: -20000 to
// -20999 (RAISE_APPLICATION_ERROR's range) to P2000-P2999, and common
// ORA- errors to PostgreSQL's conditions.
func oracleErrorState(n int) (string, bool) {
	if n <= -20000 && n >= -20999 {
		return fmt.Sprintf("P2%03d", -n-20000), true
	}
	switch n {
	case -1:
		return "23505", true // unique_violation
	case -1400:
		return "23502", true // not_null_violation
	case -2291, -2292:
		return "23503", true // foreign_key_violation
	case -2290:
		return "23514", true // check_violation
	case -1476:
		return "22012", true // division_by_zero
	case -1722:
		return "22P02", true // invalid_text_representation
	case -1403, 100:
		return "P0002", true // no_data_found
	case -1422:
		return "P0003", true // too_many_rows
	case -54:
		return "55P03", true // lock_not_available
	case -60:
		return "40P01", true // deadlock_detected
	case -12899:
		return "22001", true // string_data_right_truncation
	}
	return "", false
}

// predefined maps Oracle's predefined exceptions to PL/pgSQL conditions.
var predefined = map[string]string{
	"no_data_found":       "no_data_found",
	"too_many_rows":       "too_many_rows",
	"dup_val_on_index":    "unique_violation",
	"zero_divide":         "division_by_zero",
	"invalid_number":      "invalid_text_representation",
	"value_error":         "invalid_text_representation OR numeric_value_out_of_range OR string_data_right_truncation OR null_value_not_allowed",
	"cursor_already_open": "duplicate_cursor",
	"invalid_cursor":      "invalid_cursor_state",
	"timeout_on_resource": "lock_not_available",
	"case_not_found":      "case_not_found",
	"others":              "OTHERS",
	"login_denied":        "invalid_authorization_specification",
	"storage_error":       "out_of_memory",
	"program_error":       "internal_error",
}

// condition returns the PL/pgSQL condition for an exception name in a
// handler, or "".
func (u *unit) condition(name string) string {
	low := strings.ToLower(name)
	if c, ok := predefined[strings.TrimPrefix(low, "standard.")]; ok {
		return c
	}
	if code, ok := u.excCodes[low]; ok {
		return "SQLSTATE '" + code + "'"
	}
	if u.pkg != nil {
		if code, ok := u.pkg.exceptions[low]; ok {
			return "SQLSTATE '" + code + "'"
		}
	}
	if i := strings.IndexByte(low, '.'); i > 0 {
		if pk, ok := u.c.packages[low[:i]]; ok {
			if code, ok := pk.exceptions[low[i+1:]]; ok {
				return "SQLSTATE '" + code + "'"
			}
		}
	}
	return ""
}

// raiseFor returns the RAISE statement for a named exception, or "".
func (u *unit) raiseFor(name string) string {
	low := strings.ToLower(name)
	switch strings.TrimPrefix(low, "standard.") {
	case "no_data_found":
		return "RAISE no_data_found;"
	case "too_many_rows":
		return "RAISE too_many_rows;"
	case "dup_val_on_index":
		return "RAISE unique_violation;"
	case "zero_divide":
		return "RAISE division_by_zero;"
	case "invalid_number", "value_error":
		return "RAISE invalid_text_representation;"
	case "case_not_found":
		return "RAISE case_not_found;"
	}
	c := u.condition(name)
	if strings.HasPrefix(c, "SQLSTATE '") {
		code := strings.TrimSuffix(strings.TrimPrefix(c, "SQLSTATE '"), "'")
		return fmt.Sprintf("RAISE EXCEPTION USING ERRCODE = '%s', MESSAGE = %s;", code, convert.QuoteLiteral(low))
	}
	return ""
}
