package verify

import (
	"context"
	"fmt"
	"time"
)

// sum is one side's checksum of a chunk: its row count and the sum of its
// rows' 60-bit hashes (a decimal integer: order-independent, and unlike a
// xor it counts duplicate rows).
type sum struct {
	rows int64
	hash string
}

// checksums computes a chunk's checksum in both databases at once: an
// ordered digest where the table allows one, else the sum of row hashes.
func (v *verifier) checksums(ctx context.Context, t *table, c Chunk) (s, d sum, err error) {
	if t.ordered {
		s, d, err = v.checksumsWith(ctx, t, c, sideSQL.digestSQL)
		if err == nil || ctx.Err() != nil {
			return s, d, err
		}
		v.log.Debug("ordered digest failed; summing row hashes instead", "table", t.name, "chunk", c.String(), "err", err)
	}
	return v.checksumsWith(ctx, t, c, sideSQL.checksumSQL)
}

func (v *verifier) checksumsWith(ctx context.Context, t *table, c Chunk, build func(sideSQL, Chunk) (string, []any)) (s, d sum, err error) {
	err = both(ctx, func(ctx context.Context) error {
		q, args := build(t.my, c)
		if err := v.queryRow(ctx, t.my, q, args, &s.rows, &s.hash); err != nil {
			return fmt.Errorf("checksum: %w", err)
		}
		return nil
	}, func(ctx context.Context) error {
		q, args := build(t.pg, c)
		if err := v.queryRow(ctx, t.pg, q, args, &d.rows, &d.hash); err != nil {
			return fmt.Errorf("checksum: %w", err)
		}
		return nil
	})
	return s, d, err
}

// countTable compares the row counts of a table (--level count).
func (v *verifier) countTable(ctx context.Context, t *table, acc *tableAcc) error {
	var s, d int64
	err := both(ctx, func(ctx context.Context) error {
		return v.queryRow(ctx, t.my, t.my.countSQL(), nil, &s)
	}, func(ctx context.Context) error {
		return v.queryRow(ctx, t.pg, t.pg.countSQL(), nil, &d)
	})
	if err != nil {
		return fmt.Errorf("%s: count rows: %w", t.name, err)
	}
	if s != d && v.opt.Live != nil {
		// Live: count the source (A), wait for the stream to apply the
		// position after it, count the target (T) and the source (B).
		deadline := time.Now().Add(v.opt.Settle)
		for {
			var a, b int64
			if err := v.queryRow(ctx, t.my, t.my.countSQL(), nil, &a); err != nil {
				return fmt.Errorf("%s: count rows: %w", t.name, err)
			}
			if err := v.waitApplied(ctx); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if err := v.queryRow(ctx, t.pg, t.pg.countSQL(), nil, &d); err != nil {
				return fmt.Errorf("%s: count rows: %w", t.name, err)
			}
			if err := v.queryRow(ctx, t.my, t.my.countSQL(), nil, &b); err != nil {
				return fmt.Errorf("%s: count rows: %w", t.name, err)
			}
			s = a
			if a == d || a == b {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: the row count kept changing on the source for %s: verify again when writes to this table slow down (--settle)", t.name, v.opt.Settle)
			}
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
	}
	acc.add(&chunkDiff{srcRows: s, dstRows: d})
	return nil
}
