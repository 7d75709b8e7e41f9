package verify

import (
	"bytes"
	"context"
	"fmt"
)

// compareMultiset compares a table without a primary key as a multiset of
// rows: both databases sort the MD5 hashes of the rows' canonical texts
// and the sorted streams are merged, so memory stays bounded and
// duplicate rows count. A row on one side only is missing or extra; there
// are no "changed" rows without a key.
func (v *verifier) compareMultiset(ctx context.Context, t *table, repair bool) (*chunkDiff, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := v.openStream(ctx, t.my, t.my.hashesSQL(), nil)
	dst := v.openStream(ctx, t.pg, t.pg.hashesSQL(), nil)
	d := newChunkDiff(v.opt.MaxRows, repair)
	d.rowChunks = 1
	var prevS, prevD []byte
	for {
		a, b := src.peek(), dst.peek()
		if a == nil && b == nil {
			break
		}
		var ha, hb []byte
		if a != nil {
			ha = a[0]
			if prevS != nil && bytes.Compare(prevS, ha) > 0 {
				return nil, orderError(t, "source")
			}
		}
		if b != nil {
			hb = b[0]
			if prevD != nil && bytes.Compare(prevD, hb) > 0 {
				return nil, orderError(t, "target")
			}
		}
		var cmp int
		switch {
		case a == nil:
			cmp = 1
		case b == nil:
			cmp = -1
		default:
			cmp = bytes.Compare(ha, hb)
		}
		switch {
		case cmp < 0:
			d.srcRows++
			d.missing++
			d.addHash(&d.missingByHash, string(ha))
			prevS = ha
			src.next()
		case cmp > 0:
			d.dstRows++
			d.extra++
			d.addHash(&d.extraByHash, string(hb))
			prevD = hb
			dst.next()
		default:
			d.srcRows++
			d.dstRows++
			prevS, prevD = ha, hb
			src.next()
			dst.next()
		}
	}
	if src.err != nil {
		return nil, fmt.Errorf("read row hashes: %w", src.err)
	}
	if dst.err != nil {
		return nil, fmt.Errorf("read row hashes: %w", dst.err)
	}
	return d, nil
}
