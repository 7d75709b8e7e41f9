package task

import (
	"fmt"
	"path"
	"strings"
)

// Filter selects tables by "db.table" glob patterns. A pattern starting
// with '!' excludes. A pattern without a dot applies to the source
// database named in the DSN. With no include pattern every table of the
// source database is included.
type Filter struct {
	include []pattern
	exclude []pattern
}

type pattern struct{ db, table string }

// ParseFilter parses --tables patterns.
func ParseFilter(patterns []string) (*Filter, error) {
	f := &Filter{}
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		var pt pattern
		if i := strings.IndexByte(p, '.'); i >= 0 {
			pt = pattern{db: p[:i], table: p[i+1:]}
		} else {
			pt = pattern{table: p}
		}
		if pt.table == "" || (strings.Contains(p, ".") && pt.db == "") {
			return nil, fmt.Errorf("--tables: pattern %q is malformed; use db.table, table, or db.* (prefix ! to exclude)", p)
		}
		for _, s := range []string{pt.db, pt.table} {
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("--tables: pattern %q is malformed: %w", p, err)
			}
		}
		if neg {
			f.exclude = append(f.exclude, pt)
		} else {
			f.include = append(f.include, pt)
		}
	}
	return f, nil
}

// Databases returns the databases the include patterns name explicitly,
// plus defaultDB when some pattern has no database (or there are none).
func (f *Filter) Databases(defaultDB string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(f.include) == 0 {
		add(defaultDB)
	}
	for _, p := range f.include {
		if p.db == "" {
			add(defaultDB)
		} else {
			add(p.db) // may be a glob; the source expands it
		}
	}
	return out
}

// Match reports whether db.table is selected.
func (f *Filter) Match(defaultDB, db, table string) bool {
	m := func(p pattern) bool {
		pdb := p.db
		if pdb == "" {
			pdb = defaultDB
		}
		okDB, _ := path.Match(pdb, db)
		okT, _ := path.Match(p.table, table)
		return okDB && okT
	}
	for _, p := range f.exclude {
		if m(p) {
			return false
		}
	}
	if len(f.include) == 0 {
		return db == defaultDB
	}
	for _, p := range f.include {
		if m(p) {
			return true
		}
	}
	return false
}
