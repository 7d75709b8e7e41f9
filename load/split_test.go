package load

import (
	"math"
	"testing"
)

// TestSplitRange checks that chunks tile the whole key space exactly once:
// open first and last chunks, each boundary used as one chunk's Hi and the
// next chunk's Lo, strictly increasing, also near the int64 limits.
func TestSplitRange(t *testing.T) {
	cases := []struct{ lo, hi, n int64 }{
		{0, 99, 4}, {1, 2_000_000, 8}, {-500, 500, 3}, {5, 5, 4}, {1, 3, 10},
		{math.MaxInt64 - 5, math.MaxInt64, 5}, {math.MinInt64, math.MaxInt64, 7},
		{math.MinInt64, math.MinInt64 + 10, 3}, {0, math.MaxInt64, 1000},
	}
	for _, c := range cases {
		chunks := splitRange(c.lo, c.hi, c.n)
		if chunks[0].Lo != nil || chunks[len(chunks)-1].Hi != nil {
			t.Errorf("%v: first/last chunk not open-ended", c)
		}
		for i := 1; i < len(chunks); i++ {
			prev, cur := chunks[i-1], chunks[i]
			if prev.Hi == nil || cur.Lo == nil || *prev.Hi != *cur.Lo {
				t.Fatalf("%v: chunk %d does not start where chunk %d ends", c, i, i-1)
			}
			if i > 1 && *cur.Lo <= *prev.Lo {
				t.Fatalf("%v: boundaries not increasing at chunk %d", c, i)
			}
			if *cur.Lo <= c.lo || *cur.Lo > c.hi {
				t.Fatalf("%v: boundary %d outside (lo, hi]", c, *cur.Lo)
			}
		}
		if int64(len(chunks)) > c.n+1 {
			t.Errorf("%v: %d chunks for n=%d", c, len(chunks), c.n)
		}
	}
}
