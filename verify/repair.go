package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/target/postgres"
)

const (
	// repairBatch is how many keys one source query reads.
	repairBatch = 500
	// multisetRepairMax is the number of differing rows above which a
	// table without a primary key is copied again as a whole (each
	// targeted row costs a scan there).
	multisetRepairMax = 1000
)

// repairChunk makes a chunk's target rows equal to the source's in one
// target transaction: extra rows are deleted, missing and changed rows
// read from the source by key and written (upserted by primary key) with
// the migration's encodings.
func (v *verifier) repairChunk(ctx context.Context, t *table, d *chunkDiff) (postgres.RepairStats, error) {
	if t.keyIdx == nil {
		return v.repairMultiset(ctx, t, d)
	}
	r := postgres.Repair{Upsert: t.keyNames()}
	if len(d.fixDelete) > 0 {
		var conds []string
		for i, k := range t.keyIdx {
			conds = append(conds, convert.QuoteIdent(t.tp.Load[k].Name)+" = "+fmt.Sprintf(t.canon[k].PostgresKey, fmt.Sprintf("$%d", i+1)))
		}
		del := "DELETE FROM " + t.tp.Ident() + " WHERE " + strings.Join(conds, " AND ")
		for _, key := range d.fixDelete {
			r.Delete = append(r.Delete, postgres.Statement{SQL: del, Args: stringArgs(key)})
		}
	}
	if keys := d.fixWrite; len(keys) > 0 {
		cols := t.loadColumns()
		r.Rows = func(ctx context.Context, emit func(row [][]byte) error) error {
			for start := 0; start < len(keys); start += repairBatch {
				where, args := t.mysqlKeyIn(keys[start:min(start+repairBatch, len(keys))])
				if err := v.src.ReadRows(ctx, t.tp.Source, nil, cols, where, args, emit); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return v.dst.Repair(ctx, t.tp, r)
}

// mysqlKeyIn selects rows by key on the source: k IN (...), or
// (k1, k2) IN ((...), ...) for a composite key.
func (t *table) mysqlKeyIn(keys [][]string) (string, []any) {
	var cols, one []string
	for _, k := range t.keyIdx {
		cols = append(cols, convert.MySQLIdent(t.tp.Load[k].Source.Name))
		one = append(one, t.canon[k].MySQLKey)
	}
	tuple := strings.Join(one, ", ")
	if len(one) > 1 {
		tuple = "(" + tuple + ")"
	}
	items := make([]string, len(keys))
	var args []any
	for i, key := range keys {
		items[i] = tuple
		args = append(args, stringArgs(key)...)
	}
	lhs := strings.Join(cols, ", ")
	if len(cols) > 1 {
		lhs = "(" + lhs + ")"
	}
	return lhs + " IN (" + strings.Join(items, ", ") + ")", args
}

// repairMultiset repairs a table without a primary key: each extra row
// (by row hash, as many times as it is extra) is deleted and each missing
// row copied from the source; beyond multisetRepairMax differing rows the
// table is copied again as a whole.
func (v *verifier) repairMultiset(ctx context.Context, t *table, d *chunkDiff) (postgres.RepairStats, error) {
	cols := t.loadColumns()
	var r postgres.Repair
	if d.missing+d.extra > multisetRepairMax {
		whole := postgres.Repair{WholeTable: true}
		whole.Delete = []postgres.Statement{{SQL: "DELETE FROM " + t.tp.Ident()}}
		whole.Rows = func(ctx context.Context, emit func(row [][]byte) error) error {
			return v.src.ReadRows(ctx, t.tp.Source, nil, cols, "", nil, emit)
		}
		st, err := v.dst.Repair(ctx, t.tp, whole)
		if !errors.Is(err, postgres.ErrTriggersOn) {
			return st, err
		}
		// Triggers stay on: repair the differing rows only.
	}
	del := fmt.Sprintf("DELETE FROM %[1]s WHERE ctid = (SELECT ctid FROM %[1]s WHERE %[2]s = $1 LIMIT 1)", t.tp.Ident(), t.pg.rowHashExpr())
	for _, h := range sortedKeys(d.extraByHash) {
		for i := 0; i < d.extraByHash[h]; i++ {
			r.Delete = append(r.Delete, postgres.Statement{SQL: del, Args: []any{h}})
		}
	}
	if len(d.missingByHash) > 0 {
		hashes := sortedKeys(d.missingByHash)
		r.Rows = func(ctx context.Context, emit func(row [][]byte) error) error {
			need := map[string]int{}
			for h, n := range d.missingByHash {
				need[h] = n
			}
			hashExpr := t.my.rowHashExpr()
			for start := 0; start < len(hashes); start += repairBatch {
				batch := hashes[start:min(start+repairBatch, len(hashes))]
				where := hashExpr + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ") + ")"
				err := v.src.ReadRows(ctx, t.tp.Source, []string{hashExpr}, cols, where, stringArgs(batch), func(row [][]byte) error {
					h := string(row[0])
					if need[h] == 0 {
						return nil
					}
					need[h]--
					return emit(row[1:])
				})
				if err != nil {
					return err
				}
			}
			return nil
		}
	}
	return v.dst.Repair(ctx, t.tp, r)
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
