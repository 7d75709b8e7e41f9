package apply

import (
	"context"
	"fmt"
	"time"
)

// claimWait is how long a new run waits for the task's lock: the backend
// of a predecessor that was just killed ends within moments.
const claimWait = 10 * time.Second

const (
	claimSQL  = `SELECT pg_try_advisory_lock(hashtextextended('ferry task ' || $1, 0))`
	holderSQL = `SELECT coalesce(min(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('ferry task ' || $1, 0)`
)

// ErrClaimed is returned when another run applies the same task to the
// target.
type ErrClaimed struct {
	TaskID string
	PID    int32
}

func (e *ErrClaimed) Error() string {
	return fmt.Sprintf("another ferry run is applying task %s to this target (PostgreSQL backend pid %d holds the task's lock): stop it before starting this one; two runs of one task would apply the same changes twice", e.TaskID, e.PID)
}

// claim makes this run the only one applying the task to the target: a
// session-level advisory lock held on a connection of its own for as long
// as the applier runs (on any machine: the lock lives in the target). A
// dropped connection loses the lock; the next call takes it again.
func (a *Applier) claim(ctx context.Context) error {
	if a.claimed != nil {
		if err := a.claimed.Ping(ctx); err == nil {
			return nil
		}
		a.claimed.Conn().Close(ctx) //nolint:errcheck // the connection is gone already
		a.claimed.Release()
		a.claimed = nil
	}
	conn, err := a.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("apply: connect to take the lock of task %s: %w", a.taskID, err)
	}
	deadline := time.Now().Add(claimWait)
	for {
		var ok bool
		if err := conn.QueryRow(ctx, claimSQL, a.taskID).Scan(&ok); err != nil {
			conn.Release()
			return fmt.Errorf("apply: take the lock of task %s: %w", a.taskID, err)
		}
		if ok {
			a.claimed = conn
			return nil
		}
		if time.Now().After(deadline) {
			var pid int32
			_ = conn.QueryRow(ctx, holderSQL, a.taskID).Scan(&pid)
			conn.Release()
			return &ErrClaimed{TaskID: a.taskID, PID: pid}
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Close gives the task's lock up (it also ends with the process).
func (a *Applier) Close() {
	if a.claimed != nil {
		a.claimed.Conn().Close(context.Background()) //nolint:errcheck // closing ends the session and its lock
		a.claimed.Release()
		a.claimed = nil
	}
}
