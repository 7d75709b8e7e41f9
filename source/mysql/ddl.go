package mysql

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	pmysql "github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"

	// test_driver provides the literal values the parser builds.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// ddlOptions say how Stream follows schema changes (see FollowDDL).
type ddlOptions struct {
	match func(db, table string) bool
	skip  map[string]bool
}

// FollowDDL sets how Stream treats DDL statements in the binlog. match
// selects the tables of the migration (CREATE TABLE of a matching table
// is followed; nil: none). skipAt lists statements (event.Event.Where:
// GTID or binlog file:pos) the user has dealt with on the target: their
// unsupported parts no longer stop the stream.
func (s *Source) FollowDDL(match func(db, table string) bool, skipAt []string) {
	s.ddl = ddlOptions{match: match, skip: map[string]bool{}}
	for _, w := range skipAt {
		s.ddl.skip[strings.TrimSpace(w)] = true
	}
}

// ddl follows one statement of the binlog (a QueryEvent that is not part
// of a row transaction). Statements that touch the selected tables become
// events of the current transaction: TRUNCATE a truncate event per table,
// CREATE/ALTER/DROP TABLE one schema change event (event.OpDDL) carrying
// each table's definition after the change. The stream's table catalog
// follows, so later rows decode with the new columns. A statement ferry
// cannot follow becomes a schema change event with Unsupported parts, and
// the stream stops after it (source.ErrPaused) unless the user skipped it.
// Statements about other tables, and statements that change no table
// (users, grants, views, routines, ANALYZE...), are not followed.
func (st *streamState) ddl(h *replication.EventHeader, e *replication.QueryEvent) error {
	q := string(e.Query)
	defDB := string(e.Schema)
	if st.parser == nil {
		st.parser = parser.New()
	}
	if !st.inTx {
		st.begin(h, "")
	}
	evPos := uint64(h.LogPos) - uint64(h.EventSize)
	mk := func(op, db, table string) event.Event {
		return event.Event{
			Op: op,
			Source: event.Source{
				Version: event.Version, Connector: "mysql", Name: st.s.cfg.Addr,
				Db: db, Table: table, ServerID: h.ServerID, GTID: st.txGTID,
				File: st.file, Pos: evPos,
			},
		}
	}
	stmts, _, err := st.parser.Parse(q, "", "")
	if err != nil {
		key := st.mentions(q)
		if key == "" {
			return nil // names no selected table: not part of the migration
		}
		db, name, _ := strings.Cut(key, ".")
		ev := mk(event.OpDDL, db, name)
		ev.DDL = q
		ev.TableChanges = []event.TableChange{{Type: "ALTER", ID: key, Table: st.tables[key],
			Unsupported: []string{fmt.Sprintf("ferry cannot parse the statement (%v)", err)}}}
		return st.addDDL(ev)
	}
	for _, stmt := range stmts {
		var changes []event.TableChange
		switch s := stmt.(type) {
		case *ast.TruncateTableStmt:
			db, name := tableName(s.Table, defDB)
			if st.tables[db+"."+name] != nil {
				st.txEvents = append(st.txEvents, mk(event.OpTruncate, db, name))
			}
			continue
		case *ast.AlterTableStmt:
			if len(s.Specs) == 1 && s.Specs[0].Tp == ast.AlterTableRenameTable {
				// ALTER TABLE a RENAME TO b is RENAME TABLE a TO b.
				changes = append(changes, st.renameTables(&ast.RenameTableStmt{
					TableToTables: []*ast.TableToTable{{OldTable: s.Table, NewTable: s.Specs[0].NewTable}}}, defDB)...)
				break
			}
			if ch := st.alterTable(s, defDB); ch != nil {
				changes = append(changes, *ch)
			}
		case *ast.CreateTableStmt:
			if ch := st.createTable(s, defDB); ch != nil {
				changes = append(changes, *ch)
			}
		case *ast.DropTableStmt:
			if s.IsView || s.TemporaryKeyword != ast.TemporaryNone {
				continue
			}
			for _, tn := range s.Tables {
				db, name := tableName(tn, defDB)
				if st.tables[db+"."+name] != nil {
					changes = append(changes, event.TableChange{Type: "DROP", ID: db + "." + name})
				}
			}
		case *ast.RenameTableStmt:
			changes = append(changes, st.renameTables(s, defDB)...)
		case *ast.CreateIndexStmt:
			if ch := st.createIndex(s, defDB); ch != nil {
				changes = append(changes, *ch)
			}
		case *ast.DropIndexStmt:
			db, name := tableName(s.Table, defDB)
			if old := st.tables[db+"."+name]; old != nil {
				t := old.Clone()
				ch := &event.TableChange{Type: "ALTER", ID: db + "." + name, Table: t}
				if why := dropIndex(t, ch, s.IndexName, s.IfExists); why != "" {
					ch.Unsupported = append(ch.Unsupported, restore(s)+": "+why)
				}
				changes = append(changes, *ch)
			}
		case *ast.DropDatabaseStmt:
			for key := range st.tables {
				if strings.HasPrefix(key, s.Name.O+".") {
					changes = append(changes, event.TableChange{Type: "DROP", ID: key,
						Unsupported: []string{"DROP DATABASE " + s.Name.O + " drops replicated tables"}})
					break
				}
			}
		default:
			// Other statements change no selected table's rows or columns.
			continue
		}
		if len(changes) == 0 {
			continue
		}
		db, name, _ := strings.Cut(changes[0].ID, ".")
		ev := mk(event.OpDDL, db, name)
		ev.DDL = q
		ev.TableChanges = changes
		if err := st.addDDL(ev); err != nil {
			return err
		}
	}
	return nil
}

// addDDL adds a schema change event to the transaction and moves the
// stream's catalog on, or marks the stream paused when the statement has
// parts ferry cannot follow and the user did not skip it.
func (st *streamState) addDDL(ev event.Event) error {
	st.txEvents = append(st.txEvents, ev)
	for _, ch := range ev.TableChanges {
		if len(ch.Unsupported) > 0 && !st.s.ddl.skip[ev.Where()] {
			st.paused = true
		}
	}
	if st.paused {
		return nil
	}
	for _, ch := range ev.TableChanges {
		if ch.Type == "RENAME" {
			delete(st.tables, ch.From)
		}
		if ch.Type == "DROP" {
			delete(st.tables, ch.ID)
		} else if ch.Table != nil {
			st.tables[ch.ID] = ch.Table
		}
	}
	return nil
}

// mentions returns a selected table whose name appears as a word in q.
func (st *streamState) mentions(q string) string {
	lq := strings.ToLower(q)
	for key, t := range st.tables {
		re, err := regexp.Compile(`(^|[^a-z0-9_$])` + regexp.QuoteMeta(strings.ToLower(t.Name)) + `($|[^a-z0-9_$])`)
		if err == nil && re.MatchString(lq) {
			return key
		}
	}
	return ""
}

func tableName(tn *ast.TableName, defDB string) (string, string) {
	db := tn.Schema.O
	if db == "" {
		db = defDB
	}
	return db, tn.Name.O
}

// restore prints a node back as MySQL SQL.
func restore(n ast.Node) string {
	var b strings.Builder
	if err := n.Restore(format.NewRestoreCtx(format.RestoreStringSingleQuotes|format.RestoreStringWithoutCharset|format.RestoreKeyWordUppercase|format.RestoreNameBackQuotes, &b)); err != nil {
		return fmt.Sprintf("(%T)", n)
	}
	return b.String()
}

// alterTable follows ALTER TABLE on a selected table: column changes are
// applied to a copy of its catalog; anything else is listed as
// unsupported, except options that change neither rows nor columns
// (ENGINE, AUTO_INCREMENT, COMMENT, ALGORITHM, LOCK, FORCE...).
func (st *streamState) alterTable(a *ast.AlterTableStmt, defDB string) *event.TableChange {
	db, name := tableName(a.Table, defDB)
	key := db + "." + name
	old := st.tables[key]
	if old == nil {
		return nil
	}
	t := old.Clone()
	ch := &event.TableChange{Type: "ALTER", ID: key, Table: t}
	unsupported := func(sp *ast.AlterTableSpec, why string) {
		ch.Unsupported = append(ch.Unsupported, restore(sp)+": "+why)
	}
	for _, sp := range a.Specs {
		switch sp.Tp {
		case ast.AlterTableAddColumns:
			if len(sp.NewConstraints) > 0 {
				unsupported(sp, "constraints are not followed")
				continue
			}
			for _, cd := range sp.NewColumns {
				cname := cd.Name.Name.O
				if t.Column(cname) != nil {
					if !sp.IfNotExists {
						unsupported(sp, "column "+cname+" exists already")
					}
					continue
				}
				c, bad := st.columnFromDef(cd, t, "", false)
				if bad != "" {
					unsupported(sp, bad)
					continue
				}
				if err := placeColumn(t, c, sp.Position); err != nil {
					unsupported(sp, err.Error())
					continue
				}
				ch.Columns = append(ch.Columns, event.ColumnChange{Op: event.ColumnAdd, Column: cname})
			}
		case ast.AlterTableDropColumn:
			cname := sp.OldColumnName.Name.O
			c := t.Column(cname)
			if c == nil {
				if !sp.IfExists {
					unsupported(sp, "no column "+cname)
				}
				continue
			}
			if inPrimaryKey(t, cname) {
				unsupported(sp, "column "+cname+" is part of the primary key")
				continue
			}
			removeColumn(t, c.Name)
			dropKeyColumn(t, c.Name)
			ch.Columns = append(ch.Columns, event.ColumnChange{Op: event.ColumnDrop, Column: c.Name})
		case ast.AlterTableModifyColumn, ast.AlterTableChangeColumn:
			cd := sp.NewColumns[0]
			from := cd.Name.Name.O
			if sp.Tp == ast.AlterTableChangeColumn {
				from = sp.OldColumnName.Name.O
			}
			oc := t.Column(from)
			if oc == nil {
				if !sp.IfExists {
					unsupported(sp, "no column "+from)
				}
				continue
			}
			c, bad := st.columnFromDef(cd, t, oc.Name, false)
			if bad != "" {
				unsupported(sp, bad)
				continue
			}
			if c.Name != oc.Name && t.Column(c.Name) != nil {
				unsupported(sp, "column "+c.Name+" exists already")
				continue
			}
			if (oc.Generated != nil) != (c.Generated != nil) || (c.Generated != nil && c.Generated.Expr != oc.Generated.Expr) {
				unsupported(sp, "changing a generated column is not followed")
				continue
			}
			if sp.Position != nil && sp.Position.Tp != ast.ColumnPositionNone {
				removeColumn(t, oc.Name)
				if err := placeColumn(t, c, sp.Position); err != nil {
					unsupported(sp, err.Error())
					continue
				}
			} else {
				replaceColumn(t, oc.Name, c)
			}
			renameKeyColumn(t, oc.Name, c.Name)
			if c.Name != oc.Name {
				ch.Columns = append(ch.Columns, event.ColumnChange{Op: event.ColumnRename, Column: c.Name, From: oc.Name})
			} else {
				ch.Columns = append(ch.Columns, event.ColumnChange{Op: event.ColumnModify, Column: c.Name})
			}
		case ast.AlterTableRenameColumn:
			from, to := sp.OldColumnName.Name.O, sp.NewColumnName.Name.O
			oc := t.Column(from)
			switch {
			case oc == nil:
				unsupported(sp, "no column "+from)
				continue
			case t.Column(to) != nil && !strings.EqualFold(to, from):
				unsupported(sp, "column "+to+" exists already")
				continue
			}
			c := *oc
			c.Name = to
			replaceColumn(t, from, &c)
			renameKeyColumn(t, from, to)
			ch.Columns = append(ch.Columns, event.ColumnChange{Op: event.ColumnRename, Column: to, From: from})
		case ast.AlterTableAlterColumn:
			cd := sp.NewColumns[0]
			oc := t.Column(cd.Name.Name.O)
			if oc == nil {
				unsupported(sp, "no column "+cd.Name.Name.O)
				continue
			}
			c := *oc
			c.Default = nil
			for _, o := range cd.Options {
				// SET DEFAULT comes as an option with an expression (and
				// no option type); DROP DEFAULT as none.
				if (o.Tp == ast.ColumnOptionDefaultValue || o.Tp == ast.ColumnOptionNoOption) && o.Expr != nil {
					c.Default = defaultFromSQL(restore(o.Expr), c.Type)
				}
			}
			replaceColumn(t, oc.Name, &c)
			ch.Columns = append(ch.Columns, event.ColumnChange{Op: event.ColumnModify, Column: c.Name})
		case ast.AlterTableOption:
			for _, o := range sp.Options {
				switch o.Tp {
				case ast.TableOptionEngine, ast.TableOptionAutoIncrement, ast.TableOptionRowFormat,
					ast.TableOptionStatsPersistent, ast.TableOptionStatsAutoRecalc, ast.TableOptionStatsSamplePages,
					ast.TableOptionKeyBlockSize, ast.TableOptionPackKeys, ast.TableOptionCheckSum, ast.TableOptionDelayKeyWrite,
					ast.TableOptionAvgRowLength, ast.TableOptionMaxRows, ast.TableOptionMinRows, ast.TableOptionCharset, ast.TableOptionCollate:
					// Storage details, or the default character set of
					// columns added later (which name theirs when it matters).
				case ast.TableOptionComment:
					t.Comment = o.StrValue
				default:
					unsupported(sp, "table option not followed")
				}
			}
		case ast.AlterTableAddConstraint:
			con := sp.Constraint
			if !isIndexConstraint(con.Tp) {
				unsupported(sp, "primary key, foreign key and check changes are not followed")
				continue
			}
			if con.IfNotExists && con.Name != "" && findIndex(t, con.Name) >= 0 {
				continue
			}
			ix, why := indexFromConstraint(t, con)
			if why != "" {
				unsupported(sp, why)
				continue
			}
			t.Indexes = append(t.Indexes, ix)
			ch.Indexes = append(ch.Indexes, event.IndexChange{Op: "add", Name: ix.Name})
		case ast.AlterTableDropIndex:
			if why := dropIndex(t, ch, sp.Name, sp.IfExists); why != "" {
				unsupported(sp, why)
			}
		case ast.AlterTableDropPrimaryKey, ast.AlterTableDropForeignKey,
			ast.AlterTableRenameIndex, ast.AlterTableAlterCheck, ast.AlterTableDropCheck, ast.AlterTableIndexInvisible:
			unsupported(sp, "index and constraint changes are not followed")
		case ast.AlterTableLock, ast.AlterTableAlgorithm, ast.AlterTableForce:
		default:
			unsupported(sp, "not followed by ferry")
		}
	}
	for i, c := range t.Columns {
		c.Position = i + 1
	}
	return ch
}

// createTable follows CREATE TABLE of a table the task's patterns select.
func (st *streamState) createTable(s *ast.CreateTableStmt, defDB string) *event.TableChange {
	db, name := tableName(s.Table, defDB)
	key := db + "." + name
	if s.TemporaryKeyword != ast.TemporaryNone || st.s.ddl.match == nil || !st.s.ddl.match(db, name) {
		return nil
	}
	if st.tables[key] != nil && s.IfNotExists {
		return nil
	}
	ch := &event.TableChange{Type: "CREATE", ID: key}
	bad := func(why string) *event.TableChange {
		ch.Unsupported = append(ch.Unsupported, why)
		return ch
	}
	if st.tables[key] != nil {
		return bad("the table exists already in ferry's catalog")
	}
	if s.ReferTable != nil {
		rdb, rname := tableName(s.ReferTable, defDB)
		src := st.tables[rdb+"."+rname]
		if src == nil {
			return bad("CREATE TABLE ... LIKE a table that is not part of the migration: ferry does not know its definition")
		}
		t := src.Clone()
		t.Schema, t.Name = db, name
		t.ForeignKeys = nil // LIKE copies no foreign keys
		ch.Table = t
		return ch
	}
	if s.Select != nil {
		return bad("CREATE TABLE ... SELECT is not followed")
	}
	t := &catalog.Table{Schema: db, Name: name}
	for _, o := range s.Options {
		switch o.Tp {
		case ast.TableOptionComment:
			t.Comment = o.StrValue
		case ast.TableOptionCharset:
			st.tableCharset = strings.ToLower(o.StrValue)
		case ast.TableOptionCollate:
			if st.tableCharset == "" {
				st.tableCharset, _, _ = strings.Cut(strings.ToLower(o.StrValue), "_")
			}
		}
	}
	defer func() { st.tableCharset = "" }()
	for _, cd := range s.Cols {
		c, why := st.columnFromDef(cd, t, "", true)
		if why != "" {
			return bad(why)
		}
		c.Position = len(t.Columns) + 1
		t.Columns = append(t.Columns, c)
		for _, o := range cd.Options {
			switch o.Tp {
			case ast.ColumnOptionPrimaryKey:
				t.PrimaryKey = &catalog.Index{Name: "PRIMARY", Primary: true, Unique: true, Columns: []catalog.IndexColumn{{Name: c.Name}}}
				c.Nullable = false
			case ast.ColumnOptionUniqKey:
				t.Indexes = append(t.Indexes, &catalog.Index{Name: indexNameFor(t, "", c.Name), Unique: true, Columns: []catalog.IndexColumn{{Name: c.Name}}})
			case ast.ColumnOptionReference:
				if o.Refer != nil {
					t.ForeignKeys = append(t.ForeignKeys, foreignKey(t, "", []string{c.Name}, o.Refer, defDB))
				}
			}
		}
	}
	for _, con := range s.Constraints {
		var cols []catalog.IndexColumn
		for _, k := range con.Keys {
			if k.Column == nil {
				return bad("functional key parts are not followed")
			}
			cols = append(cols, catalog.IndexColumn{Name: k.Column.Name.O, PrefixLen: k.Length, Descending: k.Desc})
		}
		switch con.Tp {
		case ast.ConstraintPrimaryKey:
			t.PrimaryKey = &catalog.Index{Name: "PRIMARY", Primary: true, Unique: true, Columns: cols}
			for _, k := range cols {
				if c := t.Column(k.Name); c != nil {
					c.Nullable = false
				}
			}
		case ast.ConstraintKey, ast.ConstraintIndex, ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex, ast.ConstraintFulltext:
			ix, why := indexFromConstraint(t, con)
			if why != "" {
				return bad(why)
			}
			t.Indexes = append(t.Indexes, ix)
		case ast.ConstraintForeignKey:
			var names []string
			for _, k := range cols {
				names = append(names, k.Name)
			}
			t.ForeignKeys = append(t.ForeignKeys, foreignKey(t, con.Name, names, con.Refer, defDB))
		case ast.ConstraintCheck:
			cname := con.Name
			if cname == "" {
				cname = fmt.Sprintf("%s_chk_%d", name, len(t.Checks)+1)
			}
			t.Checks = append(t.Checks, &catalog.Check{Name: cname, Expr: restore(con.Expr)})
		default:
			return bad("constraint " + restore(con) + " is not followed")
		}
	}
	if len(t.Columns) == 0 {
		return bad("a table without columns")
	}
	ch.Table = t
	return ch
}

func isIndexConstraint(tp ast.ConstraintType) bool {
	switch tp {
	case ast.ConstraintKey, ast.ConstraintIndex, ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex, ast.ConstraintFulltext:
		return true
	}
	return false
}

// indexFromConstraint builds a secondary index; why says what ferry
// cannot follow in it.
func indexFromConstraint(t *catalog.Table, con *ast.Constraint) (*catalog.Index, string) {
	cols, why := indexColumns(t, con.Keys)
	if why != "" {
		return nil, why
	}
	ix := &catalog.Index{Name: indexNameFor(t, con.Name, cols[0].Name), Columns: cols}
	switch con.Tp {
	case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
		ix.Unique = true
	case ast.ConstraintFulltext:
		ix.Kind = "FULLTEXT"
	}
	return ix, ""
}

func indexColumns(t *catalog.Table, keys []*ast.IndexPartSpecification) ([]catalog.IndexColumn, string) {
	var cols []catalog.IndexColumn
	for _, k := range keys {
		if k.Column == nil {
			return nil, "functional key parts are not followed"
		}
		if t.Column(k.Column.Name.O) == nil {
			return nil, "no column " + k.Column.Name.O
		}
		cols = append(cols, catalog.IndexColumn{Name: t.Column(k.Column.Name.O).Name, PrefixLen: k.Length, Descending: k.Desc})
	}
	if len(cols) == 0 {
		return nil, "an index without columns"
	}
	return cols, ""
}

// createIndex follows CREATE [UNIQUE|FULLTEXT] INDEX on a selected table.
func (st *streamState) createIndex(s *ast.CreateIndexStmt, defDB string) *event.TableChange {
	db, name := tableName(s.Table, defDB)
	old := st.tables[db+"."+name]
	if old == nil {
		return nil
	}
	t := old.Clone()
	ch := &event.TableChange{Type: "ALTER", ID: db + "." + name, Table: t}
	if s.IfNotExists && findIndex(t, s.IndexName) >= 0 {
		return ch
	}
	cols, why := indexColumns(t, s.IndexPartSpecifications)
	switch {
	case why != "":
	case findIndex(t, s.IndexName) >= 0:
		why = "index " + s.IndexName + " exists already"
	case s.KeyType == ast.IndexKeyTypeSpatial:
		why = "spatial indexes are not followed"
	}
	if why != "" {
		ch.Unsupported = append(ch.Unsupported, restore(s)+": "+why)
		return ch
	}
	ix := &catalog.Index{Name: s.IndexName, Columns: cols, Unique: s.KeyType == ast.IndexKeyTypeUnique}
	if s.KeyType == ast.IndexKeyTypeFulltext {
		ix.Kind = "FULLTEXT"
	}
	t.Indexes = append(t.Indexes, ix)
	ch.Indexes = append(ch.Indexes, event.IndexChange{Op: "add", Name: ix.Name})
	return ch
}

// dropIndex removes a secondary index from t and records it in ch; it
// says why it cannot.
func dropIndex(t *catalog.Table, ch *event.TableChange, name string, ifExists bool) string {
	if strings.EqualFold(name, "PRIMARY") {
		return "primary key changes are not followed"
	}
	i := findIndex(t, name)
	if i < 0 {
		if ifExists {
			return ""
		}
		return "no index " + name
	}
	ch.Indexes = append(ch.Indexes, event.IndexChange{Op: "drop", Name: t.Indexes[i].Name})
	t.Indexes = append(t.Indexes[:i:i], t.Indexes[i+1:]...)
	return ""
}

func findIndex(t *catalog.Table, name string) int {
	for i, ix := range t.Indexes {
		if strings.EqualFold(ix.Name, name) {
			return i
		}
	}
	return -1
}

func foreignKey(t *catalog.Table, name string, cols []string, r *ast.ReferenceDef, defDB string) *catalog.ForeignKey {
	if name == "" {
		name = fmt.Sprintf("%s_ibfk_%d", t.Name, len(t.ForeignKeys)+1)
	}
	rdb, rname := tableName(r.Table, defDB)
	fk := &catalog.ForeignKey{Name: name, Columns: cols, RefSchema: rdb, RefTable: rname, OnDelete: "NO ACTION", OnUpdate: "NO ACTION"}
	for _, k := range r.IndexPartSpecifications {
		if k.Column != nil {
			fk.RefColumns = append(fk.RefColumns, k.Column.Name.O)
		}
	}
	if r.OnDelete != nil && r.OnDelete.ReferOpt != ast.ReferOptionNoOption {
		fk.OnDelete = r.OnDelete.ReferOpt.String()
	}
	if r.OnUpdate != nil && r.OnUpdate.ReferOpt != ast.ReferOptionNoOption {
		fk.OnUpdate = r.OnUpdate.ReferOpt.String()
	}
	return fk
}

// indexNameFor names an index like MySQL: its given name, else its first
// column's, with _2, _3... when taken.
func indexNameFor(t *catalog.Table, name, first string) string {
	if name != "" {
		return name
	}
	taken := func(n string) bool {
		for _, ix := range t.Indexes {
			if strings.EqualFold(ix.Name, n) {
				return true
			}
		}
		return false
	}
	n := first
	for i := 2; taken(n); i++ {
		n = fmt.Sprintf("%s_%d", first, i)
	}
	return n
}

// columnFromDef builds a catalog column from a column definition; why
// says what ferry cannot follow in it. keep names the column the
// definition replaces (MODIFY/CHANGE), whose character set it inherits.
func (st *streamState) columnFromDef(cd *ast.ColumnDef, t *catalog.Table, keep string, inCreate bool) (*catalog.Column, string) {
	if cd.Tp == nil {
		return nil, "column " + cd.Name.Name.O + " has no type"
	}
	c := &catalog.Column{Name: cd.Name.Name.O, Nullable: true}
	ty, err := typeFromField(cd.Tp)
	if err != nil {
		return nil, err.Error()
	}
	c.Type = ty
	if isTextType(ty.Name) {
		c.Charset = strings.ToLower(cd.Tp.GetCharset())
		if cl := cd.Tp.GetCollate(); cl != "" {
			c.Collation = strings.ToLower(cl)
		}
	}
	for _, o := range cd.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull:
			c.Nullable = false
		case ast.ColumnOptionNull:
			c.Nullable = true
		case ast.ColumnOptionPrimaryKey:
			if !inCreate {
				return nil, "key changes are not followed"
			}
			c.Nullable = false
		case ast.ColumnOptionAutoIncrement:
			c.AutoIncrement = true
		case ast.ColumnOptionDefaultValue:
			c.Default = defaultFromSQL(restore(o.Expr), c.Type)
		case ast.ColumnOptionOnUpdate:
			c.OnUpdateCurrentTimestamp = true
		case ast.ColumnOptionComment:
			c.Comment = exprString(o.Expr)
		case ast.ColumnOptionGenerated:
			c.Generated = &catalog.Generated{Expr: restore(o.Expr), Stored: o.Stored}
		case ast.ColumnOptionCollate:
			c.Collation = strings.ToLower(o.StrValue)
		case ast.ColumnOptionUniqKey, ast.ColumnOptionReference, ast.ColumnOptionCheck:
			if !inCreate {
				return nil, "key and check changes are not followed"
			}
		case ast.ColumnOptionColumnFormat, ast.ColumnOptionStorage, ast.ColumnOptionNoOption:
		default:
			return nil, "column option " + restore(o) + " is not followed"
		}
	}
	if isTextType(c.Type.Name) {
		if c.Charset == "" && c.Collation != "" {
			c.Charset, _, _ = strings.Cut(c.Collation, "_")
		}
		if c.Charset == "" {
			c.Charset = st.defaultCharset(t, keep)
		}
	}
	return c, ""
}

// defaultCharset is the character set a text column gets without one:
// the replaced column's, the CREATE TABLE's, else that of the table's
// other text columns, else utf8mb4.
func (st *streamState) defaultCharset(t *catalog.Table, keep string) string {
	if oc := t.Column(keep); oc != nil && oc.Charset != "" {
		return oc.Charset
	}
	if st != nil && st.tableCharset != "" {
		return st.tableCharset
	}
	for _, c := range t.Columns {
		if isTextType(c.Type.Name) && c.Charset != "" {
			return c.Charset
		}
	}
	return "utf8mb4"
}

func isTextType(name string) bool {
	switch name {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set":
		return true
	}
	return false
}

// exprString is a literal's string value (comments).
func exprString(e ast.ExprNode) string {
	s := restore(e)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return unquoteMariaDB(s[1 : len(s)-1])
	}
	return s
}

// typeFromField maps a parsed column type to the catalog's, as Inspect
// would read it from information_schema.
func typeFromField(ft *types.FieldType) (catalog.Type, error) {
	var t catalog.Type
	binary := ft.GetCharset() == "binary"
	flen, dec := ft.GetFlen(), ft.GetDecimal()
	t.Unsigned = pmysql.HasUnsignedFlag(ft.GetFlag())
	intWidth := func() {
		if flen > 0 {
			t.Length = int64(flen)
		}
	}
	switch ft.GetType() {
	case pmysql.TypeTiny:
		t.Name = "tinyint"
		intWidth()
	case pmysql.TypeShort:
		t.Name = "smallint"
		intWidth()
	case pmysql.TypeInt24:
		t.Name = "mediumint"
		intWidth()
	case pmysql.TypeLong:
		t.Name = "int"
		intWidth()
	case pmysql.TypeLonglong:
		t.Name = "bigint"
		intWidth()
	case pmysql.TypeNewDecimal:
		t.Name = "decimal"
		t.Precision, t.Scale = 10, 0
		if flen > 0 {
			t.Precision = flen
		}
		if dec > 0 {
			t.Scale = dec
		}
	case pmysql.TypeFloat:
		t.Name = "float"
		if flen > 0 && dec >= 0 {
			t.Precision = flen
		}
	case pmysql.TypeDouble:
		t.Name = "double"
	case pmysql.TypeBit:
		t.Name = "bit"
		t.Length = max(int64(flen), 1)
	case pmysql.TypeString:
		t.Name = "char"
		if binary {
			t.Name = "binary"
		}
		t.Length = max(int64(flen), 1)
	case pmysql.TypeVarchar, pmysql.TypeVarString:
		t.Name = "varchar"
		if binary {
			t.Name = "varbinary"
		}
		t.Length = int64(flen)
	case pmysql.TypeTinyBlob, pmysql.TypeBlob, pmysql.TypeMediumBlob, pmysql.TypeLongBlob:
		sizes := map[byte]string{pmysql.TypeTinyBlob: "tiny", pmysql.TypeBlob: "", pmysql.TypeMediumBlob: "medium", pmysql.TypeLongBlob: "long"}
		t.Name = sizes[ft.GetType()] + "text"
		if binary {
			t.Name = sizes[ft.GetType()] + "blob"
		}
	case pmysql.TypeEnum:
		t.Name = "enum"
		t.Values = append([]string(nil), ft.GetElems()...)
	case pmysql.TypeSet:
		t.Name = "set"
		t.Values = append([]string(nil), ft.GetElems()...)
	case pmysql.TypeYear:
		t.Name = "year"
		t.Length = 4
	case pmysql.TypeDate:
		t.Name = "date"
	case pmysql.TypeDatetime, pmysql.TypeTimestamp, pmysql.TypeDuration:
		t.Name = map[byte]string{pmysql.TypeDatetime: "datetime", pmysql.TypeTimestamp: "timestamp", pmysql.TypeDuration: "time"}[ft.GetType()]
		if dec > 0 {
			t.Precision = dec
		}
	case pmysql.TypeJSON:
		t.Name = "json"
	default:
		return t, fmt.Errorf("column type %s is not followed", ft.String())
	}
	t.Raw = strings.ToLower(ft.InfoSchemaStr())
	switch t.Name {
	case "year":
		t.Raw = "year(4)"
	case "decimal":
		t.Raw = fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
		if t.Unsigned {
			t.Raw += " unsigned"
		}
	case "varchar", "varbinary":
		if flen <= 0 {
			return t, errors.New("VARCHAR without a length")
		}
	}
	return t, nil
}

// inPrimaryKey tells whether col is part of the primary key.
func inPrimaryKey(t *catalog.Table, col string) bool {
	if t.PrimaryKey != nil {
		for _, k := range t.PrimaryKey.Columns {
			if strings.EqualFold(k.Name, col) {
				return true
			}
		}
	}
	return false
}

// renameKeyColumn renames a column in the table's keys and foreign keys.
func renameKeyColumn(t *catalog.Table, from, to string) {
	if from == to {
		return
	}
	for _, ix := range append([]*catalog.Index{t.PrimaryKey}, t.Indexes...) {
		if ix == nil {
			continue
		}
		for i := range ix.Columns {
			if ix.Columns[i].Name == from {
				ix.Columns[i].Name = to
			}
		}
	}
	for i, fk := range t.ForeignKeys {
		for j, c := range fk.Columns {
			if c == from {
				n := *fk
				n.Columns = append([]string(nil), fk.Columns...)
				n.Columns[j] = to
				t.ForeignKeys[i] = &n
			}
		}
	}
}

// dropKeyColumn removes a dropped column from the table's indexes, as
// MySQL does (an index left without columns goes).
func dropKeyColumn(t *catalog.Table, col string) {
	var keep []*catalog.Index
	for _, ix := range t.Indexes {
		var cols []catalog.IndexColumn
		for _, k := range ix.Columns {
			if k.Name != col {
				cols = append(cols, k)
			}
		}
		if len(cols) > 0 {
			ix.Columns = cols
			keep = append(keep, ix)
		}
	}
	t.Indexes = keep
	var fks []*catalog.ForeignKey
	for _, fk := range t.ForeignKeys {
		if !slicesContains(fk.Columns, col) {
			fks = append(fks, fk)
		}
	}
	t.ForeignKeys = fks
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func placeColumn(t *catalog.Table, c *catalog.Column, pos *ast.ColumnPosition) error {
	at := len(t.Columns)
	if pos != nil {
		switch pos.Tp {
		case ast.ColumnPositionFirst:
			at = 0
		case ast.ColumnPositionAfter:
			at = -1
			for i, x := range t.Columns {
				if strings.EqualFold(x.Name, pos.RelativeColumn.Name.O) {
					at = i + 1
				}
			}
			if at < 0 {
				return fmt.Errorf("no column %s to place it after", pos.RelativeColumn.Name.O)
			}
		}
	}
	t.Columns = append(t.Columns, nil)
	copy(t.Columns[at+1:], t.Columns[at:])
	t.Columns[at] = c
	return nil
}

func removeColumn(t *catalog.Table, name string) {
	for i, c := range t.Columns {
		if c.Name == name {
			t.Columns = append(t.Columns[:i], t.Columns[i+1:]...)
			return
		}
	}
}

func replaceColumn(t *catalog.Table, name string, c *catalog.Column) {
	for i, x := range t.Columns {
		if x.Name == name {
			t.Columns[i] = c
			return
		}
	}
}

// renameTables follows RENAME TABLE a TO b[, c TO d ...], in order (the
// swap of online schema change tools, RENAME TABLE t TO t_old, t_new TO
// t, included) when every table it moves stays selected by the task's
// patterns. Moving a replicated table out of the selection, or a table
// whose rows were never copied into it, pauses.
func (st *streamState) renameTables(s *ast.RenameTableStmt, defDB string) []event.TableChange {
	view := maps.Clone(st.tables)
	var changes []event.TableChange
	for _, tt := range s.TableToTables {
		odb, oname := tableName(tt.OldTable, defDB)
		ndb, nname := tableName(tt.NewTable, defDB)
		from, to := odb+"."+oname, ndb+"."+nname
		old := view[from]
		inNew := st.s.ddl.match != nil && st.s.ddl.match(ndb, nname)
		switch {
		case old == nil && !inNew:
			continue // neither name is part of the migration
		case old == nil:
			changes = append(changes, event.TableChange{Type: "ALTER", ID: to,
				Unsupported: []string{fmt.Sprintf("RENAME TABLE %s TO %s moves a table into the task's selection whose rows ferry never copied: load it (a new full load, or ferry migrate --tables %s --mode full) before replicating it", from, to, to)}})
		case !inNew:
			changes = append(changes, event.TableChange{Type: "ALTER", ID: from, Table: old,
				Unsupported: []string{fmt.Sprintf("RENAME TABLE %s TO %s moves a replicated table out of the task's selection (ferry would stop following it): widen --tables, or rename or drop it on the target yourself", from, to)}})
		case view[to] != nil:
			changes = append(changes, event.TableChange{Type: "ALTER", ID: from, Table: old,
				Unsupported: []string{fmt.Sprintf("RENAME TABLE %s TO %s: ferry's catalog has a table %s already", from, to, to)}})
		default:
			t := old.Clone()
			t.Schema, t.Name = ndb, nname
			delete(view, from)
			view[to] = t
			changes = append(changes, event.TableChange{Type: "RENAME", ID: to, From: from, Table: t})
		}
	}
	return changes
}
