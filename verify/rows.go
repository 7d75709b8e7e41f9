package verify

import (
	"context"
	"fmt"

	"github.com/ferrydb/ferry/convert"
)

// compareRows reads a chunk from both sides, ordered by primary key, and
// merges the two streams: a key on the source only is missing on the
// target, a key on the target only is extra, a key on both with values
// that differ (convert.EqualCanonical) is changed. Memory is bounded by
// the stream buffers, whatever the chunk's size.
func (v *verifier) compareRows(ctx context.Context, t *table, c Chunk, repair bool) (*chunkDiff, error) {
	if t.keyIdx == nil {
		return v.compareMultiset(ctx, t, repair)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mq, margs := t.my.rowsSQL(c)
	pq, pargs := t.pg.rowsSQL(c)
	src := v.openStream(ctx, t.my, mq, margs)
	dst := v.openStream(ctx, t.pg, pq, pargs)

	nk := len(t.keyIdx)
	keyKinds := make([]convert.CanonKind, nk)
	for i, k := range t.keyIdx {
		keyKinds[i] = t.canon[k].Kind
	}
	valNames := t.valNames()
	d := newChunkDiff(v.opt.MaxRows, repair)
	d.rowChunks = 1
	var prevS, prevD [][]byte
	for {
		a, b := src.peek(), dst.peek()
		if a == nil && b == nil {
			break
		}
		if a != nil && prevS != nil && compareKeys(keyKinds, prevS, a) > 0 {
			return nil, orderError(t, "source")
		}
		if b != nil && prevD != nil && compareKeys(keyKinds, prevD, b) > 0 {
			return nil, orderError(t, "target")
		}
		var cmp int
		switch {
		case a == nil:
			cmp = 1
		case b == nil:
			cmp = -1
		default:
			cmp = compareKeys(keyKinds, a, b)
		}
		switch {
		case cmp < 0:
			d.srcRows++
			d.addMissing(keyStrings(a[:nk]))
			prevS = a
			src.next()
		case cmp > 0:
			d.dstRows++
			d.addExtra(keyStrings(b[:nk]))
			prevD = b
			dst.next()
		default:
			d.srcRows++
			d.dstRows++
			var cols []string
			for i, k := range t.valIdx {
				if !convert.EqualCanonical(t.canon[k].Kind, a[nk+i], b[nk+i]) {
					cols = append(cols, valNames[i])
				}
			}
			if cols != nil {
				d.addChanged(keyStrings(a[:nk]), cols)
			}
			prevS, prevD = a, b
			src.next()
			dst.next()
		}
	}
	if src.err != nil {
		return nil, fmt.Errorf("read rows: %w", src.err)
	}
	if dst.err != nil {
		return nil, fmt.Errorf("read rows: %w", dst.err)
	}
	return d, nil
}

func compareKeys(kinds []convert.CanonKind, a, b [][]byte) int {
	for i, k := range kinds {
		if c := convert.CompareCanonical(k, a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func keyStrings(vals [][]byte) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			out[i] = "NULL"
		} else {
			out[i] = string(v)
		}
	}
	return out
}

func orderError(t *table, side string) error {
	return fmt.Errorf("the %s returned the rows of %s out of key order, so they cannot be merged: this is a bug in ferry verify, please report it with the table's CREATE TABLE", side, t.name)
}
