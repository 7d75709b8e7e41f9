package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
)

// Follower tells where a running CDC task stands, for CDC-aware
// verification (Options.Live): while changes stream, a comparison of two
// moving tables sees in-flight changes; re-reading the differing rows once
// the applier has passed the source position read after them tells those
// apart from real differences.
type Follower interface {
	// SourcePosition returns the source's position now: every change
	// committed before the call is before it.
	SourcePosition(ctx context.Context) (catalog.Position, error)
	// WaitApplied returns once the target has applied the source up to p
	// (or an error, e.g. when that takes too long).
	WaitApplied(ctx context.Context, p catalog.Position) error
}

const (
	// liveMaxKeys bounds the differing keys of one chunk that are
	// re-read one by one; beyond, the chunk is compared again as a whole.
	liveMaxKeys = 20_000
	// liveBatch is how many keys one query reads.
	liveBatch = 500
)

// liveRecheck settles a differing chunk while CDC runs. For each differing
// key it reads the source row (A), the source position P after it, waits
// until the target applied P, reads the target row (T) and the source row
// again (B). A == T: the difference was in flight. A == B != T: the row
// did not move, yet the target, having applied everything up to A, holds
// something else: a real difference. A != B: the row is being changed;
// it is read again until it settles or Options.Settle has passed (then
// it counts as unsettled, never as a difference).
func (v *verifier) liveRecheck(ctx context.Context, t *table, c Chunk, d *chunkDiff, repair bool) (*chunkDiff, error) {
	keys := append(append([][]string{}, d.fixWrite...), d.fixDelete...)
	if t.keyIdx == nil || len(keys) > liveMaxKeys || int64(len(keys)) != d.missing+d.extra+d.changed {
		return v.liveRecheckChunk(ctx, t, c, d, repair)
	}
	out := newChunkDiff(v.opt.MaxRows, repair)
	out.rowChunks = d.rowChunks
	var missing, extra int64
	deadline := time.Now().Add(v.opt.Settle)
	pause := 50 * time.Millisecond
	for attempt := 1; len(keys) > 0; attempt++ {
		a, err := v.rowsByKey(ctx, t.my, t, keys)
		if err != nil {
			return nil, err
		}
		if err := v.waitApplied(ctx); err != nil {
			return nil, err
		}
		tg, err := v.rowsByKey(ctx, t.pg, t, keys)
		if err != nil {
			return nil, err
		}
		b, err := v.rowsByKey(ctx, t.my, t, keys)
		if err != nil {
			return nil, err
		}
		var moving [][]string
		for _, k := range keys {
			id := keyID(k)
			av, inA := a[id]
			tv, inT := tg[id]
			if inA == inT && (!inA || t.sameValues(av, tv) == nil) {
				continue // in flight when first compared
			}
			if bv, inB := b[id]; inA != inB || inA && t.sameValues(av, bv) != nil {
				moving = append(moving, k)
				continue
			}
			switch {
			case inA && !inT:
				out.addMissing(k)
				missing++
			case !inA && inT:
				out.addExtra(k)
				extra++
			default:
				out.addChanged(k, t.sameValues(av, tv))
			}
		}
		keys = moving
		if len(keys) == 0 {
			break
		}
		if time.Now().After(deadline) {
			out.unsettled = int64(len(keys))
			break
		}
		v.log.Debug("rows changing while verified; reading them again", "table", t.name, "chunk", c.String(), "rows", len(keys), "attempt", attempt)
		if err := sleep(ctx, pause); err != nil {
			return nil, err
		}
		pause = min(2*pause, time.Second)
	}
	// Row counts: the source's as first read; the target's as the source's
	// with the confirmed differences.
	out.srcRows = d.srcRows
	out.dstRows = d.srcRows - missing + extra
	return out, nil
}

// liveRecheckChunk settles a differing chunk as a whole (a table without
// a primary key, or too many differing rows to re-read one by one): the
// same A / P / T / B reading as liveRecheck, on the chunk's checksums.
func (v *verifier) liveRecheckChunk(ctx context.Context, t *table, c Chunk, d *chunkDiff, repair bool) (*chunkDiff, error) {
	deadline := time.Now().Add(v.opt.Settle)
	pause := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		a, err := v.sideChecksum(ctx, t.my, c)
		if err != nil {
			return nil, err
		}
		if err := v.waitApplied(ctx); err != nil {
			return nil, err
		}
		tg, err := v.sideChecksum(ctx, t.pg, c)
		if err != nil {
			return nil, err
		}
		if a == tg {
			out := newChunkDiff(v.opt.MaxRows, repair)
			out.srcRows, out.dstRows = a.rows, tg.rows
			return out, nil
		}
		b, err := v.sideChecksum(ctx, t.my, c)
		if err != nil {
			return nil, err
		}
		if a == b {
			// The source held still and the target differs: list the rows.
			return v.compareChunk(ctx, t, c, repair)
		}
		if time.Now().After(deadline) {
			out := newChunkDiff(v.opt.MaxRows, repair)
			out.srcRows, out.dstRows = b.rows, b.rows
			out.unsettled = max(d.missing+d.extra+d.changed, 1)
			return out, nil
		}
		v.log.Debug("chunk changing while verified; comparing it again", "table", t.name, "chunk", c.String(), "attempt", attempt)
		if err := sleep(ctx, pause); err != nil {
			return nil, err
		}
		pause = min(2*pause, time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// waitApplied waits until the target applied the source's current
// position.
func (v *verifier) waitApplied(ctx context.Context) error {
	p, err := v.opt.Live.SourcePosition(ctx)
	if err != nil {
		return fmt.Errorf("read the source position: %w", err)
	}
	if err := v.opt.Live.WaitApplied(ctx, p); err != nil {
		return fmt.Errorf("wait for the change stream to apply %s: %w", p, err)
	}
	return nil
}

// sideChecksum is one side's checksum of a chunk (the sum of row hashes).
func (v *verifier) sideChecksum(ctx context.Context, s sideSQL, c Chunk) (sum, error) {
	var out sum
	q, args := s.checksumSQL(c)
	if err := v.queryRow(ctx, s, q, args, &out.rows, &out.hash); err != nil {
		return out, fmt.Errorf("checksum: %w", err)
	}
	return out, nil
}

// rowsByKey reads the canonical values of the rows with these keys from
// one side, by keyID.
func (v *verifier) rowsByKey(ctx context.Context, s sideSQL, t *table, keys [][]string) (map[string][][]byte, error) {
	out := make(map[string][][]byte, len(keys))
	nk := len(t.keyIdx)
	for start := 0; start < len(keys); start += liveBatch {
		batch := keys[start:min(start+liveBatch, len(keys))]
		var where string
		var args []any
		if s.mysql {
			where, args = t.mysqlKeyIn(batch)
		} else {
			where, args = t.postgresKeyIn(batch)
		}
		cols := append(append([]string{}, s.keys...), s.vals...)
		q := "SELECT " + strings.Join(cols, ", ") + " FROM " + s.from + " WHERE " + where
		err := v.query(ctx, s, q, args, func(row [][]byte) error {
			out[keyID(keyStrings(row[:nk]))] = copyRow(row[nk:])
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read rows by key: %w", err)
		}
	}
	return out, nil
}

// postgresKeyIn selects rows by key on the target, as mysqlKeyIn on the
// source.
func (t *table) postgresKeyIn(keys [][]string) (string, []any) {
	var cols []string
	for _, k := range t.keyIdx {
		cols = append(cols, convert.QuoteIdent(t.tp.Load[k].Name))
	}
	items := make([]string, len(keys))
	var args []any
	for i, key := range keys {
		one := make([]string, len(t.keyIdx))
		for j, k := range t.keyIdx {
			args = append(args, key[j])
			one[j] = fmt.Sprintf(t.canon[k].PostgresKey, fmt.Sprintf("$%d", len(args)))
		}
		items[i] = "(" + strings.Join(one, ", ") + ")"
	}
	return "(" + strings.Join(cols, ", ") + ") IN (" + strings.Join(items, ", ") + ")", args
}

// sameValues returns the names of the non-key columns whose canonical
// values differ, nil when none does.
func (t *table) sameValues(a, b [][]byte) []string {
	var cols []string
	names := t.valNames()
	for i, k := range t.valIdx {
		if !convert.EqualCanonical(t.canon[k].Kind, a[i], b[i]) {
			cols = append(cols, names[i])
		}
	}
	return cols
}

// keyID joins a key's canonical texts into one map key.
func keyID(k []string) string { return strings.Join(k, "\x00") }
