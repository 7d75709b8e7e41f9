package apply

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/convert"
)

// Foreign-key cascades. MySQL and MariaDB apply ON DELETE / ON UPDATE
// CASCADE, SET NULL and SET DEFAULT inside InnoDB and do not write the
// rows they change to the binlog (a replica's own foreign keys redo them).
// The applier runs with session_replication_role = replica, which turns
// PostgreSQL's foreign-key triggers off too, so those changes would be
// lost. followCascades therefore sets the action triggers of such foreign
// keys (the ones on the referenced table that delete or update the
// referencing rows; not the checks) to ENABLE ALWAYS: they fire for
// replicated rows as they do on the source, recursively. Rows the binlog
// does carry (a cascade logged by a newer server) are then deleted or
// updated a second time, which changes nothing.
//
// A primary-key change of a referenced table is applied as an UPDATE (not
// a delete and an insert), so ON UPDATE CASCADE carries the new key to
// the referencing rows instead of ON DELETE deleting them.

const cascadeSQL = `SELECT DISTINCT i.ident, t.tgname
FROM unnest($1::text[]) AS i(ident)
JOIN pg_constraint c ON c.confrelid = to_regclass(i.ident)
JOIN pg_trigger t ON t.tgconstraint = c.oid AND t.tgrelid = c.confrelid
WHERE c.contype = 'f'
  AND (c.confdeltype IN ('c', 'n', 'd') OR c.confupdtype IN ('c', 'n', 'd'))
  AND t.tgfoid::regproc::text ~ '^"?RI_FKey_(cascade|setnull|setdefault)_'`

// followCascades finds the migrated tables that foreign keys with a
// cascading action reference, and makes those actions fire for replicated
// rows.
func (a *Applier) followCascades(ctx context.Context) error {
	var idents []string
	for _, t := range a.tables {
		idents = append(idents, t.plan.Ident())
	}
	if len(idents) == 0 {
		return nil
	}
	rows, err := a.pool.Query(ctx, cascadeSQL, idents)
	if err != nil {
		return fmt.Errorf("apply: look up foreign keys with cascading actions: %w", err)
	}
	type trig struct{ rel, name string }
	trigs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trig, error) {
		var t trig
		return t, r.Scan(&t.rel, &t.name)
	})
	if err != nil {
		return fmt.Errorf("apply: look up foreign keys with cascading actions: %w", err)
	}
	a.cascadeParents = map[string]bool{}
	for _, t := range trigs {
		a.cascadeParents[t.rel] = true
		// rel is the table's quoted identifier (TablePlan.Ident).
		if _, err := a.pool.Exec(ctx, "ALTER TABLE "+t.rel+" ENABLE ALWAYS TRIGGER "+convert.QuoteIdent(t.name)); err != nil {
			return fmt.Errorf("apply: %s is referenced by a foreign key with ON DELETE/ON UPDATE CASCADE or SET NULL; MySQL does not write the rows such cascades change to the binlog, so ferry makes PostgreSQL's cascade fire for replicated rows (ALTER TABLE %s ENABLE ALWAYS TRIGGER %q), which needs a superuser: connect to the target as one: %w", t.rel, t.rel, t.name, err)
		}
	}
	a.markCascades(a.tables)
	return nil
}

// markCascades flags the tables whose primary-key changes must be applied
// as updates.
func (a *Applier) markCascades(tables map[string]*table) {
	for _, t := range tables {
		t.cascadeParent = a.cascadeParents[t.plan.Ident()]
	}
}
