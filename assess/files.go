package assess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ferrydb/ferry/source/sqlplus"
)

// TopLevel returns the files of files (as sqlplus.ExpandPaths lists them)
// that no other file of the list includes (@file, @@file, START file):
// an included file is read where it is included, so reading only these
// reads every statement once, whatever the order of the names (inc.sql
// sorts before main.sql, which includes it). A single file is returned as
// it is, without reading it.
func TopLevel(ctx context.Context, files []string, opt sqlplus.Options) ([]string, error) {
	if len(files) < 2 {
		return files, nil
	}
	abs := func(f string) string {
		if a, err := filepath.Abs(f); err == nil {
			return a
		}
		return filepath.Clean(f)
	}
	included := map[string]bool{}
	for _, f := range files {
		if included[abs(f)] {
			// What it includes is included by the file including it.
			continue
		}
		self := abs(f)
		r, err := sqlplus.Open(f, opt)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f, err)
		}
		for {
			if err := ctx.Err(); err != nil {
				r.Close()
				return nil, err
			}
			st, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return nil, fmt.Errorf("read %s: %w (fix the script or pass --define for its substitution variables)", f, err)
			}
			if a := abs(st.File); a != self {
				included[a] = true
			}
		}
		if err := r.Close(); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	var out []string
	for _, f := range files {
		if !included[abs(f)] {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		// Files including each other: sqlplus reports the loop.
		return files, nil
	}
	return out, nil
}
