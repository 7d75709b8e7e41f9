package apply

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// TestSetBasedMatchesRowByRow: random valid change sequences on a small
// key space (inserts, updates, key changes, deletes, re-inserts of
// deleted keys, several changes of one row in a row, NULLs, a composite
// key, a table without a key in between) applied through the set-based
// statements leave exactly the rows a row-by-row replay of the source
// would, for batches of any size.
func TestSetBasedMatchesRowByRow(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool,
		&catalog.Table{Name: "g", Columns: []*catalog.Column{
			col("a", "int(11)", false), col("b", "varchar(10)", false), col("v", "varchar(20)", true), col("n", "int(11)", true),
		}, PrimaryKey: pkIndex("a", "b")},
		&catalog.Table{Name: "log", Columns: []*catalog.Column{col("x", "int(11)", true)}},
	)
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	type key struct {
		a int64
		b string
	}
	type val struct {
		v any
		n any
	}
	src := map[key]val{}
	var logRows []int64
	r := rand.New(rand.NewPCG(7, 11))
	img := func(k key, v val) map[string]any {
		return map[string]any{"a": k.a, "b": k.b, "v": v.v, "n": v.n}
	}
	randKey := func() key { return key{int64(r.IntN(8)), []string{"x", "y"}[r.IntN(2)]} }
	randVal := func() val {
		v := val{v: fmt.Sprintf("v%d", r.IntN(1000)), n: int64(r.IntN(100))}
		if r.IntN(5) == 0 {
			v.v = nil
		}
		if r.IntN(5) == 0 {
			v.n = nil
		}
		return v
	}
	var events []event.Event
	for len(events) < 3000 {
		k := randKey()
		old, exists := src[k]
		switch {
		case r.IntN(20) == 0:
			x := int64(r.IntN(50))
			events = append(events, ev("c", "log", nil, map[string]any{"x": x}))
			logRows = append(logRows, x)
		case !exists:
			v := randVal()
			events = append(events, ev("c", "g", nil, img(k, v)))
			src[k] = v
		case r.IntN(4) == 0:
			events = append(events, ev("d", "g", img(k, old), nil))
			delete(src, k)
		case r.IntN(3) == 0:
			nk := randKey()
			if _, taken := src[nk]; taken && nk != k {
				continue
			}
			v := randVal()
			events = append(events, ev("u", "g", img(k, old), img(nk, v)))
			delete(src, k)
			src[nk] = v
		default:
			v := randVal()
			events = append(events, ev("u", "g", img(k, old), img(k, v)))
			src[k] = v
		}
	}
	var want [][]string
	for k, v := range src {
		s := func(x any) string {
			if x == nil {
				return "NULL"
			}
			return fmt.Sprint(x)
		}
		want = append(want, []string{fmt.Sprint(k.a), k.b, s(v.v), s(v.n)})
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i][0] != want[j][0] {
			return want[i][0] < want[j][0]
		}
		return want[i][1] < want[j][1]
	})
	for _, size := range []int{1, 7, 100, 3000} {
		if _, err := pool.Exec(ctx, `TRUNCATE g, log`); err != nil {
			t.Fatal(err)
		}
		tx, err := a.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(events); i += size {
			if err := tx.Apply(ctx, events[i:min(i+size, len(events))]); err != nil {
				t.Fatalf("batches of %d: %v", size, err)
			}
		}
		if err := tx.Commit(ctx, catalog.Position{Dialect: "mysql", File: "f", Pos: uint64(size)}); err != nil {
			t.Fatal(err)
		}
		got := rows(t, pool, "g", "a", "b", "v", "n")
		sort.Slice(got, func(i, j int) bool {
			if got[i][0] != got[j][0] {
				return got[i][0] < got[j][0]
			}
			return got[i][1] < got[j][1]
		})
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("batches of %d: target rows\n%v\nwant\n%v", size, got, want)
		}
		if n := len(rows(t, pool, "log", "x")); n != len(logRows) {
			t.Fatalf("batches of %d: %d rows in the keyless table, want %d", size, n, len(logRows))
		}
	}
}

// A source transaction that swaps the values of a UNIQUE column through a
// temporary value is valid on the source (InnoDB checks row by row, in
// order) and must be replayed in its order: collapsing id 1's two updates
// into one row of the set-based upsert would give id 1 'b' while id 2
// still holds it.
func TestUniqueSwapKeepsOrder(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, &catalog.Table{Name: "s", Columns: []*catalog.Column{
		col("id", "int(11)", false), col("u", "varchar(10)", true),
	}, PrimaryKey: pkIndex("id"), Indexes: []*catalog.Index{{Name: "u_uq", Unique: true, Columns: []catalog.IndexColumn{{Name: "u"}}}}})
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	row := func(id int64, u any) map[string]any { return map[string]any{"id": id, "u": u} }
	if err := a.Apply(ctx, [][]event.Event{{ev("c", "s", nil, row(1, "a")), ev("c", "s", nil, row(2, "b"))}}, catalog.Position{File: "f", Pos: 1}); err != nil {
		t.Fatal(err)
	}
	tx := []event.Event{
		ev("u", "s", row(1, "a"), row(1, "tmp")),
		ev("u", "s", row(2, "b"), row(2, "a")),
		ev("u", "s", row(1, "tmp"), row(1, "b")),
	}
	if err := a.Apply(ctx, [][]event.Event{tx}, catalog.Position{File: "f", Pos: 2}); err != nil {
		t.Fatalf("valid source transaction rejected: %v", err)
	}
	if got, want := fmt.Sprint(rows(t, pool, "s", "id", "u")), "[[1 b] [2 a]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
}

// Without a unique index besides the key, repeated keys still collapse
// into one row of one statement: the result is the last image.
func TestRepeatedKeyCollapses(t *testing.T) {
	pool := freshPG(t)
	plans := setup(t, pool, &catalog.Table{Name: "h", Columns: []*catalog.Column{
		col("id", "int(11)", false), col("n", "int(11)", true),
	}, PrimaryKey: pkIndex("id")})
	a := newApplier(t, pool, plans)
	ctx := context.Background()
	row := func(id, n int64) map[string]any { return map[string]any{"id": id, "n": n} }
	var tx []event.Event
	tx = append(tx, ev("c", "h", nil, row(1, 0)), ev("c", "h", nil, row(2, 0)))
	for i := int64(1); i <= 50; i++ {
		tx = append(tx, ev("u", "h", row(1, i-1), row(1, i)))
	}
	if err := a.Apply(ctx, [][]event.Event{tx}, catalog.Position{File: "f", Pos: 1}); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(rows(t, pool, "h", "id", "n")), "[[1 50] [2 0]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
}
