package plsql

import (
	"fmt"
	"strings"

	"github.com/bytebase/parser/plsql"

	"github.com/ferrydb/ferry/convert"
)

// capture runs f with a fresh output buffer and returns what it wrote.
func (u *unit) capture(f func()) string {
	old := u.b
	u.b = &strings.Builder{}
	f()
	s := u.b.String()
	u.b = old
	return s
}

// params converts a parameter list; hasOut reports OUT or IN OUT ones.
func (u *unit) params(ps []plsql.IParameterContext) (sig string, hasOut bool) {
	var out []string
	defaulted := false
	for _, p := range ps {
		name := identName(u.text(p.Parameter_name()))
		u.declareVar(name, u.typeInfo(p.Type_spec()))
		mode := ""
		in, o := len(p.AllIN()) > 0, len(p.AllOUT()) > 0
		switch {
		case len(p.AllINOUT()) > 0 || in && o:
			mode = "INOUT "
			hasOut = true
		case o:
			mode = "OUT "
			hasOut = true
		}
		s := mode + name + " " + u.typeOf(p.Type_spec())
		if d := p.Default_value_part(); d != nil {
			s += " DEFAULT " + u.tr(d.Expression())
			defaulted = true
		} else if defaulted && mode != "" {
			u.item(p, 0, "OUT parameter after a parameter with a default: PostgreSQL requires parameters with defaults last; reorder the parameters and the calls", false)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", "), hasOut
}

// decls converts declarations into PL/pgSQL DECLARE lines.
func (u *unit) decls(ds []plsql.IDeclare_specContext, ind int) {
	for _, d := range ds {
		switch {
		case d.Variable_declaration() != nil:
			u.variable(d.Variable_declaration(), ind)
		case d.Exception_declaration() != nil:
			name := strings.ToLower(u.text(d.Exception_declaration().Identifier()))
			if _, ok := u.excCodes[name]; !ok {
				u.excCodes[name] = exceptionCode(u.obj.Name + "." + name)
			}
			u.line(ind, fmt.Sprintf("-- exception %s: SQLSTATE %s", name, u.excCodes[name]))
		case d.Pragma_declaration() != nil:
			u.pragma(d.Pragma_declaration(), ind)
		case d.Subtype_declaration() != nil:
			st := d.Subtype_declaration()
			u.localTypes[strings.ToLower(u.text(st.Identifier()))] = u.typeOf(st.Type_spec())
			if st.RANGE() != nil {
				u.note("SUBTYPE ... RANGE: the range constraint is not enforced")
			}
		case d.Cursor_declaration() != nil:
			u.cursorDecl(d.Cursor_declaration(), ind)
		case d.Type_declaration() != nil:
			u.typeDecl(d.Type_declaration(), ind, identName(lastPart(u.obj.Name))+"_")
		default:
			u.item(d, ind, "nested procedure or function: PostgreSQL has none; create it as a separate routine", false)
		}
	}
}

func (u *unit) variable(v plsql.IVariable_declarationContext, ind int) {
	name := identName(u.text(v.Identifier()))
	info := u.typeInfo(v.Type_spec())
	typ := u.typeOf(v.Type_spec())
	if strings.HasSuffix(typ, "[]") {
		u.colls[name] = true
	}
	s := name
	if v.CONSTANT() != nil {
		s += " CONSTANT"
	}
	s += " " + typ
	if v.NOT() != nil {
		s += " NOT NULL"
	}
	if d := v.Default_value_part(); d != nil {
		s += " := " + u.tr(d.Expression())
	}
	// Declared after its default: v NUMBER := v + 1 reads an outer v.
	u.declareVar(name, info)
	u.line(ind, s+";")
}

func (u *unit) pragma(pd plsql.IPragma_declarationContext, ind int) {
	switch {
	case pd.EXCEPTION_INIT() != nil:
		name := strings.ToLower(u.text(pd.Exception_name()))
		num := strings.Join(strings.Fields(u.text(pd.Numeric_negative())), "")
		var n int
		if _, err := fmt.Sscanf(num, "%d", &n); err == nil {
			if st, ok := oracleErrorState(n); ok {
				u.excCodes[name] = st
				u.line(ind, fmt.Sprintf("-- PRAGMA EXCEPTION_INIT(%s, %d): SQLSTATE %s", name, n, st))
				return
			}
		}
		u.item(pd, ind, "PRAGMA EXCEPTION_INIT with an Oracle error number that has no SQLSTATE mapping", false)
	case pd.AUTONOMOUS_TRANSACTION() != nil:
		u.item(pd, ind, "autonomous transaction: PostgreSQL has none; use dblink or pg_background to run the work in its own session, or restructure", false)
	default:
		u.note("PRAGMA " + u.text(pd) + " ignored")
	}
}

func (u *unit) cursorDecl(cd plsql.ICursor_declarationContext, ind int) {
	name := identName(u.text(cd.Identifier()))
	u.declare(name)
	u.cursors[name] = true
	u.declareCursorVars(name)
	if cd.Select_statement() == nil {
		u.item(cd, ind, "cursor specification without a query", false)
		return
	}
	var ps []string
	// The parameters are in scope in the query only.
	u.pushScope()
	defer u.popScope()
	for _, p := range cd.AllParameter_spec() {
		pn := identName(u.text(p.Parameter_name()))
		if p.Default_value_part() != nil {
			u.item(p, ind, "cursor parameter with a default: pass the value in every OPEN", false)
		}
		ps = append(ps, pn+" "+u.typeOf(p.Type_spec()))
		u.declareVar(pn, u.typeInfo(p.Type_spec()))
	}
	s := name + " CURSOR"
	if len(ps) > 0 {
		s += " (" + strings.Join(ps, ", ") + ")"
	}
	u.curFields[name] = u.queryFields(cd.Select_statement())
	u.line(ind, s+" FOR "+u.tr(cd.Select_statement())+";")
}

// typeDecl converts TYPE declarations: records to composite types created
// before the routine, collections to arrays, REF CURSOR to refcursor.
func (u *unit) typeDecl(td plsql.IType_declarationContext, ind int, prefix string) {
	name := strings.ToLower(u.text(td.Identifier()))
	switch {
	case td.Record_type_def() != nil:
		var fs []string
		fields := map[string]string{}
		u.recFields[name] = fields
		for _, f := range td.Record_type_def().AllField_spec() {
			fs = append(fs, identName(u.text(f.Column_name()))+" "+u.typeOf(f.Type_spec()))
			if fi := u.typeInfo(f.Type_spec()); fi.typ != "" {
				fields[strings.ToLower(strings.Trim(identName(u.text(f.Column_name())), `"`))] = fi.typ
			}
			if f.Default_value_part() != nil || f.NOT() != nil {
				u.note("record type " + name + ": field defaults and NOT NULL are not kept by a composite type")
			}
		}
		tn := prefix + identName(name)
		if u.pkg != nil {
			tn = u.pkg.schema + "." + identName(name)
		}
		u.pre = append(u.pre, fmt.Sprintf("DROP TYPE IF EXISTS %s CASCADE", tn), fmt.Sprintf("CREATE TYPE %s AS (%s)", tn, strings.Join(fs, ", ")))
		u.localTypes[name] = tn
		u.note("record type " + name + " became the composite type " + tn)
		u.line(ind, "-- TYPE "+name+" IS RECORD: composite type "+tn)
	case td.Table_type_def() != nil:
		tt := td.Table_type_def()
		if ib := tt.Table_indexed_by_part(); ib != nil {
			it := strings.ToUpper(u.text(ib.Type_spec()))
			if !strings.Contains(it, "INTEGER") {
				u.item(td, ind, "associative array indexed by a string: use jsonb or hstore", false)
				return
			}
		}
		u.localTypes[name] = u.typeOf(tt.Type_spec()) + "[]"
		u.note("collection type " + name + " became an array (1-based; EXTEND, TRIM, EXISTS and sparse indexes differ)")
		u.line(ind, "-- TYPE "+name+": "+u.localTypes[name])
	case td.Varray_type_def() != nil:
		u.localTypes[name] = u.typeOf(td.Varray_type_def().Type_spec()) + "[]"
		u.note("VARRAY type " + name + " became an array (no size limit)")
		u.line(ind, "-- TYPE "+name+": "+u.localTypes[name])
	case td.Ref_cursor_type_def() != nil:
		u.localTypes[name] = "refcursor"
		u.line(ind, "-- TYPE "+name+": refcursor")
	}
}

// routine returns the PL/pgSQL text (DECLARE ... END;) of a routine body.
func (u *unit) routine(decls []plsql.IDeclare_specContext, body plsql.IBodyContext, prologue, epilogue []string) string {
	u.pushScope()
	defer u.popScope()
	declText := u.capture(func() { u.decls(decls, 1) })
	hs := body.AllException_handler()
	wrap := len(epilogue) > 0 && len(hs) > 0
	bodyText := u.capture(func() {
		ind := 1
		for _, l := range prologue {
			u.line(1, l)
		}
		if wrap {
			u.line(1, "BEGIN")
			ind = 2
		}
		u.bodyStmts(body, ind)
		u.handlers(hs, ind+1)
		if wrap {
			u.line(1, "END;")
		}
		for _, l := range epilogue {
			u.line(1, l)
		}
	})
	var b strings.Builder
	if len(u.extraDecls) > 0 || strings.TrimSpace(declText) != "" {
		b.WriteString("DECLARE\n")
		for _, d := range u.extraDecls {
			b.WriteString("  " + d + "\n")
		}
		b.WriteString(declText)
	}
	b.WriteString("BEGIN\n")
	b.WriteString(bodyText)
	b.WriteString("END;")
	return b.String()
}

func dollarQuote(body string) string {
	tag := "$$"
	if strings.Contains(body, "$$") {
		tag = "$ferry$"
	}
	return tag + "\n" + body + "\n" + tag
}

func (c *Converter) procedure(p *parsed, n plsql.ICreate_procedure_bodyContext) *convert.Object {
	o := &convert.Object{Kind: "procedure", Name: identPath(p.text(n.Procedure_name()))}
	u := c.newUnit(p, o)
	u.isProc = true
	if n.Body() == nil {
		u.item(n, 0, "external (C or Java) procedure: no PostgreSQL equivalent converted", false)
		return o
	}
	u.pushScope()
	sig, _ := u.params(n.AllParameter())
	var decls []plsql.IDeclare_specContext
	if ds := n.Seq_of_declare_specs(); ds != nil {
		decls = ds.AllDeclare_spec()
	}
	body := u.routine(decls, n.Body(), nil, nil)
	o.SQL = append(u.pre, fmt.Sprintf("CREATE OR REPLACE PROCEDURE %s(%s)\nLANGUAGE plpgsql\nAS %s", o.Name, sig, dollarQuote(body)))
	return o
}

func (c *Converter) function(p *parsed, n plsql.ICreate_function_bodyContext) *convert.Object {
	o := &convert.Object{Kind: "function", Name: identPath(p.text(n.Function_name()))}
	u := c.newUnit(p, o)
	u.isFunc = true
	if n.Body() == nil {
		u.item(n, 0, "external, pipelined-with-USING, aggregate or SQL macro function: not converted", false)
		return o
	}
	u.pushScope()
	sig, hasOut := u.params(n.AllParameter())
	if hasOut {
		// PostgreSQL rejects such a function: it is not created.
		u.item(n.Parameter(0), 0, "function with OUT parameters and a RETURN value: not created (PostgreSQL functions return either); make it a procedure or return a composite", false)
		return o
	}
	if n.PIPELINED() != nil {
		u.item(n, 0, "pipelined function: rewrite as RETURNS SETOF with RETURN NEXT", false)
	}
	var decls []plsql.IDeclare_specContext
	if ds := n.Seq_of_declare_specs(); ds != nil {
		decls = ds.AllDeclare_spec()
	}
	ret := u.typeOf(n.Type_spec())
	body := u.routine(decls, n.Body(), nil, nil)
	vol := ""
	if len(n.AllDETERMINISTIC()) > 0 {
		vol = " IMMUTABLE"
		u.note("DETERMINISTIC became IMMUTABLE: check the function reads no tables")
	}
	o.SQL = append(u.pre, fmt.Sprintf("CREATE OR REPLACE FUNCTION %s(%s)\nRETURNS %s\nLANGUAGE plpgsql%s\nAS %s", o.Name, sig, ret, vol, dollarQuote(body)))
	return o
}

func (c *Converter) anonymous(p *parsed, n plsql.IAnonymous_blockContext) *convert.Object {
	o := &convert.Object{Kind: "anonymous block", Name: "anonymous block"}
	u := c.newUnit(p, o)
	u.isDo = true
	u.pushScope()
	var decls []plsql.IDeclare_specContext
	if ds := n.Seq_of_declare_specs(); ds != nil {
		decls = ds.AllDeclare_spec()
	}
	declText := u.capture(func() { u.decls(decls, 1) })
	bodyText := u.capture(func() {
		u.stmts(n.Seq_of_statements(), 1)
		u.handlers(n.AllException_handler(), 2)
	})
	var b strings.Builder
	if len(u.extraDecls) > 0 || declText != "" {
		b.WriteString("DECLARE\n")
		for _, d := range u.extraDecls {
			b.WriteString("  " + d + "\n")
		}
		b.WriteString(declText)
	}
	b.WriteString("BEGIN\n" + bodyText + "END;")
	o.SQL = append(u.pre, "DO "+dollarQuote(b.String()))
	return o
}

func (c *Converter) trigger(p *parsed, n plsql.ICreate_triggerContext) *convert.Object {
	name := identPath(p.text(n.Trigger_name()))
	o := &convert.Object{Kind: "trigger", Name: name}
	u := c.newUnit(p, o)
	sd := n.Simple_dml_trigger()
	if sd == nil {
		reason := "compound trigger: split it into one PostgreSQL trigger per timing point"
		if n.Non_dml_trigger() != nil {
			reason = "DDL or database event trigger: use a PostgreSQL event trigger, written by hand"
		}
		u.item(n, 0, reason, false)
		return o
	}
	ti := &trigInfo{newName: "new", oldName: "old", row: sd.For_each_row() != nil, before: sd.BEFORE() != nil || sd.INSTEAD() != nil}
	u.trig = ti
	ev := sd.Dml_event_clause()
	if ev.Dml_event_nested_clause() != nil {
		u.item(ev, 0, "trigger on a nested table column", false)
	}
	table := identPath(p.text(ev.Tableview_name()))
	ti.table = strings.Trim(lastPart(table), `"`)
	o.Depends = append(o.Depends, table)
	var events []string
	for _, e := range ev.AllDml_event_element() {
		kw := "INSERT"
		switch {
		case e.DELETE() != nil:
			kw = "DELETE"
		case e.UPDATE() != nil:
			kw = "UPDATE"
		}
		ti.events = append(ti.events, kw)
		if cl := e.Column_list(); cl != nil {
			var cols []string
			for _, col := range cl.AllColumn_name() {
				cols = append(cols, identPath(p.text(col)))
			}
			kw += " OF " + strings.Join(cols, ", ")
		}
		events = append(events, kw)
	}
	if rc := sd.Referencing_clause(); rc != nil {
		for _, re := range rc.AllReferencing_element() {
			alias := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p.text(re.Column_alias())), "AS ")))
			alias = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(alias, "as "), "AS "))
			switch {
			case re.NEW() != nil:
				ti.newName = alias
			case re.OLD() != nil:
				ti.oldName = alias
			}
		}
	}
	when, prologue := "", []string(nil)
	if w := n.Trigger_when_clause(); w != nil {
		u.inWhen = true
		cond := u.tr(w.Condition())
		u.inWhen = false
		if len(ti.events) > 1 {
			// PostgreSQL's WHEN cannot reference NEW in a DELETE trigger
			// nor OLD in an INSERT one: test it in the function instead.
			prologue = []string{"IF NOT coalesce(" + cond + ", false) THEN", "  " + u.trigReturn(), "END IF;"}
		} else {
			when = " WHEN (" + cond + ")"
		}
	}
	fn := name + "_fn"
	var body string
	tb := n.Trigger_body()
	switch {
	case tb.Trigger_block() != nil:
		blk := tb.Trigger_block()
		body = u.routine(blk.AllDeclare_spec(), blk.Body(), prologue, strings.Split(u.trigReturn(), "\n"))
	case tb.CALL() != nil:
		body = fmt.Sprintf("BEGIN\n  CALL %s();\n  %s\nEND;", identPath(p.text(tb.Identifier())), u.trigReturn())
	default:
		u.item(tb, 0, "compound trigger body: split it into one PostgreSQL trigger per timing point", false)
		return o
	}
	timing := "AFTER"
	switch {
	case sd.BEFORE() != nil:
		timing = "BEFORE"
	case sd.INSTEAD() != nil:
		timing = "INSTEAD OF"
	}
	level := "STATEMENT"
	if ti.row {
		level = "ROW"
	}
	o.SQL = append(u.pre,
		fmt.Sprintf("CREATE OR REPLACE FUNCTION %s()\nRETURNS trigger\nLANGUAGE plpgsql\nAS %s", fn, dollarQuote(body)),
		fmt.Sprintf("CREATE OR REPLACE TRIGGER %s\n  %s %s ON %s\n  FOR EACH %s%s\n  EXECUTE FUNCTION %s()", lastPart(name), timing, strings.Join(events, " OR "), table, level, when, fn))
	if n.DISABLE() != nil {
		o.SQL = append(o.SQL, fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", table, lastPart(name)))
	}
	if n.Trigger_follows_clause() != nil {
		u.note("FOLLOWS ignored: PostgreSQL fires triggers of the same event in name order")
	}
	c.triggers[name] = o
	c.trigTab[name] = table
	return o
}
