package postgres

import (
	"bufio"
	"context"
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
		return stats, fmt.Errorf("target: %w", err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return stats, fmt.Errorf("target: begin: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // no-op after commit
	if clear != "" {
		if _, err := tx.Exec(ctx, clear); err != nil {
			return stats, fmt.Errorf("target: clear interrupted chunk of %s: %w", tp.Ident(), err)
		}
	}
	cols := make([]string, len(tp.Load))
	encs := make([]convert.Encoding, len(tp.Load))
	for i, c := range tp.Load {
		cols[i] = quoteIdent(c.Name)
		encs[i] = c.Encoding
	}
	copySQL := fmt.Sprintf("COPY %s (%s) FROM STDIN", tp.Ident(), strings.Join(cols, ", "))

	pr, pw := io.Pipe()
	prodErr := make(chan error, 1)
	zero := make([]int64, len(tp.Load))
	go func() {
		bw := bufio.NewWriterSize(pw, copyBufSize)
		var line []byte
		err := rows(ctx, func(row [][]byte) error {
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
		})
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		prodErr <- err
	}()
	tag, copyErr := tx.Conn().PgConn().CopyFrom(ctx, pr, copySQL)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the producer if COPY failed
	perr := <-prodErr
	if perr != nil && perr != io.ErrClosedPipe {
		return stats, perr
	}
	if copyErr != nil {
		return stats, fmt.Errorf("target: copy into %s: %w", tp.Ident(), copyErr)
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
