package apply

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
	"github.com/ferrydb/ferry/internal/sandbox"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

var dbSeq int

// freshPG creates an empty PostgreSQL database named after the test and
// returns a pool on it (session TimeZone UTC).
func freshPG(t *testing.T) *pgxpool.Pool {
	t.Helper()
	dbSeq++
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("%s_%d", name, dbSeq)
	ctx := context.Background()
	if err := env.Postgres.CreateDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(env.Postgres.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["TimeZone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// col builds a source column from a MySQL type.
func col(name, raw string, nullable bool) *catalog.Column {
	ty := catalog.Type{Raw: raw}
	base := raw
	if i := strings.IndexByte(raw, '('); i >= 0 {
		base = raw[:i]
		args := strings.SplitN(raw[i+1:], ")", 2)[0]
		switch base {
		case "enum", "set":
			for _, v := range strings.Split(args, ",") {
				ty.Values = append(ty.Values, strings.Trim(v, "'"))
			}
		case "decimal":
			fmt.Sscanf(args, "%d,%d", &ty.Precision, &ty.Scale)
		case "datetime", "timestamp", "time":
			fmt.Sscanf(args, "%d", &ty.Precision)
		default:
			fmt.Sscanf(args, "%d", &ty.Length)
		}
	}
	ty.Unsigned = strings.HasSuffix(raw, " unsigned")
	ty.Name = strings.Fields(base)[0]
	return &catalog.Column{Name: name, Type: ty, Nullable: nullable}
}

func pkIndex(cols ...string) *catalog.Index {
	ix := &catalog.Index{Name: "PRIMARY", Primary: true, Unique: true}
	for _, c := range cols {
		ix.Columns = append(ix.Columns, catalog.IndexColumn{Name: c})
	}
	return ix
}

// setup plans the tables (as the migration does) and creates them with
// keys, indexes and post-load statements; it returns "db.table" → plan.
func setup(t *testing.T, pool *pgxpool.Pool, tables ...*catalog.Table) map[string]*convert.TablePlan {
	t.Helper()
	ctx := context.Background()
	for i, tb := range tables {
		tb.Schema = "src"
		for j, c := range tb.Columns {
			c.Position = j + 1
		}
		tables[i] = tb
	}
	p, err := convert.Build(&catalog.Schema{Dialect: "mysql", Name: "src", Tables: tables}, convert.Options{TargetSchema: "public", TinyintBoolean: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*convert.TablePlan{}
	for _, tp := range p.Tables {
		var stmts []string
		stmts = append(stmts, tp.Before...)
		stmts = append(stmts, tp.Create)
		stmts = append(stmts, tp.AfterCreate...)
		if tp.PrimaryKey != "" {
			stmts = append(stmts, tp.PrimaryKey)
		}
		stmts = append(stmts, tp.Indexes...)
		stmts = append(stmts, tp.After...)
		for _, s := range stmts {
			if _, err := pool.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		out[tp.Source.QualifiedName()] = tp
	}
	return out
}

func newApplier(t *testing.T, pool *pgxpool.Pool, plans map[string]*convert.TablePlan) *Applier {
	t.Helper()
	a, err := New(context.Background(), pool, "task1", plans)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ev(op, table string, before, after map[string]any) event.Event {
	return event.Event{Op: op, Before: before, After: after, Source: event.Source{Connector: "mysql", Db: "src", Table: table}}
}

// rows reads a table as text, ordered by the first column, NULL as "NULL".
func rows(t *testing.T, pool *pgxpool.Pool, table string, cols ...string) [][]string {
	t.Helper()
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = fmt.Sprintf("coalesce(%s::text, 'NULL')", convert.QuoteIdent(c))
	}
	q := fmt.Sprintf("SELECT %s FROM %s ORDER BY 1, 2", strings.Join(exprs, ", "), convert.QuoteIdent(table))
	if len(cols) == 1 {
		q = strings.TrimSuffix(q, ", 2")
	}
	r, err := pool.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	var out [][]string
	for r.Next() {
		row := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func allTypesTable() *catalog.Table {
	return &catalog.Table{
		Name: "all_types",
		Columns: []*catalog.Column{
			col("id", "bigint(20) unsigned", false),
			col("flag", "tinyint(1)", true),
			col("i", "int(11)", true),
			col("u", "int(10) unsigned", true),
			col("dec", "decimal(10,2)", true),
			col("f", "float", true),
			col("g", "double", true),
			col("s", "varchar(20)", true),
			col("bin", "varbinary(10)", true),
			col("d", "date", true),
			col("dt", "datetime(6)", true),
			col("ts", "timestamp", true),
			col("tm", "time", true),
			col("b5", "bit(5)", true),
			col("e", "enum('a','b')", true),
			col("st", "set('x','y','z')", true),
			col("j", "json", true),
		},
		PrimaryKey: pkIndex("id"),
	}
}

var allCols = []string{"id", "flag", "i", "u", "dec", "f", "g", "s", "bin", "d", "dt", "ts", "tm", "b5", "e", "st", "j"}

func fullRow(id uint64, s string) map[string]any {
	return map[string]any{
		"id": id, "flag": int64(1), "i": int64(-7), "u": uint64(4294967295), "dec": "12.34",
		"f": float64(float32(1.5)), "g": 0.1, "s": s, "bin": []byte{0xde, 0xad}, "d": "2024-02-29",
		"dt": "2024-01-02 03:04:05.123456", "ts": "2024-01-02 03:04:05", "tm": "12:34:56",
		"b5": uint64(5), "e": "b", "st": "x,z", "j": `{"k": [1, "v"]}`,
	}
}

func nullRow(id uint64) map[string]any {
	m := map[string]any{}
	for _, c := range allCols {
		m[c] = nil
	}
	m["id"] = id
	return m
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// scenario: inserts, updates (one with a key change, one of a missing row),
// deletes, NULLs, zero dates, every value kind.
func scenario() [][]event.Event {
	r1 := fullRow(1, "one")
	r2 := fullRow(2, "two")
	r3 := nullRow(3)
	r4 := with(fullRow(4, "four"), "flag", int64(0), "d", "0000-00-00", "dt", "0000-00-00 00:00:00", "ts", "0000-00-00 00:00:00", "st", "", "bin", []byte{})
	r5 := fullRow(18446744073709551615, "max")
	r1b := with(r1, "s", "o'; DROP TABLE x;--", "i", int64(8), "flag", int64(0), "j", nil)
	r2b := with(r2, "id", uint64(20))
	r9 := fullRow(9, "nine")
	return [][]event.Event{
		{ev("r", "all_types", nil, r1), ev("c", "all_types", nil, r2)},
		{ev("c", "all_types", nil, r3), ev("c", "all_types", nil, r4), ev("c", "all_types", nil, r5)},
		{ev("u", "all_types", r1, r1b)},
		{ev("u", "all_types", r2, r2b), ev("d", "all_types", r3, nil)},
		{ev("u", "all_types", r9, with(r9, "s", "nine*"))}, // row not in the target: inserted
		{ev("d", "all_types", fullRow(77, "never"), nil)},  // missing row: nothing to do
	}
}

// ordered by id as text
var scenarioWant = [][]string{
	{"1", "false", "8", "4294967295", "12.34", "1.5", "0.1", "o'; DROP TABLE x;--", `\xdead`, "2024-02-29", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05+00", "12:34:56", "00101", "b", "{x,z}", "NULL"},
	{"18446744073709551615", "true", "-7", "4294967295", "12.34", "1.5", "0.1", "max", `\xdead`, "2024-02-29", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05+00", "12:34:56", "00101", "b", "{x,z}", `{"k": [1, "v"]}`},
	{"20", "true", "-7", "4294967295", "12.34", "1.5", "0.1", "two", `\xdead`, "2024-02-29", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05+00", "12:34:56", "00101", "b", "{x,z}", `{"k": [1, "v"]}`},
	{"4", "false", "-7", "4294967295", "12.34", "1.5", "0.1", "four", `\x`, "NULL", "NULL", "NULL", "12:34:56", "00101", "b", "{}", `{"k": [1, "v"]}`},
	{"9", "true", "-7", "4294967295", "12.34", "1.5", "0.1", "nine*", `\xdead`, "2024-02-29", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05+00", "12:34:56", "00101", "b", "{x,z}", `{"k": [1, "v"]}`},
}

func TestApplyAllKinds(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, allTypesTable())
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	if p, err := a.Position(ctx); err != nil || p != nil {
		t.Fatalf("Position before any apply = %v, %v; want nil, nil", p, err)
	}
	// One transaction per batch here; TestExactlyOnce applies them together.
	for i, tx := range scenario() {
		next := catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: uint64(100 * (i + 1))}
		if err := a.Apply(ctx, [][]event.Event{tx}, next); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if got := rows(t, pool, "all_types", allCols...); !reflect.DeepEqual(got, scenarioWant) {
		t.Errorf("rows:\n got %q\nwant %q", got, scenarioWant)
	}
	p, err := a.Position(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: 600}); p == nil || *p != want {
		t.Errorf("Position = %v, want %v", p, want)
	}
}

func TestExactlyOnce(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, allTypesTable())
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	next := catalog.Position{Dialect: "mysql", Flavor: "mariadb", File: "binlog.000003", Pos: 4242, GTID: "0-1-77"}
	for i := 0; i < 2; i++ { // the second time: a redelivery after a crash
		if err := a.Apply(ctx, scenario(), next); err != nil {
			t.Fatalf("apply %d: %v", i, err)
		}
		if got := rows(t, pool, "all_types", allCols...); !reflect.DeepEqual(got, scenarioWant) {
			t.Errorf("after apply %d rows:\n got %q\nwant %q", i, got, scenarioWant)
		}
		p, err := a.Position(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil || *p != next {
			t.Errorf("after apply %d Position = %v, want %v", i, p, next)
		}
	}
	// A new applier (restart) sees the same position.
	b := newApplier(t, pool, plans)
	if p, err := b.Position(ctx); err != nil || p == nil || *p != next {
		t.Errorf("restarted Position = %v, %v; want %v", p, err, next)
	}
}

// TestPositionWaitsForCommit: a restarted applier reading the position
// while another one's target transaction is still open (a killed run whose
// backend is committing its last batch) waits for that transaction and
// reads the position it stores: never the one before.
func TestPositionWaitsForCommit(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, allTypesTable())
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	first := catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: 100}
	if err := a.Apply(ctx, scenario()[:1], first); err != nil {
		t.Fatal(err)
	}
	tx, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := tx.Apply(ctx, scenario()[1]); err != nil {
		t.Fatal(err)
	}
	b := newApplier(t, pool, plans)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if p, err := b.Position(short); err == nil {
		t.Fatalf("Position read %v while a transaction of the task was open", p)
	}
	second := catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: 200}
	got := make(chan *catalog.Position, 1)
	go func() {
		p, err := b.Position(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- p
	}()
	time.Sleep(100 * time.Millisecond)
	if err := tx.Commit(ctx, second); err != nil {
		t.Fatal(err)
	}
	if p := <-got; p == nil || *p != second {
		t.Errorf("Position after the commit = %v, want %v", p, second)
	}
}

func TestFailedBatchRollsBack(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, allTypesTable())
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	first := catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: 10}
	if err := a.Apply(ctx, [][]event.Event{{ev("c", "all_types", nil, fullRow(1, "one"))}}, first); err != nil {
		t.Fatal(err)
	}
	want := rows(t, pool, "all_types", allCols...)
	bad := [][]event.Event{
		{ev("c", "all_types", nil, fullRow(2, "two"))},
		{ev("u", "all_types", fullRow(1, "one"), with(fullRow(1, "one"), "s", "changed"))},
		{ev("c", "all_types", nil, with(fullRow(3, "three"), "e", "c"))}, // violates the enum CHECK
	}
	err := a.Apply(ctx, bad, catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: 20})
	if err == nil {
		t.Fatal("Apply accepted an enum value outside the CHECK")
	}
	if !strings.Contains(err.Error(), "check constraint") || !strings.Contains(err.Error(), "transaction 2") {
		t.Errorf("error does not say what failed: %v", err)
	}
	if got := rows(t, pool, "all_types", allCols...); !reflect.DeepEqual(got, want) {
		t.Errorf("rows changed by a failed batch:\n got %q\nwant %q", got, want)
	}
	if p, err := a.Position(ctx); err != nil || p == nil || *p != first {
		t.Errorf("Position = %v, %v; want %v", p, err, first)
	}
	// Conversion errors are caught before anything is sent.
	err = a.Apply(ctx, [][]event.Event{{ev("c", "all_types", nil, with(fullRow(5, "x"), "tm", "-10:00:00"))}}, catalog.Position{Dialect: "mysql", Pos: 30})
	if err == nil || !strings.Contains(err.Error(), "column tm") {
		t.Errorf("out-of-range TIME: err = %v", err)
	}
	// Too long for varchar(20): an error, not a silent truncation.
	err = a.Apply(ctx, [][]event.Event{{ev("c", "all_types", nil, fullRow(6, "123456789012345678901"))}}, catalog.Position{Dialect: "mysql", Pos: 30})
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("too long varchar: err = %v", err)
	}
	err = a.Apply(ctx, [][]event.Event{{ev("c", "other", nil, map[string]any{"id": 1})}}, catalog.Position{Dialect: "mysql", Pos: 30})
	if err == nil || !strings.Contains(err.Error(), "not part of the migration") {
		t.Errorf("unknown table: err = %v", err)
	}
	if p, err := a.Position(ctx); err != nil || p == nil || *p != first {
		t.Errorf("Position = %v, %v; want %v", p, err, first)
	}
}

func TestNoPrimaryKey(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, &catalog.Table{Name: "log", Columns: []*catalog.Column{
		col("a", "int(11)", true), col("b", "varchar(10)", true), col("ts", "datetime", true),
	}})
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	x := map[string]any{"a": int64(1), "b": "x", "ts": "2024-01-01 00:00:00"}
	n := map[string]any{"a": int64(2), "b": nil, "ts": "0000-00-00 00:00:00"} // NULL after conversion too
	txs := [][]event.Event{
		{ev("c", "log", nil, x), ev("c", "log", nil, x), ev("c", "log", nil, n), ev("c", "log", nil, n)},
		{ev("d", "log", x, nil)}, // one of two identical rows
		{ev("u", "log", n, map[string]any{"a": int64(2), "b": "y", "ts": nil})},   // NULL-safe match, one row
		{ev("d", "log", map[string]any{"a": int64(3), "b": nil, "ts": nil}, nil)}, // no match: nothing
	}
	if err := a.Apply(ctx, txs, catalog.Position{Dialect: "mysql", Pos: 1}); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"1", "x", "2024-01-01 00:00:00"}, {"2", "NULL", "NULL"}, {"2", "y", "NULL"}}
	if got := rows(t, pool, "log", "a", "b", "ts"); !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
	if err := a.Apply(ctx, [][]event.Event{{ev("t", "log", nil, nil)}}, catalog.Position{Dialect: "mysql", Pos: 2}); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, pool, "log", "a", "b", "ts"); len(got) != 0 {
		t.Errorf("after truncate: %q", got)
	}
}

func TestTriggersDoNotFire(t *testing.T) {
	pool := freshPG(t)
	ctx := context.Background()
	ts := col("changed", "timestamp", true)
	ts.OnUpdateCurrentTimestamp = true // the plan adds an ON UPDATE trigger
	parent := &catalog.Table{Name: "parent", Columns: []*catalog.Column{col("id", "int(11)", false)}, PrimaryKey: pkIndex("id")}
	child := &catalog.Table{Name: "child", Columns: []*catalog.Column{col("id", "int(11)", false), col("parent_id", "int(11)", true), col("v", "varchar(10)", true), ts},
		PrimaryKey:  pkIndex("id"),
		ForeignKeys: []*catalog.ForeignKey{{Name: "child_parent", Columns: []string{"parent_id"}, RefSchema: "src", RefTable: "parent", RefColumns: []string{"id"}}},
	}
	plans := setup(t, pool, parent, child)
	for _, s := range []string{
		plans["src.child"].ForeignKeys[0],
		`CREATE TABLE audit (what text)`,
		`CREATE FUNCTION audit_child() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (TG_OP); RETURN NULL; END $$`,
		`CREATE TRIGGER child_audit AFTER INSERT OR UPDATE OR DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit_child()`,
	} {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	a := newApplier(t, pool, plans)
	r := map[string]any{"id": int64(1), "parent_id": int64(99), "v": "a", "changed": "2020-01-01 00:00:00"} // parent 99 missing: FK not checked
	txs := [][]event.Event{
		{ev("c", "child", nil, r)},
		{ev("u", "child", r, with(r, "v", "b"))}, // "changed" must stay as the source says
		{ev("c", "child", nil, with(r, "id", int64(2)))},
		{ev("d", "child", with(r, "id", int64(2)), nil)},
	}
	if err := a.Apply(ctx, txs, catalog.Position{Dialect: "mysql", Pos: 1}); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, pool, "audit", "what"); len(got) != 0 {
		t.Errorf("triggers fired: audit rows %q", got)
	}
	want := [][]string{{"1", "99", "b", "2020-01-01 00:00:00+00"}}
	if got := rows(t, pool, "child", "id", "parent_id", "v", "changed"); !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
	// Outside the applier the trigger does fire (the test is meaningful).
	if _, err := pool.Exec(ctx, `INSERT INTO parent VALUES (5); INSERT INTO child (id, parent_id) VALUES (5, 5)`); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, pool, "audit", "what"); len(got) != 1 {
		t.Errorf("trigger did not fire outside the applier: %q", got)
	}
}

func TestReplicaRoleRequired(t *testing.T) {
	pool := freshPG(t)
	ctx := context.Background()
	plans := setup(t, pool, &catalog.Table{Name: "t", Columns: []*catalog.Column{col("id", "int(11)", false)}, PrimaryKey: pkIndex("id")})
	if _, err := New(ctx, pool, "task1", plans); err != nil { // as superuser
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE ROLE plain LOGIN PASSWORD 'plain'`,
		`GRANT ALL ON SCHEMA public, _ferry TO plain`,
		`GRANT ALL ON ALL TABLES IN SCHEMA public, _ferry TO plain`,
	} {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		pool.Exec(context.Background(), `DROP OWNED BY plain`)
		pool.Exec(context.Background(), `DROP ROLE plain`)
	})
	cfg := pool.Config().Copy()
	cfg.ConnConfig.User, cfg.ConnConfig.Password = "plain", "plain"
	plain, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	a, err := New(ctx, plain, "task1", plans)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Apply(ctx, [][]event.Event{{ev("c", "t", nil, map[string]any{"id": int64(1)})}}, catalog.Position{Dialect: "mysql", Pos: 1})
	if err == nil || !strings.Contains(err.Error(), "session_replication_role") || !strings.Contains(err.Error(), "superuser") {
		t.Errorf("err = %v, want one that explains session_replication_role", err)
	}
}

// TestThroughput applies 100,000 single-row insert transactions in batches
// of 1,000 and logs the rate.
func TestThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the throughput measurement in -short mode")
	}
	pool := freshPG(t)
	plans := setup(t, pool, &catalog.Table{Name: "bench", Columns: []*catalog.Column{
		col("id", "bigint(20)", false), col("name", "varchar(40)", true), col("qty", "int(11)", true),
		col("price", "decimal(10,2)", true), col("created", "datetime", true),
	}, PrimaryKey: pkIndex("id")})
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	const total, per = 100000, 1000
	batches := make([][][]event.Event, 0, total/per)
	for b := 0; b < total/per; b++ {
		txs := make([][]event.Event, per)
		for i := range txs {
			id := int64(b*per + i + 1)
			txs[i] = []event.Event{ev("c", "bench", nil, map[string]any{
				"id": id, "name": fmt.Sprintf("item %d", id), "qty": id % 100, "price": "19.99", "created": "2024-01-02 03:04:05",
			})}
		}
		batches = append(batches, txs)
	}
	start := time.Now()
	for i, txs := range batches {
		if err := a.Apply(ctx, txs, catalog.Position{Dialect: "mysql", File: "binlog.000001", Pos: uint64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	d := time.Since(start)
	var n int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bench`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != total {
		t.Fatalf("%d rows, want %d", n, total)
	}
	t.Logf("applied %d single-row insert transactions in batches of %d in %v: %.0f rows/s", total, per, d.Round(time.Millisecond), float64(total)/d.Seconds())
}

// A zero date arriving through CDC in a column that has NOT NULL on the
// target drops NOT NULL in the row's transaction (as the full load leaves
// it off), warns once, and loses nothing; a rolled-back batch leaves the
// column as it was.
func TestZeroDateDropsNotNull(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool,
		&catalog.Table{Name: "zd", PrimaryKey: pkIndex("id"), Columns: []*catalog.Column{
			col("id", "int(11)", false), col("d", "date", false), col("e", "enum('a','b')", false),
		}},
		&catalog.Table{Name: "zn", Columns: []*catalog.Column{col("a", "int(11)", true), col("dt", "datetime", false)}},
	)
	a := newApplier(t, pool, plans)
	var warnings []string
	a.Warn = func(msg string) { warnings = append(warnings, msg) }
	ctx := context.Background()
	notNull := func(table, column string) bool {
		t.Helper()
		var nn bool
		if err := pool.QueryRow(ctx, `SELECT attnotnull FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2`, table, column).Scan(&nn); err != nil {
			t.Fatal(err)
		}
		return nn
	}
	for _, tp := range plans {
		for _, c := range tp.DeferredNotNull { // as the load does without zero dates
			if _, err := pool.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tp.Ident(), convert.QuoteIdent(c))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !notNull("zd", "d") || !notNull("zn", "dt") {
		t.Fatal("setup: the date columns should be NOT NULL")
	}
	row := func(id int64, d, e string) map[string]any { return map[string]any{"id": id, "d": d, "e": e} }
	if err := a.Apply(ctx, [][]event.Event{{ev("c", "zd", nil, row(1, "2001-01-01", "a"))}}, catalog.Position{Dialect: "mysql", Pos: 1}); err != nil {
		t.Fatal(err)
	}
	// The zero date goes in with an event that fails: all rolled back.
	bad := [][]event.Event{{
		ev("u", "zd", row(1, "2001-01-01", "a"), row(1, "0000-00-00", "a")),
		ev("c", "zd", nil, row(2, "2002-02-02", "c")), // violates the enum CHECK
	}}
	if err := a.Apply(ctx, bad, catalog.Position{Dialect: "mysql", Pos: 2}); err == nil {
		t.Fatal("Apply accepted an enum value outside the CHECK")
	}
	if !notNull("zd", "d") || len(warnings) != 0 {
		t.Fatalf("a rolled-back batch changed the column (NOT NULL %v) or warned %q", notNull("zd", "d"), warnings)
	}
	good := [][]event.Event{
		{ev("u", "zd", row(1, "2001-01-01", "a"), row(1, "0000-00-00", "a")), ev("c", "zd", nil, row(3, "2000-00-10", "b"))},
		{ev("c", "zn", nil, map[string]any{"a": int64(1), "dt": "0000-00-00 00:00:00"})},
	}
	if err := a.Apply(ctx, good, catalog.Position{Dialect: "mysql", Pos: 3}); err != nil {
		t.Fatal(err)
	}
	if got, want := rows(t, pool, "zd", "id", "d"), [][]string{{"1", "NULL"}, {"3", "NULL"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("zd rows: got %q, want %q", got, want)
	}
	if got, want := rows(t, pool, "zn", "a", "dt"), [][]string{{"1", "NULL"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("zn rows: got %q, want %q", got, want)
	}
	if notNull("zd", "d") || notNull("zn", "dt") || !notNull("zd", "e") {
		t.Error("NOT NULL not dropped on exactly the zero-date columns")
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], `SET NOT NULL`) || !strings.Contains(warnings[0], "src.zd") {
		t.Errorf("warnings = %q, want one per column naming the table and the fix", warnings)
	}
	// Later zero dates: no statement, no warning.
	if err := a.Apply(ctx, [][]event.Event{{ev("c", "zd", nil, row(4, "0000-00-00", "a"))}}, catalog.Position{Dialect: "mysql", Pos: 4}); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 {
		t.Errorf("warned again: %q", warnings)
	}
}

// TestClaim: one applier of a task holds its lock; a second one (another
// run, maybe on another machine) is refused with the holder's pid until
// the first closes.
func TestClaim(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, allTypesTable())
	ctx := context.Background()
	a := newApplier(t, pool, plans)
	if err := a.Claim(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Claim(ctx); err != nil { // held: a no-op
		t.Fatal(err)
	}
	b := newApplier(t, pool, plans)
	b.ClaimWait = 500 * time.Millisecond
	var claimed *ErrClaimed
	if err := b.Claim(ctx); !errors.As(err, &claimed) || claimed.PID == 0 || !strings.Contains(err.Error(), "another ferry run") {
		t.Fatalf("second Claim = %v, want ErrClaimed naming the holder", err)
	}
	a.Close()
	if err := b.Claim(ctx); err != nil {
		t.Fatalf("Claim after the first closed: %v", err)
	}
	b.Close()
}

// TestClaimLostFences: a run whose lock connection dropped while another
// run took the task over must not commit anything more.
func TestClaimLostFences(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, &catalog.Table{Name: "f", Columns: []*catalog.Column{col("id", "int(11)", false)}, PrimaryKey: pkIndex("id")})
	ctx := context.Background()
	a := newApplier(t, pool, plans)
	if err := a.Claim(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	row := func(id int64) map[string]any { return map[string]any{"id": id} }
	if err := a.Apply(ctx, [][]event.Event{{ev("c", "f", nil, row(1))}}, catalog.Position{File: "f", Pos: 1}); err != nil {
		t.Fatal(err)
	}
	// The lock connection drops (here: its backend is terminated).
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, int32(a.claimed.PgConn().PID())); err != nil {
		t.Fatal(err)
	}
	b := newApplier(t, pool, plans)
	if err := b.Claim(ctx); err != nil {
		t.Fatalf("a second run could not take the lock the first lost: %v", err)
	}
	defer b.Close()
	err := a.Apply(ctx, [][]event.Event{{ev("c", "f", nil, row(2))}}, catalog.Position{File: "f", Pos: 2})
	if err == nil || !strings.Contains(err.Error(), "lost the lock") {
		t.Fatalf("apply after losing the lock: %v, want an error saying so", err)
	}
	if got := fmt.Sprint(rows(t, pool, "f", "id")); got != "[[1]]" {
		t.Errorf("rows %s after the refused apply, want [[1]]", got)
	}
	a.ClaimWait = 300 * time.Millisecond
	var claimed *ErrClaimed
	if err := a.Claim(ctx); !errors.As(err, &claimed) {
		t.Errorf("the first run claiming again: %v, want ErrClaimed", err)
	}
	if err := b.Apply(ctx, [][]event.Event{{ev("c", "f", nil, row(2))}}, catalog.Position{File: "f", Pos: 2}); err != nil {
		t.Errorf("the run holding the lock: %v", err)
	}
}
