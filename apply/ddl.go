package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
)

// Schema changes (event.OpDDL events) are applied in the target
// transaction that stores their position, like rows: PostgreSQL DDL is
// transactional, so a schema change happens exactly once. The source
// table definitions as of the applied position (the schema history) live
// in _ferry.tables, changed in that same transaction, so a restart
// decodes and plans with the definitions that match the position it
// resumes from, whatever the source's schema is by then.

const (
	historySQL = `CREATE TABLE IF NOT EXISTS _ferry.tables (
  task_id text NOT NULL,
  source_table text NOT NULL,
  definition jsonb NOT NULL,
  PRIMARY KEY (task_id, source_table)
)`
	historyReadSQL   = `SELECT source_table, definition::text FROM _ferry.tables WHERE task_id = $1`
	historyStoreSQL  = `INSERT INTO _ferry.tables (task_id, source_table, definition) VALUES ($1, $2, $3::text::jsonb) ON CONFLICT (task_id, source_table) DO UPDATE SET definition = EXCLUDED.definition`
	historyDeleteSQL = `DELETE FROM _ferry.tables WHERE task_id = $1 AND source_table = $2`
)

// Planner turns the source tables ("db.table" → definition) into target
// table plans, with the task's conversion options (convert.Build).
type Planner func(tables map[string]*catalog.Table) (map[string]*convert.TablePlan, error)

// PauseError stops CDC at a schema change ferry cannot follow or the
// target rejected. Everything before it is applied; the message says how
// to continue.
type PauseError struct {
	Where     string   // event.Event.Where: what --skip-ddl-at takes
	Position  string   // binlog file:pos of the statement
	Tables    []string // the selected tables it touches
	Statement string   // the DDL as the source logged it
	Reasons   []string // what ferry cannot follow
	Target    []string // the statements ferry runs for the parts it follows
}

func (e *PauseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cdc paused at a schema change ferry cannot apply: at %s (binlog %s) on %s:\n  %s\n",
		e.Where, e.Position, strings.Join(e.Tables, ", "), strings.TrimSpace(e.Statement))
	for _, r := range e.Reasons {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	b.WriteString("Every change before it is applied; nothing after it is. To continue, make the equivalent change on the target yourself")
	if len(e.Target) > 0 {
		fmt.Fprintf(&b, " (for the parts ferry follows it would run: %s)", strings.Join(e.Target, "; "))
	}
	fmt.Fprintf(&b, ", then rerun with --skip-ddl-at %s: ferry then moves past the statement without changing the target and decodes later rows with the columns it follows. Or start over with a new full load.", e.Where)
	return b.String()
}

// Schema returns the source table definitions as of the applied position
// (nil when none are stored yet).
func (a *Applier) Schema(ctx context.Context) (map[string]*catalog.Table, error) {
	var exists bool
	if err := a.pool.QueryRow(ctx, `SELECT to_regclass('_ferry.tables') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("apply: look for _ferry.tables: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := a.pool.Query(ctx, historyReadSQL, a.taskID)
	if err != nil {
		return nil, fmt.Errorf("apply: read the schema history of task %s: %w", a.taskID, err)
	}
	defer rows.Close()
	var out map[string]*catalog.Table
	for rows.Next() {
		var key, def string
		if err := rows.Scan(&key, &def); err != nil {
			return nil, fmt.Errorf("apply: read the schema history of task %s: %w", a.taskID, err)
		}
		var t catalog.Table
		if err := json.Unmarshal([]byte(def), &t); err != nil {
			return nil, fmt.Errorf("apply: schema history of task %s: table %s: %w", a.taskID, key, err)
		}
		if out == nil {
			out = map[string]*catalog.Table{}
		}
		out[key] = &t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("apply: read the schema history of task %s: %w", a.taskID, err)
	}
	return out, nil
}

// Follow makes the applier work with these source tables (the schema as
// of the applied position) and store them as the schema history when none
// is stored yet. plan converts definitions into target plans when a
// schema change arrives; skip lists schema changes (event.Event.Where)
// the user took care of on the target: they change ferry's schema
// history but not the target.
func (a *Applier) Follow(ctx context.Context, tables map[string]*catalog.Table, plan func(map[string]*catalog.Table) (map[string]*convert.TablePlan, error), skip []string) error {
	if plan == nil {
		return errors.New("apply: Follow needs a planner")
	}
	stored, err := a.Schema(ctx)
	if err != nil {
		return err
	}
	plans, err := plan(tables)
	if err != nil {
		return fmt.Errorf("apply: plan the target tables: %w", err)
	}
	// The history keeps the target's index names (stampTargets), so later
	// plans name them as they are, whatever tables come and go.
	tables = maps.Clone(tables)
	changed := stampTargets(tables, plans)
	if stored == nil || len(changed) > 0 {
		tx, err := a.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("apply: store the schema history: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after Commit
		if _, err := tx.Exec(ctx, historySQL); err != nil {
			return fmt.Errorf("apply: create _ferry.tables: %w", err)
		}
		if stored == nil {
			changed = slices.Collect(maps.Keys(tables))
		}
		for _, key := range changed {
			def, err := json.Marshal(tables[key])
			if err != nil {
				return fmt.Errorf("apply: encode table %s: %w", key, err)
			}
			if _, err := tx.Exec(ctx, historyStoreSQL, a.taskID, key, string(def)); err != nil {
				return fmt.Errorf("apply: store the schema history of %s: %w", key, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("apply: store the schema history: %w", err)
		}
	}
	ts := make(map[string]*table, len(plans))
	for key, tp := range plans {
		t, err := newTable(tp)
		if err != nil {
			return fmt.Errorf("apply: table %s: %w", key, err)
		}
		ts[key] = t
	}
	a.markCascades(ts)
	a.tables, a.schema, a.planner = ts, maps.Clone(tables), plan
	a.skip = map[string]bool{}
	for _, s := range skip {
		a.skip[strings.TrimSpace(s)] = true
	}
	return nil
}

// forgetSchema drops the task's schema history (a new full load).
func forgetSchema(ctx context.Context, q interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, taskID string) error {
	if _, err := q.Exec(ctx, `DO $ferry$ BEGIN IF to_regclass('_ferry.tables') IS NOT NULL THEN DELETE FROM _ferry.tables WHERE task_id = `+convert.QuoteLiteral(taskID)+`; END IF; END $ferry$`); err != nil {
		return fmt.Errorf("target: forget the schema history of task %s: %w", taskID, err)
	}
	return nil
}

// queueDDL queues the target statements of a schema change and the
// schema history update, and moves the applier's plans on. It returns a
// *PauseError when the change has parts ferry cannot follow and the user
// did not skip it. The caller restores a.tables and a.schema if the
// batch fails.
func (a *Applier) queueDDL(e *event.Event, q func(sql string, args ...any)) error {
	if a.planner == nil {
		return errors.New("schema change, but the applier has no planner (Follow was not called)")
	}
	skipped := a.skip[e.Where()]
	next := maps.Clone(a.schema)
	var reasons, tables []string
	for _, ch := range e.TableChanges {
		tables = append(tables, ch.ID)
		reasons = append(reasons, ch.Unsupported...)
		prev := next[ch.ID]
		if ch.Type == "RENAME" {
			prev = next[ch.From]
			delete(next, ch.From)
		}
		switch {
		case ch.Type == "DROP":
			delete(next, ch.ID)
		case ch.Type == "CREATE" && ch.Table != nil:
			next[ch.ID] = ch.Table.Clone()
		case ch.Table != nil:
			next[ch.ID] = keepTargets(prev, ch.Table)
		}
	}
	plans, err := a.planner(next)
	if err != nil {
		return &PauseError{Where: e.Where(), Position: fmt.Sprintf("%s:%d", e.Source.File, e.Source.Pos), Tables: tables, Statement: e.DDL,
			Reasons: append(reasons, "ferry cannot plan the changed tables: "+err.Error())}
	}
	var stmts []string
	olds := maps.Clone(a.tables) // as the statement's changes move them
	for _, ch := range e.TableChanges {
		var old *convert.TablePlan
		oldKey := ch.ID
		if ch.Type == "RENAME" {
			oldKey = ch.From
		}
		if t := olds[oldKey]; t != nil {
			old = t.plan
		}
		if ch.Type == "RENAME" {
			olds[ch.ID] = olds[ch.From]
			delete(olds, ch.From)
		}
		s, err := targetDDL(old, plans[ch.ID], ch)
		if err != nil {
			reasons = append(reasons, err.Error())
		}

		if cur := plans[ch.ID]; ch.Type == "CREATE" && cur != nil && !a.hasSchema(cur.Schema) {
			// A new database's first table (one schema per database).
			s = append([]string{"CREATE SCHEMA IF NOT EXISTS " + convert.QuoteIdent(cur.Schema)}, s...)
		}
		stmts = append(stmts, s...)
	}
	if len(reasons) > 0 && !skipped {
		return &PauseError{Where: e.Where(), Position: fmt.Sprintf("%s:%d", e.Source.File, e.Source.Pos), Tables: tables, Statement: e.DDL, Reasons: reasons, Target: stmts}
	}
	if !skipped {
		for _, s := range stmts {
			q(s)
		}
	}
	// The history: the changed tables, with the target names of their
	// indexes (new ones too), and any table whose names were not recorded.
	store := map[string]bool{}
	for _, ch := range e.TableChanges {
		if ch.Type == "RENAME" && next[ch.From] == nil {
			q(historyDeleteSQL, a.taskID, ch.From)
		}
		if ch.Type == "DROP" && next[ch.ID] == nil {
			q(historyDeleteSQL, a.taskID, ch.ID)
			continue
		}
		if next[ch.ID] != nil {
			store[ch.ID] = true
		}
	}
	for _, key := range stampTargets(next, plans) {
		store[key] = true
	}
	for _, key := range slices.Sorted(maps.Keys(store)) {
		def, err := json.Marshal(next[key])
		if err != nil {
			return fmt.Errorf("encode table %s: %w", key, err)
		}
		q(historyStoreSQL, a.taskID, key, string(def))
	}
	ts := make(map[string]*table, len(plans))
	for key, tp := range plans {
		t, err := newTable(tp)
		if err != nil {
			return fmt.Errorf("table %s: %w", key, err)
		}
		ts[key] = t
	}
	a.markCascades(ts)
	a.tables, a.schema = ts, next
	return nil
}

// hasSchema tells whether a table of the migration lives in the target
// schema already.
func (a *Applier) hasSchema(schema string) bool {
	for _, t := range a.tables {
		if t.plan.Schema == schema {
			return true
		}
	}
	return false
}

// ddlFailed turns a target error on a schema change statement into a
// pause: a retry cannot fix it.
func ddlFailed(e *event.Event, stmt string, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	var tables []string
	for _, ch := range e.TableChanges {
		tables = append(tables, ch.ID)
	}
	return &PauseError{Where: e.Where(), Position: fmt.Sprintf("%s:%d", e.Source.File, e.Source.Pos), Tables: tables, Statement: e.DDL,
		Reasons: []string{fmt.Sprintf("the target rejected %s: %v", stmt, err)}}
}

// targetDDL is what a table change runs on the target: CREATE TABLE with
// its keys, indexes and foreign keys; DROP TABLE; or, for ALTER, each
// column change in order. Types, defaults and checks come from the
// plans (convert), the same rules as the full load.
func targetDDL(old, cur *convert.TablePlan, ch event.TableChange) (s []string, err error) {
	switch ch.Type {
	case "DROP":
		if old == nil {
			return nil, nil
		}
		return []string{"DROP TABLE IF EXISTS " + old.Ident()}, nil
	case "RENAME":
		if old == nil || cur == nil {
			return nil, fmt.Errorf("table %s (renamed to %s) is not planned on the target", ch.From, ch.ID)
		}
		name := old.Name
		if old.Schema != cur.Schema {
			s = append(s, fmt.Sprintf("ALTER TABLE %s SET SCHEMA %s", old.Ident(), convert.QuoteIdent(cur.Schema)))
		}
		if name != cur.Name {
			s = append(s, fmt.Sprintf("ALTER TABLE %s.%s RENAME TO %s", convert.QuoteIdent(cur.Schema), convert.QuoteIdent(name), convert.QuoteIdent(cur.Name)))
		}
		return s, nil
	case "CREATE":
		if cur == nil {
			return nil, fmt.Errorf("no plan for new table %s", ch.ID)
		}
		s = append(s, cur.Before...)
		s = append(s, cur.Create)
		s = append(s, cur.AfterCreate...)
		if cur.PrimaryKey != "" {
			s = append(s, cur.PrimaryKey)
		}
		s = append(s, cur.Indexes...)
		s = append(s, cur.ForeignKeys...)
		s = append(s, cur.After...)
		return s, nil
	}
	if len(ch.Columns) == 0 && len(ch.Indexes) == 0 {
		return nil, nil
	}
	if old == nil || cur == nil {
		return nil, fmt.Errorf("table %s is not planned on the target", ch.ID)
	}
	id := cur.Ident()
	// Indexes go first, new ones last: a new index may use a new column.
	for _, ic := range ch.Indexes {
		if ic.Op != "drop" {
			continue
		}
		ip, ok := old.IndexBySource[ic.Name]
		if !ok {
			return s, fmt.Errorf("index %s of %s is not on the target (ferry did not create it): drop it there yourself if it exists", ic.Name, ch.ID)
		}
		s = append(s, "DROP INDEX "+convert.QuoteIdent(cur.Schema)+"."+convert.QuoteIdent(ip.Name))
	}
	defer func() {
		// MySQL shortens the indexes of a dropped column; PostgreSQL drops
		// them: create them again without it.
		dropped := map[string]bool{}
		for _, cc := range ch.Columns {
			if cc.Op == event.ColumnDrop {
				dropped[cc.Column] = true
			}
		}
		for _, ix := range old.Source.Indexes {
			touched := false
			for _, k := range ix.Columns {
				touched = touched || dropped[k.Name]
			}
			ip, ok := cur.IndexBySource[ix.Name]
			if touched && ok && !slices.ContainsFunc(ch.Indexes, func(ic event.IndexChange) bool { return ic.Name == ix.Name }) {
				s = append(s, ip.Create)
			}
		}
		for _, ic := range ch.Indexes {
			if ic.Op == "add" {
				if ip, ok := cur.IndexBySource[ic.Name]; ok {
					s = append(s, ip.Create)
				}
			}
		}
	}()
	for _, ic := range ch.Indexes {
		if _, ok := cur.IndexBySource[ic.Name]; ic.Op == "add" && !ok {
			return s, fmt.Errorf("index %s of %s is not converted (a functional or spatial index): create it on the target yourself", ic.Name, ch.ID)
		}
	}
	alter := func(f string, args ...any) { s = append(s, "ALTER TABLE "+id+" "+fmt.Sprintf(f, args...)) }
	added := map[string]bool{} // added by this statement, with their final definition
	for _, cc := range ch.Columns {
		if cc.Op != event.ColumnAdd && cc.Op != event.ColumnDrop && added[cc.Column] {
			continue
		}
		switch cc.Op {
		case event.ColumnAdd:
			added[cc.Column] = true
			nc := column(cur, cc.Column)
			if nc == nil {
				return s, fmt.Errorf("column %s.%s is not planned on the target", ch.ID, cc.Column)
			}
			def := nc.Def
			generated := nc.Source.Generated != nil || nc.Source.AutoIncrement
			if nc.NotNull && nc.DefaultSQL == "" && !generated && strings.Contains(def, " NOT NULL") {
				// MySQL fills existing rows with the type's implicit default.
				prefix := convert.QuoteIdent(nc.Name) + " " + nc.Type
				if strings.HasPrefix(def, prefix) {
					alter("ADD COLUMN %s DEFAULT %s%s", prefix, implicitDefault(nc), def[len(prefix):])
					alter("ALTER COLUMN %s DROP DEFAULT", convert.QuoteIdent(nc.Name))
					continue
				}
			}
			alter("ADD COLUMN %s", def)
			s = append(s, onUpdate(cur, nil, nc)...)
		case event.ColumnDrop:
			s = append(s, onUpdate(cur, column(old, cc.Column), nil)...)
			alter("DROP COLUMN IF EXISTS %s", convert.QuoteIdent(convert.Name(cc.Column)))
		case event.ColumnRename, event.ColumnModify:
			from := cc.Column
			if cc.Op == event.ColumnRename {
				from = cc.From
			}
			oc, nc := column(old, from), column(cur, cc.Column)
			if oc == nil || nc == nil {
				return s, fmt.Errorf("column %s.%s is not planned on the target", ch.ID, cc.Column)
			}
			if cc.Op == event.ColumnRename && oc.Name != nc.Name {
				alter("RENAME COLUMN %s TO %s", convert.QuoteIdent(oc.Name), convert.QuoteIdent(nc.Name))
			}
			s = append(s, modifyColumn(cur, oc, nc)...)
			s = append(s, onUpdate(cur, oc, nc)...)
		default:
			return s, fmt.Errorf("unknown column change %q", cc.Op)
		}
	}
	return s, nil
}

// modifyColumn changes a column's type, default, nullability and member
// check from oc to nc (nc's name: a rename ran before).
func modifyColumn(tp *convert.TablePlan, oc, nc *convert.ColumnPlan) []string {
	id, col := tp.Ident(), convert.QuoteIdent(nc.Name)
	var s []string
	alter := func(f string, args ...any) { s = append(s, "ALTER TABLE "+id+" "+fmt.Sprintf(f, args...)) }
	if oc.Check != nc.Check && oc.Check != "" {
		// The member CHECK of an enum or set column was created inline,
		// so PostgreSQL named it: drop the column's one-column checks.
		s = append(s, fmt.Sprintf(`DO $ferry$ DECLARE r record; BEGIN
  FOR r IN SELECT c.conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.conrelid = %[1]s::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1 AND a.attname = %[2]s LOOP
    EXECUTE format('ALTER TABLE %%s DROP CONSTRAINT %%I', %[1]s::regclass, r.conname);
  END LOOP;
END $ferry$`, convert.QuoteLiteral(id), convert.QuoteLiteral(nc.Name)))
	}
	typeChanged := oc.Type != nc.Type
	if typeChanged {
		if oc.DefaultSQL != "" {
			alter("ALTER COLUMN %s DROP DEFAULT", col)
		}
		alter("ALTER COLUMN %s TYPE %s USING %s", col, nc.Type, usingExpr(col, oc, nc))
	}
	if nc.DefaultSQL != oc.DefaultSQL || (typeChanged && nc.DefaultSQL != "") {
		if nc.DefaultSQL != "" {
			alter("ALTER COLUMN %s SET DEFAULT %s", col, nc.DefaultSQL)
		} else if !typeChanged {
			alter("ALTER COLUMN %s DROP DEFAULT", col)
		}
	}
	dateLike := nc.Encoding == convert.EncDate || nc.Encoding == convert.EncTimestampTZ
	switch {
	case nc.NotNull && !oc.NotNull && !dateLike:
		alter("ALTER COLUMN %s SET NOT NULL", col)
	case !nc.NotNull && oc.NotNull:
		alter("ALTER COLUMN %s DROP NOT NULL", col)
	}
	if nc.Check != "" && nc.Check != oc.Check {
		alter("ADD CHECK (%s)", nc.Check)
	}
	return s
}

// usingExpr converts a column's values to its new type as MySQL does.
func usingExpr(col string, oc, nc *convert.ColumnPlan) string {
	to := nc.Type
	switch {
	case nc.Encoding == convert.EncSet && oc.Encoding != convert.EncSet:
		return fmt.Sprintf("string_to_array(%s::text, ',')", col)
	case oc.Encoding == convert.EncSet && nc.Encoding != convert.EncSet:
		return fmt.Sprintf("array_to_string(%s, ',')::%s", col, to)
	case to == "bytea" && oc.Type != "bytea":
		return fmt.Sprintf("convert_to(%s::text, 'UTF8')", col)
	case oc.Type == "bytea" && to != "bytea":
		return fmt.Sprintf("convert_from(%s, 'UTF8')::%s", col, to)
	case to == "boolean" && oc.Type != "boolean":
		return fmt.Sprintf("(%s::text::numeric <> 0)", col)
	case oc.Type == "boolean" && to != "boolean":
		return fmt.Sprintf("%s::integer::%s", col, to)
	case oc.Encoding == convert.EncTimestampTZ && nc.Encoding != convert.EncTimestampTZ && strings.HasPrefix(oc.Type, "timestamptz"):
		return fmt.Sprintf("(%s AT TIME ZONE 'UTC')::%s", col, to)
	case nc.Encoding == convert.EncTimestampTZ && oc.Encoding != convert.EncTimestampTZ && strings.HasPrefix(to, "timestamptz"):
		return fmt.Sprintf("(%s::timestamp AT TIME ZONE 'UTC')::%s", col, to)
	}
	return fmt.Sprintf("%s::%s", col, to)
}

// implicitDefault is the value MySQL gives existing rows for a new NOT
// NULL column without a default.
func implicitDefault(c *convert.ColumnPlan) string {
	switch {
	case c.Encoding == convert.EncBool:
		return "false"
	case c.Encoding == convert.EncSet:
		return "'{}'::text[]"
	case c.Encoding == convert.EncBytea:
		return `'\x'::bytea`
	case c.Source.Type.Name == "enum" && len(c.Source.Type.Values) > 0:
		return convert.QuoteLiteral(c.Source.Type.Values[0])
	case c.Type == "jsonb":
		return "'null'::jsonb"
	case strings.HasPrefix(c.Type, "bit("):
		return "B'0'::" + c.Type
	case c.Encoding == convert.EncTime:
		return "'00:00:00'"
	}
	switch c.Type {
	case "smallint", "integer", "bigint", "real", "double precision":
		return "0"
	}
	if strings.HasPrefix(c.Type, "numeric") {
		return "0"
	}
	return "''"
}

func column(tp *convert.TablePlan, source string) *convert.ColumnPlan {
	for _, c := range tp.Columns {
		if c.Source != nil && c.Source.Name == source {
			return c
		}
	}
	return nil
}

// stampTargets records in each table's indexes the target name its plan
// gives them, where not recorded yet, replacing the changed tables in the
// map with copies; it returns the keys of the tables it changed, sorted.
func stampTargets(tables map[string]*catalog.Table, plans map[string]*convert.TablePlan) []string {
	var changed []string
	for key, t := range tables {
		tp := plans[key]
		if tp == nil {
			continue
		}
		var c *catalog.Table
		for i, ix := range t.Indexes {
			ip, ok := tp.IndexBySource[ix.Name]
			if ix.Target != "" || !ok {
				continue
			}
			if c == nil {
				c = t.Clone()
			}
			c.Indexes[i].Target = ip.Name
		}
		if c != nil {
			tables[key] = c
			changed = append(changed, key)
		}
	}
	sort.Strings(changed)
	return changed
}

// keepTargets returns a copy of t (a table's definition after a schema
// change) whose indexes carry the target names recorded in prev (its
// definition before) for indexes of the same name.
func keepTargets(prev, t *catalog.Table) *catalog.Table {
	t = t.Clone()
	if prev == nil {
		return t
	}
	for _, ix := range t.Indexes {
		if ix.Target != "" {
			continue
		}
		for _, p := range prev.Indexes {
			if p.Name == ix.Name {
				ix.Target = p.Target
			}
		}
	}
	return t
}

// onUpdate keeps the trigger that emulates ON UPDATE CURRENT_TIMESTAMP
// in step with a column change from oc to nc (nil: added or dropped):
// its function names the column, so a rename or a type change replaces
// it.
func onUpdate(tp *convert.TablePlan, oc, nc *convert.ColumnPlan) []string {
	had := oc != nil && oc.Source != nil && oc.Source.OnUpdateCurrentTimestamp
	has := nc != nil && nc.Source != nil && nc.Source.OnUpdateCurrentTimestamp
	same := had && has && oc.Name == nc.Name && oc.Type == nc.Type
	var s []string
	if had && !same {
		s = append(s, convert.DropOnUpdateTrigger(tp, oc)...)
	}
	if has && !same {
		s = append(s, convert.OnUpdateTrigger(tp, nc)...)
	}
	return s
}
