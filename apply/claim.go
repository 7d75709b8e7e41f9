package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultClaimWait is how long Claim waits for the task's lock: the
// backend of a predecessor that was just killed ends within moments.
const DefaultClaimWait = 10 * time.Second

const (
	claimSQL  = `SELECT pg_try_advisory_lock(hashtextextended('ferry task ' || $1, 0))`
	holderSQL = `SELECT coalesce(min(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('ferry task ' || $1, 0)`
	// heldSQL: does backend $2 still hold the task's lock?
	heldSQL = `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $2
  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('ferry task ' || $1, 0))`
)

// lostClaim is the error of a target transaction in which this run no
// longer holds the task's lock (prepare checks it after taking the task's
// transaction lock). A run whose lock connection dropped may have been
// replaced by another that read the applied position since; its next
// commit would apply changes the other run applies too. After the check
// no other run can read the position until the transaction ends.
func (a *Applier) lostClaim() error {
	return fmt.Errorf("apply: this run lost the lock of task %s (its lock connection to the target ended); it claims the task again before going on", a.taskID)
}

// ErrClaimed is returned by Claim when another run applies the same task
// to the target.
type ErrClaimed struct {
	TaskID string
	PID    int32
}

func (e *ErrClaimed) Error() string {
	return fmt.Sprintf("another ferry run is applying task %s to this target (PostgreSQL backend pid %d holds the task's lock): stop it before starting this one; two runs of one task would apply the same changes twice", e.TaskID, e.PID)
}

// Claim makes this run the only one applying the task to the target: a
// session-level advisory lock, held on a connection of its own (outside
// the pool) until Close, on any machine since the lock lives in the
// target. It waits up to ClaimWait (DefaultClaimWait when zero) for the
// lock. A dropped connection loses the lock; the next Claim takes it
// again, so call it before every attempt to stream.
func (a *Applier) Claim(ctx context.Context) error {
	if a.claimed != nil {
		if err := a.claimed.Ping(ctx); err == nil {
			return nil
		}
		a.claimed.Close(ctx) //nolint:errcheck // the connection is gone already
		a.claimed = nil
	}
	conn, err := pgx.ConnectConfig(ctx, a.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("apply: connect to take the lock of task %s: %w", a.taskID, err)
	}
	wait := a.ClaimWait
	if wait <= 0 {
		wait = DefaultClaimWait
	}
	deadline := time.Now().Add(wait)
	for {
		var ok bool
		if err := conn.QueryRow(ctx, claimSQL, a.taskID).Scan(&ok); err != nil {
			conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // reporting the first error
			return fmt.Errorf("apply: take the lock of task %s: %w", a.taskID, err)
		}
		if ok {
			a.claimed = conn
			return nil
		}
		if time.Now().After(deadline) {
			var pid int32
			_ = conn.QueryRow(ctx, holderSQL, a.taskID).Scan(&pid)
			conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // nothing more to say
			return &ErrClaimed{TaskID: a.taskID, PID: pid}
		}
		select {
		case <-ctx.Done():
			conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // stopping
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Close gives the task's lock up (it also ends with the process).
func (a *Applier) Close() {
	if a.claimed != nil {
		a.claimed.Close(context.Background()) //nolint:errcheck // closing ends the session and its lock
		a.claimed = nil
	}
}
