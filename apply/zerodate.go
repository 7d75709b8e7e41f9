package apply

import (
	"fmt"

	"github.com/ferrydb/ferry/convert"
)

// Zero dates: MySQL stores 0000-00-00 (and partly zero dates) where its
// sql_mode allows them; PostgreSQL has no such date, so they become NULL,
// as in the full load. The load leaves NOT NULL off a column whose rows
// held zero dates; a zero date that arrives later, through CDC, in a
// column that got NOT NULL, drops NOT NULL on the target column in the
// same transaction as the row (never losing the row), and the user is
// warned with the statement that puts it back once the data is fixed.

// relaxedColumn is a target column whose NOT NULL a transaction dropped.
type relaxedColumn struct {
	t   *table
	col int
}

// noteZero records, while an after image is converted, that column i
// received a zero date that became NULL.
func (t *table) noteZero(i int) {
	c := t.cols[i]
	if !c.NotNull || t.nullable[i] {
		return
	}
	for _, k := range t.pk {
		if k == i {
			return // a key column stays NOT NULL: the row fails loudly
		}
	}
	for _, h := range t.zeroHits {
		if h == i {
			return
		}
	}
	t.zeroHits = append(t.zeroHits, i)
}

// relax queues ALTER TABLE … DROP NOT NULL for the columns of tb in which
// the event just converted (events[j]) put a zero date, ahead of the
// event's statements.
func (t *Tx) relax(tb *table, j int, first *[]int) {
	if len(tb.zeroHits) == 0 {
		return
	}
	for _, i := range tb.zeroHits {
		seen := false
		for _, r := range t.relaxed {
			if r.t == tb && r.col == i {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		t.relaxed = append(t.relaxed, relaxedColumn{tb, i})
		t.batch.Queue(fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tb.plan.Ident(), convert.QuoteIdent(tb.cols[i].Name)))
		*first = append(*first, j)
	}
	tb.zeroHits = tb.zeroHits[:0]
}

// relaxDone makes the committed NOT NULL drops known, and warns.
func (t *Tx) relaxDone() {
	for _, r := range t.relaxed {
		if r.t.nullable == nil {
			r.t.nullable = map[int]bool{}
		}
		r.t.nullable[r.col] = true
		if t.a.Warn != nil {
			c := r.t.cols[r.col]
			t.a.Warn(fmt.Sprintf("cdc: %s: a zero date (0000-00-00) arrived for NOT NULL column %s; PostgreSQL has no zero date, so it is stored as NULL, and NOT NULL was dropped on the target column (as the full load does); fix the data, then ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
				r.t.plan.Source.QualifiedName(), c.Source.Name, r.t.plan.Ident(), convert.QuoteIdent(c.Name)))
		}
	}
	t.relaxed = nil
}
