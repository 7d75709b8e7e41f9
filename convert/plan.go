package convert

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert/mysqltrigger"
	"github.com/ferrydb/ferry/convert/mysqlview"
	"github.com/ferrydb/ferry/task"
)

// Options steer the conversion.
type Options struct {
	// TargetSchema is the PostgreSQL schema; "" means one schema per
	// source database, named like it.
	TargetSchema   string
	TinyintBoolean bool
	Casts          []task.CastRule
	// PostGIS is true when the target has the postgis extension.
	PostGIS bool

	selected map[string]bool // "db.table" of the tables in the plan
}

// OptionsFor are the conversion settings of a task (postGIS: the target
// has the postgis extension). ferry migrate, its CDC and ferry verify all
// take them from here, so they convert alike.
func OptionsFor(t *task.Task, postGIS bool) Options {
	tinyBool := true
	if t.TinyintBoolean != nil {
		tinyBool = *t.TinyintBoolean
	}
	return Options{
		TargetSchema:   t.TargetSchema,
		TinyintBoolean: tinyBool,
		Casts:          t.Casts,
		PostGIS:        postGIS,
	}
}

// Plan is the whole target schema for one task.
type Plan struct {
	Schemas     []string
	Tables      []*TablePlan
	Views       []*ViewPlan
	ActionItems []ActionItem
	// Triggers lists the source triggers converted to PL/pgSQL.
	Triggers []string
}

// TablePlan is one table on the target.
type TablePlan struct {
	Source  *catalog.Table
	Schema  string // target schema
	Name    string // target table name
	Columns []*ColumnPlan
	// Load are the columns that receive data (generated columns excluded),
	// in the order the source reads them.
	Load []*ColumnPlan
	// Create is the CREATE TABLE statement (columns, defaults, NOT NULL,
	// CHECKs; no keys).
	Create string
	// Before and AfterCreate run around Create, in the same transaction
	// (sequences for non-integer AUTO_INCREMENT columns).
	Before, AfterCreate []string
	// KeyColumn is the integer column the load splits on, "" when the table
	// is copied in one piece.
	KeyColumn string
	// PrimaryKey adds the primary key (and deferred NOT NULLs) after the load.
	PrimaryKey string
	// Indexes are built after the primary key, in parallel.
	Indexes []string
	// IndexBySource maps a source index name to its target name and
	// CREATE INDEX statement (CDC follows ADD/DROP INDEX with them).
	IndexBySource map[string]IndexPlan
	// IndexNames are the target names of the indexes the plan creates
	// (the primary key's included), to check for clashes in the target.
	IndexNames []string
	// ForeignKeys are added once both tables have their keys.
	ForeignKeys []string
	// ForeignKeyRefs names the referenced source table ("db.table") of each
	// entry of ForeignKeys.
	ForeignKeyRefs []string
	// After runs last: identity restarts, triggers, comments.
	After []string
	// DeferredNotNull lists date columns declared NOT NULL in the source;
	// NOT NULL is applied after the load unless zero dates became NULL.
	DeferredNotNull []string
}

// IndexPlan is one index on the target.
type IndexPlan struct {
	Name   string // target name
	Create string // CREATE INDEX statement
}

// Ident returns the quoted target identifier of the table.
func (t *TablePlan) Ident() string { return QuoteIdent(t.Schema) + "." + QuoteIdent(t.Name) }

// ColumnPlan is one target column.
type ColumnPlan struct {
	Source   *catalog.Column
	Name     string
	Type     string
	Encoding Encoding
	NotNull  bool
	// Def is the column's definition in Create; DefaultSQL its default
	// ("" none) and Check its member CHECK expression (enum, set; "" none).
	// CDC uses them to follow ALTER TABLE.
	Def, DefaultSQL, Check string
}

// ViewPlan is one view to create after the data.
type ViewPlan struct {
	Source *catalog.View
	Schema string
	Name   string
	SQL    string // CREATE VIEW statement
}

// ActionItem is something ferry did not convert, or converted with a
// caveat the user must review. It is never silently dropped.
type ActionItem struct {
	Object string `json:"object"` // e.g. "sakila.film.trigger ins_film"
	Kind   string `json:"kind"`   // table, column, index, view, trigger, procedure, function, default, check
	Reason string `json:"reason"`
	Source string `json:"source,omitempty"` // original text, when there is one
}

// QuoteIdent quotes a PostgreSQL identifier.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// QuoteLiteral quotes a PostgreSQL string literal (standard_conforming_strings on).
func QuoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Name maps a source identifier to the target one: identifiers are kept
// exactly as they are (and always quoted), so mixed case and reserved
// words survive and the target matches the source's names one to one.
func Name(s string) string { return s }

// Build converts a MySQL catalog into a PostgreSQL plan.
func Build(sc *catalog.Schema, opt Options) (*Plan, error) {
	p := &Plan{}
	schemaOf := func(db string) string {
		if opt.TargetSchema != "" {
			return opt.TargetSchema
		}
		return Name(db)
	}
	seenSchema := map[string]bool{}
	// schema.name: PostgreSQL index names share one namespace per schema
	// with tables (and sequences), unlike MySQL's per-table index names.
	usedIndexNames := map[string]bool{}
	opt.selected = map[string]bool{}
	for _, t := range sc.Tables {
		usedIndexNames[schemaOf(t.Schema)+"."+Name(t.Name)] = true
		opt.selected[t.QualifiedName()] = true
		for _, ix := range t.Indexes {
			if ix.Target != "" { // on the target already: its name stays
				usedIndexNames[schemaOf(t.Schema)+"."+ix.Target] = true
			}
		}
	}
	tableNames := map[string]bool{}
	for _, t := range sc.Tables {
		tp, items, err := buildTable(t, schemaOf(t.Schema), opt, usedIndexNames)
		if err != nil {
			return nil, err
		}
		key := tp.Schema + "." + tp.Name
		if tableNames[key] {
			return nil, fmt.Errorf("two source tables map to %s; use --target-schema \"\" (one schema per database) or exclude one", key)
		}
		tableNames[key] = true
		if !seenSchema[tp.Schema] {
			seenSchema[tp.Schema] = true
			p.Schemas = append(p.Schemas, tp.Schema)
		}
		p.Tables = append(p.Tables, tp)
		p.ActionItems = append(p.ActionItems, items...)
	}
	// Views compare tinyint(1) columns with 0/1; the translator rewrites
	// those comparisons for the columns that became boolean.
	boolCols := map[string]bool{}
	for _, tp := range p.Tables {
		for _, c := range tp.Columns {
			if c.Encoding == EncBool {
				boolCols[strings.ToLower(tp.Source.Name+"."+c.Source.Name)] = true
			}
		}
	}
	for _, v := range sc.Views {
		schema := schemaOf(v.Schema)
		vp := &ViewPlan{Source: v, Schema: schema, Name: Name(v.Name)}
		body, err := mysqlview.Translate(v.Definition, mysqlview.Options{SourceSchema: v.Schema, TargetSchema: schema, BoolColumns: boolCols, Ident: func(s string) string { return QuoteIdent(Name(s)) }})
		if err != nil {
			p.ActionItems = append(p.ActionItems, ActionItem{Object: v.Schema + "." + v.Name, Kind: "view", Reason: "not translated: " + err.Error(), Source: v.Definition})
			continue
		}
		vp.SQL = fmt.Sprintf("CREATE VIEW %s.%s AS %s", QuoteIdent(schema), QuoteIdent(vp.Name), body)
		p.Views = append(p.Views, vp)
	}
	for _, r := range sc.Routines {
		p.ActionItems = append(p.ActionItems, ActionItem{
			Object: r.Schema + "." + r.Name, Kind: strings.ToLower(r.Kind),
			Reason: "MySQL stored " + strings.ToLower(r.Kind) + "s are not converted: rewrite it in PL/pgSQL",
			Source: r.Definition,
		})
	}
	for _, tr := range sc.Triggers {
		var tp *TablePlan
		for _, t := range p.Tables {
			if t.Source.Schema == tr.Schema && t.Source.Name == tr.Table {
				tp = t
			}
		}
		var err error
		if tp != nil {
			var stmts []string
			stmts, err = mysqltrigger.Translate(tr, mysqltrigger.Options{
				TargetSchema: tp.Schema,
				Ident:        func(s string) string { return QuoteIdent(Name(s)) },
				Table: func(name string) string {
					return QuoteIdent(tp.Schema) + "." + QuoteIdent(Name(name))
				},
				BoolColumns: boolCols,
			})
			if err == nil {
				// Created after the load (with the table's other post-load
				// statements), so it does not fire for copied rows.
				tp.After = append(tp.After, stmts...)
				p.Triggers = append(p.Triggers, tr.Schema+"."+tr.Table+"."+tr.Name)
				continue
			}
		}
		reason := fmt.Sprintf("MySQL %s %s trigger is not converted", tr.Timing, tr.Event)
		if err != nil {
			reason += " (" + err.Error() + ")"
		}
		p.ActionItems = append(p.ActionItems, ActionItem{
			Object: tr.Schema + "." + tr.Table + "." + tr.Name, Kind: "trigger",
			Reason: reason + ": rewrite it as a PL/pgSQL trigger function",
			Source: tr.Definition,
		})
	}
	return p, nil
}

func buildTable(t *catalog.Table, schema string, opt Options, usedIndexNames map[string]bool) (*TablePlan, []ActionItem, error) {
	tp := &TablePlan{Source: t, Schema: schema, Name: Name(t.Name)}
	var items []ActionItem
	obj := t.QualifiedName()
	item := func(kind, what, reason, src string) {
		items = append(items, ActionItem{Object: obj + what, Kind: kind, Reason: reason, Source: src})
	}
	pkCols := map[string]bool{}
	if t.PrimaryKey != nil {
		for _, c := range t.PrimaryKey.Columns {
			pkCols[c.Name] = true
		}
	}
	var defs []string
	var comments []string
	for _, c := range t.Columns {
		typ, enc, note := mapType(c, opt)
		cast := false
		if to, ok := castFor(opt.Casts, t, c); ok {
			enc = encodingForCast(to, enc)
			typ = to
			note = ""
			cast = true
		}
		if note != "" {
			item("column", "."+c.Name, note, c.Type.Raw)
		}
		cp := &ColumnPlan{Source: c, Name: Name(c.Name), Type: typ, Encoding: enc, NotNull: !c.Nullable}
		tp.Columns = append(tp.Columns, cp)
		var b strings.Builder
		b.WriteString(QuoteIdent(cp.Name))
		b.WriteString(" ")
		b.WriteString(typ)
		generated := false
		if c.Generated != nil {
			expr, err := translateExpr(c.Generated.Expr)
			if err != nil {
				item("column", "."+c.Name, "generated column expression not translated ("+err.Error()+"); the column is loaded with the source's values as a plain column", c.Generated.Expr)
			} else {
				generated = true
				fmt.Fprintf(&b, " GENERATED ALWAYS AS (%s) STORED", expr)
				if !c.Generated.Stored {
					item("column", "."+c.Name, "VIRTUAL generated column became STORED (PostgreSQL has only stored generated columns)", c.Generated.Expr)
				}
			}
		}
		if c.AutoIncrement && isIntegerType(typ) {
			b.WriteString(" GENERATED BY DEFAULT AS IDENTITY")
			tp.After = append(tp.After, restartIdentity(tp, cp))
		} else if c.AutoIncrement && !generated {
			// bigint unsigned keeps numeric(20) (so foreign keys match) and
			// draws from an owned sequence, as identity needs an integer type.
			seq := QuoteIdent(tp.Schema) + "." + QuoteIdent(truncIdent(tp.Name+"_"+cp.Name+"_seq"))
			tp.Before = append(tp.Before, "CREATE SEQUENCE IF NOT EXISTS "+seq)
			fmt.Fprintf(&b, " DEFAULT nextval(%s)", QuoteLiteral(seq))
			tp.AfterCreate = append(tp.AfterCreate, fmt.Sprintf("ALTER SEQUENCE %s OWNED BY %s.%s", seq, tp.Ident(), QuoteIdent(cp.Name)))
			tp.After = append(tp.After, restartIdentity(tp, cp))
		} else if !generated && c.Default != nil {
			d, warn := defaultSQL(c, cp)
			if warn != "" {
				item("default", "."+c.Name, warn, c.Default.Value)
			}
			if d != "" {
				b.WriteString(" DEFAULT ")
				b.WriteString(d)
				cp.DefaultSQL = d
			}
		}
		if !c.Nullable {
			if (enc == EncDate || enc == EncTimestampTZ) && !pkCols[c.Name] {
				tp.DeferredNotNull = append(tp.DeferredNotNull, cp.Name)
			} else {
				b.WriteString(" NOT NULL")
			}
		}
		// A cast rule opts out of the member CHECK (e.g. for legacy rows
		// holding the '' that non-strict MySQL stores for invalid values).
		switch c.Type.Name {
		case "enum":
			if !cast {
				cp.Check = fmt.Sprintf("%s IN (%s)", QuoteIdent(cp.Name), literalList(c.Type.Values))
			}
		case "set":
			if !cast {
				cp.Check = fmt.Sprintf("%s <@ ARRAY[%s]::text[]", QuoteIdent(cp.Name), literalList(c.Type.Values))
			}
		}
		if cp.Check != "" {
			fmt.Fprintf(&b, " CHECK (%s)", cp.Check)
		}
		cp.Def = b.String()
		defs = append(defs, cp.Def)
		if !generated {
			tp.Load = append(tp.Load, cp)
		}
		if c.OnUpdateCurrentTimestamp {
			tp.After = append(tp.After, OnUpdateTrigger(tp, cp)...)
		}
		if c.Comment != "" {
			comments = append(comments, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", tp.Ident(), QuoteIdent(cp.Name), QuoteLiteral(c.Comment)))
		}
	}
	for _, ck := range t.Checks {
		expr, err := translateCond(ck.Expr)
		if err != nil {
			item("check", " constraint "+ck.Name, "CHECK constraint not translated: "+err.Error(), ck.Expr)
			continue
		}
		defs = append(defs, fmt.Sprintf("CONSTRAINT %s CHECK (%s)", QuoteIdent(ck.Name), expr))
	}
	tp.Create = fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", tp.Ident(), strings.Join(defs, ",\n  "))
	if t.Comment != "" {
		comments = append(comments, fmt.Sprintf("COMMENT ON TABLE %s IS %s", tp.Ident(), QuoteLiteral(t.Comment)))
	}

	if pk := t.PrimaryKey; pk != nil {
		tp.PrimaryKey = fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY (%s)", tp.Ident(),
			QuoteIdent(truncIdent(tp.Name+"_pkey")), quotedNames(pk.ColumnNames()))
		usedIndexNames[tp.Schema+"."+truncIdent(tp.Name+"_pkey")] = true
		tp.IndexNames = append(tp.IndexNames, truncIdent(tp.Name+"_pkey"))
		if first := t.Column(pk.Columns[0].Name); first != nil && isIntegerSource(first) {
			tp.KeyColumn = first.Name
		}
	}
	for _, ix := range t.Indexes {
		name := ix.Target
		if name == "" {
			name = indexName(tp, ix.Name, usedIndexNames)
		}
		stmt, note := indexSQL(tp, ix, name, opt)
		if note != "" {
			item("index", " index "+ix.Name, note, "")
		}
		if stmt != "" {
			tp.Indexes = append(tp.Indexes, stmt)
			tp.IndexNames = append(tp.IndexNames, name)
			if tp.IndexBySource == nil {
				tp.IndexBySource = map[string]IndexPlan{}
			}
			tp.IndexBySource[ix.Name] = IndexPlan{Name: name, Create: stmt}
		}
	}
	for _, fk := range t.ForeignKeys {
		if !opt.selected[fk.RefSchema+"."+fk.RefTable] {
			item("foreign key", " foreign key "+fk.Name, fmt.Sprintf("not created: it references %s.%s, which is not part of this migration; migrate that table too, then add the constraint", fk.RefSchema, fk.RefTable), "")
			continue
		}
		refSchema := schema
		if opt.TargetSchema == "" {
			refSchema = Name(fk.RefSchema)
		}
		s := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s.%s (%s)",
			tp.Ident(), QuoteIdent(truncIdent(fk.Name)), quotedNames(fk.Columns),
			QuoteIdent(refSchema), QuoteIdent(Name(fk.RefTable)), quotedNames(fk.RefColumns))
		if r := fkRule(fk.OnDelete); r != "" {
			s += " ON DELETE " + r
		}
		if r := fkRule(fk.OnUpdate); r != "" {
			s += " ON UPDATE " + r
		}
		tp.ForeignKeys = append(tp.ForeignKeys, s)
		tp.ForeignKeyRefs = append(tp.ForeignKeyRefs, fk.RefSchema+"."+fk.RefTable)
	}
	tp.After = append(tp.After, comments...)
	return tp, items, nil
}

func fkRule(r string) string {
	switch strings.ToUpper(r) {
	case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT":
		return strings.ToUpper(r)
	}
	return "" // NO ACTION is the default
}

func isIntegerType(pg string) bool {
	switch pg {
	case "smallint", "integer", "bigint":
		return true
	}
	return false
}

func isIntegerSource(c *catalog.Column) bool {
	switch c.Type.Name {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return !(c.Type.Name == "bigint" && c.Type.Unsigned)
	}
	return false
}

func restartIdentity(tp *TablePlan, cp *ColumnPlan) string {
	// setval(seq, max, true) makes the next value max+1; an empty table
	// starts at 1.
	return fmt.Sprintf("SELECT setval(pg_get_serial_sequence(%s, %s), (COALESCE(MAX(%s), 0) + 1)::bigint, false) FROM %s",
		QuoteLiteral(tp.Ident()), QuoteLiteral(cp.Name), QuoteIdent(cp.Name), tp.Ident())
}

// DropOnUpdateTrigger drops what OnUpdateTrigger creates (CDC: the
// column lost ON UPDATE CURRENT_TIMESTAMP, was renamed or dropped).
func DropOnUpdateTrigger(tp *TablePlan, cp *ColumnPlan) []string {
	name := truncIdent(tp.Name + "_" + cp.Name + "_on_update")
	return []string{
		fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", QuoteIdent(name), tp.Ident()),
		fmt.Sprintf("DROP FUNCTION IF EXISTS %s.%s()", QuoteIdent(tp.Schema), QuoteIdent(name)),
	}
}

// OnUpdateTrigger emulates MySQL's ON UPDATE CURRENT_TIMESTAMP of column
// cp with a BEFORE UPDATE trigger (and its function).
func OnUpdateTrigger(tp *TablePlan, cp *ColumnPlan) []string {
	fn := QuoteIdent(tp.Schema) + "." + QuoteIdent(truncIdent(tp.Name+"_"+cp.Name+"_on_update"))
	now := "CURRENT_TIMESTAMP"
	if strings.HasPrefix(cp.Type, "timestamp(") || cp.Type == "timestamp" {
		now = "LOCALTIMESTAMP"
	}
	return []string{
		fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $ferry$
BEGIN
  -- MySQL ON UPDATE CURRENT_TIMESTAMP: set when the row changes and the
  -- statement did not set the column itself.
  IF NEW IS DISTINCT FROM OLD AND NEW.%[2]s IS NOT DISTINCT FROM OLD.%[2]s THEN
    NEW.%[2]s := %[3]s;
  END IF;
  RETURN NEW;
END
$ferry$`, fn, QuoteIdent(cp.Name), now),
		fmt.Sprintf("CREATE OR REPLACE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s()",
			QuoteIdent(truncIdent(tp.Name+"_"+cp.Name+"_on_update")), tp.Ident(), fn),
	}
}

// defaultSQL renders a column default for PostgreSQL; warn explains a
// default that was dropped or changed.
func defaultSQL(c *catalog.Column, cp *ColumnPlan) (string, string) {
	d := c.Default
	switch d.Kind {
	case catalog.DefaultNull:
		return "", ""
	case catalog.DefaultCurrentTimestamp:
		p := ""
		if d.Value != "" {
			p = "(" + d.Value + ")"
		}
		if strings.HasPrefix(cp.Type, "timestamptz") {
			return "CURRENT_TIMESTAMP" + p, ""
		}
		if cp.Type == "date" {
			return "CURRENT_DATE", ""
		}
		return "LOCALTIMESTAMP" + p, ""
	case catalog.DefaultExpression:
		expr, err := translateExpr(d.Value)
		if err != nil {
			return "", "default expression not translated (" + err.Error() + "); the column has no default"
		}
		return "(" + expr + ")", ""
	}
	v := d.Value
	switch cp.Encoding {
	case EncBool:
		if v == "0" {
			return "false", ""
		}
		return "true", ""
	case EncBytea:
		return fmt.Sprintf("'\\x%x'::bytea", v), ""
	case EncDate, EncTimestampTZ:
		if isZeroDate([]byte(v)) {
			return "", "zero-date default dropped (PostgreSQL has no zero date; such values load as NULL)"
		}
		if cp.Encoding == EncTimestampTZ {
			return QuoteLiteral(v + "+00"), ""
		}
		return QuoteLiteral(v), ""
	case EncSet:
		var parts []string
		if v != "" {
			parts = strings.Split(v, ",")
		}
		return "ARRAY[" + literalList(parts) + "]::text[]", ""
	}
	if strings.HasPrefix(cp.Type, "bit(") {
		return "B" + QuoteLiteral(v), ""
	}
	if isNumericPG(cp.Type) {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return v, ""
		}
	}
	return QuoteLiteral(v), ""
}

func isNumericPG(t string) bool {
	return isIntegerType(t) || strings.HasPrefix(t, "numeric") || t == "real" || t == "double precision"
}

func literalList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = QuoteLiteral(v)
	}
	return strings.Join(out, ", ")
}

func quotedNames(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = QuoteIdent(Name(n))
	}
	return strings.Join(out, ", ")
}

// truncIdent keeps identifiers within PostgreSQL's 63-byte limit.
func truncIdent(s string) string {
	return truncBytes(s, 63)
}

// truncBytes cuts s to at most n bytes without splitting a UTF-8 character.
func truncBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// indexName keeps the source name when it is free in the target schema
// (PostgreSQL index names are per schema, MySQL's per table), else prefixes
// the table name.
func indexName(tp *TablePlan, name string, used map[string]bool) string {
	cands := []string{truncIdent(name), truncIdent(tp.Name + "_" + name)}
	for _, c := range cands {
		if !used[tp.Schema+"."+c] {
			used[tp.Schema+"."+c] = true
			return c
		}
	}
	for i := 2; ; i++ {
		// The number always survives the 63-byte cut, so this ends.
		suffix := fmt.Sprintf("_%d", i)
		c := truncBytes(tp.Name+"_"+name, 63-len(suffix)) + suffix
		if !used[tp.Schema+"."+c] {
			used[tp.Schema+"."+c] = true
			return c
		}
	}
}

func indexSQL(tp *TablePlan, ix *catalog.Index, name string, opt Options) (string, string) {
	colType := map[string]*ColumnPlan{}
	for _, c := range tp.Columns {
		colType[c.Source.Name] = c
	}
	switch ix.Kind {
	case "FULLTEXT":
		var parts []string
		for _, c := range ix.Columns {
			parts = append(parts, fmt.Sprintf("coalesce(%s, '')", QuoteIdent(Name(c.Name))))
		}
		return fmt.Sprintf("CREATE INDEX %s ON %s USING gin (to_tsvector('simple'::regconfig, %s))",
				QuoteIdent(name), tp.Ident(), strings.Join(parts, " || ' ' || ")),
			"FULLTEXT index became a GIN index on to_tsvector('simple', ...): rewrite MATCH ... AGAINST queries as to_tsvector(...) @@ plainto_tsquery(...)"
	case "SPATIAL":
		if !opt.PostGIS {
			return "", "SPATIAL index not created: PostGIS is not installed in the target"
		}
		return fmt.Sprintf("CREATE INDEX %s ON %s USING gist (%s)", QuoteIdent(name), tp.Ident(), quotedNames(ix.ColumnNames())), ""
	}
	var parts []string
	var note string
	for _, c := range ix.Columns {
		if c.Name == "" {
			return "", "functional index not converted: recreate it by hand"
		}
		part := QuoteIdent(Name(c.Name))
		if c.PrefixLen > 0 {
			if cp := colType[c.Name]; cp != nil && cp.Type == "bytea" {
				part = fmt.Sprintf("(substring(%s from 1 for %d))", part, c.PrefixLen)
			} else {
				part = fmt.Sprintf("(left(%s, %d))", part, c.PrefixLen)
			}
			note = "prefix key part became an expression index on left(column, n): queries must use the same expression to use it"
		}
		if c.Descending {
			part += " DESC"
		}
		parts = append(parts, part)
	}
	u := ""
	if ix.Unique {
		u = "UNIQUE "
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", u, QuoteIdent(name), tp.Ident(), strings.Join(parts, ", ")), note
}

// SortActionItems orders items by object for stable reports.
func SortActionItems(items []ActionItem) {
	sort.SliceStable(items, func(i, j int) bool { return items[i].Object < items[j].Object })
}
