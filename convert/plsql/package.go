package plsql

import (
	"fmt"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"

	"github.com/ferrydb/ferry/convert"
)

// A package becomes a schema of the same name holding its routines. Its
// variables (public and private) are session-scoped: each is kept in a
// custom setting ferry_<package>.<variable> (set_config/current_setting),
// read through the function <package>."<variable>$get"() and written
// through <package>."<variable>$set"(value). The first read in a session
// runs <package>."$init"(), which assigns the declared defaults and then
// runs the package's initialization block, as Oracle does on first use.
// Limits (docs/oracle.md): values round-trip through text, so only scalar
// types work; a setting changed in a transaction that rolls back is rolled
// back too (Oracle keeps package state); the state is per session, as in
// Oracle, but is lost by DISCARD ALL or a connection pool's reset.
type pkgInfo struct {
	name, schema string
	vars         map[string]pkgVar
	order        []string
	routines     map[string]bool
	types        map[string]string
	exceptions   map[string]string
	initBlock    string
}

type pkgVar struct{ name, typ, def string }

func (pk *pkgInfo) getter(v string) string { return fmt.Sprintf(`%s."%s$get"()`, pk.schema, v) }
func (pk *pkgInfo) setter(v string) string { return fmt.Sprintf(`%s."%s$set"`, pk.schema, v) }
func (pk *pkgInfo) guc(v string) string    { return "ferry_" + pk.name + "." + v }

// varSQL returns the getter and setter of a package variable.
func (pk *pkgInfo) varSQL(v pkgVar) []string {
	get := fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s
RETURNS %s
LANGUAGE plpgsql
AS $$
DECLARE
  s text;
BEGIN
  PERFORM %s."$init"();
  s := current_setting('%s', true);
  IF s IS NULL OR s = '' OR s = 'n' THEN
    RETURN NULL;
  END IF;
  RETURN substr(s, 2)::%s;
END;
$$`, pk.getter(v.name), v.typ, pk.schema, pk.guc(v.name), v.typ)
	set := fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s(val %s)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM set_config('%s', CASE WHEN val IS NULL THEN 'n' ELSE 'v' || val::text END, false);
END;
$$`, pk.setter(v.name), v.typ, pk.guc(v.name))
	return []string{set, get}
}

// initSQL returns the package's initialization function.
func (pk *pkgInfo) initSQL() string {
	var b strings.Builder
	for _, n := range pk.order {
		v := pk.vars[n]
		def := v.def
		if def == "" {
			def = "NULL"
		}
		fmt.Fprintf(&b, "  PERFORM %s(%s);\n", pk.setter(n), def)
	}
	b.WriteString(pk.initBlock)
	return fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s."$init"()
RETURNS void
LANGUAGE plpgsql
AS %s`, pk.schema, dollarQuote(fmt.Sprintf(`BEGIN
  IF current_setting('%s', true) = 'y' THEN
    RETURN;
  END IF;
  PERFORM set_config('%s', 'y', false);
%sEND;`, pk.guc("init__"), pk.guc("init__"), b.String())))
}

func (c *Converter) pkg(name string) *pkgInfo {
	pk, ok := c.packages[name]
	if !ok {
		pk = &pkgInfo{name: name, schema: name, vars: map[string]pkgVar{}, routines: map[string]bool{}, types: map[string]string{}, exceptions: map[string]string{}}
		c.packages[name] = pk
	}
	return pk
}

// pkgDecl handles a declaration shared by specifications and bodies. It
// returns false for kinds it does not handle.
func (u *unit) pkgDecl(pk *pkgInfo, d interface {
	Variable_declaration() plsql.IVariable_declarationContext
	Exception_declaration() plsql.IException_declarationContext
	Subtype_declaration() plsql.ISubtype_declarationContext
	Cursor_declaration() plsql.ICursor_declarationContext
	Type_declaration() plsql.IType_declarationContext
}, sqls *[]string) bool {
	switch {
	case d.Variable_declaration() != nil:
		vd := d.Variable_declaration()
		name := identName(u.text(vd.Identifier()))
		v := pkgVar{name: name, typ: u.typeOf(vd.Type_spec())}
		if dv := vd.Default_value_part(); dv != nil {
			v.def = u.tr(dv.Expression())
		}
		if strings.HasSuffix(v.typ, "[]") || strings.Contains(v.typ, "%ROWTYPE") || v.typ == "record" || v.typ == "refcursor" {
			u.item(vd, 0, "package variable of a record, collection or cursor type: only scalar package variables are converted", false)
			return true
		}
		if vd.NOT() != nil {
			u.note("package variable " + name + ": NOT NULL is not enforced")
		}
		if _, ok := pk.vars[name]; !ok {
			pk.order = append(pk.order, name)
		}
		pk.vars[name] = v
		*sqls = append(*sqls, pk.varSQL(v)...)
		u.note("package variable " + name + " is kept in the session setting " + pk.guc(name) + " (see docs/oracle.md: rolled back with the transaction, scalar types only)")
	case d.Exception_declaration() != nil:
		name := strings.ToLower(u.text(d.Exception_declaration().Identifier()))
		if _, ok := pk.exceptions[name]; !ok {
			pk.exceptions[name] = exceptionCode(pk.name + "." + name)
		}
	case d.Subtype_declaration() != nil:
		st := d.Subtype_declaration()
		pk.types[strings.ToLower(u.text(st.Identifier()))] = u.typeOf(st.Type_spec())
	case d.Type_declaration() != nil:
		u.typeDecl(d.Type_declaration(), 0, "")
		for k, t := range u.localTypes {
			pk.types[k] = t
		}
		*sqls = append(*sqls, u.pre...)
		u.pre = nil
	case d.Cursor_declaration() != nil:
		u.item(d.Cursor_declaration(), 0, "package-level cursor: declare it in each routine that uses it, or use a refcursor function", false)
	default:
		return false
	}
	return true
}

func (u *unit) pkgPragma(pk *pkgInfo, pd plsql.IPragma_declarationContext) {
	if pd.EXCEPTION_INIT() == nil {
		u.pragma(pd, 0)
		return
	}
	name := strings.ToLower(u.text(pd.Exception_name()))
	var n int
	if _, err := fmt.Sscanf(strings.Join(strings.Fields(u.text(pd.Numeric_negative())), ""), "%d", &n); err == nil {
		if st, ok := oracleErrorState(n); ok {
			pk.exceptions[name] = st
			return
		}
	}
	u.item(pd, 0, "PRAGMA EXCEPTION_INIT with an Oracle error number that has no SQLSTATE mapping", false)
}

func (c *Converter) packageSpec(p *parsed, n plsql.ICreate_packageContext) *convert.Object {
	names := n.AllPackage_name()
	name := identName(p.text(names[0]))
	pk := c.pkg(name)
	o := &convert.Object{Kind: "package", Name: name}
	u := c.newUnit(p, o)
	u.pkg = pk
	sqls := []string{"CREATE SCHEMA IF NOT EXISTS " + pk.schema}
	for _, s := range n.AllPackage_obj_spec() {
		switch {
		case s.Procedure_spec() != nil:
			pk.routines[strings.ToLower(p.text(s.Procedure_spec().Identifier()))] = true
		case s.Function_spec() != nil:
			pk.routines[strings.ToLower(p.text(s.Function_spec().Identifier()))] = true
		case s.Pragma_declaration() != nil:
			u.pkgPragma(pk, s.Pragma_declaration())
		default:
			u.pkgDecl(pk, s, &sqls)
		}
	}
	sqls = append(sqls, pk.initSQL())
	o.SQL = sqls
	return o
}

func (c *Converter) packageBody(p *parsed, n plsql.ICreate_package_bodyContext) *convert.Object {
	names := n.AllPackage_name()
	name := identName(p.text(names[0]))
	_, known := c.packages[name]
	pk := c.pkg(name)
	o := &convert.Object{Kind: "package body", Name: name}
	o.Depends = append(o.Depends, name)
	if !known {
		o.Notes = append(o.Notes, "the package specification is not in these scripts: public variables and types it declares are unknown")
	}
	bodies := n.AllPackage_obj_body()
	for _, b := range bodies {
		switch {
		case b.Procedure_body() != nil:
			pk.routines[strings.ToLower(p.text(b.Procedure_body().Identifier()))] = true
		case b.Function_body() != nil:
			pk.routines[strings.ToLower(p.text(b.Function_body().Identifier()))] = true
		}
	}
	sqls := []string{"CREATE SCHEMA IF NOT EXISTS " + pk.schema}
	du := c.newUnit(p, o)
	du.pkg = pk
	seq, ip := n.Seq_of_statements(), p
	for _, b := range bodies {
		if vd := b.Variable_declaration(); vd != nil && strings.EqualFold(p.text(vd.Identifier()), "begin") {
			// The grammar reads "BEGIN x := 0;" of an initialization
			// block as a variable BEGIN of type x: parse the block alone.
			txt := p.tokens.GetTextFromInterval(antlr.NewInterval(vd.GetStart().GetTokenIndex(), n.END().GetSymbol().GetTokenIndex()-1)) + " END;"
			if p2, err := parse(txt); err == nil && len(p2.tree.AllUnit_statement()) == 1 && p2.tree.Unit_statement(0).Anonymous_block() != nil {
				seq, ip = p2.tree.Unit_statement(0).Anonymous_block().Seq_of_statements(), p2
			} else {
				du.item(vd, 0, "package initialization block not parsed", false)
			}
			break
		}
		if b.Procedure_body() == nil && b.Function_body() == nil && b.Procedure_spec() == nil && b.Function_spec() == nil {
			du.pkgDecl(pk, b, &sqls)
		}
	}
	if seq != nil {
		iu := c.newUnit(ip, o)
		iu.pkg = pk
		iu.isProc = false
		iu.pushScope()
		iu.stmts(seq, 1)
		if len(iu.extraDecls) > 0 {
			iu.note("the package initialization block needed local variables: wrap it")
			pk.initBlock = "  DECLARE\n"
			for _, d := range iu.extraDecls {
				pk.initBlock += "    " + d + "\n"
			}
			pk.initBlock += "  BEGIN\n" + iu.b.String() + "  END;\n"
		} else {
			pk.initBlock = iu.b.String()
		}
		o.Notes = append(o.Notes, "the package initialization block runs on the first read of a package variable in a session, or on the first call of a package routine")
	}
	sqls = append(sqls, pk.initSQL())
	for _, b := range bodies {
		switch {
		case b.Procedure_body() != nil:
			sqls = append(sqls, c.pkgProcedure(p, o, pk, b.Procedure_body())...)
		case b.Function_body() != nil:
			sqls = append(sqls, c.pkgFunction(p, o, pk, b.Function_body())...)
		}
	}
	o.SQL = sqls
	return o
}

func (c *Converter) pkgProcedure(p *parsed, o *convert.Object, pk *pkgInfo, n plsql.IProcedure_bodyContext) []string {
	u := c.newUnit(p, o)
	u.pkg, u.isProc = pk, true
	name := pk.schema + "." + identName(p.text(n.Identifier()))
	if n.Body() == nil {
		u.item(n, 0, "external procedure "+name+": not converted", false)
		return nil
	}
	u.pushScope()
	sig, _ := u.params(n.AllParameter())
	var decls []plsql.IDeclare_specContext
	if ds := n.Seq_of_declare_specs(); ds != nil {
		decls = ds.AllDeclare_spec()
	}
	body := u.routine(decls, n.Body(), pk.prologue(), nil)
	return append(u.pre, fmt.Sprintf("CREATE OR REPLACE PROCEDURE %s(%s)\nLANGUAGE plpgsql\nAS %s", name, sig, dollarQuote(body)))
}

func (c *Converter) pkgFunction(p *parsed, o *convert.Object, pk *pkgInfo, n plsql.IFunction_bodyContext) []string {
	u := c.newUnit(p, o)
	u.pkg, u.isFunc = pk, true
	name := pk.schema + "." + identName(p.text(n.Identifier()))
	if n.Body() == nil {
		u.item(n, 0, "external or pipelined function "+name+": not converted", false)
		return nil
	}
	u.pushScope()
	sig, hasOut := u.params(n.AllParameter())
	if hasOut {
		// PostgreSQL rejects such a function: it is not created.
		u.item(n, 0, "function "+name+" with OUT parameters and a RETURN value: not created (PostgreSQL functions return either); make it a procedure or return a composite", false)
		return nil
	}
	var decls []plsql.IDeclare_specContext
	if ds := n.Seq_of_declare_specs(); ds != nil {
		decls = ds.AllDeclare_spec()
	}
	ret := u.typeOf(n.Type_spec())
	body := u.routine(decls, n.Body(), pk.prologue(), nil)
	return append(u.pre, fmt.Sprintf("CREATE OR REPLACE FUNCTION %s(%s)\nRETURNS %s\nLANGUAGE plpgsql\nAS %s", name, sig, ret, dollarQuote(body)))
}

// prologue runs the package initialization first, when there is one.
func (pk *pkgInfo) prologue() []string {
	if pk.initBlock == "" && len(pk.vars) == 0 {
		return nil
	}
	return []string{fmt.Sprintf(`PERFORM %s."$init"();`, pk.schema)}
}
