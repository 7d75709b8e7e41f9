package mysql

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/replication"
	driver "github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// followAlter parses one ALTER TABLE against table db.t and returns the change.
func followAlter(t *testing.T, tb *catalog.Table, q string) *event.TableChange {
	t.Helper()
	st := &streamState{s: &Source{cfg: &driver.Config{Addr: "x"}}, tables: map[string]*catalog.Table{"db.t": tb}}
	stmts, _, err := parser.New().Parse(q, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return st.alterTable(stmts[0].(*ast.AlterTableStmt), "db")
}

func testTable() *catalog.Table {
	return &catalog.Table{Schema: "db", Name: "t", Columns: []*catalog.Column{
		{Name: "id", Position: 1, Type: catalog.Type{Name: "int", Raw: "int(11)"}},
		{Name: "v", Position: 2, Nullable: true, Charset: "latin1", Type: catalog.Type{Name: "varchar", Length: 20, Raw: "varchar(20)"}},
	}, PrimaryKey: &catalog.Index{Name: "PRIMARY", Primary: true, Columns: []catalog.IndexColumn{{Name: "id"}}}}
}

// TestFollowAlter: column changes land in a copy of the catalog, in
// binlog column order, with the types Inspect would report; other
// clauses are listed as unsupported; the original stays as it was.
func TestFollowAlter(t *testing.T) {
	tb := testTable()
	ch := followAlter(t, tb, "ALTER TABLE t ADD COLUMN d VARCHAR(5) NOT NULL, ALTER COLUMN d SET DEFAULT 'dd', ADD f DECIMAL(6,2) AFTER id, ADD g DATETIME(3) FIRST, CHANGE v w TEXT, ADD e ENUM('a','b') DEFAULT 'b', ENGINE=InnoDB")
	if len(ch.Unsupported) != 0 {
		t.Fatalf("unsupported: %v", ch.Unsupported)
	}
	var names []string
	for _, c := range ch.Table.Columns {
		names = append(names, c.Name)
	}
	if got, _ := json.Marshal(names); string(got) != `["g","id","f","w","d","e"]` {
		t.Errorf("columns %s", got)
	}
	d := ch.Table.Column("d")
	if d.Nullable || d.Default == nil || d.Default.Value != "dd" || d.Type.Name != "varchar" || d.Type.Length != 5 || d.Charset != "latin1" {
		t.Errorf("d = %+v default %+v", d, d.Default)
	}
	if f := ch.Table.Column("f"); f.Type.Name != "decimal" || f.Type.Precision != 6 || f.Type.Scale != 2 || f.Position != 3 {
		t.Errorf("f = %+v", f)
	}
	if w := ch.Table.Column("w"); w.Type.Name != "text" || w.Charset != "latin1" {
		t.Errorf("w = %+v", w)
	}
	if e := ch.Table.Column("e"); e.Type.Name != "enum" || len(e.Type.Values) != 2 || e.Default.Value != "b" {
		t.Errorf("e = %+v", e)
	}
	if got, _ := json.Marshal(ch.Columns); string(got) != `[{"op":"add","column":"d"},{"op":"modify","column":"d"},{"op":"add","column":"f"},{"op":"add","column":"g"},{"op":"rename","column":"w","from":"v"},{"op":"add","column":"e"}]` {
		t.Errorf("column changes %s", got)
	}
	if len(tb.Columns) != 2 || tb.Columns[1].Name != "v" {
		t.Errorf("the original table changed: %+v", tb.Columns)
	}

	ch = followAlter(t, testTable(), "ALTER TABLE t ADD COLUMN x INT, ADD INDEX (x), ADD CONSTRAINT ck CHECK (x > 0)")
	if len(ch.Unsupported) != 1 {
		t.Errorf("unsupported %v, want the check", ch.Unsupported)
	}
	if ch.Table.Column("x") == nil || len(ch.Table.Indexes) != 1 || ch.Table.Indexes[0].Name != "x" {
		t.Errorf("the supported parts (ADD COLUMN x, ADD INDEX) were not followed: %+v", ch.Table.Indexes)
	}
	ch = followAlter(t, ch.Table, "ALTER TABLE t DROP INDEX x, ADD UNIQUE KEY uv (v(3) DESC)")
	if got, _ := json.Marshal(ch.Indexes); len(ch.Unsupported) != 0 || string(got) != `[{"op":"drop","name":"x"},{"op":"add","name":"uv"}]` {
		t.Errorf("index changes %s, unsupported %v", got, ch.Unsupported)
	}
	if ix := ch.Table.Indexes; len(ix) != 1 || !ix[0].Unique || ix[0].Columns[0].PrefixLen != 3 || !ix[0].Columns[0].Descending {
		t.Errorf("indexes %+v", ix)
	}
	ch = followAlter(t, testTable(), "ALTER TABLE t DROP COLUMN id")
	if len(ch.Unsupported) != 1 {
		t.Errorf("dropping a primary key column: unsupported %v", ch.Unsupported)
	}
}

// TestFollowStatements: which statements become events, how the stream's
// catalog follows them, and which stop the stream.
func TestFollowStatements(t *testing.T) {
	s := &Source{cfg: &driver.Config{Addr: "x"}}
	s.FollowDDL(func(db, table string) bool { return db == "db" && table != "other" }, []string{"0-1-9"})
	run := func(q, gtid string) *streamState {
		st := &streamState{s: s, tables: map[string]*catalog.Table{"db.t": testTable()}, file: "b.1"}
		st.begin(&replication.EventHeader{LogPos: 100, EventSize: 10}, gtid)
		if err := st.ddl(&replication.EventHeader{LogPos: 200, EventSize: 50}, &replication.QueryEvent{Schema: []byte("db"), Query: []byte(q)}); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return st
	}
	ops := func(st *streamState) string {
		var out []string
		for _, e := range st.txEvents {
			out = append(out, e.Op+":"+e.Key())
		}
		b, _ := json.Marshal(out)
		return string(b)
	}
	for _, c := range []struct {
		q, gtid, ops string
		paused       bool
		tables       int
	}{
		{q: "TRUNCATE TABLE t", ops: `["t:db.t"]`, tables: 1},
		{q: "ALTER TABLE other ADD x INT", ops: `null`, tables: 1},
		{q: "CREATE TABLE other (id INT)", ops: `null`, tables: 1},
		{q: "CREATE TABLE other2.x (id INT)", ops: `null`, tables: 1},
		{q: "CREATE TABLE n (id INT PRIMARY KEY, v VARCHAR(3), KEY (v)) DEFAULT CHARSET=latin1", ops: `["ddl:db.n"]`, tables: 2},
		{q: "DROP TABLE IF EXISTS `t`, other /* generated by server */", ops: `["ddl:db.t"]`, tables: 0},
		{q: "GRANT SELECT ON db.* TO u", ops: `null`, tables: 1},
		{q: "CREATE INDEX i ON t (v)", ops: `["ddl:db.t"]`, tables: 1},
		{q: "DROP INDEX nope ON t", ops: `["ddl:db.t"]`, paused: true, tables: 1},
		{q: "DROP INDEX nope ON t", gtid: "0-1-9", ops: `["ddl:db.t"]`, tables: 1}, // skipped by the user
		{q: "RENAME TABLE t TO t2", ops: `["ddl:db.t2"]`, tables: 1},
		{q: "RENAME TABLE t TO a, a TO b", ops: `["ddl:db.a"]`, tables: 1},
		{q: "ALTER TABLE t RENAME TO t4", ops: `["ddl:db.t4"]`, tables: 1},
		{q: "ALTER TABLE t RENAME TO t4, ADD x INT", ops: `["ddl:db.t"]`, paused: true, tables: 1},
		{q: "RENAME TABLE t TO other", ops: `["ddl:db.t"]`, paused: true, tables: 1},   // out of the selection
		{q: "RENAME TABLE other TO t3", ops: `["ddl:db.t3"]`, paused: true, tables: 1}, // rows never copied
		{q: "RENAME TABLE other TO other2.x", ops: `null`, tables: 1},
		{q: "CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 1", ops: `["ddl:db.t"]`, paused: true, tables: 1},
		{q: "CREATE TRIGGER tg BEFORE INSERT ON zz FOR EACH ROW SET NEW.v = 1", ops: `null`, tables: 1},
	} {
		st := run(c.q, c.gtid)
		if got := ops(st); got != c.ops || st.paused != c.paused || len(st.tables) != c.tables {
			t.Errorf("%s: events %s paused %v tables %d; want %s %v %d", c.q, got, st.paused, len(st.tables), c.ops, c.paused, c.tables)
		}
	}
	if st := run("RENAME TABLE t TO a, a TO b", ""); st.tables["db.b"] == nil || st.tables["db.b"].Name != "b" || st.tables["db.t"] != nil {
		t.Errorf("after a chain of renames the catalog holds %v", st.tables)
	}
	st := run("CREATE TABLE n (id INT PRIMARY KEY, v VARCHAR(3), KEY (v)) DEFAULT CHARSET=latin1", "")
	n := st.tables["db.n"]
	if n == nil || n.PrimaryKey == nil || len(n.Indexes) != 1 || n.Column("v").Charset != "latin1" || n.Column("id").Nullable {
		t.Errorf("created table %+v", n)
	}
}

// TestRollbackInBinlog: a BEGIN … ROLLBACK group (the server writes none
// in row format) moves the position when it holds no rows and stops the
// stream, naming the tables, when it does.
func TestRollbackInBinlog(t *testing.T) {
	s := &Source{cfg: &driver.Config{Addr: "x"}}
	var got []event.Chunk
	st := &streamState{s: s, tables: map[string]*catalog.Table{"db.t": testTable()}, file: "b.1", flavor: "mariadb",
		fn: func(c event.Chunk, _ catalog.Position) error { got = append(got, c); return nil }}
	query := func(q string, pos uint32) error {
		return st.handle(&replication.BinlogEvent{Header: &replication.EventHeader{LogPos: pos, EventSize: 20}, Event: &replication.QueryEvent{Schema: []byte("db"), Query: []byte(q)}})
	}
	if err := query("BEGIN", 120); err != nil {
		t.Fatal(err)
	}
	if err := query("ROLLBACK", 140); err != nil {
		t.Fatalf("empty rolled-back group: %v", err)
	}
	if st.inTx || st.pos != 140 || len(got) != 0 {
		t.Errorf("after an empty ROLLBACK group: inTx %v, pos %d, chunks %d; want false, 140, 0", st.inTx, st.pos, len(got))
	}
	if err := query("BEGIN", 160); err != nil {
		t.Fatal(err)
	}
	st.txEvents = append(st.txEvents, event.Event{Op: "c", Source: event.Source{Db: "db", Table: "t"}})
	err := query("ROLLBACK", 200)
	if err == nil || !strings.Contains(err.Error(), "ROLLBACK at b.1:200") || !strings.Contains(err.Error(), "db.t") {
		t.Errorf("ROLLBACK after rows: %v, want an error naming the position and db.t", err)
	}
	if len(got) != 0 {
		t.Errorf("rolled-back rows were handed on: %+v", got)
	}
}
