package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferrydb/ferry/catalog"
)

// Tasks lists the task ids that have applied changes to this target
// (rows of _ferry.applied), none when nothing was ever streamed here.
func Tasks(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('_ferry.applied') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("target: look for _ferry.applied: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := pool.Query(ctx, `SELECT task_id FROM _ferry.applied ORDER BY task_id`)
	if err != nil {
		return nil, fmt.Errorf("target: list the CDC tasks in _ferry.applied: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// AppliedPosition reads the source position a task has applied up to,
// nil when it has applied nothing.
func AppliedPosition(ctx context.Context, pool *pgxpool.Pool, taskID string) (*catalog.Position, error) {
	return readPosition(ctx, pool, taskID)
}

// readPosition reads and decodes a task's row of _ferry.applied.
func readPosition(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, taskID string) (*catalog.Position, error) {
	var raw string
	err := q.QueryRow(ctx, positionSQL, taskID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("apply: read the applied position of task %s: %w", taskID, err)
	}
	var p catalog.Position
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, fmt.Errorf("apply: decode the applied position of task %s: %w", taskID, err)
	}
	return &p, nil
}
