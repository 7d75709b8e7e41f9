package apply

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
)

// planner plans like the loader: convert.Build, one schema per database.
func testPlanner(tables map[string]*catalog.Table) (map[string]*convert.TablePlan, error) {
	sc := &catalog.Schema{Dialect: "mysql"}
	var keys []string
	for k := range tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sc.Tables = append(sc.Tables, tables[k])
	}
	p, err := convert.Build(sc, convert.Options{TinyintBoolean: true})
	if err != nil {
		return nil, err
	}
	out := map[string]*convert.TablePlan{}
	for _, tp := range p.Tables {
		out[tp.Source.QualifiedName()] = tp
	}
	return out, nil
}

func ddlEvent(pos uint64, changes ...event.TableChange) []event.Event {
	return []event.Event{{Op: event.OpDDL, DDL: "test", TableChanges: changes,
		Source: event.Source{Db: "db", Table: "t", File: "b.1", Pos: pos}}}
}

// TestApplyDDL: MODIFY conversions (int → boolean, set → text, text →
// set, varchar → bytea, timestamp → datetime, enum members), an ADD
// COLUMN NOT NULL without a default on a table with rows, and a CREATE
// TABLE in a database of its own (a new target schema) run in the target
// transaction with the position; rows after them use the new plans; the
// schema history follows; a target error is a pause.
func TestApplyDDL(t *testing.T) {
	ctx := context.Background()
	pool := freshPG(t)
	t1 := &catalog.Table{Schema: "db", Name: "t", PrimaryKey: pkIndex("id"), Columns: []*catalog.Column{
		col("id", "int", false), col("flag", "int", true), col("s", "set('a','b')", true),
		col("txt", "varchar(10)", true), col("ts", "timestamp(0)", true), col("e", "enum('x','y')", true),
	}}
	if _, err := pool.Exec(ctx, `CREATE SCHEMA db; CREATE TABLE db.t (id integer PRIMARY KEY, flag integer, s text[] CHECK (s <@ ARRAY['a','b']::text[]), txt varchar(10), ts timestamptz(0), e text CHECK (e IN ('x','y')));
		INSERT INTO db.t VALUES (1, 2, '{a,b}', 'hé', '2024-01-02 03:04:05+00', 'y'), (2, 0, '{}', NULL, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	a, err := New(ctx, pool, "task", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Follow(ctx, map[string]*catalog.Table{"db.t": t1}, testPlanner, nil); err != nil {
		t.Fatal(err)
	}
	t2 := *t1
	t2.Columns = []*catalog.Column{
		col("id", "int", false), col("flag", "tinyint(1)", true), col("s", "varchar(20)", true),
		col("txt", "varbinary(10)", true), col("ts", "datetime(0)", true), col("e", "enum('x','y','z')", true),
		col("nn", "int", false),
	}
	alter := event.TableChange{Type: "ALTER", ID: "db.t", Table: &t2, Columns: []event.ColumnChange{
		{Op: "modify", Column: "flag"}, {Op: "modify", Column: "s"}, {Op: "modify", Column: "txt"},
		{Op: "modify", Column: "ts"}, {Op: "modify", Column: "e"}, {Op: "add", Column: "nn"},
	}}
	nt := &catalog.Table{Schema: "db2", Name: "n", PrimaryKey: pkIndex("id"), Columns: []*catalog.Column{col("id", "bigint", false), col("v", "set('p','q')", true)}}
	create := event.TableChange{Type: "CREATE", ID: "db2.n", Table: nt}
	txs := [][]event.Event{
		ddlEvent(100, alter),
		{{Op: event.OpCreate, Source: event.Source{Db: "db", Table: "t", File: "b.1", Pos: 200},
			After: map[string]any{"id": 3, "flag": 1, "s": "x", "txt": []byte{0, 1}, "ts": "2024-05-06 07:08:09", "e": "z", "nn": 5}}},
		ddlEvent(300, create),
		{{Op: event.OpCreate, Source: event.Source{Db: "db2", Table: "n", File: "b.1", Pos: 400}, After: map[string]any{"id": 1, "v": "p,q"}}},
	}
	for i, tx := range txs {
		if err := a.Apply(ctx, [][]event.Event{tx}, catalog.Position{Dialect: "mysql", File: "b.1", Pos: uint64(i+1)*100 + 50}); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	var got string
	if err := pool.QueryRow(ctx, `SELECT string_agg(concat_ws('|', id, flag, s, coalesce(encode(txt, 'hex'), '-'), coalesce(ts::text, '-'), coalesce(e, '-'), nn), ';' ORDER BY id) FROM db.t`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want := `1|t|a,b|68c3a9|2024-01-02 03:04:05|y|0;2|f||-|-|-|0;3|t|x|0001|2024-05-06 07:08:09|z|5`
	if got != want {
		t.Errorf("db.t:\n got %s\nwant %s", got, want)
	}
	if err := pool.QueryRow(ctx, `SELECT array_to_string(v, ',') FROM db2.n WHERE id = 1`).Scan(&got); err != nil || got != "p,q" {
		t.Errorf("db2.n: %q %v", got, err)
	}
	hist, err := a.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || len(hist["db.t"].Columns) != 7 || hist["db2.n"] == nil {
		t.Errorf("schema history %v", hist)
	}
	// The enum's new member check is in place: 'w' is rejected.
	if _, err := pool.Exec(ctx, `INSERT INTO db.t (id, e, nn) VALUES (9, 'w', 0)`); err == nil {
		t.Errorf("enum check missing after MODIFY")
	}

	// A target error on a schema change is a pause; the batch and the
	// applier's plans roll back.
	if _, err := pool.Exec(ctx, `CREATE TABLE db2.m (id int)`); err != nil {
		t.Fatal(err)
	}
	clash := event.TableChange{Type: "CREATE", ID: "db2.m", Table: &catalog.Table{Schema: "db2", Name: "m", Columns: []*catalog.Column{col("id", "int", true)}}}
	err = a.Apply(ctx, [][]event.Event{ddlEvent(500, clash)}, catalog.Position{Dialect: "mysql", File: "b.1", Pos: 550})
	var pe *PauseError
	if !errors.As(err, &pe) || pe.Where != "b.1:500" {
		t.Fatalf("want a pause at b.1:500, got %v", err)
	}
	if a.tables["db2.m"] != nil || a.schema["db2.m"] != nil {
		t.Errorf("plans moved on after a failed batch")
	}
	p, _ := a.Position(ctx)
	if p == nil || p.Pos != 450 {
		t.Errorf("position %v, want b.1:450", p)
	}
}
