package mysql_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
	"github.com/ferrydb/ferry/source/mysql"
)

var (
	binlogDBSeq  atomic.Int64
	replicaIDSeq atomic.Uint32
)

// binlogDB creates a fresh MariaDB database named after the test and opens
// a source on it.
func binlogDB(t *testing.T) (*mysql.Source, string) {
	t.Helper()
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("%s_%d", name, binlogDBSeq.Add(1))
	ctx := context.Background()
	if err := env.MariaDB.CreateDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
	s, err := mysql.Open(ctx, env.MariaDB.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, name
}

func exec(t *testing.T, s *mysql.Source, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// execTx runs the statements in one transaction.
func execTx(t *testing.T, s *mysql.Source, stmts ...string) {
	t.Helper()
	tx, err := s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stmts {
		if _, err := tx.Exec(q); err != nil {
			tx.Rollback()
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func position(t *testing.T, s *mysql.Source) catalog.Position {
	t.Helper()
	sn, err := s.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	p := sn.Position()
	if p.File == "" || p.Flavor != "mariadb" {
		t.Fatalf("snapshot position %+v: want a MariaDB binlog position", p)
	}
	return p
}

func tablesOf(t *testing.T, s *mysql.Source, db string) map[string]*catalog.Table {
	t.Helper()
	sc, err := s.Inspect(context.Background(), func(string, string) bool { return true }, []string{db})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*catalog.Table{}
	for _, tb := range sc.Tables {
		m[tb.QualifiedName()] = tb
	}
	return m
}

type streamedTx struct {
	events []event.Event
	next   catalog.Position
}

// stream collects transactions from pos until want of them arrived, or
// until wait passed when want is 0 (nothing is expected).
func stream(t *testing.T, s *mysql.Source, from catalog.Position, tables map[string]*catalog.Table, want int) []streamedTx {
	t.Helper()
	wait := 20 * time.Second
	if want == 0 {
		wait = 1500 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var got []streamedTx
	err := s.Stream(ctx, from, tables, 1000+replicaIDSeq.Add(1), func(tx []event.Event, next catalog.Position) error {
		got = append(got, streamedTx{tx, next})
		if want > 0 && len(got) >= want {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Stream from %s: %v", from, err)
	}
	if len(got) != want {
		t.Fatalf("Stream from %s: got %d transactions, want %d", from, len(got), want)
	}
	return got
}

func ids(txs []streamedTx) []string {
	var out []string
	for _, tx := range txs {
		for i := range tx.events {
			out = append(out, tx.events[i].ID())
		}
	}
	return out
}

func sameValue(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && bytes.Equal(ab, bb)
	}
	return reflect.DeepEqual(a, b)
}

func diffRow(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Errorf("%s: got %v, want %v", what, got, want)
		return
	}
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		g, gok := got[k]
		w, wok := want[k]
		if gok != wok || !sameValue(g, w) {
			t.Errorf("%s column %s: got %#v (%T, present %v), want %#v (%T, present %v)", what, k, g, g, gok, w, w, wok)
		}
	}
}

func copyRow(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// TestBinlogStream streams typed row changes of several transactions and
// checks the exact events, their grouping and order, that ids are stable
// across re-reads, and that resuming at any transaction's next position
// yields exactly the transactions after it.
func TestBinlogStream(t *testing.T) {
	s, db := binlogDB(t)
	exec(t, s, `CREATE TABLE `+"`"+db+"`"+`.t1 (
		id INT PRIMARY KEY,
		u BIGINT UNSIGNED,
		d DECIMAL(65,30),
		s VARCHAR(50) CHARACTER SET utf8mb4,
		b BLOB,
		dt DATETIME(6),
		ts TIMESTAMP NULL DEFAULT NULL,
		dd DATE,
		tm TIME,
		e ENUM('small','medium','large'),
		st SET('a','b','c','d'),
		j JSON,
		bt BIT(10),
		f FLOAT,
		dbl DOUBLE,
		bin BINARY(4),
		yr YEAR,
		ti TINYINT UNSIGNED,
		si SMALLINT,
		mi MEDIUMINT UNSIGNED,
		lat VARCHAR(10) CHARACTER SET latin1
	)`,
		"CREATE TABLE `"+db+"`.t2 (id INT PRIMARY KEY, v VARCHAR(10))",
		"CREATE TABLE `"+db+"`.t3 (id INT PRIMARY KEY)",
	)
	tables := tablesOf(t, s, db)
	if tables[db+".t1"].Column("j").Type.Name != "json" {
		t.Fatalf("catalog type of j = %s, want json", tables[db+".t1"].Column("j").Type)
	}
	delete(tables, db+".t3") // not selected: its changes are skipped
	start := position(t, s)

	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	q := "`" + db + "`."
	// tx1: one row with every type.
	exec(t, s, "INSERT INTO "+q+"t1 VALUES (1, 18446744073709551615, '12345678901234567890123456789012345.123456789012345678901234567890', 'héllo 🚀', UNHEX('"+fmt.Sprintf("%X", all)+"'), '2024-02-29 13:14:15.123456', '2024-03-01 01:02:03', '2024-02-29', '12:34:56', 'medium', 'a,c', '{\"k\": [1, 2, {\"x\": \"y\"}]}', b'1010101010', 1.1, 2.5, X'0102', 2024, 255, -32768, 16777215, 'café')")
	// tx2: a multi-row insert, one row all NULL, one with zero dates and edge values.
	exec(t, s, "INSERT INTO "+q+"t1 (id) VALUES (2)",
		"SET @x = 1") // keep tx2 the next statement below
	exec(t, s, "DELETE FROM "+q+"t1 WHERE id = 2")
	exec(t, s, "INSERT INTO "+q+"t1 VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, 0, '-0.5', '', '', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00', '-01:02:03', 'large', '', '[]', b'0', -0.25, 1e300, X'FFFFFFFF', 1901, 0, 32767, 0, '')")
	// tx: a multi-table transaction, with a change to an unselected table.
	execTx(t, s,
		"UPDATE "+q+"t1 SET s = 'new' WHERE id = 1",
		"INSERT INTO "+q+"t2 VALUES (1, 'a')",
		"INSERT INTO "+q+"t3 VALUES (1)",
		"UPDATE "+q+"t2 SET v = 'b' WHERE id = 1",
	)
	exec(t, s, "DELETE FROM "+q+"t1 WHERE id = 3")
	exec(t, s, "INSERT INTO "+q+"t3 VALUES (2)") // unselected only: no transaction
	exec(t, s, "ALTER TABLE "+q+"t3 ADD COLUMN x INT")
	exec(t, s, "INSERT INTO "+q+"t2 VALUES (2, 'z')")

	row1 := map[string]any{
		"id": int64(1), "u": uint64(math.MaxUint64),
		"d": "12345678901234567890123456789012345.123456789012345678901234567890",
		"s": "héllo 🚀", "b": all, "dt": "2024-02-29 13:14:15.123456", "ts": "2024-03-01 01:02:03",
		"dd": "2024-02-29", "tm": "12:34:56", "e": "medium", "st": "a,c", "j": `{"k": [1, 2, {"x": "y"}]}`,
		"bt": uint64(0b1010101010), "f": 1.1, "dbl": 2.5, "bin": []byte{1, 2, 0, 0}, "yr": int64(2024),
		"ti": uint64(255), "si": int64(-32768), "mi": uint64(16777215), "lat": "café",
	}
	row2 := map[string]any{"id": int64(2)}
	for _, c := range tables[db+".t1"].Columns[1:] {
		row2[c.Name] = nil
	}
	row3 := map[string]any{
		"id": int64(3), "u": uint64(0), "d": "-0.500000000000000000000000000000", "s": "", "b": []byte{},
		"dt": "0000-00-00 00:00:00.000000", "ts": "0000-00-00 00:00:00", "dd": "0000-00-00", "tm": "-01:02:03",
		"e": "large", "st": "", "j": "[]", "bt": uint64(0), "f": -0.25, "dbl": 1e300, "bin": []byte{0xff, 0xff, 0xff, 0xff},
		"yr": int64(1901), "ti": uint64(0), "si": int64(32767), "mi": uint64(0), "lat": "",
	}
	type ev struct {
		op, table     string
		before, after map[string]any
		dataOrder     int64
	}
	want := [][]ev{
		{{"c", "t1", nil, row1, 1}},
		{{"c", "t1", nil, row2, 1}},
		{{"d", "t1", row2, nil, 1}},
		{{"c", "t1", nil, row2, 1}, {"c", "t1", nil, row3, 2}},
		{{"u", "t1", row1, copyRow(row1, "s", "new"), 1},
			{"c", "t2", nil, map[string]any{"id": int64(1), "v": "a"}, 1},
			{"u", "t2", map[string]any{"id": int64(1), "v": "a"}, map[string]any{"id": int64(1), "v": "b"}, 2}},
		{{"d", "t1", nil, nil, 1}}, // before checked below: row3
		{{"c", "t2", nil, map[string]any{"id": int64(2), "v": "z"}, 1}},
	}
	want[5][0].before = row3

	got := stream(t, s, start, tables, len(want))
	seen := map[string]bool{}
	var prev catalog.Position
	for i, tx := range got {
		if len(tx.events) != len(want[i]) {
			t.Fatalf("tx %d: %d events, want %d: %+v", i+1, len(tx.events), len(want[i]), tx.events)
		}
		gtid := tx.events[0].Source.GTID
		if !regexp.MustCompile(`^0-1-\d+$`).MatchString(gtid) {
			t.Errorf("tx %d: GTID %q, want a MariaDB GTID", i+1, gtid)
		}
		if tx.next.GTID != gtid || tx.next.Flavor != "mariadb" || tx.next.Dialect != "mysql" || tx.next.File == "" {
			t.Errorf("tx %d: next position %+v, want GTID %s", i+1, tx.next, gtid)
		}
		if i > 0 && (tx.next.File < prev.File || (tx.next.File == prev.File && tx.next.Pos <= prev.Pos)) {
			t.Errorf("tx %d: next %s does not follow %s", i+1, tx.next, prev)
		}
		prev = tx.next
		for j, e := range tx.events {
			w := want[i][j]
			what := fmt.Sprintf("tx %d event %d (%s %s)", i+1, j+1, w.op, w.table)
			if e.Op != w.op || e.Source.Db != db || e.Source.Table != w.table {
				t.Errorf("%s: got op %s table %s.%s", what, e.Op, e.Source.Db, e.Source.Table)
			}
			diffRow(t, what+" before", e.Before, w.before)
			diffRow(t, what+" after", e.After, w.after)
			if e.Transaction == nil || e.Transaction.ID != gtid || e.Transaction.TotalOrder != int64(j+1) || e.Transaction.DataCollectionOrder != w.dataOrder {
				t.Errorf("%s: transaction %+v, want id %s total order %d data collection order %d", what, e.Transaction, gtid, j+1, w.dataOrder)
			}
			if e.Source.GTID != gtid || e.Source.Connector != "mysql" || e.Source.ServerID != 1 || e.Source.File == "" || e.Source.Pos == 0 || e.Source.TsMs == 0 || e.TsMs == 0 {
				t.Errorf("%s: source %+v", what, e.Source)
			}
			if seen[e.ID()] {
				t.Errorf("%s: duplicate id %s", what, e.ID())
			}
			seen[e.ID()] = true
		}
	}
	if t.Failed() {
		return
	}
	// Re-reading the same range yields the same ids.
	again := stream(t, s, start, tables, len(want))
	if a, b := ids(got), ids(again); !reflect.DeepEqual(a, b) {
		t.Errorf("ids differ on re-read:\n%v\n%v", a, b)
	}
	// Resuming at transaction k's next position yields exactly k+1.., by
	// GTID and by file:pos.
	for k := range got {
		rest := stream(t, s, got[k].next, tables, len(got)-k-1)
		if a, b := ids(rest), ids(got[k+1:]); !reflect.DeepEqual(a, b) {
			t.Errorf("resume after tx %d by GTID: ids %v, want %v", k+1, a, b)
		}
		byFile := got[k].next
		byFile.GTID = ""
		rest = stream(t, s, byFile, tables, len(got)-k-1)
		if a, b := ids(rest), ids(got[k+1:]); !reflect.DeepEqual(a, b) {
			t.Errorf("resume after tx %d by file:pos: ids %v, want %v", k+1, a, b)
		}
		for i := range rest {
			if rest[i].next != got[k+1+i].next {
				t.Errorf("resume after tx %d by file:pos: next %+v, want %+v", k+1, rest[i].next, got[k+1+i].next)
			}
		}
	}
}

// TestCheckBinlog covers a good setup, a statement-based binlog, a
// minimal row image, and a user without replication privileges.
func TestCheckBinlog(t *testing.T) {
	ctx := context.Background()
	s, db := binlogDB(t)
	if err := s.CheckBinlog(ctx); err != nil {
		t.Fatalf("CheckBinlog as root: %v", err)
	}

	t.Run("statement format", func(t *testing.T) {
		exec(t, s, "SET GLOBAL binlog_format = 'STATEMENT'")
		t.Cleanup(func() { exec(t, s, "SET GLOBAL binlog_format = 'ROW'") })
		err := s.CheckBinlog(ctx)
		if err == nil || !strings.Contains(err.Error(), "binlog_format is STATEMENT; CDC needs ROW: SET GLOBAL binlog_format=ROW") {
			t.Fatalf("CheckBinlog = %v, want a binlog_format error", err)
		}
	})
	t.Run("minimal row image", func(t *testing.T) {
		exec(t, s, "SET GLOBAL binlog_row_image = 'MINIMAL'")
		t.Cleanup(func() { exec(t, s, "SET GLOBAL binlog_row_image = 'FULL'") })
		err := s.CheckBinlog(ctx)
		if err == nil || !strings.Contains(err.Error(), "binlog_row_image is MINIMAL; CDC needs FULL") {
			t.Fatalf("CheckBinlog = %v, want a binlog_row_image error", err)
		}
	})
	t.Run("no replication privileges", func(t *testing.T) {
		user := "norepl_" + db
		if len(user) > 32 {
			user = user[:32]
		}
		for _, host := range []string{"%", "localhost", "127.0.0.1"} {
			exec(t, s,
				fmt.Sprintf("CREATE USER '%s'@'%s' IDENTIFIED BY 'pw'", user, host),
				fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%s'", db, user, host))
			t.Cleanup(func() { exec(t, s, fmt.Sprintf("DROP USER '%s'@'%s'", user, host)) })
		}
		u, err := url.Parse(env.MariaDB.DSN(db))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(user, "pw")
		ns, err := mysql.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer ns.Close()
		err = ns.CheckBinlog(ctx)
		if err == nil || !strings.Contains(err.Error(), "lacks REPLICATION SLAVE and BINLOG MONITOR") || !strings.Contains(err.Error(), "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.*") {
			t.Fatalf("CheckBinlog = %v, want a missing-privilege error", err)
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		err = ns.Stream(sctx, position(t, s), map[string]*catalog.Table{}, 1000+replicaIDSeq.Add(1), func([]event.Event, catalog.Position) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "may not read the binary log: GRANT REPLICATION SLAVE") {
			t.Fatalf("Stream = %v, want a privilege error", err)
		}
	})
}

// TestStreamPurged runs last: it purges the binary logs, so streaming from
// a position recorded before fails with a clear error.
func TestStreamPurged(t *testing.T) {
	ctx := context.Background()
	s, db := binlogDB(t)
	exec(t, s, "CREATE TABLE `"+db+"`.t (id INT PRIMARY KEY)")
	tables := tablesOf(t, s, db)
	old := position(t, s)
	exec(t, s, "INSERT INTO `"+db+"`.t VALUES (1)")
	exec(t, s, "FLUSH BINARY LOGS")
	newest := position(t, s)
	if newest.File == old.File {
		t.Fatalf("FLUSH BINARY LOGS did not rotate: %s", newest)
	}
	// MariaDB keeps a binlog until its binlog checkpoint has moved on,
	// which happens shortly after the rotation: retry until it is gone.
	for deadline := time.Now().Add(30 * time.Second); ; {
		exec(t, s, "PURGE BINARY LOGS TO '"+newest.File+"'")
		var first string
		var size any
		if err := s.DB().QueryRow("SHOW BINARY LOGS").Scan(&first, &size); err != nil {
			t.Fatal(err)
		}
		if first == newest.File {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PURGE BINARY LOGS TO %s left %s", newest.File, first)
		}
		time.Sleep(200 * time.Millisecond)
	}
	byFile := old
	byFile.GTID = ""
	for _, from := range []catalog.Position{byFile, old} {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.Stream(sctx, from, tables, 1000+replicaIDSeq.Add(1), func([]event.Event, catalog.Position) error { return nil })
		cancel()
		if err == nil || !strings.Contains(err.Error(), "the binlog at "+from.String()+" was purged") {
			t.Errorf("Stream from %s = %v, want a purged-position error", from, err)
		}
	}
}

// TestBinlogSavepoints: SAVEPOINT and ROLLBACK TO stay inside their
// transaction (they are Query events in the binlog), and the rows rolled
// back to a savepoint are not emitted.
func TestBinlogSavepoints(t *testing.T) {
	s, db := binlogDB(t)
	exec(t, s, "CREATE TABLE sp (id INT PRIMARY KEY)")
	from := position(t, s)
	execTx(t, s, "INSERT INTO sp VALUES (1)", "SAVEPOINT a", "INSERT INTO sp VALUES (2)", "ROLLBACK TO SAVEPOINT a",
		"INSERT INTO sp VALUES (3)", "SAVEPOINT b", "INSERT INTO sp VALUES (4)", "RELEASE SAVEPOINT b")
	exec(t, s, "INSERT INTO sp VALUES (5)")
	txs := stream(t, s, from, tablesOf(t, s, db), 2)
	var got []string
	for _, e := range txs[0].events {
		got = append(got, fmt.Sprint(e.After["id"]))
	}
	if strings.Join(got, ",") != "1,3,4" {
		t.Errorf("first transaction rows %v, want 1,3,4 (2 was rolled back to savepoint a)", got)
	}
	if len(txs[1].events) != 1 || fmt.Sprint(txs[1].events[0].After["id"]) != "5" {
		t.Errorf("second transaction: %+v", txs[1].events)
	}
	// Resuming after the first transaction gives exactly the second.
	if again := stream(t, s, txs[0].next, tablesOf(t, s, db), 1); fmt.Sprint(again[0].events[0].After["id"]) != "5" {
		t.Errorf("resume after the savepoint transaction: %+v", again[0].events)
	}
}

// TestBinlogIdleAdvance: while only unselected tables change, Stream hands
// on empty transactions now and then, so the position keeps moving.
func TestBinlogIdleAdvance(t *testing.T) {
	s, db := binlogDB(t)
	exec(t, s, "CREATE TABLE sel (id INT PRIMARY KEY)", "CREATE TABLE other (id INT PRIMARY KEY)")
	tables := tablesOf(t, s, db)
	delete(tables, db+".other")
	from := position(t, s)
	// Every quiet commit is due (a millisecond was flaky: the stream can
	// read both commits within one).
	s.SetIdleAdvance(time.Nanosecond)
	exec(t, s, "INSERT INTO other VALUES (1)")
	exec(t, s, "INSERT INTO other VALUES (2)")
	end := position(t, s)
	txs := stream(t, s, from, tables, 1)
	if len(txs[0].events) != 0 {
		t.Fatalf("want an empty transaction, got %d events", len(txs[0].events))
	}
	if txs[0].next.File != end.File || txs[0].next.Pos <= from.Pos {
		t.Errorf("empty transaction at %s; stream started at %s, source is at %s", txs[0].next, from, end)
	}
}
