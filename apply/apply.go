// Package apply applies change events to PostgreSQL in source commit order,
// exactly once.
//
// An Applier takes batches of committed source transactions (each a slice
// of event.Event, in commit order) and applies a batch in one target
// transaction, together with the source position after the batch, stored
// in _ferry.applied. After a crash, data and position agree: streaming
// resumes from Position.
//
// Tables with a primary key are applied idempotently (inserts and snapshot
// reads are upserts, updates of a missing row insert it, deletes of a
// missing row do nothing), so replaying events the target already has —
// CDC starts at the snapshot position, and a batch may be redelivered after
// a crash between commit and acknowledgement — converges to the same rows.
//
// Tables without a primary key are NOT idempotent: an insert appends a
// row, and an update or delete changes one row matching the full before
// image. Exactly once for them relies on the stored position: resume from
// Position and never apply a batch twice.
//
// The session runs with session_replication_role = replica, so target
// triggers (converted MySQL triggers, ON UPDATE CURRENT_TIMESTAMP
// triggers) and foreign-key checks do not fire for replicated rows: the
// source already applied their effects. That needs superuser (or, from
// PostgreSQL 15, the privilege to set the parameter).
package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/event"
)

// Applier applies change events to one PostgreSQL target for one task.
type Applier struct {
	pool   *pgxpool.Pool
	taskID string
	tables map[string]*table
}

const (
	setupSQL = `CREATE SCHEMA IF NOT EXISTS _ferry;
CREATE TABLE IF NOT EXISTS _ferry.applied (
  task_id text PRIMARY KEY,
  position jsonb NOT NULL,
  applied_at timestamptz
)`
	positionSQL = `SELECT position::text FROM _ferry.applied WHERE task_id = $1`
	storeSQL    = `INSERT INTO _ferry.applied (task_id, position, applied_at) VALUES ($1, $2::text::jsonb, now())
ON CONFLICT (task_id) DO UPDATE SET position = EXCLUDED.position, applied_at = EXCLUDED.applied_at`
	replicaSQL = `SET LOCAL session_replication_role = replica`
)

// New prepares the applier: it creates schema _ferry and table
// _ferry.applied if missing. tables maps "db.table" (source names) to the
// migration's table plans.
func New(ctx context.Context, pool *pgxpool.Pool, taskID string, tables map[string]*convert.TablePlan) (*Applier, error) {
	if taskID == "" {
		return nil, errors.New("apply: empty task id")
	}
	a := &Applier{pool: pool, taskID: taskID, tables: make(map[string]*table, len(tables))}
	for key, tp := range tables {
		t, err := newTable(tp)
		if err != nil {
			return nil, fmt.Errorf("apply: table %s: %w", key, err)
		}
		a.tables[key] = t
	}
	// Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the
	// database even when the schema exists.
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('_ferry.applied') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("apply: look for _ferry.applied: %w", err)
	}
	if exists {
		return a, nil
	}
	// Simple protocol: several statements in one Exec.
	if _, err := pool.Exec(ctx, setupSQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return nil, fmt.Errorf("apply: create _ferry.applied: %w", err)
	}
	return a, nil
}

// Position returns the last applied source position, nil if none: resume
// streaming from there.
func (a *Applier) Position(ctx context.Context) (*catalog.Position, error) {
	var raw string
	err := a.pool.QueryRow(ctx, positionSQL, a.taskID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("apply: read position of task %s: %w", a.taskID, err)
	}
	var p catalog.Position
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, fmt.Errorf("apply: decode position of task %s: %w", a.taskID, err)
	}
	return &p, nil
}

// Apply applies a batch of source transactions (in commit order) in one
// target transaction and stores next, the source position after the last
// transaction of the batch, in the same transaction. Either all of it
// commits or nothing does.
func (a *Applier) Apply(ctx context.Context, txs [][]event.Event, next catalog.Position) error {
	pos, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("apply: encode position: %w", err)
	}
	b := &pgx.Batch{}
	var what []string // what[i] describes the i-th queued statement, for errors
	queue := func(desc, sql string, args ...any) {
		b.Queue(sql, args...)
		what = append(what, desc)
	}
	for i, tx := range txs {
		for j := range tx {
			e := &tx[j]
			t := a.tables[e.Key()]
			if t == nil {
				return fmt.Errorf("apply: transaction %d event %d (%s): table %s is not part of the migration", i, j, e.ID(), e.Key())
			}
			desc := fmt.Sprintf("transaction %d event %d (%s, op %q on %s)", i, j, e.ID(), e.Op, e.Key())
			if err := t.queue(e, func(sql string, args ...any) { queue(desc, sql, args...) }); err != nil {
				return fmt.Errorf("apply: %s: %w", desc, err)
			}
		}
	}
	queue("store the source position", storeSQL, a.taskID, string(pos))

	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("apply: begin target transaction: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after Commit
	if _, err := tx.Exec(ctx, replicaSQL); err != nil {
		return fmt.Errorf("apply: SET session_replication_role = replica failed (the target user must be superuser, or on PostgreSQL 15+ have been granted SET on session_replication_role), needed so target triggers and foreign-key checks do not fire for replicated rows: %w", err)
	}
	br := tx.SendBatch(ctx, b)
	for _, desc := range what {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("apply: %s: %w (the whole batch was rolled back)", desc, err)
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("apply: batch: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("apply: commit target transaction: %w", err)
	}
	return nil
}

// table holds one target table's statements (prepared and cached by pgx
// per connection) and columns.
type table struct {
	plan    *convert.TablePlan
	cols    []*convert.ColumnPlan // columns written (generated ones excluded)
	pk      []int                 // indexes into cols of the primary key; nil without one
	upsert  string                // $1..$n = cols
	update  string                // update by pk, insert if missing; $1..$n = cols
	delete  string                // $1..$k = pk values
	insert  string                // plain insert (no primary key)
	updOne  string                // no pk: $1..$n after, $n+1..$2n before
	delOne  string                // no pk: $1..$n before
	truncat string
}

func newTable(tp *convert.TablePlan) (*table, error) {
	if tp == nil || tp.Source == nil {
		return nil, errors.New("no table plan")
	}
	t := &table{plan: tp, cols: tp.Load}
	if len(t.cols) == 0 {
		return nil, errors.New("no columns to write")
	}
	id := tp.Ident()
	names := make([]string, len(t.cols))
	vals := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = convert.QuoteIdent(c.Name)
		vals[i] = castParam(i+1, c)
	}
	colList := strings.Join(names, ", ")
	valList := strings.Join(vals, ", ")
	t.insert = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", id, colList, valList)
	t.truncat = "TRUNCATE " + id

	if pk := tp.Source.PrimaryKey; pk != nil {
		isPK := map[int]bool{}
		for _, kc := range pk.Columns {
			idx := -1
			for i, c := range t.cols {
				if c.Source != nil && c.Source.Name == kc.Name {
					idx = i
				}
			}
			if idx < 0 {
				return nil, fmt.Errorf("primary key column %s is not a written column", kc.Name)
			}
			t.pk = append(t.pk, idx)
			isPK[idx] = true
		}
		var pkNames, set, where, delWhere []string
		for k, i := range t.pk {
			pkNames = append(pkNames, names[i])
			where = append(where, fmt.Sprintf("%s = %s", names[i], vals[i]))
			delWhere = append(delWhere, fmt.Sprintf("%s = %s", names[i], castParam(k+1, t.cols[i])))
		}
		var excluded []string
		for i := range t.cols {
			if !isPK[i] {
				set = append(set, fmt.Sprintf("%s = %s", names[i], vals[i]))
				excluded = append(excluded, fmt.Sprintf("%s = EXCLUDED.%s", names[i], names[i]))
			}
		}
		conflict := "DO NOTHING"
		if len(excluded) > 0 {
			conflict = "DO UPDATE SET " + strings.Join(excluded, ", ")
		}
		t.upsert = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) %s",
			id, colList, valList, strings.Join(pkNames, ", "), conflict)
		if len(set) == 0 {
			// Only key columns, and the key did not change: make sure the row exists.
			t.update = t.upsert
		} else {
			t.update = fmt.Sprintf("WITH u AS (UPDATE %s SET %s WHERE %s RETURNING 1) INSERT INTO %s (%s) SELECT %s WHERE NOT EXISTS (SELECT 1 FROM u)",
				id, strings.Join(set, ", "), strings.Join(where, " AND "), id, colList, valList)
		}
		t.delete = fmt.Sprintf("DELETE FROM %s WHERE %s", id, strings.Join(delWhere, " AND "))
		return t, nil
	}

	// No primary key: match one row on the full before image, NULL-safe.
	before := func(off int) string {
		conds := make([]string, len(t.cols))
		for i, c := range t.cols {
			conds[i] = fmt.Sprintf("%s IS NOT DISTINCT FROM %s", names[i], castParam(off+i+1, c))
		}
		return strings.Join(conds, " AND ")
	}
	set := make([]string, len(t.cols))
	for i := range t.cols {
		set[i] = fmt.Sprintf("%s = %s", names[i], vals[i])
	}
	t.updOne = fmt.Sprintf("UPDATE %s SET %s WHERE ctid = (SELECT ctid FROM %s WHERE %s LIMIT 1)",
		id, strings.Join(set, ", "), id, before(len(t.cols)))
	t.delOne = fmt.Sprintf("DELETE FROM %s WHERE ctid = (SELECT ctid FROM %s WHERE %s LIMIT 1)", id, id, before(0))
	return t, nil
}

// castParam is $n cast to the column's type. Parameters are sent as text
// and converted by PostgreSQL's input function for the type.
//
// Explicit casts to varchar(n) and char(n) silently truncate, where an
// assignment errors: those get the type without length, and the column's
// assignment cast checks it.
func castParam(n int, c *convert.ColumnPlan) string {
	typ := c.Type
	switch {
	case strings.HasPrefix(typ, "varchar("), strings.HasPrefix(typ, "character varying("):
		typ = "varchar"
	case strings.HasPrefix(typ, "char("), strings.HasPrefix(typ, "character("):
		typ = "bpchar"
	}
	return fmt.Sprintf("$%d::text::%s", n, typ)
}

// row converts an image (source column name → value) to parameters in
// column order. Every written column must be present (binlog_row_image
// FULL).
func (t *table) row(img map[string]any, which string) ([]any, error) {
	if img == nil {
		return nil, fmt.Errorf("event has no %s image", which)
	}
	args := make([]any, len(t.cols))
	for i, c := range t.cols {
		v, ok := img[c.Source.Name]
		if !ok {
			return nil, fmt.Errorf("%s image lacks column %s (the source must log full row images: binlog_row_image = FULL)", which, c.Source.Name)
		}
		p, err := param(c, v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Source.Name, err)
		}
		args[i] = p
	}
	return args, nil
}

func (t *table) keyOf(args []any) []any {
	k := make([]any, len(t.pk))
	for i, idx := range t.pk {
		k[i] = args[idx]
	}
	return k
}

// queue adds the statements of one event.
func (t *table) queue(e *event.Event, q func(sql string, args ...any)) error {
	switch e.Op {
	case event.OpTruncate:
		q(t.truncat)
		return nil
	case event.OpCreate, event.OpRead:
		after, err := t.row(e.After, "after")
		if err != nil {
			return err
		}
		if t.pk == nil {
			q(t.insert, after...)
		} else {
			q(t.upsert, after...)
		}
		return nil
	case event.OpUpdate:
		before, err := t.row(e.Before, "before")
		if err != nil {
			return err
		}
		after, err := t.row(e.After, "after")
		if err != nil {
			return err
		}
		if t.pk == nil {
			q(t.updOne, append(after, before...)...)
			return nil
		}
		oldKey := t.keyOf(before)
		if sameKey(oldKey, t.keyOf(after)) {
			q(t.update, after...)
			return nil
		}
		q(t.delete, oldKey...)
		q(t.upsert, after...)
		return nil
	case event.OpDelete:
		before, err := t.row(e.Before, "before")
		if err != nil {
			return err
		}
		if t.pk == nil {
			q(t.delOne, before...)
		} else {
			q(t.delete, t.keyOf(before)...)
		}
		return nil
	}
	return fmt.Errorf("unknown operation %q", e.Op)
}

// sameKey compares converted key parameters (strings or nil).
func sameKey(a, b []any) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Forget removes the task's applied position from the target, if any: a
// new full load makes it meaningless (CDC then starts at the new snapshot).
func Forget(ctx context.Context, pool *pgxpool.Pool, taskID string) error {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('_ferry.applied') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("target: look up _ferry.applied: %w", err)
	}
	if !exists {
		return nil
	}
	if _, err := pool.Exec(ctx, `DELETE FROM _ferry.applied WHERE task_id = $1`, taskID); err != nil {
		return fmt.Errorf("target: forget the applied position of task %s: %w", taskID, err)
	}
	return nil
}
