// Package source defines what ferry needs from a source database: its
// catalog, a consistent snapshot with the change-log position it
// corresponds to, and a stream of rows per key-range chunk. Dialects
// implement it in subpackages (source/mysql; later PostgreSQL and Oracle).
package source

import (
	"context"
	"errors"

	"github.com/ferrydb/ferry/catalog"
)

// Source is an open connection to a source database.
type Source interface {
	// Inspect reads the catalog of the selected tables, and the views,
	// routines and triggers of the databases they live in.
	Inspect(ctx context.Context, match func(db, table string) bool, dbs []string) (*catalog.Schema, error)
	// Snapshot opens n readers that all see one consistent point in time,
	// and returns the change-log position of that point.
	Snapshot(ctx context.Context, n int) (Snapshot, error)
	// Database is the database (or schema) the source URL names; "" if none.
	Database() string
	// Close releases the connections.
	Close() error
}

// Snapshot is a set of readers over one consistent view of the source.
type Snapshot interface {
	// Position is where the change log stood at the snapshot point; CDC
	// started there sees exactly the changes the snapshot does not.
	Position() catalog.Position
	// Consistent is false when the readers could not be opened on one
	// shared point (for example without the privilege to briefly lock);
	// Position is then the earliest of theirs.
	Consistent() bool
	// Reader returns the i-th reader (0 <= i < n). A reader is used by one
	// goroutine at a time.
	Reader(i int) Reader
	// Close ends the snapshot transactions.
	Close() error
}

// Chunk is a half-open range [Lo, Hi) of an integer key column. A nil bound
// is open. A chunk with no KeyColumn is the whole table.
type Chunk struct {
	KeyColumn string
	Lo, Hi    *int64
}

// Reader streams rows from a snapshot.
type Reader interface {
	// KeyBounds returns the minimum and maximum of an integer key column;
	// ok is false when the table is empty.
	KeyBounds(ctx context.Context, t *catalog.Table, column string) (lo, hi int64, ok bool, err error)
	// ReadChunk streams the rows of t in chunk c. Each row holds one value
	// per column of cols, in the source's text form (see the dialect's
	// documentation); nil is NULL. The row slice and its values are only
	// valid during the call to fn.
	ReadChunk(ctx context.Context, t *catalog.Table, cols []*catalog.Column, c Chunk, fn func(row [][]byte) error) error
}

// ErrPaused ends a change stream at a schema change the source cannot
// follow: the stream handed on the change (as a schema change event that
// lists the unsupported parts), and the applier stops there with a
// message that says how to continue.
var ErrPaused = errors.New("the change stream stopped at a schema change ferry cannot follow")
