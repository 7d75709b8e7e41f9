package apply

import (
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
)

// Set-based statements: consecutive changes of one kind to one table with
// a primary key go to the target as one statement over arrays (unnest),
// instead of one statement per row. PostgreSQL then parses, plans and
// round-trips once per group; the executor still visits each row.
//
//   - upserts: inserts, snapshot reads and updates that keep the key
//     (an update sets every column, so it equals an upsert of the after
//     image: the row is changed, or inserted if missing). Within a group a
//     key keeps its last image (ON CONFLICT may touch a row only once per
//     statement; the last image is the row's final state), unless the
//     table has a unique index besides its primary key: PostgreSQL checks
//     those row by row, so a transaction that swaps unique values through
//     a temporary one (a→tmp, b→a, tmp→b) must be replayed in its order;
//     a repeated key then starts a new group.
//   - deletes by key (a key change is a delete of the old key followed by
//     an upsert of the new one).
//
// Groups follow each other in event order, so the result equals applying
// the events one by one.

type groupKind int

const (
	groupUpsert groupKind = iota + 1
	groupDelete
)

// group collects the rows of one statement.
type group struct {
	t     *table
	kind  groupKind
	rows  [][]any        // parameter rows: all columns (upsert) or the key (delete)
	index map[string]int // upsert: key → row, to keep the last image
	first int            // index of the group's first event in the Apply call
	// collapse: a repeated key replaces its row (the table has no unique
	// index besides the key); otherwise it starts a new group.
	collapse bool
}

// hasUniqueBesidesKey reports whether t has a unique index other than its
// primary key.
func hasUniqueBesidesKey(t *catalog.Table) bool {
	for _, ix := range t.Indexes {
		if ix.Unique && !ix.Primary {
			return true
		}
	}
	return false
}

// add adds a row. It reports false, adding nothing, for a key the upsert
// group already holds when the group does not collapse: the row starts a
// new group.
func (g *group) add(args []any, key []any) bool {
	if g.kind == groupUpsert {
		k := keyString(key)
		if i, ok := g.index[k]; ok {
			if !g.collapse {
				return false
			}
			g.rows[i] = args
			return true
		}
		g.index[k] = len(g.rows)
	}
	g.rows = append(g.rows, args)
	return true
}

func keyString(key []any) string {
	var b strings.Builder
	for _, v := range key {
		if s, ok := v.(string); ok {
			b.WriteByte('v')
			b.WriteString(s)
		} else {
			b.WriteByte('n')
		}
		b.WriteByte(0)
	}
	return b.String()
}

// arrays turns the rows into one text array per column.
func (g *group) arrays() ([]any, error) {
	n := len(g.rows[0])
	cols := make([][]*string, n)
	for i := range cols {
		cols[i] = make([]*string, len(g.rows))
	}
	for r, row := range g.rows {
		for i, v := range row {
			switch x := v.(type) {
			case nil:
			case string:
				cols[i][r] = &x
			default:
				return nil, fmt.Errorf("unexpected parameter %T", v)
			}
		}
	}
	args := make([]any, n)
	for i := range cols {
		args[i] = cols[i]
	}
	return args, nil
}

// setSQL builds the table's set-based statements.
func (t *table) setSQL() {
	id := t.plan.Ident()
	names := make([]string, len(t.cols))
	params := make([]string, len(t.cols))
	alias := make([]string, len(t.cols))
	vals := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = convert.QuoteIdent(c.Name)
		params[i] = fmt.Sprintf("$%d::text[]", i+1)
		alias[i] = fmt.Sprintf("c%d", i+1)
		vals[i] = castExpr(fmt.Sprintf("u.c%d", i+1), c)
	}
	isPK := map[int]bool{}
	var pkNames, excluded []string
	for _, i := range t.pk {
		isPK[i] = true
		pkNames = append(pkNames, names[i])
	}
	for i := range t.cols {
		if !isPK[i] {
			excluded = append(excluded, fmt.Sprintf("%s = EXCLUDED.%s", names[i], names[i]))
		}
	}
	conflict := "DO NOTHING"
	if len(excluded) > 0 {
		conflict = "DO UPDATE SET " + strings.Join(excluded, ", ")
	}
	t.upsertSet = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM unnest(%s) AS u(%s) ON CONFLICT (%s) %s",
		id, strings.Join(names, ", "), strings.Join(vals, ", "), strings.Join(params, ", "), strings.Join(alias, ", "),
		strings.Join(pkNames, ", "), conflict)
	var kparams, kalias, where []string
	for k, i := range t.pk {
		kparams = append(kparams, fmt.Sprintf("$%d::text[]", k+1))
		kalias = append(kalias, fmt.Sprintf("k%d", k+1))
		where = append(where, fmt.Sprintf("t.%s = %s", names[i], castExpr(fmt.Sprintf("u.k%d", k+1), t.cols[i])))
	}
	t.deleteSet = fmt.Sprintf("DELETE FROM %s AS t USING unnest(%s) AS u(%s) WHERE %s",
		id, strings.Join(kparams, ", "), strings.Join(kalias, ", "), strings.Join(where, " AND "))
}

// castExpr is a text expression cast to the column's type, as castParam.
func castExpr(expr string, c *convert.ColumnPlan) string {
	return expr + "::" + castType(c)
}

// op is one row operation of an event on a table with a primary key.
type op struct {
	kind groupKind
	args []any // upsert: all columns; delete: the key
	key  []any
}

// ops turns an event into row operations; ok is false when the event
// needs a statement of its own (no primary key, truncate).
func (t *table) ops(e *event.Event) (ops []op, ok bool, err error) {
	if t.pk == nil {
		return nil, false, nil
	}
	switch e.Op {
	case event.OpCreate, event.OpRead:
		after, err := t.row(e.After, "after")
		if err != nil {
			return nil, true, err
		}
		return []op{{groupUpsert, after, t.keyOf(after)}}, true, nil
	case event.OpUpdate:
		oldKey, err := t.key(e.Before, "before")
		if err != nil {
			return nil, true, err
		}
		after, err := t.row(e.After, "after")
		if err != nil {
			return nil, true, err
		}
		newKey := t.keyOf(after)
		if sameKey(oldKey, newKey) {
			return []op{{groupUpsert, after, newKey}}, true, nil
		}
		if t.cascadeParent {
			return nil, false, nil // an in-place key change (queue)
		}
		return []op{{groupDelete, oldKey, oldKey}, {groupUpsert, after, newKey}}, true, nil
	case event.OpDelete:
		k, err := t.key(e.Before, "before")
		if err != nil {
			return nil, true, err
		}
		return []op{{groupDelete, k, k}}, true, nil
	}
	return nil, false, nil
}

// key converts only the primary-key columns of an image (the before image
// of an update or delete needs no more).
func (t *table) key(img map[string]any, which string) ([]any, error) {
	if img == nil {
		return nil, fmt.Errorf("event has no %s image", which)
	}
	k := make([]any, len(t.pk))
	for i, idx := range t.pk {
		c := t.cols[idx]
		v, ok := img[c.Source.Name]
		if !ok {
			return nil, fmt.Errorf("%s image lacks column %s (the source must log full row images: binlog_row_image = FULL)", which, c.Source.Name)
		}
		p, err := param(c, v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Source.Name, err)
		}
		k[i] = p
	}
	return k, nil
}
