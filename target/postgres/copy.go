package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/target"
)

// copyBufSize is how much encoded COPY data is batched per write.
const copyBufSize = 256 << 10

// LoadChunk loads rows into table tp in one transaction. When clear is not
// empty it runs first, in the same transaction (removing what an earlier,
// interrupted attempt at this chunk may have left), so a chunk lands
// exactly once.
func (t *Target) LoadChunk(ctx context.Context, tp *convert.TablePlan, clear string, rows target.RowSource) (target.ChunkStats, error) {
	stats := target.ChunkStats{}
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return stats, RolledBack(fmt.Errorf("target: %w", err))
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return stats, RolledBack(fmt.Errorf("target: begin: %w", err))
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // no-op after commit
	if t.replica {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return stats, RolledBack(fmt.Errorf("target: disable triggers for the load of %s: %w", tp.Ident(), err))
		}
	}
	if clear != "" {
		if _, err := tx.Exec(ctx, clear); err != nil {
			return stats, RolledBack(fmt.Errorf("target: clear interrupted chunk of %s: %w", tp.Ident(), err))
		}
	}
	cols := make([]string, len(tp.Load))
	encs := make([]convert.Encoding, len(tp.Load))
	for i, c := range tp.Load {
		cols[i] = quoteIdent(c.Name)
		encs[i] = c.Encoding
	}
	copySQL := fmt.Sprintf("COPY %s (%s) FROM STDIN", tp.Ident(), strings.Join(cols, ", "))
	var bins []encodeFunc
	if t.CopyFormat == "binary" {
		if bins = binaryEncoders(tp); bins != nil {
			copySQL += " (FORMAT binary)"
		}
	}

	// The producer gets its own context, cancelled as soon as COPY ends: a
	// failed COPY then stops the source query instead of draining it.
	pctx, pcancel := context.WithCancel(ctx)
	defer pcancel()
	pr, pw := io.Pipe()
	prodErr := make(chan error, 1)
	zero := make([]int64, len(tp.Load))
	go func() {
		bw := bufio.NewWriterSize(pw, copyBufSize)
		var line []byte
		emit := func(row [][]byte) error {
			line = line[:0]
			for i, v := range row {
				if i > 0 {
					line = append(line, '\t')
				}
				if v == nil {
					line = append(line, '\\', 'N')
					continue
				}
				var warn int
				var err error
				line, warn, err = encs[i].Encode(line, v)
				if err != nil {
					return fmt.Errorf("%s column %s: %w", tp.Ident(), cols[i], err)
				}
				if warn != 0 {
					zero[i]++
				}
			}
			line = append(line, '\n')
			stats.Rows++
			stats.Bytes += int64(len(line))
			_, err := bw.Write(line)
			return err
		}
		if bins != nil {
			emit = func(row [][]byte) error {
				var i int
				var err error
				line, i, err = appendBinaryRow(line[:0], row, bins, zero)
				if err != nil {
					return fmt.Errorf("%s column %s: %w", tp.Ident(), cols[i], err)
				}
				stats.Rows++
				stats.Bytes += int64(len(line))
				_, err = bw.Write(line)
				return err
			}
			// A failed write sticks in bw and surfaces at the next one.
			_, _ = bw.Write(binaryHeader)
		}
		err := rows(pctx, emit)
		if err == nil && bins != nil {
			_, err = bw.Write(binaryTrailer)
		}
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		prodErr <- err
	}()
	tag, copyErr := tx.Conn().PgConn().CopyFrom(ctx, pr, copySQL)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the producer if COPY failed
	if copyErr != nil {
		pcancel()
	}
	perr := <-prodErr
	switch {
	case copyErr != nil && (perr == nil || errors.Is(perr, io.ErrClosedPipe) || errors.Is(perr, context.Canceled)):
		// The producer only stopped because COPY failed: report why.
		return stats, RolledBack(fmt.Errorf("target: copy into %s: %w", tp.Ident(), copyErr))
	case perr != nil:
		return stats, RolledBack(perr)
	case copyErr != nil:
		return stats, RolledBack(fmt.Errorf("target: copy into %s: %w", tp.Ident(), copyErr))
	}
	stats.Written = tag.RowsAffected()
	if err := tx.Commit(ctx); err != nil {
		return stats, fmt.Errorf("target: commit %s: %w", tp.Ident(), err)
	}
	for i, n := range zero {
		if n > 0 {
			if stats.ZeroDates == nil {
				stats.ZeroDates = map[string]int64{}
			}
			stats.ZeroDates[tp.Load[i].Name] += n
		}
	}
	return stats, nil
}

// rolledBack marks an error after which the chunk's transaction certainly
// did not commit (it failed before COMMIT was sent).
type rolledBack struct{ error }

func (e rolledBack) Unwrap() error { return e.error }

// RolledBack wraps err to say nothing of the chunk was committed.
func RolledBack(err error) error { return rolledBack{err} }

// IsRolledBack reports whether err says the chunk did not commit, so it
// can be retried without clearing anything.
func IsRolledBack(err error) bool {
	var rb rolledBack
	return errors.As(err, &rb)
}

// binaryEncoders returns one binary COPY encoder per loaded column, or nil
// when a column has none (the table is then copied in the text format).
func binaryEncoders(tp *convert.TablePlan) []encodeFunc {
	bins := make([]encodeFunc, len(tp.Load))
	for i, c := range tp.Load {
		f, ok := binaryEncoder(c)
		if !ok {
			return nil
		}
		bins[i] = f
	}
	return bins
}
