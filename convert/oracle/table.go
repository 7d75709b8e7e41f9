package oracle

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oraclesql"
)

// tableParts is a CREATE TABLE statement taken apart on tokens: the
// grammar misses virtual columns and some physical clauses, so each
// column or constraint is parsed on its own and the clauses after the
// column list are only inspected.
type tableParts struct {
	nameParts []string // as written
	temporary string   // "GLOBAL TEMPORARY", "PRIVATE TEMPORARY", ...
	elems     []*tableElem
	tail      string // text after the column list
	ctas      bool
	ofType    []string // CREATE TABLE t OF type: the type's name parts
}

type tableElem struct {
	text    string
	col     plsql.IColumn_definitionContext
	ool     plsql.IOut_of_line_constraintContext
	other   bool // another relational_property (REF constraint, ...)
	virtual *virtualCol
	err     error
}

// parseElem parses a column definition or an out-of-line constraint.
func (e *tableElem) parse() {
	toks := oraclesql.Lex(e.text)
	if len(toks) > 0 {
		switch toks[0].Upper() {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK":
			e.ool, e.err = oraclesql.ParseRule(e.text, (*plsql.PlSqlParser).Out_of_line_constraint)
			return
		}
	}
	text := e.text
	if len(toks) >= 4 && toks[2].Text == "." && systemOwner(toks[1].Text) {
		// A type qualified by an Oracle schema (SYS.XMLTYPE,
		// MDSYS.SDO_GEOMETRY): the grammar's column rule takes no owner.
		runes := []rune(text)
		text = string(runes[:toks[1].Start]) + string(runes[toks[3].Start:])
	}
	if cd, err := oraclesql.ParseRule(text, (*plsql.PlSqlParser).Column_definition); err == nil {
		e.col = cd
		return
	}
	prop, err := oraclesql.ParseRule(text, (*plsql.PlSqlParser).Relational_property)
	if err != nil {
		e.err = err
		return
	}
	e.col = prop.Column_definition()
	e.ool = prop.Out_of_line_constraint()
	if vd := prop.Virtual_column_definition(); vd != nil && e.col == nil {
		// A column with no type is a virtual_column_definition to the
		// grammar.
		e.other = true
	}
	e.other = e.other || (e.col == nil && e.ool == nil)
}

// virtualCol is a column written name [type] [GENERATED ALWAYS] AS (expr)
// [VIRTUAL] [constraints].
type virtualCol struct {
	name     string
	typeText string
	expr     plsql.IConditionContext
	rest     plsql.IColumn_definitionContext // the inline constraints, on a stand-in column
}

func splitCreateTable(text string, toks []oraclesql.Token) (*tableParts, error) {
	runes := []rune(text)
	tp := &tableParts{}
	i := 1
	var mods []string
	for ; i < len(toks) && toks[i].Upper() != "TABLE"; i++ {
		mods = append(mods, toks[i].Upper())
	}
	tp.temporary = strings.Join(mods, " ")
	i++ // TABLE
	if i+2 < len(toks) && toks[i].Upper() == "IF" && toks[i+1].Upper() == "NOT" && toks[i+2].Upper() == "EXISTS" {
		i += 3
	}
	if i >= len(toks) {
		return nil, fmt.Errorf("CREATE TABLE without a name")
	}
	tp.nameParts = append(tp.nameParts, toks[i].Text)
	i++
	if i+1 < len(toks) && toks[i].Text == "." {
		tp.nameParts = append(tp.nameParts, toks[i+1].Text)
		i += 2
	}
	for i < len(toks) && toks[i].Upper() == "SHARING" {
		i += 3
	}
	if i+1 < len(toks) && toks[i].Upper() == "OF" {
		// An object table: CREATE TABLE t OF type [(properties)] [...].
		i++
		tp.ofType = append(tp.ofType, toks[i].Text)
		i++
		if i+1 < len(toks) && toks[i].Text == "." {
			tp.ofType = append(tp.ofType, toks[i+1].Text)
			i += 2
		}
		if i >= len(toks) || toks[i].Text != "(" {
			tp.tail = Slice(runes, toks, i, len(toks)-1)
			return tp, nil
		}
	}
	if i >= len(toks) || toks[i].Text != "(" {
		tp.ctas = true
		tp.tail = Slice(runes, toks, i, len(toks)-1)
		return tp, nil
	}
	end := oraclesql.Matching(toks, i)
	if end < 0 {
		return nil, fmt.Errorf("unbalanced parentheses in CREATE TABLE")
	}
	last := len(toks) - 1
	if toks[last].Text == ";" {
		last--
	}
	tp.tail = Slice(runes, toks, end+1, last)
	for _, se := range oraclesql.SplitTop(toks, i+1, end-1) {
		e := &tableElem{text: Slice(runes, toks, se[0], se[1])}
		tp.elems = append(tp.elems, e)
		if v, ok, err := virtualColumn(runes, toks, se[0], se[1]); ok {
			e.virtual, e.err = v, err
			continue
		}
		e.parse()
	}
	return tp, nil
}

// Slice is oraclesql.Slice.
func Slice(runes []rune, toks []oraclesql.Token, i, j int) string {
	return oraclesql.Slice(runes, toks, i, j)
}

// virtualColumn recognizes a virtual column definition in tokens lo..hi.
func virtualColumn(runes []rune, toks []oraclesql.Token, lo, hi int) (*virtualCol, bool, error) {
	switch toks[lo].Upper() {
	case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "SUPPLEMENTAL", "PERIOD":
		return nil, false, nil
	}
	as := -1
	for k := lo + 1; k < hi; k++ {
		if toks[k].Upper() == "AS" && toks[k+1].Text == "(" {
			as = k
			break
		}
		if toks[k].Upper() == "DEFAULT" || toks[k].Upper() == "IDENTITY" {
			return nil, false, nil
		}
	}
	if as < 0 {
		return nil, false, nil
	}
	v := &virtualCol{name: oraclesql.Name(toks[lo].Text)}
	typeEnd := as - 1
	if typeEnd-1 > lo && toks[typeEnd].Upper() == "ALWAYS" && toks[typeEnd-1].Upper() == "GENERATED" {
		typeEnd -= 2
	}
	if typeEnd > lo {
		v.typeText = Slice(runes, toks, lo+1, typeEnd)
	}
	close := oraclesql.Matching(toks, as+1)
	if close < 0 || close > hi {
		return v, true, fmt.Errorf("unbalanced parentheses in virtual column %s", v.name)
	}
	var err error
	v.expr, err = oraclesql.ParseRule(Slice(runes, toks, as+2, close-1), (*plsql.PlSqlParser).Condition)
	if err != nil {
		return v, true, err
	}
	k := close + 1
	if k <= hi && toks[k].Upper() == "VIRTUAL" {
		k++
	}
	if k <= hi {
		v.rest, err = oraclesql.ParseRule("x NUMBER "+Slice(runes, toks, k, hi), (*plsql.PlSqlParser).Column_definition)
	}
	return v, true, err
}

// alterParts is ALTER TABLE t ADD (a, b, ...) taken apart (the grammar
// has no comma between the constraints of an ADD list).
type alterParts struct {
	nameParts []string
	elems     []*tableElem
}

func splitAlterAdd(text string, toks []oraclesql.Token) (*alterParts, bool) {
	if len(toks) < 6 || toks[0].Upper() != "ALTER" || toks[1].Upper() != "TABLE" {
		return nil, false
	}
	a := &alterParts{nameParts: []string{toks[2].Text}}
	i := 3
	if toks[i].Text == "." {
		a.nameParts = append(a.nameParts, toks[i+1].Text)
		i += 2
	}
	if i+1 >= len(toks) || toks[i].Upper() != "ADD" || toks[i+1].Text != "(" {
		return nil, false
	}
	end := oraclesql.Matching(toks, i+1)
	last := len(toks) - 1
	if toks[last].Text == ";" {
		last--
	}
	if end != last {
		return nil, false
	}
	runes := []rune(text)
	for _, se := range oraclesql.SplitTop(toks, i+2, end-1) {
		e := &tableElem{text: Slice(runes, toks, se[0], se[1])}
		a.elems = append(a.elems, e)
		if v, ok, err := virtualColumn(runes, toks, se[0], se[1]); ok {
			e.virtual, e.err = v, err
			continue
		}
		e.parse()
	}
	return a, true
}

// ---- scan: types, JSON columns, key names ----

func (c *converter) scan(p *parsed) {
	if p.err != nil {
		return
	}
	switch {
	case p.table != nil:
		name := oraclesql.Name(p.table.nameParts[len(p.table.nameParts)-1])
		ti := &tableInfo{name: name, cols: map[string]*colInfo{}}
		c.tables[name] = ti
		for _, e := range p.table.elems {
			c.scanElem(ti, e)
		}
	case p.alter != nil:
		ti := c.tables[oraclesql.Name(p.alter.nameParts[len(p.alter.nameParts)-1])]
		for _, e := range p.alter.elems {
			c.scanElem(ti, e)
		}
	case p.unit != nil:
		u := p.unit
		switch {
		case u.Create_view() != nil:
			c.views[oraclesql.Name(u.Create_view().(*plsql.Create_viewContext).GetV().GetText())] = true
		case u.Create_materialized_view() != nil:
			parts := idText(u.Create_materialized_view().(*plsql.Create_materialized_viewContext).Tableview_name())
			c.views[oraclesql.Name(parts[len(parts)-1])] = true
		case u.Create_sequence() != nil:
			parts := idText(u.Create_sequence().(*plsql.Create_sequenceContext).Sequence_name())
			c.seqs[oraclesql.Name(parts[len(parts)-1])] = true
		case u.Alter_table() != nil:
			at := u.Alter_table().(*plsql.Alter_tableContext)
			parts := idText(at.Tableview_name())
			ti := c.tables[oraclesql.Name(parts[len(parts)-1])]
			if cc := at.Constraint_clauses(); cc != nil {
				for _, o := range cc.AllOut_of_line_constraint() {
					c.scanConstraint(ti, o)
				}
			}
		}
	}
}

func (c *converter) scanElem(ti *tableInfo, e *tableElem) {
	if ti == nil || e.err != nil {
		return
	}
	switch {
	case e.virtual != nil:
		ti.add(e.virtual.name, "VIRTUAL")
	case e.col != nil:
		cd := e.col
		name := lastName(cd.Column_name())
		typ, sqlType := "", ""
		if cd.Datatype() != nil {
			if m, err := oraclesql.MapType(cd.Datatype()); err == nil {
				typ, sqlType = m.Oracle, m.SQL
			}
		} else if cd.Regular_id() != nil {
			typ = strings.ToUpper(cd.Regular_id().GetText())
		}
		ci := ti.add(name, typ)
		ci.sql = sqlType
		for _, ic := range cd.AllInline_constraint() {
			if rc := ic.References_clause(); rc != nil {
				c.scanFK(ti.name, []string{name}, rc.(*plsql.References_clauseContext))
			}
			if cc := ic.Check_constraint(); cc != nil && isJSONCheck(cc.Condition()) != "" {
				ci.json = true
			}
			if ic.PRIMARY() != nil || ic.UNIQUE() != nil {
				ti.keys = append(ti.keys, []string{name})
				if ic.PRIMARY() != nil {
					ti.pk = []string{name}
				}
			}
		}
	case e.ool != nil:
		c.scanConstraint(ti, e.ool)
	}
}

func (c *converter) scanConstraint(ti *tableInfo, o plsql.IOut_of_line_constraintContext) {
	if ti == nil {
		return
	}
	if o.Constraint_name() != nil && (o.PRIMARY() != nil || o.UNIQUE() != nil) {
		c.keyNames[oraclesql.Name(o.Constraint_name().GetText())] = ti.name
	}
	if o.PRIMARY() != nil || o.UNIQUE() != nil {
		var cols []string
		for _, cn := range o.AllColumn_name() {
			cols = append(cols, lastName(cn))
		}
		ti.keys = append(ti.keys, cols)
		if o.PRIMARY() != nil {
			ti.pk = cols
		}
	}
	if fk := o.Foreign_key_clause(); fk != nil {
		f := fk.(*plsql.Foreign_key_clauseContext)
		var cols []string
		for _, cn := range f.Paren_column_list().Column_list().AllColumn_name() {
			cols = append(cols, lastName(cn))
		}
		c.scanFK(ti.name, cols, f.References_clause().(*plsql.References_clauseContext))
	}
	if o.CHECK() != nil {
		if col := isJSONCheck(o.Condition()); col != "" && ti.cols[col] != nil {
			ti.cols[col].json = true
		}
	}
}

func (c *converter) scanFK(table string, cols []string, rc *plsql.References_clauseContext) {
	f := fkSpec{table: table, cols: cols, ref: lastName(rc.Tableview_name())}
	if pl := rc.Paren_column_list(); pl != nil {
		for _, cn := range pl.Column_list().AllColumn_name() {
			f.refCols = append(f.refCols, lastName(cn))
		}
	}
	c.fks = append(c.fks, f)
}

// resolveFKTypes gives a foreign key column the type of the column it
// references when Oracle's NUMBER declarations map them to incompatible
// PostgreSQL types (NUMBER → numeric referencing NUMBER(6) → integer:
// PostgreSQL cannot implement that key). Every value of a valid foreign
// key equals a referenced value, so the referenced type holds them all.
func (c *converter) resolveFKTypes() {
	for _, f := range c.fks {
		child, parent := c.tables[f.table], c.tables[f.ref]
		if child == nil || parent == nil {
			continue
		}
		refCols := f.refCols
		if len(refCols) == 0 {
			refCols = parent.pk
		}
		if len(refCols) != len(f.cols) {
			continue
		}
		for k, col := range f.cols {
			cc, pc := child.cols[col], parent.cols[refCols[k]]
			if cc == nil || pc == nil || cc.sql == "" || pc.sql == "" {
				continue
			}
			if numericFamily(cc.sql) != "" && numericFamily(pc.sql) != "" && numericFamily(cc.sql) != numericFamily(pc.sql) {
				c.typeOverride[f.table+"."+col] = pc.sql
			}
		}
	}
}

// numericFamily is "int" for smallint/integer/bigint, "numeric" for
// numeric(...), "" otherwise.
func numericFamily(sql string) string {
	switch {
	case sql == "smallint" || sql == "integer" || sql == "bigint":
		return "int"
	case sql == "numeric" || strings.HasPrefix(sql, "numeric("):
		return "numeric"
	}
	return ""
}

func (ti *tableInfo) add(name, typ string) *colInfo {
	ci := &colInfo{name: name, oracle: typ}
	ti.cols[name] = ci
	ti.order = append(ti.order, name)
	return ci
}

// isJSONCheck returns the column of a CHECK (col IS JSON), or "".
func isJSONCheck(cond plsql.IConditionContext) string {
	if cond == nil || cond.Json_condition() == nil {
		return ""
	}
	jc := cond.Json_condition().(*plsql.Json_conditionContext)
	if jc.NOT() != nil || jc.Column_name() == nil {
		return ""
	}
	return lastName(jc.Column_name())
}

// idText returns the dotted parts of a name node as written.
func idText(n antlr.ParserRuleContext) []string {
	var out []string
	var walk func(antlr.Tree)
	walk = func(t antlr.Tree) {
		switch x := t.(type) {
		case *plsql.Id_expressionContext:
			out = append(out, x.GetText())
			return
		case *plsql.Link_nameContext, *plsql.Partition_extension_clauseContext:
			return
		}
		if p, ok := t.(antlr.ParserRuleContext); ok {
			for _, ch := range p.GetChildren() {
				walk(ch)
			}
		}
	}
	walk(n)
	return out
}

func lastName(n antlr.ParserRuleContext) string {
	parts := idText(n)
	if len(parts) == 0 {
		return ""
	}
	return oraclesql.Name(parts[len(parts)-1])
}

// ---- CREATE TABLE ----

func (c *converter) createTable(p *parsed) {
	tp := p.table
	st := p.st
	name := oraclesql.Name(tp.nameParts[len(tp.nameParts)-1])
	obj := newObject("table", name, st)
	if tp.ctas {
		obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "table", Source: st.Text,
			Reason: "CREATE TABLE ... AS SELECT: create the table with its column list, then load it"})
		c.add(PhaseNone, obj, nil)
		return
	}
	qt := c.qname(tp.nameParts...)
	tr := c.translator()
	var defs []string
	var fks []Item
	head := "CREATE TABLE "
	typed := ""
	if len(tp.ofType) > 0 {
		tname := oraclesql.Name(lastOf(tp.ofType))
		q, ok := c.types[tname]
		if !ok || c.collections[tname] {
			obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "table", Source: st.Text,
				Reason: "object table OF " + tname + ", a type not converted to a PostgreSQL composite type: create a table with the type's attributes as columns (PostgreSQL's CREATE TABLE ... OF needs a composite type), object identifiers and REFs to its rows have no equivalent"})
			c.add(PhaseNone, obj, nil)
			return
		}
		typed = " OF " + q
		obj.Notes = append(obj.Notes, "object table: a typed table OF the composite type "+tname+" (rows have no object identifiers; REFs to them have no equivalent)")
	}
	for _, e := range tp.elems {
		if typed != "" && e.col != nil {
			// CREATE TABLE t OF type (col constraints): PostgreSQL writes
			// col WITH OPTIONS constraints.
			cd := e.col.(*plsql.Column_definitionContext)
			col := lastName(cd.Column_name())
			def := oraclesql.Quote(col) + " WITH OPTIONS"
			for _, icx := range cd.AllInline_constraint() {
				s, fk, err := c.inlineConstraint(name, qt, col, icx.(*plsql.Inline_constraintContext), tr, obj, st)
				if err != nil {
					obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "constraint", Source: e.text, Reason: err.Error()})
					continue
				}
				if fk != nil {
					fks = append(fks, *fk)
				}
				def += s
			}
			if cd.DEFAULT() != nil {
				tr.Reset()
				if d, err := tr.Expr(cd.Expression()); err == nil {
					def += " DEFAULT " + d
				}
			}
			if def != oraclesql.Quote(col)+" WITH OPTIONS" {
				defs = append(defs, def)
			}
			continue
		}
		if e.err != nil {
			src := e.text
			if strings.TrimSpace(src) == "" {
				src = st.Text
			}
			obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "column", Source: src,
				Reason: fmt.Sprintf("could not be parsed (%v); the table is created without it", e.err)})
			continue
		}
		switch {
		case e.virtual != nil:
			def, err := c.virtualDef(name, e.virtual, tr, obj)
			if err != nil {
				obj.Items = append(obj.Items, convert.ActionItem{Object: name + "." + e.virtual.name, Kind: "column", Source: e.text, Reason: err.Error()})
				continue
			}
			defs = append(defs, def)
		case e.col != nil:
			def, colFKs, err := c.columnDef(name, qt, e.col.(*plsql.Column_definitionContext), tr, obj, st)
			if err != nil {
				obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "column", Source: e.text, Reason: err.Error()})
				continue
			}
			defs = append(defs, def)
			fks = append(fks, colFKs...)
		case e.ool != nil:
			o := e.ool.(*plsql.Out_of_line_constraintContext)
			def, fk, err := c.constraintDef(name, qt, o, tr, obj, st, false)
			if err != nil {
				obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "constraint", Source: e.text, Reason: err.Error()})
				continue
			}
			if fk != nil {
				fks = append(fks, *fk)
				continue
			}
			if def != "" {
				defs = append(defs, def)
			}
		default:
			obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "table", Source: e.text,
				Reason: "table element (REF constraint, supplemental logging, period) not converted"})
		}
	}
	switch tp.temporary {
	case "":
	case "GLOBAL TEMPORARY", "PRIVATE TEMPORARY":
		obj.Items = append(obj.Items, convert.ActionItem{Object: name, Kind: "table", Source: "CREATE " + tp.temporary + " TABLE",
			Reason: "Oracle temporary tables are permanent definitions with per-session rows; PostgreSQL temporary tables are created per session. Created as a regular table: create it as TEMPORARY in the sessions that use it, or keep it and clear rows per session"})
	default:
		obj.Notes = append(obj.Notes, "dropped table modifier "+tp.temporary)
	}
	partClause := ""
	var partTables []string
	tail := tp.tail
	if pp, ok := splitPartitioning(tail); ok {
		var keys [][]string
		if ti := c.tables[name]; ti != nil {
			keys = ti.keys
		}
		pt := c.partitionSQL(pp, name, tp.nameParts, keys, tr)
		partClause, partTables = pt.clause, pt.tables
		obj.Notes = append(obj.Notes, pt.notes...)
		for _, ai := range pt.items {
			if ai.Source == "" || !strings.Contains(st.Text, ai.Source) {
				ai.Source = strings.TrimSpace(tail)
			}
			obj.Items = append(obj.Items, ai)
		}
		if partClause != "" {
			if ti := c.tables[name]; ti != nil {
				ti.partCols = pp.cols
			}
		}
		tail = pp.before
	}
	c.tableTail(tail, name, obj)
	body := " (\n  " + strings.Join(defs, ",\n  ") + "\n)"
	if typed != "" && len(defs) == 0 {
		body = ""
	}
	obj.SQL = append([]string{head + qt + typed + body + partClause}, partTables...)
	c.add(PhaseTables, obj, tr)
	for _, fk := range fks {
		c.add(fk.Phase, fk.Object, nil)
	}
}

// tableTail notes the physical clauses after the column list.
func (c *converter) tableTail(tail, table string, obj *convert.Object) {
	tail = strings.TrimSpace(tail)
	if tail == "" {
		return
	}
	toks := oraclesql.Lex(tail)
	for i, t := range toks {
		if (t.Upper() == "NESTED" && i+1 < len(toks) && toks[i+1].Upper() == "TABLE") || t.Upper() == "VARRAY" {
			k := i + 1
			if t.Upper() == "NESTED" {
				k = i + 2
			}
			if k < len(toks) && c.collectionColumn(table, oraclesql.Name(toks[k].Text)) {
				obj.Notes = append(obj.Notes, "collection column "+oraclesql.Name(toks[k].Text)+": its storage clause is dropped, the array is stored in the row")
				continue
			}
			obj.Items = append(obj.Items, convert.ActionItem{Object: table, Kind: "table", Source: tail,
				Reason: "nested table / VARRAY storage: model the collection as a child table (or an array column) by hand"})
			return
		}
		if t.Upper() == "ORGANIZATION" && i+1 < len(toks) && toks[i+1].Upper() == "EXTERNAL" {
			obj.Items = append(obj.Items, convert.ActionItem{Object: table, Kind: "table", Source: tail,
				Reason: "external table (ORGANIZATION EXTERNAL): created as a regular, empty table; to read the file in place use file_fdw (CREATE FOREIGN TABLE ... SERVER ... OPTIONS (filename '...', format 'csv', delimiter '...')), or load it with ferry load --from sqlldr"})
			return
		}
		if t.Upper() == "ON" && i+2 < len(toks) && toks[i+1].Upper() == "COMMIT" {
			obj.Notes = append(obj.Notes, "dropped "+strings.Join([]string{"ON COMMIT", toks[i+2].Upper(), "ROWS"}, " ")+" (a temporary table property)")
		}
	}
	obj.Notes = append(obj.Notes, "dropped physical clauses: "+oneLine(tail))
}

// collectionColumn reports whether table.col has a collection type made
// a domain over an array.
func (c *converter) collectionColumn(table, col string) bool {
	ti := c.tables[table]
	if ti == nil || ti.cols[col] == nil {
		return false
	}
	q, ok := c.types[oraclesql.Name(ti.cols[col].oracle)]
	return ok && q != ""
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// mapColumnType maps a column's declared type, turning IS JSON columns
// into jsonb.
func (c *converter) mapColumnType(table, col string, cd *plsql.Column_definitionContext, obj *convert.Object) (string, error) {
	var m oraclesql.Mapped
	var err error
	switch {
	case cd.Datatype() != nil:
		m, err = oraclesql.MapType(cd.Datatype())
	case cd.Regular_id() != nil:
		text := cd.Regular_id().GetText()
		if q, ok := c.types[oraclesql.Name(text)]; ok {
			return q, nil
		}
		m, err = oraclesql.ParseType(text)
		if err != nil && strings.EqualFold(text, "SDO_GEOMETRY") {
			return "", fmt.Errorf("column %s has type SDO_GEOMETRY (Oracle Spatial): use PostGIS (CREATE EXTENSION postgis) and declare it geometry, converting the data with ST_GeomFromText / ST_GeomFromWKB", col)
		}
		if err != nil {
			return "", fmt.Errorf("column %s has type %s, an object, VARRAY or nested-table type (not an Oracle built-in type, nor an object type converted from these scripts): PostgreSQL has no object or collection columns; change the column by hand to the type's attributes as columns, a composite type (CREATE TYPE %s AS (...)), an array of the element type, jsonb, or a child table for a collection", col, text, oraclesql.Name(text))
		}
	default:
		return "", fmt.Errorf("column %s has no data type", col)
	}
	if err != nil {
		return "", err
	}
	if m.Note != "" {
		obj.Notes = append(obj.Notes, col+": "+m.Note)
	}
	if ov := c.typeOverride[table+"."+col]; ov != "" && ov != m.SQL {
		obj.Notes = append(obj.Notes, fmt.Sprintf("%s: %s made %s, the type of the column its foreign key references (PostgreSQL cannot implement a key between %s and %s)", col, m.SQL, ov, m.SQL, ov))
		return ov, nil
	}
	if ti := c.tables[table]; ti != nil && ti.cols[col] != nil && ti.cols[col].json && m.SQL != "jsonb" {
		obj.Notes = append(obj.Notes, fmt.Sprintf("%s: %s with an IS JSON check becomes jsonb (keys are stored normalized: order, whitespace and duplicate keys are not kept)", col, m.Oracle))
		return "jsonb", nil
	}
	return m.SQL, nil
}

func (c *converter) columnDef(table, qt string, cd *plsql.Column_definitionContext, tr *oraclesql.Translator, obj *convert.Object, st Statement) (string, []Item, error) {
	col := lastName(cd.Column_name())
	typ, err := c.mapColumnType(table, col, cd, obj)
	if err != nil {
		return "", nil, err
	}
	def := oraclesql.Quote(col) + " " + typ
	notNull := false
	if cd.ENCRYPT() != nil {
		obj.Notes = append(obj.Notes, col+": ENCRYPT dropped (use disk or pgcrypto encryption)")
	}
	if cd.INVISIBLE() != nil {
		obj.Notes = append(obj.Notes, col+": INVISIBLE dropped (the column shows in SELECT *)")
	}
	if cd.DEFAULT() != nil {
		tr.Reset()
		e, err := tr.Expr(cd.Expression())
		if err != nil {
			return "", nil, fmt.Errorf("DEFAULT of %s: %w", col, err)
		}
		obj.Notes = append(obj.Notes, tr.Notes()...)
		c.noteHelpers(tr)
		def += " DEFAULT " + e
		if cd.ON() != nil {
			notNull = true
			obj.Notes = append(obj.Notes, col+": DEFAULT ON NULL: PostgreSQL applies the default only when the column is omitted; an explicit NULL is rejected (NOT NULL)")
		}
	}
	if ic := cd.Identity_clause(); ic != nil {
		id := ic.(*plsql.Identity_clauseContext)
		switch typ {
		case "smallint", "integer", "bigint":
		default:
			obj.Notes = append(obj.Notes, fmt.Sprintf("%s: identity column of type %s made bigint (PostgreSQL identities are integers)", col, typ))
			def = oraclesql.Quote(col) + " bigint"
		}
		mode := "BY DEFAULT"
		if id.ALWAYS() != nil {
			mode = "ALWAYS"
		}
		def += " GENERATED " + mode + " AS IDENTITY"
		if id.ON() != nil {
			notNull = true
			obj.Notes = append(obj.Notes, col+": identity ON NULL: PostgreSQL generates a value only when the column is omitted, an explicit NULL is rejected")
		}
		if op := id.Identity_options_parentheses(); op != nil {
			opts, notes := identityOptions(op)
			obj.Notes = append(obj.Notes, notes...)
			if opts != "" {
				def += " (" + opts + ")"
			}
		}
	}
	var fks []Item
	for _, icx := range cd.AllInline_constraint() {
		ic := icx.(*plsql.Inline_constraintContext)
		s, fk, err := c.inlineConstraint(table, qt, col, ic, tr, obj, st)
		if err != nil {
			return "", nil, err
		}
		if fk != nil {
			fks = append(fks, *fk)
		}
		if s == " NOT NULL" {
			if notNull {
				continue
			}
			notNull = true
		}
		def += s
	}
	if notNull && !strings.Contains(def, " NOT NULL") {
		def += " NOT NULL"
	}
	if cd.Inline_ref_constraint() != nil {
		return "", nil, fmt.Errorf("REF constraints have no PostgreSQL equivalent")
	}
	return def, fks, nil
}

func (c *converter) noteHelpers(tr *oraclesql.Translator) {
	for _, h := range tr.Helpers() {
		c.helpers[h] = true
	}
}

func identityOptions(op antlr.ParserRuleContext) (string, []string) {
	var opts, notes []string
	toks := oraclesql.Lex(oraclesql.Source(op))
	for i := 0; i < len(toks); i++ {
		u := toks[i].Upper()
		next := func(n int) string {
			if i+n < len(toks) {
				return toks[i+n].Text
			}
			return ""
		}
		switch u {
		case "START":
			if strings.EqualFold(next(2), "LIMIT") {
				notes = append(notes, "identity START WITH LIMIT VALUE: restart the identity past the loaded maximum")
				i += 3
				continue
			}
			opts = append(opts, "START WITH "+next(2))
			i += 2
		case "INCREMENT":
			opts = append(opts, "INCREMENT BY "+next(2))
			i += 2
		case "MAXVALUE", "MINVALUE":
			v := next(1)
			if big(v) {
				notes = append(notes, u+" "+v+" is beyond bigint: dropped")
			} else {
				opts = append(opts, u+" "+v)
			}
			i++
		case "NOMAXVALUE":
			opts = append(opts, "NO MAXVALUE")
		case "NOMINVALUE":
			opts = append(opts, "NO MINVALUE")
		case "CYCLE":
			opts = append(opts, "CYCLE")
		case "NOCYCLE":
			opts = append(opts, "NO CYCLE")
		case "CACHE":
			opts = append(opts, "CACHE "+next(1))
			i++
		case "NOCACHE", "ORDER", "NOORDER", "KEEP", "NOKEEP", "NOSCALE", "SCALE", "SESSION", "GLOBAL", "NOSHARD", "SHARD", "EXTEND", "NOEXTEND":
			if u == "ORDER" || u == "NOCACHE" {
				notes = append(notes, u+" dropped (PostgreSQL sequences are ordered; CACHE 1 is the default)")
			}
		case "(", ")", ",":
		}
	}
	return strings.Join(opts, " "), notes
}

// big reports whether an integer literal is beyond bigint.
func big(v string) bool {
	_, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64)
	return err != nil
}

func (c *converter) virtualDef(table string, v *virtualCol, tr *oraclesql.Translator, obj *convert.Object) (string, error) {
	tr.Reset()
	tr.Immutable = true
	e, err := tr.Condition(v.expr)
	tr.Immutable = false
	if err != nil {
		return "", fmt.Errorf("virtual column %s: %w", v.name, err)
	}
	c.noteHelpers(tr)
	obj.Notes = append(obj.Notes, tr.Notes()...)
	typ := "numeric"
	if v.typeText != "" {
		m, err := oraclesql.ParseType(v.typeText)
		if err != nil {
			return "", err
		}
		typ = m.SQL
	} else if typ = tr.TypeOf(v.expr); typ == "" {
		typ = "numeric"
		obj.Notes = append(obj.Notes, fmt.Sprintf("virtual column %s has no declared type: numeric assumed; check it", v.name))
	}
	obj.Notes = append(obj.Notes, fmt.Sprintf("virtual column %s: stored (PostgreSQL 15 computes generated columns on write)", v.name))
	def := oraclesql.Quote(v.name) + " " + typ + " GENERATED ALWAYS AS (" + e + ") STORED"
	if v.rest != nil {
		for _, icx := range v.rest.AllInline_constraint() {
			s, _, err := c.inlineConstraint(table, c.qname(table), v.name, icx.(*plsql.Inline_constraintContext), tr, obj, Statement{})
			if err != nil {
				return "", err
			}
			def += s
		}
	}
	return def, nil
}

// inlineConstraint prints a column constraint; a REFERENCES clause becomes
// a separate foreign key object.
func (c *converter) inlineConstraint(table, qt, col string, ic *plsql.Inline_constraintContext, tr *oraclesql.Translator, obj *convert.Object, st Statement) (string, *Item, error) {
	name := ""
	if ic.Constraint_name() != nil {
		name = oraclesql.Name(ic.Constraint_name().GetText())
	}
	named := ""
	if name != "" {
		named = " CONSTRAINT " + oraclesql.Quote(name)
	}
	kind := ""
	var body string
	switch {
	case ic.NULL_() != nil && ic.NOT() != nil:
		body, kind = " NOT NULL", "notnull"
		named = "" // PostgreSQL 15 cannot name NOT NULL constraints
	case ic.NULL_() != nil:
		return "", nil, nil
	case ic.UNIQUE() != nil:
		body, kind = " UNIQUE", "unique"
	case ic.PRIMARY() != nil:
		body, kind = " PRIMARY KEY", "primary"
	case ic.Check_constraint() != nil:
		tr.Reset()
		e, err := tr.Condition(ic.Check_constraint().Condition())
		if err != nil {
			return "", nil, fmt.Errorf("CHECK on %s: %w", col, err)
		}
		c.noteHelpers(tr)
		obj.Notes = append(obj.Notes, tr.Notes()...)
		body, kind = " CHECK ("+e+")", "check"
	case ic.References_clause() != nil:
		rc := ic.References_clause().(*plsql.References_clauseContext)
		fkSQL, deps, err := c.references(rc, nil)
		if err != nil {
			return "", nil, err
		}
		state, notes, items := constraintState(ic.Constraint_state(), "foreign", name)
		fkName := name
		if fkName == "" {
			fkName = table + "_" + col + "_fkey"
		}
		fo := &convert.Object{Kind: "constraint", Name: fkName, File: st.File, Line: st.Line, Source: oraclesql.Source(ic),
			Notes: notes, Items: items, Depends: append([]string{c.objectKey(table)}, deps...)}
		if items == nil {
			fo.SQL = []string{"ALTER TABLE " + qt + " ADD CONSTRAINT " + oraclesql.Quote(fkName) + " FOREIGN KEY (" + oraclesql.Quote(col) + ") " + fkSQL + state}
		}
		return "", &Item{Phase: PhaseConstraints, Object: fo}, nil
	}
	state, notes, items := constraintState(ic.Constraint_state(), kind, name)
	obj.Notes = append(obj.Notes, notes...)
	if items != nil {
		obj.Items = append(obj.Items, items...)
		return "", nil, nil
	}
	if kind == "notnull" {
		return body, nil, nil
	}
	return named + body + state, nil, nil
}

// references prints REFERENCES t (cols) [ON DELETE ...].
func (c *converter) references(rc *plsql.References_clauseContext, onDelete plsql.IOn_delete_clauseContext) (string, []string, error) {
	parts := idText(rc.Tableview_name())
	target := c.qname(parts...)
	if len(parts) > 1 && c.opt.Schema != "" && c.tables[oraclesql.Name(parts[len(parts)-1])] == nil {
		// A table of another Oracle schema these scripts do not create
		// (REFERENCES hr.employees from OE): it keeps its schema instead
		// of being taken for a table of the target schema.
		target = (&oraclesql.Translator{}).QualifiedName(parts...)
	}
	s := "REFERENCES " + target
	if pl := rc.Paren_column_list(); pl != nil {
		s += " (" + columnList(pl.Column_list()) + ")"
	}
	od := ""
	if rc.DELETE() != nil {
		if rc.CASCADE() != nil {
			od = " ON DELETE CASCADE"
		} else {
			od = " ON DELETE SET NULL"
		}
	}
	if onDelete != nil {
		if onDelete.CASCADE() != nil {
			od = " ON DELETE CASCADE"
		} else {
			od = " ON DELETE SET NULL"
		}
	}
	return s + od, []string{c.objectKey(parts[len(parts)-1])}, nil
}

func columnList(cl plsql.IColumn_listContext) string {
	var cols []string
	for _, cn := range cl.AllColumn_name() {
		cols = append(cols, oraclesql.Quote(lastName(cn)))
	}
	return strings.Join(cols, ", ")
}

// constraintState maps DEFERRABLE, INITIALLY, ENABLE/DISABLE,
// VALIDATE/NOVALIDATE, RELY and USING INDEX.
func constraintState(cs plsql.IConstraint_stateContext, kind, name string) (string, []string, []convert.ActionItem) {
	if cs == nil {
		return "", nil, nil
	}
	var out string
	var notes []string
	toks := oraclesql.Lex(oraclesql.Source(cs))
	label := name
	if label == "" {
		label = kind + " constraint"
	}
	for i := 0; i < len(toks); i++ {
		switch toks[i].Upper() {
		case "NOT":
			if i+1 < len(toks) && toks[i+1].Upper() == "DEFERRABLE" {
				i++
			}
		case "DEFERRABLE":
			if kind == "check" || kind == "notnull" {
				notes = append(notes, label+": DEFERRABLE dropped (PostgreSQL checks CHECK and NOT NULL constraints immediately)")
				continue
			}
			out += " DEFERRABLE"
		case "INITIALLY":
			if i+1 < len(toks) && toks[i+1].Upper() == "DEFERRED" && kind != "check" && kind != "notnull" {
				out += " INITIALLY DEFERRED"
			}
			i++
		case "DISABLE":
			return "", nil, []convert.ActionItem{{Object: label, Kind: "constraint", Source: oraclesql.Source(cs),
				Reason: "the constraint is disabled in Oracle; it is not created. Create it once the data satisfies it"}}
		case "NOVALIDATE":
			if kind == "check" || kind == "foreign" {
				out += " NOT VALID"
				notes = append(notes, label+": NOVALIDATE → NOT VALID (existing rows are not checked)")
			} else {
				notes = append(notes, label+": NOVALIDATE dropped (PostgreSQL validates existing rows)")
			}
		case "RELY", "NORELY":
			notes = append(notes, label+": "+toks[i].Upper()+" dropped")
		case "USING":
			notes = append(notes, label+": USING INDEX clause dropped (PostgreSQL builds the constraint's index)")
			return out, notes, nil
		}
	}
	return out, notes, nil
}

// constraintDef prints an out-of-line constraint. Foreign keys (and, for
// ALTER TABLE, every constraint) become objects of their own.
func (c *converter) constraintDef(table, qt string, o *plsql.Out_of_line_constraintContext, tr *oraclesql.Translator, obj *convert.Object, st Statement, alter bool) (string, *Item, error) {
	name := ""
	if o.Constraint_name() != nil {
		name = oraclesql.Name(o.Constraint_name().GetText())
	}
	kind := ""
	var body string
	var deps []string
	switch {
	case o.PRIMARY() != nil:
		kind = "primary"
		body = "PRIMARY KEY (" + columnNames(o.AllColumn_name()) + ")"
	case o.UNIQUE() != nil:
		kind = "unique"
		body = "UNIQUE (" + columnNames(o.AllColumn_name()) + ")"
	case o.Foreign_key_clause() != nil:
		kind = "foreign"
		fk := o.Foreign_key_clause().(*plsql.Foreign_key_clauseContext)
		ref, d, err := c.references(fk.References_clause().(*plsql.References_clauseContext), fk.On_delete_clause())
		if err != nil {
			return "", nil, err
		}
		deps = d
		body = "FOREIGN KEY (" + columnList(fk.Paren_column_list().Column_list()) + ") " + ref
	case o.CHECK() != nil:
		kind = "check"
		tr.Reset()
		e, err := tr.Condition(o.Condition())
		if err != nil {
			return "", nil, fmt.Errorf("CHECK %s: %w", name, err)
		}
		c.noteHelpers(tr)
		obj.Notes = append(obj.Notes, tr.Notes()...)
		body = "CHECK (" + e + ")"
	}
	state, notes, items := constraintState(o.Constraint_state(), kind, name)
	def := body + state
	if name != "" {
		def = "CONSTRAINT " + oraclesql.Quote(name) + " " + def
	}
	if kind != "foreign" && !alter {
		obj.Notes = append(obj.Notes, notes...)
		if items != nil {
			obj.Items = append(obj.Items, items...)
			return "", nil, nil
		}
		return def, nil, nil
	}
	label := name
	if label == "" {
		label = table + "_" + kind
	}
	co := &convert.Object{Kind: "constraint", Name: label, File: st.File, Line: st.Line, Source: oraclesql.Source(o),
		Notes: notes, Items: items, Depends: append([]string{c.objectKey(table)}, deps...)}
	if items == nil {
		co.SQL = []string{"ALTER TABLE " + qt + " ADD " + def}
	}
	return "", &Item{Phase: PhaseConstraints, Object: co}, nil
}

func columnNames(cns []plsql.IColumn_nameContext) string {
	var cols []string
	for _, cn := range cns {
		cols = append(cols, oraclesql.Quote(lastName(cn)))
	}
	return strings.Join(cols, ", ")
}

// ---- ALTER TABLE ----

func (c *converter) alterAdd(p *parsed) {
	a := p.alter
	table := oraclesql.Name(a.nameParts[len(a.nameParts)-1])
	qt := c.qname(a.nameParts...)
	tr := c.translator()
	for _, e := range a.elems {
		obj := newObject("constraint", table, p.st)
		obj.Source = e.text
		if e.err != nil {
			obj.Items = []convert.ActionItem{{Object: table, Kind: "constraint", Source: e.text, Reason: fmt.Sprintf("could not be parsed (%v)", e.err)}}
			c.add(PhaseNone, obj, nil)
			continue
		}
		c.alterElem(table, qt, e, tr, p.st)
	}
}

func (c *converter) alterElem(table, qt string, e *tableElem, tr *oraclesql.Translator, st Statement) {
	switch {
	case e.virtual != nil:
		obj := newObject("column", table+"."+e.virtual.name, st)
		def, err := c.virtualDef(table, e.virtual, tr, obj)
		if err != nil {
			obj.Items = []convert.ActionItem{{Object: obj.Name, Kind: "column", Source: e.text, Reason: err.Error()}}
		} else {
			obj.SQL = []string{"ALTER TABLE " + qt + " ADD COLUMN " + def}
		}
		obj.Depends = []string{c.objectKey(table)}
		c.add(PhaseTables, obj, nil)
	case e.col != nil:
		cd := e.col.(*plsql.Column_definitionContext)
		obj := newObject("column", table+"."+lastName(cd.Column_name()), st)
		def, fks, err := c.columnDef(table, qt, cd, tr, obj, st)
		if err != nil {
			obj.Items = []convert.ActionItem{{Object: obj.Name, Kind: "column", Source: e.text, Reason: err.Error()}}
		} else {
			obj.SQL = []string{"ALTER TABLE " + qt + " ADD COLUMN " + def}
		}
		obj.Depends = []string{c.objectKey(table)}
		c.add(PhaseTables, obj, nil)
		for _, fk := range fks {
			c.add(fk.Phase, fk.Object, nil)
		}
	case e.ool != nil:
		o := e.ool.(*plsql.Out_of_line_constraintContext)
		holder := newObject("constraint", table, st)
		_, it, err := c.constraintDef(table, qt, o, tr, holder, st, true)
		if err != nil {
			holder.Items = []convert.ActionItem{{Object: table, Kind: "constraint", Source: e.text, Reason: err.Error()}}
			holder.Source = e.text
			c.add(PhaseNone, holder, nil)
			return
		}
		it.Object.Notes = append(it.Object.Notes, holder.Notes...)
		c.add(it.Phase, it.Object, nil)
	default:
		obj := newObject("constraint", table, st)
		obj.Items = []convert.ActionItem{{Object: table, Kind: "table", Source: e.text, Reason: "ALTER TABLE ADD element not converted"}}
		c.add(PhaseNone, obj, nil)
	}
}

func (c *converter) alterTable(st Statement, at *plsql.Alter_tableContext) {
	parts := idText(at.Tableview_name())
	table := oraclesql.Name(parts[len(parts)-1])
	qt := c.qname(parts...)
	tr := c.translator()
	if cc := at.Constraint_clauses(); cc != nil && cc.ADD() != nil && len(cc.AllOut_of_line_constraint()) > 0 {
		for _, o := range cc.AllOut_of_line_constraint() {
			c.alterElem(table, qt, &tableElem{text: oraclesql.Source(o), ool: o}, tr, st)
		}
		return
	}
	if cl := at.Column_clauses(); cl != nil && cl.Add_modify_drop_column_clauses() != nil {
		amd := cl.Add_modify_drop_column_clauses()
		adds := amd.AllAdd_column_clause()
		if len(adds) > 0 && len(amd.AllModify_column_clauses()) == 0 && len(amd.AllDrop_column_clause()) == 0 && len(amd.AllConstraint_clauses()) == 0 {
			for _, ac := range adds {
				for _, cd := range ac.AllColumn_definition() {
					c.alterElem(table, qt, &tableElem{text: oraclesql.Source(cd), col: cd}, tr, st)
				}
			}
			return
		}
	}
	if c.alterModify(st, table, parts) {
		return
	}
	c.manual("table", table, st, "this ALTER TABLE form is not converted automatically; apply the change by hand")
}

// alterModify converts ALTER TABLE t MODIFY CONSTRAINT c <state> and
// ALTER TABLE t MODIFY (col [type] [DEFAULT e] [NOT NULL | NULL], ...);
// it reports false for other forms.
func (c *converter) alterModify(st Statement, table string, parts []string) bool {
	text := strings.TrimSpace(st.Text)
	toks := oraclesql.Lex(text)
	last := len(toks) - 1
	if last >= 0 && toks[last].Text == ";" {
		last--
	}
	i := 3
	if i < len(toks) && toks[i].Text == "." {
		i += 2
	}
	if i+1 > last || toks[i].Upper() != "MODIFY" {
		return false
	}
	i++
	if toks[i].Upper() == "CONSTRAINT" && i+2 <= last {
		name := oraclesql.Name(toks[i+1].Text)
		var words []string
		for _, t := range toks[i+2 : last+1] {
			switch t.Upper() {
			case "ENABLE", "DISABLE", "VALIDATE", "NOVALIDATE", "RELY", "NORELY":
				words = append(words, t.Upper())
			default:
				return false
			}
		}
		state := strings.Join(words, " ")
		obj := newObject("constraint", name, st)
		obj.Depends = []string{c.objectKey(table)}
		if strings.Contains(state, "DISABLE") {
			obj.Items = []convert.ActionItem{{Object: name, Kind: "constraint", Source: text,
				Reason: "Oracle disables constraint " + name + "; PostgreSQL enforces it as created: drop it (ALTER TABLE ... DROP CONSTRAINT) if the data must not be checked, or keep it"}}
		} else {
			obj.Notes = []string{"skipped: MODIFY CONSTRAINT ... " + state + ": the PostgreSQL constraint is enforced and was validated when created (NOVALIDATE and RELY have no PostgreSQL counterpart)"}
		}
		c.add(PhaseNone, obj, nil)
		return true
	}
	runes := []rune(text)
	var elems [][2]int
	if toks[i].Text == "(" {
		end := oraclesql.Matching(toks, i)
		if end != last {
			return false
		}
		elems = oraclesql.SplitTop(toks, i+1, end-1)
	} else {
		elems = [][2]int{{i, last}}
	}
	qt := c.qname(parts...)
	tr := c.translator()
	for _, se := range elems {
		etext := Slice(runes, toks, se[0], se[1])
		col := oraclesql.Name(toks[se[0]].Text)
		obj := newObject("column", table+"."+col, st)
		obj.Source = etext
		obj.Depends = []string{c.objectKey(table)}
		sqls, err := c.modifyColumn(table, qt, col, etext, tr, obj)
		if err != nil {
			obj.Items = []convert.ActionItem{{Object: obj.Name, Kind: "column", Source: etext, Reason: "ALTER TABLE MODIFY: " + err.Error() + "; apply the change by hand"}}
		}
		obj.SQL = sqls
		if err == nil && len(sqls) == 0 {
			c.add(PhaseNone, obj, tr)
			continue
		}
		c.add(PhaseTables, obj, tr)
	}
	return true
}

// modifyColumn converts one MODIFY element: the new type (if it maps to
// another PostgreSQL type), DEFAULT, NOT NULL / NULL.
func (c *converter) modifyColumn(table, qt, col, text string, tr *oraclesql.Translator, obj *convert.Object) ([]string, error) {
	cd, err := oraclesql.ParseRule(text, (*plsql.PlSqlParser).Column_definition)
	if err != nil {
		return nil, fmt.Errorf("could not be parsed (%v)", err)
	}
	qc := qt + " ALTER COLUMN " + oraclesql.Quote(col)
	var out []string
	cdc := cd.(*plsql.Column_definitionContext)
	if cdc.Datatype() != nil || cdc.Regular_id() != nil {
		typ, err := c.mapColumnType(table, col, cdc, obj)
		if err != nil {
			return nil, err
		}
		old := ""
		if ti := c.tables[table]; ti != nil && ti.cols[col] != nil {
			old = ti.cols[col].sql
		}
		if typ == old {
			obj.Notes = append(obj.Notes, fmt.Sprintf("%s: the new type maps to %s, the column's PostgreSQL type already", col, typ))
		} else {
			out = append(out, "ALTER TABLE "+qc+" TYPE "+typ+" USING "+oraclesql.Quote(col)+"::"+typ)
			if ti := c.tables[table]; ti != nil && ti.cols[col] != nil {
				ti.cols[col].sql = typ
			}
		}
	}
	if cdc.DEFAULT() != nil {
		tr.Reset()
		e, err := tr.Expr(cdc.Expression())
		if err != nil {
			return nil, fmt.Errorf("DEFAULT of %s: %w", col, err)
		}
		c.noteHelpers(tr)
		out = append(out, "ALTER TABLE "+qc+" SET DEFAULT "+e)
	}
	for _, icx := range cdc.AllInline_constraint() {
		ic := icx.(*plsql.Inline_constraintContext)
		switch {
		case ic.NULL_() != nil && ic.NOT() != nil:
			out = append(out, "ALTER TABLE "+qc+" SET NOT NULL")
		case ic.NULL_() != nil:
			out = append(out, "ALTER TABLE "+qc+" DROP NOT NULL")
		default:
			return nil, fmt.Errorf("inline constraint %s in MODIFY is not converted", oraclesql.Source(ic))
		}
	}
	return out, nil
}
