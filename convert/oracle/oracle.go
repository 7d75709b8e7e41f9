// Package oracle converts Oracle DDL scripts (tables, constraints,
// indexes, sequences, views, comments, synonyms, identity triggers) into
// PostgreSQL statements, one convert.Object per source object.
//
// Input is a list of statements as a SQL*Plus script splitter yields them
// (source/sqlplus). Each statement is parsed on its own with the ANTLR
// Oracle grammar, so a syntax error is located (file:line) and does not
// stop the others. Expressions (defaults, checks, index expressions, view
// queries) go through convert/oraclesql.
//
// Nothing is dropped silently: a clause PostgreSQL has no use for
// (TABLESPACE, STORAGE, LOGGING, ...) is dropped with a note; what cannot
// be converted becomes an action item with the original text and the
// reason. docs/oracle.md lists every rule.
package oracle

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bytebase/parser/plsql"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oraclesql"
)

// Statement is one statement of an Oracle script.
type Statement struct {
	Text  string // without the terminating ; or /
	File  string
	Line  int  // 1-based line of the statement's first line
	PLSQL bool // a PL/SQL unit (ended by / in SQL*Plus)
}

// Phase orders the target statements; each phase is one output file.
type Phase int

// The phases, in the order they run.
const (
	PhaseSchema      Phase = iota // 00-schema.sql: schema, ferry_ora helpers
	PhaseSequences                // 01-sequences.sql
	PhaseTables                   // 02-tables.sql
	PhaseConstraints              // 03-constraints.sql: keys, checks, FKs, defaults from identity triggers
	PhaseIndexes                  // 04-indexes.sql
	PhaseViews                    // 05-views.sql: views, synonyms
	PhaseCode                     // 06-code.sql: functions, procedures, triggers, packages
	PhaseComments                 // 07-comments.sql
	PhaseNone                     // nothing to run (skipped statements, action items only)
)

// FileName returns the output file name of a phase.
func (p Phase) FileName() string {
	switch p {
	case PhaseSchema:
		return "00-schema.sql"
	case PhaseSequences:
		return "01-sequences.sql"
	case PhaseTables:
		return "02-tables.sql"
	case PhaseConstraints:
		return "03-constraints.sql"
	case PhaseIndexes:
		return "04-indexes.sql"
	case PhaseViews:
		return "05-views.sql"
	case PhaseCode:
		return "06-code.sql"
	case PhaseComments:
		return "07-comments.sql"
	}
	return ""
}

// Item is a converted object and the phase its statements run in.
type Item struct {
	Phase  Phase
	Object *convert.Object
}

// UnitConverter converts statements this package leaves to others
// (procedures, functions, packages, triggers other than the identity
// pattern, types: the PL/SQL converter, convert/plsql). It returns
// handled=false for statements that are not its kind. Its objects run in
// PhaseCode; it may amend objects it returned earlier (ALTER TRIGGER).
type UnitConverter func(st Statement) (objs []*convert.Object, handled bool)

// Options tune the conversion.
type Options struct {
	// Schema is the target schema: objects are created in it and every
	// Oracle schema qualifier maps to it. "" keeps the Oracle schema names
	// (lower cased) and leaves unqualified names to the search_path.
	Schema string
	// Converters handle PL/SQL units, in order.
	Converters []UnitConverter
	// Shared, when set, collects the tables' column types and the
	// ferry_ora helpers the output needs, for the PL/SQL converter's
	// translator (PLSQLTranslator) to use and add to.
	Shared *Shared
}

// Shared is what the schema converter and the PL/SQL converter's
// translator share during one conversion.
type Shared struct {
	tables  map[string]*tableInfo
	helpers map[string]bool
}

// NewShared returns an empty Shared.
func NewShared() *Shared {
	return &Shared{tables: map[string]*tableInfo{}, helpers: map[string]bool{}}
}

// ColumnType returns the Oracle type of table.column seen so far ("JSON"
// for IS JSON columns made jsonb), or "".
func (s *Shared) ColumnType(table, column string) string {
	t := s.tables[table]
	if t == nil {
		return ""
	}
	col := t.cols[column]
	if col == nil {
		return ""
	}
	if col.json {
		return "JSON"
	}
	return col.oracle
}

// Result is the conversion of a set of scripts.
type Result struct {
	Items []Item
	// Helpers are the ferry_ora functions the converted SQL calls.
	Helpers []string
}

// ByPhase returns the items of each phase in source order.
func (r *Result) ByPhase() map[Phase][]Item {
	out := map[Phase][]Item{}
	for _, it := range r.Items {
		out[it.Phase] = append(out[it.Phase], it)
	}
	return out
}

// ActionItems returns the objects that carry action items.
func (r *Result) ActionItems() []*convert.Object {
	var out []*convert.Object
	for _, it := range r.Items {
		if len(it.Object.Items) > 0 {
			out = append(out, it.Object)
		}
	}
	return out
}

// converter holds the state of one conversion.
type converter struct {
	opt    Options
	tables map[string]*tableInfo // by lower-case name
	views  map[string]bool
	seqs   map[string]bool
	// pkIndexes are constraint names of PRIMARY KEY / UNIQUE constraints:
	// a unique index of the same name is the constraint's own index.
	keyNames map[string]string // constraint name → table
	// identity maps table.column → sequence from identity triggers.
	identity map[string]string
	helpers  map[string]bool
	items    []Item
	// types are the object types made composite types: name → qualified.
	types map[string]string
	// collections are the types of types that are domains over arrays.
	collections map[string]bool
	// partNames are the table names given to partitions.
	partNames map[string]bool
	// fks are the foreign keys declared (scan), and typeOverride the
	// column types they impose: table.column → PostgreSQL type.
	fks          []fkSpec
	typeOverride map[string]string
}

// fkSpec is a foreign key as declared: table (cols) → ref (refCols; none:
// the referenced table's primary key).
type fkSpec struct {
	table, ref    string
	cols, refCols []string
}

type tableInfo struct {
	name  string
	cols  map[string]*colInfo
	order []string
	// keys are the columns of its primary key and unique constraints (a
	// partitioned table's keys must include the partition key).
	keys [][]string
	pk   []string
	// partCols is the partition key of a table created partitioned.
	partCols []string
}

type colInfo struct {
	name   string
	oracle string // upper-case Oracle type name
	sql    string // the PostgreSQL type it maps to, when known
	json   bool   // has an IS JSON check: becomes jsonb
}

type parsed struct {
	st   Statement
	unit plsql.IUnit_statementContext
	err  error
	// table is set for CREATE TABLE statements parsed in parts.
	table *tableParts
	// alters are the parts of ALTER TABLE ... ADD (a, b).
	alter *alterParts
	// objectView is the name of an object view (CREATE VIEW v OF type).
	objectView string
}

// Convert converts the statements of one or more scripts.
func Convert(stmts []Statement, opt Options) *Result {
	c := newConverter(opt)
	ps := make([]*parsed, 0, len(stmts))
	for _, st := range stmts {
		ps = append(ps, c.parse(st))
	}
	for _, p := range ps {
		c.scan(p)
	}
	c.resolveFKTypes()
	for _, p := range ps {
		c.convert(p)
	}
	c.holdDependents()
	r := &Result{Items: c.items}
	for h := range c.helpers {
		r.Helpers = append(r.Helpers, h)
	}
	sort.Strings(r.Helpers)
	schema := []string{}
	if opt.Schema != "" {
		schema = append(schema, "CREATE SCHEMA IF NOT EXISTS "+oraclesql.Quote(opt.Schema))
	}
	if len(r.Helpers) > 0 {
		schema = append(schema, oraclesql.CompatSQL(r.Helpers)...)
	}
	if len(schema) > 0 {
		obj := &convert.Object{Kind: "schema", Name: opt.Schema, SQL: schema, Status: convert.StatusAuto}
		if obj.Name == "" {
			obj.Name = oraclesql.CompatSchema
		}
		r.Items = append([]Item{{Phase: PhaseSchema, Object: obj}}, r.Items...)
	}
	return r
}

func newConverter(opt Options) *converter {
	sh := opt.Shared
	if sh == nil {
		sh = NewShared()
	}
	return &converter{
		opt:      opt,
		tables:   sh.tables,
		views:    map[string]bool{},
		seqs:     map[string]bool{},
		keyNames: map[string]string{},
		identity: map[string]string{},
		helpers:  sh.helpers,
		types:    map[string]string{},

		partNames:    map[string]bool{},
		collections:  map[string]bool{},
		typeOverride: map[string]string{},
	}
}

// translator returns a SQL translator for the target.
func (c *converter) translator() *oraclesql.Translator {
	return &oraclesql.Translator{Schema: c.opt.Schema, ColumnType: c.columnType}
}

func (c *converter) columnType(table, column string) string {
	return (&Shared{tables: c.tables}).ColumnType(table, column)
}

// qname returns the quoted target name of an object.
func (c *converter) qname(parts ...string) string {
	tr := oraclesql.Translator{Schema: c.opt.Schema}
	return tr.QualifiedName(parts...)
}

// objectKey is the Depends form of a name: "schema.name" lower case.
func (c *converter) objectKey(name string) string {
	s := c.opt.Schema
	if s == "" {
		s = "public"
	}
	return s + "." + oraclesql.Name(name)
}

// add records a converted object.
func (c *converter) add(ph Phase, obj *convert.Object, tr *oraclesql.Translator) {
	if tr != nil {
		obj.Notes = append(obj.Notes, tr.Notes()...)
		for _, h := range tr.Helpers() {
			c.helpers[h] = true
		}
	}
	if obj.Schema == "" {
		obj.Schema = c.opt.Schema
	}
	switch {
	case len(obj.Items) > 0:
		obj.Status = convert.StatusManual
	case obj.Status != "":
	case len(obj.Notes) > 0:
		obj.Status = convert.StatusWarnings
	default:
		obj.Status = convert.StatusAuto
	}
	if len(obj.SQL) == 0 && ph != PhaseNone && len(obj.Items) > 0 {
		ph = PhaseNone
	}
	c.items = append(c.items, Item{Phase: ph, Object: obj})
}

func newObject(kind, name string, st Statement) *convert.Object {
	return &convert.Object{Kind: kind, Name: name, File: st.File, Line: st.Line, Source: st.Text}
}

// manual records a statement that needs manual work.
func (c *converter) manual(kind, name string, st Statement, reason string) {
	obj := newObject(kind, name, st)
	obj.Items = []convert.ActionItem{{Object: name, Kind: kind, Source: st.Text, Reason: reason}}
	c.add(PhaseNone, obj, nil)
}

// skipped records a statement with no PostgreSQL counterpart to run.
func (c *converter) skipped(kind, name string, st Statement, why string) {
	obj := newObject(kind, name, st)
	obj.Notes = []string{"skipped: " + why}
	c.add(PhaseNone, obj, nil)
}

// parse parses one statement; CREATE TABLE and ALTER TABLE ... ADD (...)
// are taken apart first (the grammar misses some of their forms).
func (c *converter) parse(st Statement) *parsed {
	p := &parsed{st: st}
	text := strings.TrimSpace(st.Text)
	toks := oraclesql.Lex(text)
	if len(toks) >= 2 && toks[0].Upper() == "CREATE" && isCreateTable(toks) {
		p.table, p.err = splitCreateTable(text, toks)
		return p
	}
	if a, ok := splitAlterAdd(text, toks); ok {
		p.alter = a
		return p
	}
	if v := objectViewName(toks); v != "" {
		p.objectView = v
		return p
	}
	if !strings.HasSuffix(text, ";") {
		text += ";"
	}
	p.unit, p.err = oraclesql.Parse(text)
	return p
}

// objectViewName returns the name of CREATE [OR REPLACE] [[NO] FORCE]
// [EDITIONABLE] VIEW v OF type ..., or "".
func objectViewName(toks []oraclesql.Token) string {
	if len(toks) < 4 || toks[0].Upper() != "CREATE" {
		return ""
	}
	i := 1
	for i < len(toks) {
		switch toks[i].Upper() {
		case "OR", "REPLACE", "FORCE", "NO", "EDITIONABLE", "NONEDITIONABLE", "EDITIONING":
			i++
			continue
		}
		break
	}
	if i+2 >= len(toks) || toks[i].Upper() != "VIEW" {
		return ""
	}
	i++
	name := toks[i].Text
	i++
	if i+1 < len(toks) && toks[i].Text == "." {
		name = toks[i+1].Text
		i += 2
	}
	if i < len(toks) && toks[i].Upper() == "OF" {
		return oraclesql.Name(name)
	}
	return ""
}

func isCreateTable(toks []oraclesql.Token) bool {
	for i := 1; i < len(toks) && i < 5; i++ {
		switch toks[i].Upper() {
		case "TABLE":
			return true
		case "GLOBAL", "PRIVATE", "TEMPORARY", "SHARDED", "DUPLICATED", "IMMUTABLE", "BLOCKCHAIN":
			continue
		}
		return false
	}
	return false
}

// convert dispatches one parsed statement.
func (c *converter) convert(p *parsed) {
	st := p.st
	if p.unit != nil && p.unit.Create_trigger() != nil && c.identityTrigger(st, p.unit.Create_trigger().(*plsql.Create_triggerContext)) {
		return
	}
	if kindGuess(st.Text) == "CREATE DIMENSION" {
		// Whether the grammar parses it or not.
		c.manual("dimension", nameAfter(st.Text, "DIMENSION"), st, "Oracle dimensions (levels, hierarchies, attributes) are metadata for query rewrite and have no PostgreSQL equivalent; nothing is created. Keep the hierarchy as documentation, and check it with constraints or queries if the data must obey it")
		return
	}
	if p.objectView != "" {
		c.manual("view", p.objectView, st, "object view (CREATE VIEW ... OF type WITH OBJECT IDENTIFIER): PostgreSQL has no object views; create a plain view of the type's attributes as columns (and drop MAKE_REF / CAST(MULTISET ...) columns or rewrite them with ARRAY(SELECT ...))")
		return
	}
	if p.table == nil && p.alter == nil && c.tryConverters(st) {
		return
	}
	if p.err != nil {
		c.manual(objectKind(st.Text), nameGuess(st.Text), st, fmt.Sprintf("could not be parsed (%v); convert it by hand", p.err))
		return
	}
	if p.table != nil {
		c.createTable(p)
		return
	}
	if p.alter != nil {
		c.alterAdd(p)
		return
	}
	u := p.unit
	switch {
	case u.Create_index() != nil:
		c.createIndex(st, u.Create_index().(*plsql.Create_indexContext))
	case u.Alter_table() != nil:
		c.alterTable(st, u.Alter_table().(*plsql.Alter_tableContext))
	case u.Comment_on_table() != nil:
		c.commentTable(st, u.Comment_on_table().(*plsql.Comment_on_tableContext))
	case u.Comment_on_column() != nil:
		c.commentColumn(st, u.Comment_on_column().(*plsql.Comment_on_columnContext))
	case u.Create_sequence() != nil:
		c.createSequence(st, u.Create_sequence().(*plsql.Create_sequenceContext))
	case u.Create_view() != nil:
		c.createView(st, u.Create_view().(*plsql.Create_viewContext))
	case u.Create_synonym() != nil:
		c.createSynonym(st, u.Create_synonym().(*plsql.Create_synonymContext))
	case u.Create_materialized_view() != nil:
		c.createMaterializedView(st, u.Create_materialized_view().(*plsql.Create_materialized_viewContext))
	case u.Create_trigger() != nil:
		c.code(p, "trigger")
	case u.Create_procedure_body() != nil:
		c.code(p, "procedure")
	case u.Create_function_body() != nil:
		c.code(p, "function")
	case u.Create_package() != nil:
		c.code(p, "package")
	case u.Create_package_body() != nil:
		c.code(p, "package body")
	case u.Create_type() != nil:
		c.createType(st, u.Create_type().(*plsql.Create_typeContext))
	case u.Alter_session() != nil:
		c.skipped("session", "ALTER SESSION", st, "ALTER SESSION settings apply to the Oracle session that ran the script")
	case u.Grant_statement() != nil:
		c.skipped("grant", "GRANT", st, "privileges are not migrated; grant them on PostgreSQL to the roles that need them")
	case u.Revoke_statement() != nil:
		c.skipped("grant", "REVOKE", st, "privileges are not migrated")
	case u.Data_manipulation_language_statements() != nil:
		c.skipped("data", kindGuess(st.Text), st, "data statements are not part of the schema; load data with the data loader")
	case u.Transaction_control_statements() != nil:
		c.skipped("statement", kindGuess(st.Text), st, "transaction control")
	default:
		k := kindGuess(st.Text)
		if strings.HasPrefix(k, "DROP") {
			c.skipped("statement", k, st, "DROP statements are not converted (the target starts empty)")
			return
		}
		if strings.HasPrefix(k, "ALTER TRIGGER") || strings.HasPrefix(k, "ALTER INDEX") || strings.HasPrefix(k, "ANALYZE") {
			c.skipped("statement", k, st, "maintenance statement with no PostgreSQL schema effect")
			return
		}
		name := nameGuess(st.Text)
		if verb, what, ok := strings.Cut(k, " "); ok && name == "" && (verb == "CREATE" || verb == "ALTER") {
			name = nameAfter(st.Text, what)
		}
		c.manual(objectKind(st.Text), name, st, k+" is not converted: ferry has no PostgreSQL conversion for it; write the equivalent by hand")
	}
}

// holdDependents holds back the objects that depend on what is not
// created (HoldDependents): they run in no phase.
func (c *converter) holdDependents() {
	objs := make([]*convert.Object, len(c.items))
	for i, it := range c.items {
		objs[i] = it.Object
	}
	for _, i := range HoldDependents(objs, func(i int) bool { return c.items[i].Phase != PhaseNone }) {
		c.items[i].Phase = PhaseNone
	}
}

// HoldDependents turns objects that depend on a table, view or type that
// is not created (an action item without SQL) into action items too: their
// SQL would only fail. runs reports whether object i's SQL is to be run.
// The SQL is kept on the objects; HoldDependents returns the indexes of
// the objects it held (they must no longer run). `ferry assess` calls it
// over every object of the scripts, as `ferry convert` does.
func HoldDependents(objs []*convert.Object, runs func(i int) bool) []int {
	missing := map[string]string{}
	created := map[string]bool{}
	held := map[int]bool{}
	for i, o := range objs {
		switch o.Kind {
		case "table", "view", "materialized view", "type":
		default:
			continue
		}
		if len(o.SQL) > 0 && runs(i) {
			created[o.Name] = true
		} else if len(o.Items) > 0 {
			missing[o.Name] = o.Kind
		}
	}
	var out []int
	for changed := true; changed; {
		changed = false
		for i, o := range objs {
			if held[i] || len(o.SQL) == 0 || !runs(i) {
				continue
			}
			for _, d := range o.Depends {
				n := strings.ToLower(strings.Trim(lastOf(strings.Split(d, ".")), `"`))
				kind, ok := missing[n]
				if !ok || created[n] || (n == o.Name && missing[n] == o.Kind) {
					continue
				}
				o.Items = append(o.Items, convert.ActionItem{Object: o.Name, Kind: o.Kind, Source: o.Source,
					Reason: fmt.Sprintf("depends on %s %s, which is not converted: create it first, then run this object's SQL (in objects.json)", kind, n)})
				o.Status = convert.StatusManual
				held[i] = true
				out = append(out, i)
				switch o.Kind {
				case "table", "view", "materialized view", "type":
					delete(created, o.Name)
					missing[o.Name] = o.Kind
					changed = true
				}
				break
			}
		}
	}
	return out
}

// tryConverters offers a statement to the UnitConverters.
func (c *converter) tryConverters(st Statement) bool {
	for _, conv := range c.opt.Converters {
		objs, ok := conv(st)
		if !ok {
			continue
		}
		for _, o := range objs {
			if o.File == "" {
				o.File, o.Line = st.File, st.Line
			}
			if o.Source == "" {
				o.Source = st.Text
			}
			if o.Kind == "anonymous block" && len(o.Items) > 0 && len(o.SQL) > 0 {
				// A DO block runs when applied: with a statement left
				// unconverted it would only raise. It is kept (objects.json)
				// but not run.
				o.Notes = append(o.Notes, "not run: the block has statements not converted (it would raise 'ferry: not converted'); run it by hand once they are rewritten")
				c.add(PhaseNone, o, nil)
				continue
			}
			c.add(PhaseCode, o, nil)
		}
		return true
	}
	return false
}

// code records a PL/SQL unit no converter took as an action item.
func (c *converter) code(p *parsed, kind string) bool {
	c.manual(kind, nameGuess(p.st.Text), p.st, kind+" statements are not converted without the PL/SQL converter")
	return true
}

// kindGuess names a statement by its first keywords ("CREATE TYPE").
func kindGuess(text string) string {
	toks := oraclesql.Lex(text)
	var words []string
	for _, t := range toks {
		u := t.Upper()
		if u == "OR" || u == "REPLACE" || u == "EDITIONABLE" || u == "NONEDITIONABLE" || u == "FORCE" || u == "NO" || u == "PUBLIC" || u == "UNIQUE" || u == "BITMAP" {
			continue
		}
		words = append(words, u)
		if len(words) == 2 || (len(words) == 1 && u != "CREATE" && u != "ALTER" && u != "DROP") {
			break
		}
	}
	if len(words) == 2 && words[1] == "PACKAGE" {
		for _, t := range toks {
			if t.Upper() == "BODY" {
				return "CREATE PACKAGE BODY"
			}
		}
	}
	return strings.Join(words, " ")
}

// objectKind names the kind of object a statement creates or changes,
// lower case ("view", "materialized view", "type body"), for statements
// that did not parse; "statement" when it is not a CREATE or ALTER.
func objectKind(text string) string {
	k := kindGuess(text)
	verb, obj, ok := strings.Cut(k, " ")
	if !ok || (verb != "CREATE" && verb != "ALTER") {
		return "statement"
	}
	switch obj {
	case "MATERIALIZED":
		return "materialized view"
	case "TYPE":
		if strings.Contains(strings.ToUpper(text), " BODY ") {
			return "type body"
		}
	case "PACKAGE BODY":
		return "package body"
	}
	return strings.ToLower(obj)
}

// nameAfter returns the (last part of the) name following keyword kw,
// lower case, or "".
func nameAfter(text, kw string) string {
	toks := oraclesql.Lex(text)
	for i, t := range toks {
		if t.Upper() == kw && i+1 < len(toks) {
			name := oraclesql.Name(toks[i+1].Text)
			if i+3 < len(toks) && toks[i+2].Text == "." {
				name = oraclesql.Name(toks[i+3].Text)
			}
			return name
		}
	}
	return ""
}

// nameGuess returns the object name of a CREATE/ALTER statement, lower
// case, or "".
func nameGuess(text string) string {
	toks := oraclesql.Lex(text)
	for i, t := range toks {
		switch t.Upper() {
		case "TABLE", "VIEW", "INDEX", "SEQUENCE", "SYNONYM", "TRIGGER", "PROCEDURE", "FUNCTION", "TYPE", "BODY", "PACKAGE":
			if i+1 < len(toks) {
				n := toks[i+1]
				if n.Upper() == "BODY" || n.Upper() == "IF" {
					continue
				}
				name := oraclesql.Name(n.Text)
				if i+3 < len(toks) && toks[i+2].Text == "." {
					name = oraclesql.Name(toks[i+3].Text)
				}
				return name
			}
		}
	}
	return ""
}
