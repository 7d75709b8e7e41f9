// Package target holds what the loader needs from a target database, and
// the dialects that provide it (target/postgres; later MySQL).
package target

import "context"

// RowSource delivers rows to a target: it calls emit once per row, with one
// value per loaded column in the source's text form (nil is NULL). A row is
// only valid during the call.
type RowSource func(ctx context.Context, emit func(row [][]byte) error) error

// ChunkStats counts what one chunk load did.
type ChunkStats struct {
	Rows    int64 // rows read from the source
	Written int64 // rows the target reports written
	// ZeroDates counts, per target column name, zero dates turned into NULL.
	ZeroDates map[string]int64
	Bytes     int64
}
