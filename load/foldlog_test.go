package load

import (
	"context"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
	"github.com/ferrydb/ferry/eventlog"
)

// TestFoldLogSchema: the schema changes an (embedded JetStream) event log
// holds beyond the applied sequence are folded into the tables the stream
// resumes with; those at or before it are not.
func TestFoldLogSchema(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := eventlog.Open(ctx, eventlog.Options{Dir: t.TempDir(), Stream: "FERRY_FOLD", Subject: "ferry.fold"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	v1 := &catalog.Table{Schema: "db", Name: "t", Columns: []*catalog.Column{{Name: "id"}}}
	v2 := &catalog.Table{Schema: "db", Name: "t", Columns: []*catalog.Column{{Name: "id"}, {Name: "x"}}}
	src := func(pos uint64) event.Source { return event.Source{Db: "db", Table: "t", File: "b.1", Pos: pos} }
	pos := func(p uint64) catalog.Position { return catalog.Position{Dialect: "mysql", File: "b.1", Pos: p} }
	txs := [][]event.Event{
		{{Op: event.OpCreate, After: map[string]any{"id": 1}, Source: src(10)}},
		{{Op: event.OpDDL, DDL: "ALTER TABLE t ADD x INT", Source: src(20), TableChanges: []event.TableChange{{Type: "ALTER", ID: "db.t", Table: v2}}}},
		{{Op: event.OpDDL, DDL: "CREATE TABLE n (id INT)", Source: src(30), TableChanges: []event.TableChange{{Type: "CREATE", ID: "db.n", Table: &catalog.Table{Schema: "db", Name: "n"}}}}},
		{{Op: event.OpCreate, After: map[string]any{"id": 2, "x": 1}, Source: src(40)}},
	}
	var seqs []uint64 // the log sequence after each transaction
	for i, tx := range txs {
		if err := l.Publish(ctx, tx, pos(uint64(i+1)*10+5)); err != nil {
			t.Fatal(err)
		}
		seq, err := l.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	base := map[string]*catalog.Table{"db.t": v1}
	got, err := foldLogSchema(ctx, l, 0, pos(45), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got["db.t"].Columns) != 2 || got["db.n"] == nil {
		t.Errorf("folded from the start: %+v", got)
	}
	if len(base["db.t"].Columns) != 1 || base["db.n"] != nil {
		t.Errorf("the base tables changed")
	}
	// After the CREATE's sequence only the last transaction is left:
	// nothing to fold.
	got, err = foldLogSchema(ctx, l, seqs[2], pos(45), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got["db.t"].Columns) != 1 || got["db.n"] != nil {
		t.Errorf("folded changes the target had applied: %+v", got)
	}
}
