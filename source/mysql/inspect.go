package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ferrydb/ferry/catalog"
)

// Inspect reads the catalog of the matching tables in dbs (which may be
// glob patterns), and the views, routines and triggers of those databases.
func (s *Source) Inspect(ctx context.Context, match func(db, table string) bool, dbs []string) (*catalog.Schema, error) {
	all, err := s.listDatabases(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range all {
		for _, p := range dbs {
			if ok, _ := path.Match(p, d); ok {
				names = append(names, d)
				break
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("source: no database matches %s; check the database name in the source URL or --tables", strings.Join(dbs, ", "))
	}
	sc := &catalog.Schema{Dialect: "mysql", Name: names[0]}
	for _, db := range names {
		if err := s.inspectDB(ctx, sc, db, match); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

func (s *Source) listDatabases(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")
	if err != nil {
		return nil, fmt.Errorf("source: list databases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		switch n {
		case "information_schema", "performance_schema", "mysql", "sys":
			continue
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (s *Source) inspectDB(ctx context.Context, sc *catalog.Schema, db string, match func(db, table string) bool) error {
	tables := map[string]*catalog.Table{}
	rows, err := s.db.QueryContext(ctx, `SELECT TABLE_NAME, TABLE_TYPE, COALESCE(TABLE_ROWS,0), COALESCE(DATA_LENGTH,0), COALESCE(TABLE_COMMENT,'')
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, db)
	if err != nil {
		return fmt.Errorf("source: list tables of %s: %w", db, err)
	}
	var order []*catalog.Table
	for rows.Next() {
		var name, typ, comment string
		var nrows, size int64
		if err := rows.Scan(&name, &typ, &nrows, &size, &comment); err != nil {
			rows.Close()
			return err
		}
		if typ != "BASE TABLE" || !match(db, name) {
			continue
		}
		t := &catalog.Table{Schema: db, Name: name, RowsEstimate: nrows, DataBytes: size, Comment: comment}
		tables[name] = t
		order = append(order, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := s.inspectColumns(ctx, db, tables); err != nil {
		return err
	}
	if err := s.inspectIndexes(ctx, db, tables); err != nil {
		return err
	}
	if err := s.inspectForeignKeys(ctx, db, tables); err != nil {
		return err
	}
	if err := s.inspectChecks(ctx, db, tables); err != nil {
		return err
	}
	sc.Tables = append(sc.Tables, order...)
	if err := s.inspectViews(ctx, sc, db); err != nil {
		return err
	}
	if err := s.inspectRoutines(ctx, sc, db); err != nil {
		return err
	}
	return s.inspectTriggers(ctx, sc, db, match)
}

func (s *Source) inspectColumns(ctx context.Context, db string, tables map[string]*catalog.Table) error {
	rows, err := s.db.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE,
		COLUMN_TYPE, COALESCE(CHARACTER_MAXIMUM_LENGTH,0), COALESCE(NUMERIC_PRECISION,0), COALESCE(NUMERIC_SCALE,0),
		COALESCE(DATETIME_PRECISION,0), COALESCE(CHARACTER_SET_NAME,''), COALESCE(COLLATION_NAME,''), EXTRA,
		COALESCE(GENERATION_EXPRESSION,''), COALESCE(COLUMN_COMMENT,'')
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, db)
	if err != nil {
		return fmt.Errorf("source: read columns of %s: %w", db, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			tname, cname, nullable, dataType, colType, charset, collation, extra, genExpr, comment string
			pos                                                                                    int
			def                                                                                    sql.NullString
			charLen, prec, scale, dtPrec                                                           int64
		)
		if err := rows.Scan(&tname, &cname, &pos, &def, &nullable, &dataType, &colType, &charLen, &prec, &scale, &dtPrec, &charset, &collation, &extra, &genExpr, &comment); err != nil {
			return err
		}
		t := tables[tname]
		if t == nil {
			continue
		}
		c := &catalog.Column{
			Name: cname, Position: pos, Nullable: nullable == "YES",
			Charset: charset, Collation: collation, Comment: comment,
			Type: parseType(dataType, colType, charLen, prec, scale, dtPrec),
		}
		lx := strings.ToLower(extra)
		c.AutoIncrement = strings.Contains(lx, "auto_increment")
		c.OnUpdateCurrentTimestamp = strings.Contains(lx, "on update current_timestamp")
		if strings.Contains(lx, "generated") && genExpr != "" {
			c.Generated = &catalog.Generated{Expr: genExpr, Stored: strings.Contains(lx, "stored")}
		} else if def.Valid {
			c.Default = s.parseDefault(def.String, lx, c.Type)
		}
		t.Columns = append(t.Columns, c)
	}
	return rows.Err()
}

var currentTSRe = regexp.MustCompile(`^(?i)(current_timestamp|now|localtimestamp|localtime)(\((\d*)\))?$`)

// parseDefault reads COLUMN_DEFAULT. MariaDB (10.2.7+) reports it as an SQL
// expression ('abc' quoted, NULL, current_timestamp()); MySQL reports
// literals unquoted and marks expressions DEFAULT_GENERATED in EXTRA.
func (s *Source) parseDefault(v, extra string, typ catalog.Type) *catalog.Default {
	// MySQL prints text defaults unquoted, so 'now' in a varchar is text;
	// CURRENT_TIMESTAMP is only a function for temporal columns there.
	temporal := typ.Name == "datetime" || typ.Name == "timestamp" || typ.Name == "date"
	if s.mariadb {
		return defaultFromSQL(v, typ)
	}
	if m := currentTSRe.FindStringSubmatch(strings.TrimSpace(v)); m != nil && temporal {
		return &catalog.Default{Kind: catalog.DefaultCurrentTimestamp, Value: m[3]}
	}
	if strings.Contains(extra, "default_generated") {
		return &catalog.Default{Kind: catalog.DefaultExpression, Value: v}
	}
	if typ.Name == "bit" && strings.HasPrefix(v, "b'") {
		return &catalog.Default{Kind: catalog.DefaultLiteral, Value: bitLiteral(v[2:len(v)-1], typ)}
	}
	return &catalog.Default{Kind: catalog.DefaultLiteral, Value: v}
}

// defaultFromSQL reads a default written as SQL ('abc' quoted, NULL,
// numbers, b'101', current_timestamp(), other expressions), as MariaDB
// reports it and as DDL statements carry it.
func defaultFromSQL(v string, typ catalog.Type) *catalog.Default {
	if m := currentTSRe.FindStringSubmatch(strings.TrimSpace(v)); m != nil {
		return &catalog.Default{Kind: catalog.DefaultCurrentTimestamp, Value: m[3]}
	}
	switch {
	case strings.EqualFold(v, "NULL"):
		return &catalog.Default{Kind: catalog.DefaultNull}
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return &catalog.Default{Kind: catalog.DefaultLiteral, Value: unquoteMariaDB(v[1 : len(v)-1])}
	case isNumber(v):
		return &catalog.Default{Kind: catalog.DefaultLiteral, Value: v}
	case strings.HasPrefix(v, "b'") && strings.HasSuffix(v, "'"):
		return &catalog.Default{Kind: catalog.DefaultLiteral, Value: bitLiteral(v[2:len(v)-1], typ)}
	}
	return &catalog.Default{Kind: catalog.DefaultExpression, Value: v}
}

func bitLiteral(bits string, typ catalog.Type) string {
	for int64(len(bits)) < typ.Length {
		bits = "0" + bits
	}
	return bits
}

func isNumber(v string) bool {
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

// unquoteMariaDB undoes the escaping MariaDB uses inside quoted defaults.
func unquoteMariaDB(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\'' && i+1 < len(v) && v[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		if c == '\\' && i+1 < len(v) {
			i++
			switch v[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'Z':
				b.WriteByte(26)
			default:
				b.WriteByte(v[i])
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

var typeArgsRe = regexp.MustCompile(`^[a-z ]+\((.*)\)`)

// parseType builds a catalog.Type from information_schema's columns.
func parseType(dataType, colType string, charLen, prec, scale, dtPrec int64) catalog.Type {
	t := catalog.Type{Name: strings.ToLower(dataType), Raw: strings.ToLower(colType)}
	t.Unsigned = strings.Contains(t.Raw, "unsigned")
	switch t.Name {
	case "enum", "set":
		if m := typeArgsRe.FindStringSubmatch(colType); m != nil {
			t.Values = parseEnumValues(m[1])
		}
	case "decimal", "numeric":
		t.Precision, t.Scale = int(prec), int(scale)
	case "float", "double", "real":
		// MySQL reports NUMERIC_PRECISION 12 / 22 for plain float / double.
		if m := typeArgsRe.FindStringSubmatch(t.Raw); m != nil {
			parts := strings.Split(m[1], ",")
			p, _ := strconv.Atoi(strings.TrimSpace(parts[0]))
			t.Precision = p
		}
	case "datetime", "timestamp", "time":
		t.Precision = int(dtPrec)
	case "bit":
		t.Length = prec
	case "char", "varchar", "binary", "varbinary":
		t.Length = charLen
	case "tinyint", "smallint", "mediumint", "int", "bigint", "year":
		if m := typeArgsRe.FindStringSubmatch(t.Raw); m != nil {
			t.Length, _ = strconv.ParseInt(m[1], 10, 64)
		}
	default:
		t.Length = charLen
	}
	return t
}

// parseEnumValues splits 'a','b”c' into its members.
func parseEnumValues(s string) []string {
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !in && c == '\'':
			in = true
			cur.Reset()
		case in && c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			cur.WriteByte('\'')
			i++
		case in && c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case in && c == '\'':
			in = false
			out = append(out, cur.String())
		case in:
			cur.WriteByte(c)
		}
	}
	return out
}

func (s *Source) inspectIndexes(ctx context.Context, db string, tables map[string]*catalog.Table) error {
	rows, err := s.db.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COALESCE(COLUMN_NAME,''),
		COALESCE(SUB_PART,0), COALESCE(COLLATION,'A'), INDEX_TYPE, COALESCE(INDEX_COMMENT,''), COALESCE(NULLABLE,'')
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, db)
	if err != nil {
		return fmt.Errorf("source: read indexes of %s: %w", db, err)
	}
	defer rows.Close()
	type key struct{ t, i string }
	idx := map[key]*catalog.Index{}
	var order []key
	for rows.Next() {
		var tname, iname, col, collation, itype, comment, nullable string
		var nonUnique, seq, sub int
		if err := rows.Scan(&tname, &iname, &nonUnique, &seq, &col, &sub, &collation, &itype, &comment, &nullable); err != nil {
			return err
		}
		if tables[tname] == nil {
			continue
		}
		k := key{tname, iname}
		ix := idx[k]
		if ix == nil {
			ix = &catalog.Index{Name: iname, Unique: nonUnique == 0, Primary: iname == "PRIMARY", Comment: comment}
			switch itype {
			case "FULLTEXT", "SPATIAL":
				ix.Kind = itype
			}
			idx[k] = ix
			order = append(order, k)
		}
		if nullable == "YES" {
			ix.Nullable = true
		}
		ix.Columns = append(ix.Columns, catalog.IndexColumn{Name: col, PrefixLen: sub, Descending: collation == "D"})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range order {
		t, ix := tables[k.t], idx[k]
		if ix.Primary {
			t.PrimaryKey = ix
		} else {
			t.Indexes = append(t.Indexes, ix)
		}
	}
	return nil
}

func (s *Source) inspectForeignKeys(ctx context.Context, db string, tables map[string]*catalog.Table) error {
	rows, err := s.db.QueryContext(ctx, `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
		k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
		FROM information_schema.KEY_COLUMN_USAGE k
		JOIN information_schema.REFERENTIAL_CONSTRAINTS r
		  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
		WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
		ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, db)
	if err != nil {
		return fmt.Errorf("source: read foreign keys of %s: %w", db, err)
	}
	defer rows.Close()
	fks := map[string]*catalog.ForeignKey{}
	var order []string
	owner := map[string]string{}
	for rows.Next() {
		var tname, cname, col, rschema, rtable, rcol, upd, del string
		if err := rows.Scan(&tname, &cname, &col, &rschema, &rtable, &rcol, &upd, &del); err != nil {
			return err
		}
		if tables[tname] == nil {
			continue
		}
		k := tname + "\x00" + cname
		fk := fks[k]
		if fk == nil {
			fk = &catalog.ForeignKey{Name: cname, RefSchema: rschema, RefTable: rtable, OnUpdate: upd, OnDelete: del}
			fks[k] = fk
			order = append(order, k)
			owner[k] = tname
		}
		fk.Columns = append(fk.Columns, col)
		fk.RefColumns = append(fk.RefColumns, rcol)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range order {
		t := tables[owner[k]]
		t.ForeignKeys = append(t.ForeignKeys, fks[k])
	}
	return nil
}

func (s *Source) inspectChecks(ctx context.Context, db string, tables map[string]*catalog.Table) error {
	q := `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
		FROM information_schema.CHECK_CONSTRAINTS cc
		JOIN information_schema.TABLE_CONSTRAINTS tc
		  ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
		WHERE cc.CONSTRAINT_SCHEMA = ?`
	if s.mariadb {
		q = `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`
	}
	rows, err := s.db.QueryContext(ctx, q, db)
	if err != nil {
		// Servers before MySQL 8.0.16 / MariaDB 10.2 have no CHECK_CONSTRAINTS.
		if strings.Contains(err.Error(), "CHECK_CONSTRAINTS") || strings.Contains(err.Error(), "1109") {
			return nil
		}
		return fmt.Errorf("source: read check constraints of %s: %w", db, err)
	}
	defer rows.Close()
	for rows.Next() {
		var tname, cname, clause string
		if err := rows.Scan(&tname, &cname, &clause); err != nil {
			return err
		}
		t := tables[tname]
		if t == nil {
			continue
		}
		// MariaDB's JSON type is LONGTEXT with CHECK (json_valid(col)).
		if c := t.Column(cname); c != nil && strings.EqualFold(strings.ReplaceAll(clause, " ", ""), "json_valid(`"+cname+"`)") {
			c.Type.Name = "json"
			c.Type.Raw = "json"
			continue
		}
		t.Checks = append(t.Checks, &catalog.Check{Name: cname, Expr: clause})
	}
	return rows.Err()
}

func (s *Source) inspectViews(ctx context.Context, sc *catalog.Schema, db string) error {
	rows, err := s.db.QueryContext(ctx, `SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, db)
	if err != nil {
		return fmt.Errorf("source: read views of %s: %w", db, err)
	}
	defer rows.Close()
	for rows.Next() {
		v := &catalog.View{Schema: db}
		if err := rows.Scan(&v.Name, &v.Definition); err != nil {
			return err
		}
		sc.Views = append(sc.Views, v)
	}
	return rows.Err()
}

func (s *Source) inspectRoutines(ctx context.Context, sc *catalog.Schema, db string) error {
	rows, err := s.db.QueryContext(ctx, `SELECT ROUTINE_NAME, ROUTINE_TYPE, COALESCE(ROUTINE_DEFINITION,'') FROM information_schema.ROUTINES
		WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME`, db)
	if err != nil {
		return fmt.Errorf("source: read routines of %s: %w", db, err)
	}
	defer rows.Close()
	for rows.Next() {
		r := &catalog.Routine{Schema: db}
		if err := rows.Scan(&r.Name, &r.Kind, &r.Definition); err != nil {
			return err
		}
		sc.Routines = append(sc.Routines, r)
	}
	return rows.Err()
}

func (s *Source) inspectTriggers(ctx context.Context, sc *catalog.Schema, db string, match func(db, table string) bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
		FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME`, db)
	if err != nil {
		return fmt.Errorf("source: read triggers of %s: %w", db, err)
	}
	defer rows.Close()
	for rows.Next() {
		tr := &catalog.Trigger{Schema: db}
		if err := rows.Scan(&tr.Name, &tr.Table, &tr.Timing, &tr.Event, &tr.Definition); err != nil {
			return err
		}
		if match(db, tr.Table) {
			sc.Triggers = append(sc.Triggers, tr)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.SliceStable(sc.Triggers, func(i, j int) bool { return sc.Triggers[i].Table < sc.Triggers[j].Table })
	return nil
}
