package load

import (
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

func TestDropCopied(t *testing.T) {
	at := func(f string, p uint64) catalog.Position { return catalog.Position{File: f, Pos: p} }
	copied := map[string]catalog.Position{"db.nopk": at("binlog.000002", 500)}
	tx := []event.Event{
		{Op: "c", Source: event.Source{Db: "db", Table: "t"}},
		{Op: "c", Source: event.Source{Db: "db", Table: "nopk"}},
		{Op: "d", Source: event.Source{Db: "db", Table: "nopk"}},
	}
	for _, c := range []struct {
		next catalog.Position
		want int
	}{
		{at("binlog.000001", 9000), 1}, // an earlier file: in the copy
		{at("binlog.000002", 500), 1},  // the snapshot point itself
		{at("binlog.000002", 501), 3},  // after it
		{at("binlog.000010", 4), 3},    // a later file (numeric, not lexical, order)
		{at("other.000001", 4), 3},     // not comparable: keep
		{catalog.Position{GTID: "0-1-5"}, 3},
	} {
		evs := append([]event.Event(nil), tx...)
		for i := range evs {
			evs[i].Source.File, evs[i].Source.Pos = c.next.File, c.next.Pos
		}
		got := dropCopiedEvents(copied, evs)
		if len(got) != c.want {
			t.Errorf("at %s: %d events left, want %d", c.next, len(got), c.want)
		}
		if c.want == 1 && got[0].Source.Table != "t" {
			t.Errorf("at %s: kept %s", c.next, got[0].Source.Table)
		}
	}
	if len(tx) != 3 || tx[1].Source.Table != "nopk" {
		t.Error("the input was changed")
	}

	// Schema changes in the copy: a supported one is dropped (the copy's
	// table has it); one the applier pauses at is kept, since the stream
	// stopped there.
	src := event.Source{Db: "db", Table: "nopk", File: "binlog.000002", Pos: 100}
	ddl := []event.Event{
		{Op: event.OpDDL, Source: src, TableChanges: []event.TableChange{{Type: "ALTER", ID: "db.nopk"}}},
		{Op: event.OpDDL, Source: src, TableChanges: []event.TableChange{{Type: "ALTER", ID: "db.nopk", Unsupported: []string{"PARTITION BY"}}}},
	}
	for i, want := range []int{0, 1} {
		if got := dropCopiedEvents(copied, ddl[i:i+1]); len(got) != want {
			t.Errorf("schema change %d: %d events left, want %d", i, len(got), want)
		}
	}
}
