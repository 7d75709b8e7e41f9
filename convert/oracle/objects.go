package oracle

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bytebase/parser/plsql"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oraclesql"
)

// ---- indexes ----

func (c *converter) createIndex(st Statement, ci *plsql.Create_indexContext) {
	name := lastName(ci.Index_name())
	obj := newObject("index", name, st)
	tic := ci.Table_index_clause()
	if tic == nil {
		c.manual("index", name, st, "cluster and bitmap join indexes have no PostgreSQL equivalent; index the join columns of each table")
		return
	}
	tparts := idText(tic.Tableview_name())
	table := oraclesql.Name(tparts[len(tparts)-1])
	obj.Depends = []string{c.objectKey(table)}
	if ci.UNIQUE() != nil {
		if t, ok := c.keyNames[name]; ok && t == table {
			// Oracle builds a key on an existing index of the same name;
			// PostgreSQL builds the constraint's own index under that name.
			obj.Notes = nil
			obj.Status = convert.StatusAuto
			obj.SQL = nil
			c.items = append(c.items, Item{Phase: PhaseNone, Object: withSchema(obj, c.opt.Schema)})
			return
		}
	}
	tr := c.translator()
	tr.Immutable = true
	var cols []string
	for _, eo := range tic.AllIndex_expr_option() {
		ie := eo.Index_expr()
		var s string
		if ie.Column_name() != nil {
			s = oraclesql.Quote(lastName(ie.Column_name()))
		} else {
			tr.Reset()
			tr.Immutable = true
			e, err := tr.Expr(ie.Expression())
			if err != nil {
				c.manual("index", name, st, "index expression: "+err.Error())
				return
			}
			c.noteHelpers(tr)
			obj.Notes = append(obj.Notes, tr.Notes()...)
			if isPlainColumn(e) {
				s = e
			} else {
				s = "(" + e + ")"
			}
		}
		if eo.DESC() != nil {
			s += " DESC"
		}
		cols = append(cols, s)
	}
	if ti := c.tables[table]; ci.UNIQUE() != nil && ti != nil && len(ti.partCols) > 0 {
		var icols []string
		for _, col := range cols {
			icols = append(icols, oraclesql.Name(strings.Trim(strings.TrimSuffix(col, " DESC"), `"`)))
		}
		if missing := missingCols(ti.partCols, icols); missing != "" {
			c.manual("index", name, st, "unique index on partitioned table "+table+" without its partition key ("+missing+"): PostgreSQL enforces uniqueness per partition only, so a unique index must include the partition key; add the partition columns or enforce the uniqueness otherwise")
			return
		}
	}
	if ci.BITMAP() != nil {
		obj.Notes = append(obj.Notes, "bitmap index created as a btree index (PostgreSQL builds bitmaps at query time)")
	}
	if ip := tic.Index_properties(); ip != nil {
		text := oraclesql.Source(ip)
		if ip.INDEXTYPE() != nil {
			c.manual("index", name, st, "domain index (INDEXTYPE IS "+oneLine(text)+"): use a PostgreSQL full-text (GIN tsvector) or extension index")
			return
		}
		up := strings.ToUpper(text)
		if strings.Contains(up, "REVERSE") {
			obj.Notes = append(obj.Notes, "REVERSE key index created as a plain btree index")
		}
		obj.Notes = append(obj.Notes, "dropped index properties: "+oneLine(text))
	}
	unique := ""
	if ci.UNIQUE() != nil {
		unique = "UNIQUE "
	}
	obj.SQL = []string{"CREATE " + unique + "INDEX " + oraclesql.Quote(name) + " ON " + c.qname(tparts...) + " (" + strings.Join(cols, ", ") + ")"}
	if c.views[table] && c.tables[table] == nil {
		// An index on a materialized view runs after the view.
		c.add(PhaseViews, obj, nil)
		return
	}
	c.add(PhaseIndexes, obj, nil)
}

func withSchema(o *convert.Object, schema string) *convert.Object {
	if o.Schema == "" {
		o.Schema = schema
	}
	return o
}

var plainColumn = regexp.MustCompile(`^"[^"]+"$`)

func isPlainColumn(s string) bool { return plainColumn.MatchString(s) }

// ---- comments ----

func (c *converter) commentTable(st Statement, ct *plsql.Comment_on_tableContext) {
	parts := idText(ct.Tableview_name())
	name := oraclesql.Name(parts[len(parts)-1])
	obj := newObject("comment", name, st)
	kind := "TABLE"
	if c.views[name] {
		kind = "VIEW"
	}
	obj.Depends = []string{c.objectKey(name)}
	obj.SQL = []string{"COMMENT ON " + kind + " " + c.qname(parts...) + " IS " + commentText(ct.Quoted_string())}
	c.add(PhaseComments, obj, nil)
}

func (c *converter) commentColumn(st Statement, cc *plsql.Comment_on_columnContext) {
	parts := idText(cc.Column_name())
	if len(parts) < 2 {
		c.manual("comment", "", st, "COMMENT ON COLUMN needs table.column")
		return
	}
	col := oraclesql.Name(parts[len(parts)-1])
	tparts := parts[:len(parts)-1]
	table := oraclesql.Name(tparts[len(tparts)-1])
	obj := newObject("comment", table+"."+col, st)
	obj.Depends = []string{c.objectKey(table)}
	obj.SQL = []string{"COMMENT ON COLUMN " + c.qname(tparts...) + "." + oraclesql.Quote(col) + " IS " + commentText(cc.Quoted_string())}
	c.add(PhaseComments, obj, nil)
}

func commentText(q plsql.IQuoted_stringContext) string {
	v, ok := oraclesql.StringValue(q.GetText())
	if !ok || v == "" {
		return "NULL"
	}
	return oraclesql.QuoteString(v)
}

// ---- sequences ----

func (c *converter) createSequence(st Statement, cs *plsql.Create_sequenceContext) {
	parts := idText(cs.Sequence_name())
	name := oraclesql.Name(parts[len(parts)-1])
	obj := newObject("sequence", name, st)
	var opts []string
	for _, sp := range cs.AllSequence_spec() {
		toks := oraclesql.Lex(oraclesql.Source(sp))
		if len(toks) == 0 {
			continue
		}
		u := toks[0].Upper()
		arg := ""
		if len(toks) > 1 {
			arg = toks[len(toks)-1].Text
		}
		switch u {
		case "INCREMENT":
			opts = append(opts, "INCREMENT BY "+arg)
		case "START":
			if big(arg) {
				c.manual("sequence", name, st, "START WITH "+arg+" is beyond bigint")
				return
			}
			opts = append(opts, "START WITH "+arg)
		case "MAXVALUE":
			if big(arg) {
				obj.Notes = append(obj.Notes, "MAXVALUE "+arg+" is beyond bigint: no MAXVALUE (bigint's maximum applies)")
				opts = append(opts, "NO MAXVALUE")
			} else {
				opts = append(opts, "MAXVALUE "+arg)
			}
		case "MINVALUE":
			if big(arg) {
				obj.Notes = append(obj.Notes, "MINVALUE "+arg+" is beyond bigint: no MINVALUE")
				opts = append(opts, "NO MINVALUE")
			} else {
				opts = append(opts, "MINVALUE "+arg)
			}
		case "NOMAXVALUE":
			opts = append(opts, "NO MAXVALUE")
		case "NOMINVALUE":
			opts = append(opts, "NO MINVALUE")
		case "CYCLE":
			opts = append(opts, "CYCLE")
		case "NOCYCLE":
			opts = append(opts, "NO CYCLE")
		case "CACHE":
			opts = append(opts, "CACHE "+arg)
		case "NOCACHE":
			obj.Notes = append(obj.Notes, "NOCACHE dropped (CACHE 1, PostgreSQL's default, has the same effect)")
		case "ORDER":
			obj.Notes = append(obj.Notes, "ORDER dropped (a PostgreSQL sequence hands out values in order on one server)")
		case "NOORDER", "NOKEEP", "NOSCALE", "NOSHARD":
		default:
			obj.Notes = append(obj.Notes, u+" dropped (no PostgreSQL equivalent)")
		}
	}
	s := "CREATE SEQUENCE " + c.qname(parts...) + " AS bigint"
	if len(opts) > 0 {
		s += " " + strings.Join(opts, " ")
	}
	obj.SQL = []string{s}
	c.add(PhaseSequences, obj, nil)
}

// ---- views ----

func (c *converter) createView(st Statement, cv *plsql.Create_viewContext) {
	var parts []string
	if cv.Schema_name() != nil {
		parts = append(parts, cv.Schema_name().GetText())
	}
	parts = append(parts, cv.GetV().GetText())
	name := oraclesql.Name(parts[len(parts)-1])
	obj := newObject("view", name, st)
	cols := ""
	if vo := cv.View_options(); vo != nil {
		va := vo.View_alias_constraint()
		if va == nil {
			c.manual("view", name, st, "object and XMLType views have no PostgreSQL equivalent")
			return
		}
		var names []string
		for _, a := range va.AllTable_alias() {
			names = append(names, oraclesql.Quote(oraclesql.Name(a.GetText())))
		}
		if len(va.AllInline_constraint()) > 0 || len(va.AllOut_of_line_constraint()) > 0 {
			obj.Notes = append(obj.Notes, "view constraints dropped (declarative only in Oracle)")
		}
		cols = " (" + strings.Join(names, ", ") + ")"
	}
	tr := c.translator()
	q, err := tr.Node(cv.Select_only_statement())
	if err != nil {
		obj.Items = []convert.ActionItem{{Object: name, Kind: "view", Source: st.Text, Reason: err.Error()}}
		c.add(PhaseNone, obj, tr)
		return
	}
	tail := ""
	if r := cv.Subquery_restriction_clause(); r != nil {
		if r.READ() != nil {
			obj.Notes = append(obj.Notes, "WITH READ ONLY dropped: revoke INSERT, UPDATE, DELETE on the view to keep it read-only")
		} else {
			tail = " WITH CHECK OPTION"
			if r.CONSTRAINT() != nil {
				obj.Notes = append(obj.Notes, "WITH CHECK OPTION constraint name dropped")
			}
		}
	}
	if cv.FORCE() != nil && cv.NO() == nil {
		obj.Notes = append(obj.Notes, "FORCE dropped: the view is created after the objects it reads")
	}
	for _, ref := range oraclesql.TablesRead(cv.Select_only_statement()) {
		obj.Depends = appendUnique(obj.Depends, c.objectKey(ref))
	}
	obj.SQL = []string{"CREATE OR REPLACE VIEW " + c.qname(parts...) + cols + " AS\n" + q + tail}
	c.add(PhaseViews, obj, tr)
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func (c *converter) createMaterializedView(st Statement, mv *plsql.Create_materialized_viewContext) {
	parts := idText(mv.Tableview_name())
	name := oraclesql.Name(parts[len(parts)-1])
	obj := newObject("materialized view", name, st)
	tr := c.translator()
	q, err := tr.Node(mv.Select_only_statement())
	if err != nil {
		obj.Items = []convert.ActionItem{{Object: name, Kind: "view", Source: st.Text, Reason: err.Error()}}
		c.add(PhaseNone, obj, tr)
		return
	}
	if mv.Create_mv_refresh() != nil {
		obj.Notes = append(obj.Notes, "refresh clause dropped ("+oneLine(oraclesql.Source(mv.Create_mv_refresh()))+"): run REFRESH MATERIALIZED VIEW on a schedule")
	}
	for _, ref := range oraclesql.TablesRead(mv.Select_only_statement()) {
		obj.Depends = appendUnique(obj.Depends, c.objectKey(ref))
	}
	obj.SQL = []string{"CREATE MATERIALIZED VIEW " + c.qname(parts...) + " AS\n" + q}
	c.add(PhaseViews, obj, tr)
}

// ---- synonyms ----

func (c *converter) createSynonym(st Statement, cs *plsql.Create_synonymContext) {
	syn := oraclesql.Name(cs.Synonym_name().GetText())
	obj := newObject("synonym", syn, st)
	target := oraclesql.Name(cs.Schema_object_name().GetText())
	if cs.AT_SIGN() != nil {
		c.manual("synonym", syn, st, "synonym for a remote object (database link): use postgres_fdw foreign tables")
		return
	}
	var tparts []string
	if n := len(cs.AllSchema_name()); n > 0 {
		tparts = append(tparts, cs.Schema_name(n-1).GetText())
	}
	tparts = append(tparts, cs.Schema_object_name().GetText())
	public := ""
	if cs.PUBLIC() != nil {
		public = "public "
	}
	known := c.tables[target] != nil || c.views[target] || c.seqs[target]
	if syn == target && (len(tparts) == 1 || (known && c.opt.Schema != "")) {
		// CREATE PUBLIC SYNONYM x FOR x (x a table, a package, ...): the
		// object keeps its name in the target schema.
		c.skipped("synonym", syn, st, public+"synonym "+syn+" names an object of the same name in the target schema")
		return
	}
	if c.tables[target] != nil || c.views[target] {
		obj.Notes = append(obj.Notes, public+"synonym "+syn+" created as a view on "+target+" (simple views are updatable)")
		obj.SQL = []string{"CREATE OR REPLACE VIEW " + c.qname(syn) + " AS SELECT * FROM " + c.qname(tparts...)}
		obj.Depends = []string{c.objectKey(target)}
		c.add(PhaseViews, obj, nil)
		return
	}
	c.manual("synonym", syn, st, fmt.Sprintf("%ssynonym for %s, which these scripts do not create: add its schema to search_path, or create a view (tables, views) or a wrapper function (routines)", public, strings.Join(tparts, ".")))
}

// ---- the trigger + sequence identity pattern ----

var identityBody = regexp.MustCompile(`^BEGIN (?:IF :NEW \. (\S+) IS NULL THEN )?(?::NEW \. (\S+) := (\S+(?: \. \S+)?) \. NEXTVAL ;|SELECT (\S+(?: \. \S+)?) \. NEXTVAL INTO :NEW \. (\S+) FROM DUAL ;)(?: END IF ;)? END(?: \S+)?(?: ;)?$`)

// identityTrigger recognizes BEFORE INSERT ... FOR EACH ROW triggers whose
// only statement sets :new.col from seq.NEXTVAL (the pre-12c identity
// idiom) and turns them into a column default.
func (c *converter) identityTrigger(st Statement, ct *plsql.Create_triggerContext) bool {
	sdt := ct.Simple_dml_trigger()
	if sdt == nil || sdt.BEFORE() == nil || sdt.For_each_row() == nil || sdt.Referencing_clause() != nil {
		return false
	}
	ev := sdt.Dml_event_clause()
	els := ev.AllDml_event_element()
	if len(els) != 1 || els[0].INSERT() == nil {
		return false
	}
	// Normalize the body to upper-case tokens joined by spaces.
	toks := oraclesql.Lex(oraclesql.Source(ct.Trigger_body()))
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.Upper()
	}
	m := identityBody.FindStringSubmatch(strings.Join(words, " "))
	if m == nil {
		return false
	}
	col, seq := m[2], m[3]
	if col == "" {
		col, seq = m[5], m[4]
	}
	if m[1] != "" && m[1] != col {
		return false
	}
	conditional := m[1] != ""
	if w := ct.Trigger_when_clause(); w != nil {
		wt := strings.ToUpper(strings.Join(strings.Fields(oraclesql.Source(w.Condition())), " "))
		if wt != "NEW."+col+" IS NULL" && wt != ":NEW."+col+" IS NULL" {
			return false
		}
		conditional = true
	}
	tparts := idText(ev.Tableview_name())
	table := oraclesql.Name(tparts[len(tparts)-1])
	colName := oraclesql.Name(col)
	seqParts := strings.Split(strings.ReplaceAll(seq, " ", ""), ".")
	qseq := c.qname(seqParts...)
	name := lastName(ct.Trigger_name())
	obj := newObject("trigger", name, st)
	obj.Depends = []string{c.objectKey(table), c.objectKey(seqParts[len(seqParts)-1])}
	obj.SQL = []string{
		"ALTER TABLE " + c.qname(tparts...) + " ALTER COLUMN " + oraclesql.Quote(colName) + " SET DEFAULT nextval(" + oraclesql.QuoteString(qseq) + ")",
		"ALTER SEQUENCE " + qseq + " OWNED BY " + c.qname(tparts...) + "." + oraclesql.Quote(colName),
	}
	note := fmt.Sprintf("identity trigger replaced by DEFAULT nextval('%s') on %s.%s", qseq, table, colName)
	if !conditional {
		note += "; Oracle's trigger overwrote an explicit value, the default keeps it"
	}
	obj.Notes = []string{note}
	c.identity[table+"."+colName] = qseq
	c.add(PhaseConstraints, obj, nil)
	return true
}

// createType converts an object type of attributes only (CREATE TYPE x AS
// OBJECT (a NUMBER, b VARCHAR2(10))) to a composite type; other type
// statements are action items saying what to do instead.
func (c *converter) createType(st Statement, ct *plsql.Create_typeContext) {
	if tb := ct.Type_body(); tb != nil {
		name := oraclesql.Name(lastOf(idText(tb.Type_name())))
		c.manual("type body", name, st, "object type methods have no PostgreSQL equivalent: write each method as a function taking the type's composite value as its first argument")
		return
	}
	td := ct.Type_definition()
	parts := idText(td.Type_name())
	name := oraclesql.Name(lastOf(parts))
	otd := td.Object_type_def()
	if otd == nil {
		c.skipped("type", name, st, "incomplete type declaration (forward reference): the full CREATE TYPE creates it")
		return
	}
	if otd.Object_under_part() != nil {
		c.manual("type", name, st, "subtype (UNDER ...): PostgreSQL has no type inheritance; create a composite type with the supertype's attributes followed by the subtype's")
		return
	}
	oap := otd.Object_as_part()
	if oap.Varray_type_def() != nil || oap.Nested_table_type_def() != nil {
		c.collectionType(st, ct, name, parts, oap)
		return
	}
	if otd.Sqlj_object_type() != nil {
		c.manual("type", name, st, "SQLJ object type (EXTERNAL NAME ... LANGUAGE JAVA): no PostgreSQL equivalent")
		return
	}
	var attrs []string
	for _, m := range otd.AllObject_member_spec() {
		if m.Element_spec() != nil {
			c.manual("type", name, st, "object type "+name+" with methods (MEMBER/STATIC functions or procedures, constructors): create a composite type of its attributes (CREATE TYPE "+name+" AS (...)) and write each method as a function taking it as its first argument")
			return
		}
		attr := oraclesql.Name(m.Identifier().GetText())
		typ, err := c.attrType(m.Type_spec())
		if err != nil {
			c.manual("type", name, st, fmt.Sprintf("attribute %s of object type %s: %v", attr, name, err))
			return
		}
		attrs = append(attrs, oraclesql.Quote(attr)+" "+typ)
	}
	if len(attrs) == 0 {
		c.manual("type", name, st, "object type without attributes: no PostgreSQL equivalent")
		return
	}
	obj := newObject("type", name, st)
	q := c.qname(parts...)
	obj.SQL = []string{"CREATE TYPE " + q + " AS (" + strings.Join(attrs, ", ") + ")"}
	obj.Notes = append(obj.Notes, "object type "+name+" became a composite type: build values with ROW(...)::"+name+" instead of the constructor "+name+"(...); NOT FINAL/NOT INSTANTIABLE and type evolution do not apply")
	if ct.REPLACE() != nil {
		obj.Notes = append(obj.Notes, "CREATE OR REPLACE TYPE became CREATE TYPE (PostgreSQL replaces no type: drop it first to change it)")
	}
	c.types[name] = q
	c.add(PhaseTables, obj, nil)
}

// collectionType converts CREATE TYPE x AS VARRAY(n) OF t / AS TABLE OF
// t to a domain over an array of t's PostgreSQL type (with a cardinality
// check for VARRAY(n)), usable as a column or attribute type.
func (c *converter) collectionType(st Statement, ct *plsql.Create_typeContext, name string, parts []string, oap plsql.IObject_as_partContext) {
	var ts plsql.IType_specContext
	check := ""
	kind := "nested table type"
	if va := oap.Varray_type_def(); va != nil {
		ts = va.Type_spec()
		kind = "VARRAY type"
		if e := va.Expression(); e != nil {
			n := strings.TrimSpace(oraclesql.Source(e))
			if !isNumeric(n) {
				c.manual("type", name, st, "VARRAY("+n+"): the limit is not a number; declare an array of the element type (element[]) where it is used")
				return
			}
			check = " CHECK (cardinality(VALUE) <= " + n + ")"
		}
	} else {
		ts = oap.Nested_table_type_def().Type_spec()
	}
	elem, err := c.attrType(ts)
	if err != nil {
		c.manual("type", name, st, "collection type "+name+" of "+oraclesql.Source(ts)+": "+err.Error()+"; where it is used, declare an array of a PostgreSQL type or a child table")
		return
	}
	obj := newObject("type", name, st)
	q := c.qname(parts...)
	obj.SQL = []string{"CREATE DOMAIN " + q + " AS " + elem + "[]" + check}
	obj.Notes = append(obj.Notes, kind+" "+name+" became a domain over the array "+elem+"[]: build values with ARRAY[...]::"+name+" instead of the constructor "+name+"(...), index elements with v[i] (1-based, as in Oracle); a column of this type holds the collection inline (no NESTED TABLE storage)")
	if ct.REPLACE() != nil {
		obj.Notes = append(obj.Notes, "CREATE OR REPLACE TYPE became CREATE DOMAIN (drop it first to change it)")
	}
	c.types[name] = q
	c.collections[name] = true
	c.add(PhaseTables, obj, nil)
}

// attrType maps the type of an object type's attribute: a built-in type
// or an object type converted before.
func (c *converter) attrType(ts plsql.IType_specContext) (string, error) {
	if ts.Datatype() != nil {
		m, err := oraclesql.MapType(ts.Datatype())
		if err != nil {
			return "", err
		}
		return m.SQL, nil
	}
	if ts.PERCENT_TYPE() != nil || ts.PERCENT_ROWTYPE() != nil || ts.REF() != nil {
		return "", fmt.Errorf("%s: %%TYPE, %%ROWTYPE and REF attributes have no PostgreSQL equivalent", oraclesql.Source(ts))
	}
	text := oraclesql.Source(ts)
	if q, ok := c.types[oraclesql.Name(lastOf(strings.Split(text, ".")))]; ok {
		return q, nil
	}
	if owner, typ, ok := strings.Cut(text, "."); ok && systemOwner(owner) {
		text = strings.TrimSpace(typ)
	}
	m, err := oraclesql.ParseType(text)
	if err != nil {
		return "", fmt.Errorf("type %s is neither an Oracle built-in type nor an object type created earlier in the scripts", text)
	}
	return m.SQL, nil
}

func lastOf(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

// systemOwner reports whether an owner qualifying a type name is one of
// Oracle's own schemas (SYS.XMLTYPE, PUBLIC.XMLTYPE, MDSYS.SDO_GEOMETRY).
func systemOwner(owner string) bool {
	switch strings.ToUpper(strings.TrimSpace(owner)) {
	case "SYS", "PUBLIC", "MDSYS", "XDB", "ORDSYS", "CTXSYS":
		return true
	}
	return false
}
