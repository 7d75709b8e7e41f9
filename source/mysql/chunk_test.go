package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// TestStreamChunks: a transaction bigger than the chunk size arrives in
// chunks (First on the first, Commit with the position on the last),
// numbered across chunks; rows after a savepoint are held back so a
// ROLLBACK TO still drops them; a small transaction is one chunk.
func TestStreamChunks(t *testing.T) {
	s, db := binlogDB(t)
	exec(t, s, "CREATE TABLE c (id INT PRIMARY KEY)")
	from := position(t, s)
	s.SetChunkSize(10)
	exec(t, s, "INSERT INTO c SELECT seq FROM seq_1_to_35")
	execTx(t, s, "INSERT INTO c SELECT seq FROM seq_101_to_112", "SAVEPOINT a",
		"INSERT INTO c SELECT seq FROM seq_201_to_215", "ROLLBACK TO SAVEPOINT a",
		"INSERT INTO c SELECT seq FROM seq_301_to_303")
	exec(t, s, "INSERT INTO c VALUES (1000)")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type chunk struct {
		ids           []string
		first, commit bool
		next          catalog.Position
		orders        []int64
	}
	var got []chunk
	commits := 0
	err := s.StreamChunks(ctx, from, tablesOf(t, s, db), 1000+replicaIDSeq.Add(1), func(c event.Chunk, next catalog.Position) error {
		ch := chunk{first: c.First, commit: c.Commit, next: next}
		for _, e := range c.Events {
			ch.ids = append(ch.ids, fmt.Sprint(e.After["id"]))
			ch.orders = append(ch.orders, e.Transaction.TotalOrder)
		}
		got = append(got, ch)
		if c.Commit {
			if commits++; commits == 3 {
				cancel()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var shape []string
	for _, c := range got {
		shape = append(shape, fmt.Sprintf("%d%s%s", len(c.ids), map[bool]string{true: "F"}[c.first], map[bool]string{true: "C"}[c.commit]))
	}
	if want := "10F 10 10 5C 10F 5C 1FC"; strings.Join(shape, " ") != want {
		t.Fatalf("chunks %v, want %s (size, First, Commit)", shape, want)
	}
	var order []int64
	for _, c := range got[:4] {
		order = append(order, c.orders...)
	}
	for i, o := range order {
		if o != int64(i+1) {
			t.Fatalf("total_order across chunks: %v", order)
		}
	}
	second := append(append([]string{}, got[4].ids...), got[5].ids...)
	if want := "101,102,103,104,105,106,107,108,109,110,111,112,301,302,303"; strings.Join(second, ",") != want {
		t.Errorf("savepoint transaction rows %v, want %s", second, want)
	}
	for i, c := range got {
		if c.commit && c.next.GTID == "" {
			t.Errorf("chunk %d: commit without a position", i)
		}
	}
}

// TestStreamChunksSavepointsBounded: rows after a savepoint are held back
// (a ROLLBACK TO may drop them), but at most 20 chunks of them: a big
// transaction inside an ORM's nested transactions still streams in
// bounded memory, every row once and in order. (MariaDB does not write
// RELEASE SAVEPOINT to the binlog, so a released savepoint holds rows
// back like an open one.)
func TestStreamChunksSavepointsBounded(t *testing.T) {
	s, db := binlogDB(t)
	exec(t, s, "CREATE TABLE c (id INT PRIMARY KEY)")
	from := position(t, s)
	s.SetChunkSize(10)
	// (The server writes a SAVEPOINT to the binlog only after a change.)
	execTx(t, s, "INSERT INTO c SELECT seq FROM seq_1_to_5", "SAVEPOINT a", "INSERT INTO c SELECT seq FROM seq_6_to_30", "RELEASE SAVEPOINT a",
		"INSERT INTO c SELECT seq FROM seq_31_to_35")
	stmts := []string{"INSERT INTO c VALUES (999)", "SAVEPOINT b"}
	for i := 0; i < 50; i++ {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO c SELECT seq FROM seq_%d_to_%d", 1000+i*10, 1009+i*10))
	}
	execTx(t, s, stmts...)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var shapes [][]int // chunk sizes per transaction
	var ids []int64
	cur := []int{}
	err := s.StreamChunks(ctx, from, tablesOf(t, s, db), 1000+replicaIDSeq.Add(1), func(c event.Chunk, next catalog.Position) error {
		cur = append(cur, len(c.Events))
		for _, e := range c.Events {
			var id int64
			fmt.Sscan(fmt.Sprint(e.After["id"]), &id)
			ids = append(ids, id)
		}
		if c.Commit {
			shapes = append(shapes, cur)
			cur = []int{}
			if len(shapes) == 2 {
				cancel()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(shapes[0]); got != "[35]" && got != "[10 10 10 5]" {
		t.Errorf("released savepoint: chunks %s, want [35] (held) or [10 10 10 5] (released)", got)
	}
	// 500 rows after savepoint b, never released: all but at most 200
	// (20 chunks of 10) went on before the commit.
	second := shapes[1]
	if n := len(second); n < 30 {
		t.Errorf("open savepoint: %d chunks %v, want the rows beyond 200 handed on before the commit", n, second)
	}
	if last := second[len(second)-1]; last > 200 {
		t.Errorf("open savepoint: the commit chunk holds %d rows, want at most 200", last)
	}
	if len(ids) != 536 {
		t.Fatalf("%d rows streamed, want 536", len(ids))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("rows out of order at %d: %d after %d", i, ids[i], ids[i-1])
		}
	}
}
