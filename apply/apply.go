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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	// Schema changes (ddl.go): the source tables as of the applied
	// position, how to plan them, and the changes the user skipped.
	schema  map[string]*catalog.Table
	planner Planner
	skip    map[string]bool
	// cascadeParents are the target tables (TablePlan.Ident) that foreign
	// keys with cascading actions reference (cascade.go).
	cascadeParents map[string]bool
	// Warn, when set, receives what the user must review (a NOT NULL
	// dropped for zero dates, see relax).
	Warn func(msg string)
	// ClaimWait is how long Claim waits for the task's lock
	// (DefaultClaimWait when zero).
	ClaimWait time.Duration
	// claimed holds the task's session lock (claim.go).
	claimed *pgx.Conn
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
	// lockSQL serializes the task's target transactions and the read of
	// its position: a run that starts while a killed predecessor's backend
	// is still committing its last batch waits for that commit, so it
	// never resumes from the position before it (and applies it twice).
	lockSQL = `SELECT pg_advisory_xact_lock(hashtextextended('ferry applied ' || $1, 0))`
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
	if !exists {
		// Simple protocol: several statements in one Exec.
		if _, err := pool.Exec(ctx, setupSQL, pgx.QueryExecModeSimpleProtocol); err != nil {
			return nil, fmt.Errorf("apply: create _ferry.applied: %w", err)
		}
	}
	if err := a.followCascades(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Position returns the last applied source position, nil if none: resume
// streaming from there.
func (a *Applier) Position(ctx context.Context) (*catalog.Position, error) {
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply: read position of task %s: %w", a.taskID, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read only
	if _, err := tx.Exec(ctx, lockSQL, a.taskID); err != nil {
		return nil, fmt.Errorf("apply: lock task %s: %w", a.taskID, err)
	}
	return readPosition(ctx, tx, a.taskID)
}

// Apply applies a batch of source transactions (in commit order) in one
// target transaction and stores next, the source position after the last
// transaction of the batch, in the same transaction. Either all of it
// commits or nothing does.
func (a *Applier) Apply(ctx context.Context, txs [][]event.Event, next catalog.Position) error {
	t, err := a.Begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	var all []event.Event
	for _, tx := range txs {
		all = append(all, tx...)
	}
	if err := t.Apply(ctx, all); err != nil {
		var ee *EventError
		if errors.As(err, &ee) {
			for i, n := 0, ee.Index; i < len(txs); i++ {
				if n < len(txs[i]) {
					return fmt.Errorf("apply: transaction %d event %d: %w", i, n, err)
				}
				n -= len(txs[i])
			}
		}
		return err
	}
	return t.Commit(ctx, next)
}

// EventError is an error of one event in Tx.Apply.
type EventError struct {
	Index int // index of the event in Apply's events
	Err   error
}

func (e *EventError) Error() string { return e.Err.Error() }
func (e *EventError) Unwrap() error { return e.Err }

// Deterministic tells whether the target rejected the event's data or
// statement itself (SQLSTATE classes 22 data exception, 23 integrity
// constraint violation, 42 syntax error or access rule): applying it
// again fails the same way until someone changes the target or the data.
func (e *EventError) Deterministic() bool {
	var pe *pgconn.PgError
	if !errors.As(e.Err, &pe) || len(pe.Code) < 2 {
		return false
	}
	switch pe.Code[:2] {
	case "22", "23", "42":
		return true
	}
	return false
}

// Tx is an open target transaction: events go in with Apply, as many
// times as needed (a source transaction of any size, or many of them),
// and Commit stores the source position with them.
type Tx struct {
	a       *Applier
	tx      pgx.Tx
	batch   pgx.Batch
	applied int // events applied so far, for error messages
	// A schema change moves the applier's plans on as it is queued; they
	// go back when the transaction does not commit.
	savedTables map[string]*table
	savedSchema map[string]*catalog.Table
	// relaxed: NOT NULL dropped in this transaction (zero dates), made
	// known to the tables (and the user) when it commits.
	relaxed []relaxedColumn
	done    bool
}

// Begin opens a target transaction for applying events.
func (a *Applier) Begin(ctx context.Context) (*Tx, error) {
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply: begin target transaction: %w", err)
	}
	if err := a.prepare(ctx, tx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // reporting the first error
		return nil, err
	}
	return &Tx{a: a, tx: tx, savedTables: a.tables, savedSchema: a.schema}, nil
}

// prepare readies a target transaction in one round trip: the task's
// transaction lock, the check that this run still holds the task
// (fence, claim.go), and the replica role.
func (a *Applier) prepare(ctx context.Context, tx pgx.Tx) error {
	b := &pgx.Batch{}
	b.Queue(lockSQL, a.taskID)
	if a.claimed != nil {
		b.Queue(heldSQL, a.taskID, int32(a.claimed.PgConn().PID()))
	}
	b.Queue(replicaSQL)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("apply: lock task %s: %w", a.taskID, err)
	}
	if a.claimed != nil {
		var held bool
		if err := br.QueryRow().Scan(&held); err != nil {
			return fmt.Errorf("apply: check the lock of task %s: %w", a.taskID, err)
		}
		if !held {
			return a.lostClaim()
		}
	}
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("apply: SET session_replication_role = replica failed (the target user must be superuser, or on PostgreSQL 15+ have been granted SET on session_replication_role), needed so target triggers and foreign-key checks do not fire for replicated rows: %w", err)
	}
	return br.Close()
}

// Apply applies events (in source order) in the open transaction: one
// round trip to the target. On an error the transaction is unusable:
// Rollback it.
func (t *Tx) Apply(ctx context.Context, events []event.Event) error {
	var g *group
	var first []int // index of the first event of each queued statement
	flush := func() error {
		if g == nil {
			return nil
		}
		args, err := g.arrays()
		if err != nil {
			return &EventError{g.first, fmt.Errorf("apply: %w", err)}
		}
		sql := g.t.upsertSet
		if g.kind == groupDelete {
			sql = g.t.deleteSet
		}
		t.batch.Queue(sql, args...)
		first = append(first, g.first)
		g = nil
		return nil
	}
	for j := range events {
		e := &events[j]
		if e.Op == event.OpDDL {
			// In order: what is grouped so far goes first, and the plans
			// move on for the events after it.
			if err := flush(); err != nil {
				return err
			}
			if err := t.a.queueDDL(e, func(sql string, args ...any) {
				t.batch.Queue(sql, args...)
				first = append(first, j)
			}); err != nil {
				var pe *PauseError
				if errors.As(err, &pe) {
					return err
				}
				return &EventError{j, fmt.Errorf("apply: event %s (schema change at %s): %w", e.ID(), e.Where(), err)}
			}
			continue
		}
		tb := t.a.tables[e.Key()]
		if tb == nil {
			return &EventError{j, fmt.Errorf("apply: event %s: table %s is not part of the migration", e.ID(), e.Key())}
		}
		ops, ok, err := tb.ops(e)
		if err != nil {
			return &EventError{j, fmt.Errorf("apply: event %s (op %q on %s): %w", e.ID(), e.Op, e.Key(), err)}
		}
		t.relax(tb, j, &first)
		if !ok {
			// A statement of its own, in order.
			if err := flush(); err != nil {
				return err
			}
			var queued []func()
			if err := tb.queue(e, func(sql string, args ...any) {
				queued = append(queued, func() {
					t.batch.Queue(sql, args...)
					first = append(first, j)
				})
			}); err != nil {
				return &EventError{j, fmt.Errorf("apply: event %s (op %q on %s): %w", e.ID(), e.Op, e.Key(), err)}
			}
			t.relax(tb, j, &first)
			for _, q := range queued {
				q()
			}
			continue
		}
		for _, o := range ops {
			if g != nil && g.t == tb && g.kind == o.kind && g.add(o.args, o.key) {
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			g = &group{t: tb, kind: o.kind, first: j}
			if o.kind == groupUpsert {
				g.index = map[string]int{}
				g.collapse = !tb.uniqueBesidesKey
			}
			g.add(o.args, o.key)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := t.send(ctx, first); err != nil {
		var se *stmtError
		if !errors.As(err, &se) {
			return err
		}
		if e := &events[se.first]; e.Op == event.OpDDL {
			// The target rejected a schema change: a retry cannot fix it.
			if pe := ddlFailed(e, e.DDL, se.err); pe != nil {
				return pe
			}
			return &EventError{se.first, fmt.Errorf("apply: event %s (schema change at %s): %w (the target transaction was rolled back)", e.ID(), e.Where(), se.err)}
		}
		// Name the failing event: replay the events one statement each in
		// a transaction of their own (rolled back) to find it.
		j := -1
		if !hasDDL(events) {
			j = t.a.diagnose(context.WithoutCancel(ctx), events)
		}
		if j < 0 {
			j = se.first
		}
		e := &events[j]
		return &EventError{j, fmt.Errorf("apply: event %s (op %q on %s): %w (the target transaction was rolled back)", e.ID(), e.Op, e.Key(), se.err)}
	}
	t.applied += len(events)
	return nil
}

// stmtError is a failed statement of a batch.
type stmtError struct {
	first int // index of its first event
	err   error
}

func (e *stmtError) Error() string { return e.err.Error() }

// send runs the queued statements; first[i] is the first event of the
// i-th statement (nil for the position).
func (t *Tx) send(ctx context.Context, first []int) error {
	if t.batch.Len() == 0 {
		return nil
	}
	b := t.batch
	t.batch = pgx.Batch{}
	n := b.Len()
	br := t.tx.SendBatch(ctx, &b)
	for i := 0; i < n; i++ {
		if _, err := br.Exec(); err != nil {
			br.Close()
			if first == nil {
				return fmt.Errorf("apply: store the source position: %w (the target transaction was rolled back)", err)
			}
			return &stmtError{first[i], err}
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("apply: batch: %w", err)
	}
	return nil
}

// diagnose applies events one statement each, in a transaction it rolls
// back, and returns the index of the first event that fails (-1 if none).
func (a *Applier) diagnose(ctx context.Context, events []event.Event) int {
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return -1
	}
	defer tx.Rollback(ctx) //nolint:errcheck // diagnosis only
	if _, err := tx.Exec(ctx, replicaSQL); err != nil {
		return -1
	}
	for j := range events {
		e := &events[j]
		tb := a.tables[e.Key()]
		if tb == nil {
			return j
		}
		failed := false
		if err := tb.queue(e, func(sql string, args ...any) {
			if failed {
				return
			}
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				failed = true
			}
		}); err != nil || failed {
			return j
		}
	}
	return -1
}

// Commit stores next, the source position after the events applied, and
// commits the target transaction.
func (t *Tx) Commit(ctx context.Context, next catalog.Position) error {
	pos, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("apply: encode position: %w", err)
	}
	t.batch.Queue(storeSQL, t.a.taskID, string(pos))
	if err := t.send(ctx, nil); err != nil {
		return err
	}
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("apply: commit target transaction: %w", err)
	}
	t.done = true
	t.relaxDone()
	return nil
}

// Rollback abandons the transaction (a no-op after Commit), and the plan
// changes of the schema changes it held.
func (t *Tx) Rollback(ctx context.Context) {
	if !t.done {
		t.done = true
		t.a.tables, t.a.schema = t.savedTables, t.savedSchema
	}
	t.tx.Rollback(ctx) //nolint:errcheck // nothing to do about it
}

// hasDDL tells whether events hold a schema change.
func hasDDL(events []event.Event) bool {
	for i := range events {
		if events[i].Op == event.OpDDL {
			return true
		}
	}
	return false
}

// table holds one target table's statements (prepared and cached by pgx
// per connection) and columns.
type table struct {
	plan *convert.TablePlan
	cols []*convert.ColumnPlan // columns written (generated ones excluded)
	pk   []int                 // indexes into cols of the primary key; nil without one
	// uniqueBesidesKey: a unique index other than the primary key, so
	// set-based upserts keep repeated keys in event order (group.go).
	uniqueBesidesKey bool
	upsert           string // $1..$n = cols
	update           string // update by pk, insert if missing; $1..$n = cols
	delete           string // $1..$k = pk values
	insert           string // plain insert (no primary key)
	updOne           string // no pk: $1..$n after, $n+1..$2n before
	delOne           string // no pk: $1..$n before
	truncat          string
	// cascadeParent: a foreign key with a cascading action references
	// the table (cascade.go); rekey changes a primary key in place:
	// $1..$n = cols, $n+1..$n+k = the old key.
	cascadeParent bool
	rekey         string
	// Set-based statements (tables with a primary key, group.go):
	// $1..$n = one text array per column / per key column.
	upsertSet string
	deleteSet string
	// Zero dates (zerodate.go): columns whose NOT NULL was dropped, and
	// the columns the last after image put a zero date in.
	nullable map[int]bool
	zeroHits []int
}

func newTable(tp *convert.TablePlan) (*table, error) {
	if tp == nil || tp.Source == nil {
		return nil, errors.New("no table plan")
	}
	t := &table{plan: tp, cols: tp.Load, uniqueBesidesKey: hasUniqueBesidesKey(tp.Source)}
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
		var all, oldWhere []string
		for i := range t.cols {
			all = append(all, fmt.Sprintf("%s = %s", names[i], vals[i]))
		}
		for k, i := range t.pk {
			oldWhere = append(oldWhere, fmt.Sprintf("%s = %s", names[i], castParam(len(t.cols)+k+1, t.cols[i])))
		}
		t.rekey = fmt.Sprintf("UPDATE %s SET %s WHERE %s AND NOT EXISTS (SELECT 1 FROM %s WHERE %s)",
			id, strings.Join(all, ", "), strings.Join(oldWhere, " AND "), id, strings.Join(where, " AND "))
		t.setSQL()
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
	return fmt.Sprintf("$%d::text::%s", n, castType(c))
}

// castType is the type castParam casts to.
func castType(c *convert.ColumnPlan) string {
	typ := c.Type
	switch {
	case strings.HasPrefix(typ, "varchar("), strings.HasPrefix(typ, "character varying("):
		typ = "varchar"
	case strings.HasPrefix(typ, "char("), strings.HasPrefix(typ, "character("):
		typ = "bpchar"
	}
	return typ
}

// row converts an image (source column name → value) to parameters in
// column order. Every written column must be present (binlog_row_image
// FULL).
func (t *table) row(img map[string]any, which string) ([]any, error) {
	if img == nil {
		return nil, fmt.Errorf("event has no %s image", which)
	}
	args := make([]any, len(t.cols))
	if which == "after" {
		t.zeroHits = t.zeroHits[:0]
	}
	for i, c := range t.cols {
		v, ok := img[c.Source.Name]
		if !ok {
			return nil, fmt.Errorf("%s image lacks column %s (the source must log full row images: binlog_row_image = FULL)", which, c.Source.Name)
		}
		p, err := param(c, v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Source.Name, err)
		}
		if p == nil && v != nil && which == "after" {
			t.noteZero(i)
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
		if t.cascadeParent {
			// In place, so ON UPDATE CASCADE moves the referencing rows
			// along; the upsert and delete are no-ops then, and settle a
			// row the snapshot overlap already moved.
			q(t.rekey, append(append([]any{}, after...), oldKey...)...)
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
	return forgetSchema(ctx, pool, taskID)
}
