package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// rowFunc receives one row; the row is only valid during the call.
type rowFunc func(row [][]byte) error

// query runs a query on the source (s.mysql) or the target, streaming
// its rows as text (nil is NULL).
func (v *verifier) query(ctx context.Context, s sideSQL, q string, args []any, fn rowFunc) error {
	if s.mysql {
		return v.src.Query(ctx, q, args, fn)
	}
	rows, err := v.dst.Pool().Query(ctx, q, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.RawValues()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	return nil
}

// queryRow runs a one-row query on one side and scans it.
func (v *verifier) queryRow(ctx context.Context, s sideSQL, q string, args []any, dest ...any) error {
	if s.mysql {
		if err := v.src.DB().QueryRowContext(ctx, q, args...).Scan(dest...); err != nil {
			return fmt.Errorf("source: %w", err)
		}
		return nil
	}
	if err := v.dst.Pool().QueryRow(ctx, q, args...).Scan(dest...); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	return nil
}

// both runs the source and the target part of a step at once; the first
// error cancels the other.
func both(ctx context.Context, src, dst func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		err := dst(ctx)
		if err != nil {
			cancel()
		}
		errc <- err
	}()
	err := src(ctx)
	if err != nil {
		cancel()
	}
	derr := <-errc
	// Report the error that caused the other side's cancellation.
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if derr != nil && !errors.Is(derr, context.Canceled) {
		return derr
	}
	return errors.Join(err, derr)
}

// stream delivers a query's rows through a channel, in batches, so two
// streams can be merged while both databases keep sending.
type stream struct {
	ch    chan [][][]byte
	errc  chan error
	batch [][][]byte
	i     int
	done  bool
	err   error
}

const streamBatch = 256

func (v *verifier) openStream(ctx context.Context, s sideSQL, q string, args []any) *stream {
	st := &stream{ch: make(chan [][][]byte, 8), errc: make(chan error, 1)}
	go func() {
		var batch [][][]byte
		send := func() error {
			select {
			case st.ch <- batch:
				batch = nil
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := v.query(ctx, s, q, args, func(row [][]byte) error {
			batch = append(batch, copyRow(row))
			if len(batch) == streamBatch {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		close(st.ch)
		st.errc <- err
	}()
	return st
}

// peek returns the current row, nil at the end (check err then).
func (st *stream) peek() [][]byte {
	for st.i >= len(st.batch) {
		if st.done {
			return nil
		}
		b, ok := <-st.ch
		if !ok {
			st.done = true
			st.err = <-st.errc
			st.batch, st.i = nil, 0
			return nil
		}
		st.batch, st.i = b, 0
	}
	return st.batch[st.i]
}

func (st *stream) next() { st.i++ }

// copyRow copies a row into one allocation, keeping nil (NULL) apart from
// empty values.
func copyRow(row [][]byte) [][]byte {
	n := 0
	for _, v := range row {
		n += len(v)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(row))
	for i, v := range row {
		if v == nil {
			continue
		}
		start := len(buf)
		buf = append(buf, v...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}
