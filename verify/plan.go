package verify

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// Chunk is a half-open range [Lo, Hi) of a table's integer key column
// (the first primary key column, as the loader splits tables); a nil bound
// is open. A table without such a column is one chunk with no bounds.
type Chunk struct {
	Lo, Hi *int64
	// span is the source's [min, max+1) of the key column when known: an
	// open chunk splits within it (and keeps its open end, which also
	// covers target rows outside the source's range).
	spanLo, spanHi int64
	hasSpan        bool
}

func (c Chunk) String() string {
	s := "whole table"
	switch {
	case c.Lo != nil && c.Hi != nil:
		s = fmt.Sprintf("[%d, %d)", *c.Lo, *c.Hi)
	case c.Lo != nil:
		s = fmt.Sprintf("[%d, end)", *c.Lo)
	case c.Hi != nil:
		s = fmt.Sprintf("[start, %d)", *c.Hi)
	}
	return s
}

// planChunks splits a table into key ranges of about chunkRows source rows
// (by the source's row estimate), like the loader.
func (v *verifier) planChunks(ctx context.Context, t *table) ([]Chunk, error) {
	whole := []Chunk{{}}
	if t.rangeCol == "" {
		return whole, nil
	}
	var lo, hi sql.NullInt64
	if err := v.src.DB().QueryRowContext(ctx, t.my.boundsSQL()).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("source: key range of %s: %w", t.name, err)
	}
	if !lo.Valid {
		return whole, nil // empty on the source: one chunk catches any target rows
	}
	base := Chunk{spanLo: lo.Int64, spanHi: hi.Int64, hasSpan: true}
	if hi.Int64 < math.MaxInt64 {
		base.spanHi++
	}
	n := int64(1)
	if est := t.tp.Source.RowsEstimate; est > v.opt.ChunkRows {
		n = (est + v.opt.ChunkRows - 1) / v.opt.ChunkRows
	}
	if b := t.tp.Source.DataBytes; t.ordered && b > maxDigestBytes {
		n = max(n, (b+maxDigestBytes-1)/maxDigestBytes)
	}
	if n < 2 {
		return []Chunk{base}, nil
	}
	return base.split(int(n)), nil
}

// split cuts a chunk into at most n ranges of equal key width; nil when it
// cannot be split (no known span, or fewer than two keys wide).
func (c Chunk) split(n int) []Chunk {
	if !c.hasSpan || n < 2 {
		return nil
	}
	lo, hi := c.spanLo, c.spanHi
	if c.Lo != nil {
		lo = *c.Lo
	}
	if c.Hi != nil {
		hi = *c.Hi
	}
	if hi <= lo {
		return nil
	}
	width := uint64(hi - lo)
	if width < 2 {
		return nil
	}
	if uint64(n) > width {
		n = int(width)
	}
	step := (width + uint64(n) - 1) / uint64(n)
	var out []Chunk
	prev := c.Lo
	for i := 1; i < n; i++ {
		off := uint64(i) * step
		if off >= width {
			break
		}
		b := lo + int64(off)
		out = append(out, Chunk{Lo: prev, Hi: &b, spanLo: c.spanLo, spanHi: c.spanHi, hasSpan: true})
		prev = &b
	}
	return append(out, Chunk{Lo: prev, Hi: c.Hi, spanLo: c.spanLo, spanHi: c.spanHi, hasSpan: true})
}
