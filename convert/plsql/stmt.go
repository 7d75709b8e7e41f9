package plsql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
)

// body writes BEGIN ... [EXCEPTION ...] END; the caller wrote DECLARE.
func (u *unit) bodyStmts(b plsql.IBodyContext, ind int) {
	u.stmts(b.Seq_of_statements(), ind)
}

func (u *unit) handlers(hs []plsql.IException_handlerContext, ind int) {
	if len(hs) == 0 {
		return
	}
	u.line(ind-1, "EXCEPTION")
	for _, h := range hs {
		var conds []string
		for _, en := range h.AllException_name() {
			name := u.text(en)
			c := u.condition(name)
			if c == "" {
				u.item(en, ind, "unknown exception "+name+" in a handler (declare it, or map it to a SQLSTATE)", false)
				c = "SQLSTATE 'P3999'"
			}
			conds = append(conds, c)
		}
		u.line(ind, "WHEN "+strings.Join(conds, " OR ")+" THEN")
		u.stmts(h.Seq_of_statements(), ind+1)
	}
}

// nested writes a nested BEGIN ... END block (with declarations when decls
// is not nil).
func (u *unit) nested(decls []plsql.IDeclare_specContext, b plsql.IBodyContext, ind int) {
	u.pushScope()
	defer u.popScope()
	if len(decls) > 0 {
		u.line(ind, "DECLARE")
		u.decls(decls, ind+1)
	}
	u.line(ind, "BEGIN")
	u.bodyStmts(b, ind+1)
	u.handlers(b.AllException_handler(), ind+1)
	u.line(ind, "END;")
}

func (u *unit) stmts(seq plsql.ISeq_of_statementsContext, ind int) {
	if seq == nil {
		return
	}
	for _, ch := range seq.GetChildren() {
		switch n := ch.(type) {
		case plsql.IStatementContext:
			u.statement(n, ind)
		case plsql.ILabel_declarationContext:
			u.line(ind, "<<"+identName(u.text(n.Label_name()))+">>")
		}
	}
}

func (u *unit) statement(s plsql.IStatementContext, ind int) {
	switch {
	case s.Body() != nil:
		u.nested(nil, s.Body(), ind)
	case s.Block() != nil:
		u.nested(s.Block().AllDeclare_spec(), s.Block().Body(), ind)
	case s.Assignment_statement() != nil:
		u.assignment(s.Assignment_statement(), ind)
	case s.Continue_statement() != nil:
		n := s.Continue_statement()
		u.exitLike("CONTINUE", n.Label_name(), n.Condition(), ind)
	case s.Exit_statement() != nil:
		n := s.Exit_statement()
		u.exitLike("EXIT", n.Label_name(), n.Condition(), ind)
	case s.Goto_statement() != nil:
		u.item(s, ind, "GOTO has no PL/pgSQL equivalent: restructure with loops, EXIT and CONTINUE", true)
	case s.If_statement() != nil:
		u.ifStmt(s.If_statement(), ind)
	case s.Loop_statement() != nil:
		u.loop(s.Loop_statement(), ind)
	case s.Forall_statement() != nil:
		u.forall(s.Forall_statement(), ind)
	case s.Null_statement() != nil:
		u.line(ind, "NULL;")
	case s.Raise_statement() != nil:
		u.raise(s.Raise_statement(), ind)
	case s.Return_statement() != nil:
		u.ret(s.Return_statement(), ind)
	case s.Case_statement() != nil:
		u.caseStmt(s.Case_statement(), ind)
	case s.Sql_statement() != nil:
		u.sqlStmt(s.Sql_statement(), ind)
	case s.Plsql_call_statement() != nil:
		u.call(s.Plsql_call_statement(), ind)
	default:
		u.item(s, ind, "statement not converted", true)
	}
}

func (u *unit) exitLike(kw string, label plsql.ILabel_nameContext, cond plsql.IConditionContext, ind int) {
	s := kw
	if label != nil {
		s += " " + identName(u.text(label))
	}
	if cond != nil {
		s += " WHEN " + u.tr(cond)
	}
	u.line(ind, s+";")
}

func (u *unit) assignment(a plsql.IAssignment_statementContext, ind int) {
	rhs := u.tr(a.Expression())
	if ge := a.General_element(); ge != nil {
		t := strings.ToLower(u.text(ge))
		if v, pk := u.pkgVarRef(t); v != "" {
			u.line(ind, fmt.Sprintf("PERFORM %s(%s);", pk.setter(v), rhs))
			return
		}
		u.line(ind, u.tr(ge)+" := "+rhs+";")
		return
	}
	u.line(ind, u.tr(a.Bind_variable())+" := "+rhs+";")
}

// pkgVarRef resolves a (possibly package-qualified) package variable name.
func (u *unit) pkgVarRef(t string) (string, *pkgInfo) {
	if u.pkg != nil && !u.isLocal(t) {
		if v, ok := u.pkg.vars[t]; ok {
			return v.name, u.pkg
		}
	}
	if i := strings.IndexByte(t, '.'); i > 0 {
		if pk, ok := u.c.packages[t[:i]]; ok {
			if v, ok := pk.vars[t[i+1:]]; ok {
				return v.name, pk
			}
		}
	}
	return "", nil
}

func (u *unit) ifStmt(n plsql.IIf_statementContext, ind int) {
	u.line(ind, "IF "+u.tr(n.Condition())+" THEN")
	u.stmts(n.Seq_of_statements(), ind+1)
	for _, e := range n.AllElsif_part() {
		u.line(ind, "ELSIF "+u.tr(e.Condition())+" THEN")
		u.stmts(e.Seq_of_statements(), ind+1)
	}
	if e := n.Else_part(); e != nil {
		u.line(ind, "ELSE")
		u.stmts(e.Seq_of_statements(), ind+1)
	}
	u.line(ind, "END IF;")
}

func (u *unit) caseStmt(n plsql.ICase_statementContext, ind int) {
	var parts []antlr.ParserRuleContext
	var elsePart plsql.ICase_else_partContext
	head := "CASE"
	if s := n.Searched_case_statement(); s != nil {
		for _, w := range s.AllSearched_case_when_part() {
			parts = append(parts, w)
		}
		elsePart = s.Case_else_part()
	} else if s := n.Simple_case_statement(); s != nil {
		head += " " + u.tr(s.Expression())
		for _, w := range s.AllSimple_case_when_part() {
			parts = append(parts, w)
		}
		elsePart = s.Case_else_part()
	}
	u.line(ind, head)
	for _, p := range parts {
		var cond plsql.IExpressionContext
		var seq plsql.ISeq_of_statementsContext
		switch w := p.(type) {
		case plsql.ISearched_case_when_partContext:
			cond, seq = w.Expression(0), w.Seq_of_statements()
		case plsql.ISimple_case_when_partContext:
			cond, seq = w.Expression(0), w.Seq_of_statements()
		}
		u.line(ind+1, "WHEN "+u.tr(cond)+" THEN")
		u.stmts(seq, ind+2)
	}
	if elsePart != nil {
		u.line(ind+1, "ELSE")
		u.stmts(elsePart.Seq_of_statements(), ind+2)
	}
	u.line(ind, "END CASE;")
}

func (u *unit) loop(n plsql.ILoop_statementContext, ind int) {
	if l := n.Label_declaration(); l != nil {
		u.line(ind, "<<"+identName(u.text(l.Label_name()))+">>")
	}
	head := "LOOP"
	var pre, first, post []string // around and inside a cursor FOR loop
	// A FOR loop's index or record is declared for the loop's body.
	u.pushScope()
	defer u.popScope()
	switch {
	case n.WHILE() != nil:
		head = "WHILE " + u.tr(n.Condition()) + " LOOP"
	case n.FOR() != nil:
		cp := n.Cursor_loop_param()
		if ix := cp.Index_name(); ix != nil {
			lo, hi := u.tr(cp.Lower_bound()), u.tr(cp.Upper_bound())
			if cp.REVERSE() != nil {
				// PL/pgSQL's REVERSE takes the bounds high first.
				head = fmt.Sprintf("FOR %s IN REVERSE %s..%s LOOP", identName(u.text(ix)), hi, lo)
			} else {
				head = fmt.Sprintf("FOR %s IN %s..%s LOOP", identName(u.text(ix)), lo, hi)
			}
			u.declareVar(identName(u.text(ix)), &varInfo{typ: "PLS_INTEGER"})
		} else {
			rec := identName(u.text(cp.Record_name()))
			switch {
			case cp.Select_statement() != nil:
				u.addDecl(rec, rec+" record;")
				head = fmt.Sprintf("FOR %s IN %s LOOP", rec, u.tr(cp.Select_statement()))
				u.declareVar(rec, u.queryFields(cp.Select_statement()))
			default:
				cur := u.tr(cp.Cursor_name())
				base, _, _ := strings.Cut(cur, "(")
				args := ""
				if cp.LEFT_PAREN() != nil {
					args = "(" + u.tr(cp.Expressions()) + ")"
				}
				name := strings.ToLower(strings.Trim(strings.TrimSpace(base), `"`))
				if !u.cursors[name] {
					u.item(cp, ind, "FOR loop over "+cur+", which is not a cursor declared in this unit", false)
				}
				if f, ok := u.curFields[name]; ok {
					u.declareVar(rec, f)
				} else {
					u.declare(rec)
				}
				head = fmt.Sprintf("FOR %s IN %s%s LOOP", rec, cur, args)
				// The loop opens, fetches and closes the cursor: keep
				// the variables tracking its attributes in step.
				attrs := u.cursorAttrs[name]
				if attrs["rowcount"] {
					v := cursorVar(name, "rowcount")
					pre = append(pre, v+" := 0;")
					first = append(first, v+" := "+v+" + 1;")
				}
				if attrs["found"] {
					first = append(first, cursorVar(name, "found")+" := true;")
					post = append(post, cursorVar(name, "found")+" := false;")
				}
				if attrs["isopen"] {
					first = append(first, cursorVar(name, "isopen")+" := true;")
					post = append(post, cursorVar(name, "isopen")+" := false;")
				}
			}
		}
	}
	for _, l := range pre {
		u.line(ind, l)
	}
	u.line(ind, head)
	for _, l := range first {
		u.line(ind+1, l)
	}
	u.stmts(n.Seq_of_statements(), ind+1)
	end := "END LOOP"
	if l := n.Label_name(); l != nil {
		end += " " + identName(u.text(l))
	}
	u.line(ind, end+";")
	for _, l := range post {
		u.line(ind, l)
	}
}

// forall becomes a FOR loop running the statement once per index.
func (u *unit) forall(n plsql.IForall_statementContext, ind int) {
	bc := n.Bounds_clause()
	if bc.Lower_bound() == nil || n.SAVE() != nil {
		u.item(n, ind, "FORALL with INDICES OF, VALUES OF or SAVE EXCEPTIONS: rewrite as a loop", true)
		return
	}
	ix := identName(u.text(n.Index_name()))
	u.note("FORALL became a FOR loop running the statement once per element (same result, no bulk binding)")
	u.line(ind, fmt.Sprintf("FOR %s IN %s..%s LOOP", ix, u.tr(bc.Lower_bound()), u.tr(bc.Upper_bound())))
	u.sqlStmt(n.Sql_statement(), ind+1)
	u.line(ind, "END LOOP;")
}

func (u *unit) raise(n plsql.IRaise_statementContext, ind int) {
	en := n.Exception_name()
	if en == nil {
		u.line(ind, "RAISE;")
		return
	}
	if r := u.raiseFor(u.text(en)); r != "" {
		u.line(ind, r)
		return
	}
	u.item(n, ind, "RAISE of an exception that is not declared in these scripts", true)
}

func (u *unit) ret(n plsql.IReturn_statementContext, ind int) {
	if u.trig != nil {
		u.line(ind, u.trigReturn())
		return
	}
	if e := n.Expression(); e != nil {
		u.line(ind, "RETURN "+u.tr(e)+";")
		return
	}
	u.line(ind, "RETURN;")
}

// trigReturn is what a trigger function returns.
func (u *unit) trigReturn() string {
	t := u.trig
	if !t.row || !t.before {
		return "RETURN NULL;"
	}
	hasDel, other := false, false
	for _, e := range t.events {
		if e == "DELETE" {
			hasDel = true
		} else {
			other = true
		}
	}
	switch {
	case hasDel && other:
		return "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
	case hasDel:
		return "RETURN OLD;"
	}
	return "RETURN NEW;"
}

func (u *unit) afterDML(ind int) {
	if u.sqlRowcount {
		u.addDecl("ora_sql_rowcount", "ora_sql_rowcount integer := 0;")
		u.line(ind, "GET DIAGNOSTICS ora_sql_rowcount = ROW_COUNT;")
	}
}

func (u *unit) sqlStmt(s plsql.ISql_statementContext, ind int) {
	switch {
	case s.Execute_immediate() != nil:
		u.execImmediate(s.Execute_immediate(), ind)
	case s.Data_manipulation_language_statements() != nil:
		d := s.Data_manipulation_language_statements()
		if sel := d.Select_statement(); sel != nil {
			u.selectInto(sel, ind)
			return
		}
		if d.Explain_statement() != nil {
			u.item(s, ind, "EXPLAIN PLAN in code", true)
			return
		}
		if strings.Contains(strings.ToUpper(u.text(d)), "BULK COLLECT") {
			u.item(s, ind, "RETURNING ... BULK COLLECT INTO: rewrite with a loop or an array aggregate", true)
			return
		}
		u.line(ind, u.tr(d)+";")
		u.afterDML(ind)
	case s.Cursor_manipulation_statements() != nil:
		u.cursorStmt(s.Cursor_manipulation_statements(), ind)
	case s.Transaction_control_statements() != nil:
		u.txn(s.Transaction_control_statements(), ind)
	default:
		u.item(s, ind, "SQL statement not converted", true)
	}
}

// findInto returns the into_clause of the first query block of a select.
func findInto(n antlr.Tree) plsql.IInto_clauseContext {
	if ic, ok := n.(plsql.IInto_clauseContext); ok {
		return ic
	}
	if _, ok := n.(plsql.ISubquery_factoring_clauseContext); ok {
		return nil
	}
	for i := 0; i < n.GetChildCount(); i++ {
		if r := findInto(n.GetChild(i)); r != nil {
			return r
		}
	}
	return nil
}

func (u *unit) selectInto(sel plsql.ISelect_statementContext, ind int) {
	ic := findInto(sel)
	if ic == nil {
		u.line(ind, "PERFORM "+strings.TrimPrefix(strings.TrimSpace(u.tr(sel)), "SELECT")+";")
		u.note("a SELECT without INTO became PERFORM")
		return
	}
	if ic.BULK() != nil {
		u.bulkSelect(sel, ic, ind)
		return
	}
	u.intoStrict = ic.INTO().GetSymbol().GetTokenIndex()
	s := u.tr(sel)
	u.intoStrict = -1
	u.line(ind, s+";")
	u.afterDML(ind)
}

// bulkSelect converts SELECT col BULK COLLECT INTO arr FROM ... (one
// column, one target) into arr := ARRAY(SELECT col FROM ...).
func (u *unit) bulkSelect(sel plsql.ISelect_statementContext, ic plsql.IInto_clauseContext, ind int) {
	if len(ic.AllGeneral_element()) != 1 || len(ic.AllBind_variable()) > 0 {
		u.item(sel, ind, "BULK COLLECT INTO several collections: rewrite with a loop or array aggregates", true)
		return
	}
	target := u.tr(ic.General_element(0))
	tgt := ic.General_element(0)
	// Print the select without the into clause.
	start, stop := sel.GetStart().GetTokenIndex(), sel.GetStop().GetTokenIndex()
	skipFrom, skipTo := ic.GetStart().GetTokenIndex(), ic.GetStop().GetTokenIndex()
	q := printTokens(u.p.tokens, start, skipFrom-1, u.rewrite) + printTokens(u.p.tokens, skipTo+1, stop, u.rewrite)
	_ = tgt
	u.note("SELECT ... BULK COLLECT INTO became an ARRAY(SELECT ...) assignment")
	u.line(ind, fmt.Sprintf("%s := ARRAY(%s);", target, strings.TrimSpace(q)))
	u.afterDML(ind)
}

func (u *unit) cursorStmt(c plsql.ICursor_manipulation_statementsContext, ind int) {
	switch {
	case c.Open_statement() != nil:
		o := c.Open_statement()
		name := identName(u.text(o.Cursor_name()))
		args := ""
		if o.LEFT_PAREN() != nil {
			args = "(" + u.tr(o.Expressions()) + ")"
		}
		u.line(ind, "OPEN "+name+args+";")
		u.cursorOpened(name, ind, true)
	case c.Open_for_statement() != nil:
		o := c.Open_for_statement()
		name := identName(u.text(o.Variable_name()))
		var s string
		if o.Select_statement() != nil {
			s = "OPEN " + name + " FOR " + u.tr(o.Select_statement())
		} else {
			s = "OPEN " + name + " FOR EXECUTE " + u.tr(o.Expression())
			if uc := o.Using_clause(); uc != nil {
				s += " " + u.using(uc, ind)
			}
		}
		u.line(ind, s+";")
		u.cursorOpened(name, ind, true)
	case c.Fetch_statement() != nil:
		f := c.Fetch_statement()
		if f.BULK() != nil {
			u.item(f, ind, "FETCH ... BULK COLLECT: rewrite as a loop or an ARRAY(SELECT ...) assignment", true)
			return
		}
		name := identName(u.text(f.Cursor_name()))
		var vars []string
		for _, v := range f.AllVariable_name() {
			vars = append(vars, u.tr(v))
		}
		u.line(ind, fmt.Sprintf("FETCH %s INTO %s;", name, strings.Join(vars, ", ")))
		attrs := u.cursorAttrs[strings.ToLower(name)]
		if attrs["found"] {
			u.line(ind, cursorVar(name, "found")+" := FOUND;")
		}
		if attrs["rowcount"] {
			u.line(ind, fmt.Sprintf("IF FOUND THEN %s := %s + 1; END IF;", cursorVar(name, "rowcount"), cursorVar(name, "rowcount")))
		}
	case c.Close_statement() != nil:
		name := identName(u.text(c.Close_statement().Cursor_name()))
		u.line(ind, "CLOSE "+name+";")
		u.cursorOpened(name, ind, false)
	}
}

func (u *unit) cursorOpened(name string, ind int, open bool) {
	u.declareCursorVars(name)
	attrs := u.cursorAttrs[strings.ToLower(name)]
	if attrs["isopen"] {
		u.line(ind, fmt.Sprintf("%s := %t;", cursorVar(name, "isopen"), open))
	}
	if open && attrs["rowcount"] {
		u.line(ind, cursorVar(name, "rowcount")+" := 0;")
	}
	if open && attrs["found"] {
		u.line(ind, cursorVar(name, "found")+" := NULL;")
	}
}

func (u *unit) txn(t plsql.ITransaction_control_statementsContext, ind int) {
	switch {
	case t.Commit_statement() != nil, t.Rollback_statement() != nil && t.Rollback_statement().TO() == nil:
		kw := "COMMIT;"
		if t.Rollback_statement() != nil {
			kw = "ROLLBACK;"
		}
		if !u.isProc && !u.isDo {
			u.item(t, ind, "COMMIT/ROLLBACK in a function or trigger: PostgreSQL allows transaction control only in procedures and DO blocks", true)
			return
		}
		u.note("COMMIT/ROLLBACK kept: PostgreSQL allows it only when the procedure is CALLed outside an explicit transaction block (and not from a function or trigger)")
		u.line(ind, kw)
	default:
		u.item(t, ind, "SAVEPOINT, ROLLBACK TO and SET TRANSACTION are not allowed in PL/pgSQL: use a nested BEGIN ... EXCEPTION block", true)
	}
}

// execImmediate converts EXECUTE IMMEDIATE.
func (u *unit) execImmediate(e plsql.IExecute_immediateContext, ind int) {
	if e.Dynamic_returning_clause() != nil {
		u.item(e, ind, "EXECUTE IMMEDIATE ... RETURNING INTO: put the RETURNING clause in the statement text and use EXECUTE ... INTO", true)
		return
	}
	sqlText := u.tr(e.Expression())
	if lit, ok := literalPlaceholders(sqlText); ok {
		sqlText = lit
	} else {
		u.note("EXECUTE IMMEDIATE with a computed statement text: its SQL is not translated and bind placeholders must be $1, $2, ... in PostgreSQL")
	}
	u.note("dynamic SQL text is run as written: check it is valid PostgreSQL")
	s := "EXECUTE " + sqlText
	if ic := e.Into_clause(); ic != nil {
		if ic.BULK() != nil {
			u.item(e, ind, "EXECUTE IMMEDIATE ... BULK COLLECT INTO", true)
			return
		}
		var vars []string
		for _, ch := range ic.GetChildren() {
			if n, ok := ch.(antlr.ParserRuleContext); ok {
				vars = append(vars, u.tr(n))
			}
		}
		s += " INTO STRICT " + strings.Join(vars, ", ")
	}
	if uc := e.Using_clause(); uc != nil {
		s += " " + u.using(uc, ind)
	}
	u.line(ind, s+";")
	u.afterDML(ind)
}

func (u *unit) using(uc plsql.IUsing_clauseContext, ind int) string {
	var args []string
	for _, el := range uc.AllUsing_element() {
		if el.OUT() != nil {
			u.item(el, ind, "OUT bind in USING: return values with INTO or RETURNING ... INTO", false)
		}
		args = append(args, u.tr(el.Select_list_elements()))
	}
	return "USING " + strings.Join(args, ", ")
}

// literalPlaceholders rewrites :name / :1 placeholders of a single string
// literal to $1, $2, ... (by position, as EXECUTE IMMEDIATE binds them).
func literalPlaceholders(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' || strings.Contains(s[1:len(s)-1], "' ") {
		return s, false
	}
	var b strings.Builder
	n := 0
	inStr := false // a string literal inside the dynamic SQL ('' escaped)
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if ch == '\'' {
			inStr = !inStr
		}
		if ch == ':' && !inStr && i+1 < len(body) && isWordByte(body[i+1]) && (i == 0 || body[i-1] != ':') {
			j := i + 1
			for j < len(body) && isWordByte(body[j]) {
				j++
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
			i = j - 1
			continue
		}
		b.WriteByte(ch)
	}
	return "'" + b.String() + "'", true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// call converts a procedure call statement.
func (u *unit) call(c plsql.IPlsql_call_statementContext, ind int) {
	if len(c.AllId_expression()) > 0 || c.INTO() != nil {
		u.item(c, ind, "method call chain or CALL ... INTO not converted", true)
		return
	}
	name := strings.ToLower(strings.Join(strings.Fields(u.text(c.Routine_name())), ""))
	var args []string
	if fas := c.AllFunction_argument(); len(fas) == 1 {
		for _, a := range fas[0].AllArgument() {
			args = append(args, u.tr(a))
		}
	}
	switch name {
	case "dbms_output.put_line", "dbms_output.put":
		if len(args) == 0 {
			u.line(ind, "RAISE NOTICE '';")
			return
		}
		u.line(ind, "RAISE NOTICE '%', "+args[0]+";")
		if name == "dbms_output.put" {
			u.note("DBMS_OUTPUT.PUT became RAISE NOTICE: each call is its own line")
		}
		return
	case "dbms_output.new_line", "dbms_output.enable", "dbms_output.disable":
		u.line(ind, "NULL; -- "+name+": notices need no buffer")
		return
	case "raise_application_error":
		u.raiseAppError(c, args, ind)
		return
	case "dbms_lock.sleep", "dbms_session.sleep":
		if len(args) == 1 {
			u.line(ind, "PERFORM pg_sleep("+args[0]+");")
			return
		}
	}
	if strings.HasPrefix(name, "dbms_") || strings.HasPrefix(name, "utl_") || strings.HasPrefix(name, "sys.") {
		u.item(c, ind, "call of the Oracle-supplied package "+name+": no PostgreSQL equivalent converted", true)
		return
	}
	// Collection methods used as statements.
	if i := strings.IndexByte(name, '.'); i > 0 && u.colls[name[:i]] {
		switch name[i+1:] {
		case "extend":
			u.line(ind, "NULL; -- "+u.text(c)+": PostgreSQL arrays grow on assignment")
			return
		case "delete":
			if len(args) == 0 {
				u.line(ind, identName(name[:i])+" := '{}';")
				return
			}
		}
		u.item(c, ind, "collection method "+name[i+1:]+" not converted", true)
		return
	}
	target := identPath(name)
	if u.pkg != nil && u.pkg.routines[name] {
		target = u.pkg.schema + "." + identName(name)
	}
	if !strings.Contains(name, ".") || u.c.packages[name[:strings.IndexByte(name, '.')]] == nil {
		u.obj.Depends = append(u.obj.Depends, name)
	}
	u.line(ind, fmt.Sprintf("CALL %s(%s);", target, strings.Join(args, ", ")))
}

// raiseAppError converts RAISE_APPLICATION_ERROR(-20nnn, msg) to RAISE
// EXCEPTION with SQLSTATE P2nnn (docs/oracle.md).
func (u *unit) raiseAppError(c plsql.IPlsql_call_statementContext, args []string, ind int) {
	if len(args) < 2 {
		u.item(c, ind, "RAISE_APPLICATION_ERROR without a code and a message", true)
		return
	}
	codeText := strings.Join(strings.Fields(args[0]), "")
	n, err := strconv.Atoi(codeText)
	state, ok := oracleErrorState(n)
	if err != nil || !ok || n > -20000 {
		if code, ok := u.excCodes[strings.ToLower(codeText)]; ok {
			state = code
		} else {
			u.item(c, ind, "RAISE_APPLICATION_ERROR with an error number that is not a literal -20000..-20999", true)
			return
		}
	}
	u.line(ind, fmt.Sprintf("RAISE EXCEPTION USING ERRCODE = '%s', MESSAGE = %s;", state, args[1]))
}
