// Package assess inventories Oracle SQL*Plus scripts and grades how much
// work their migration to PostgreSQL takes: it runs the converters over
// every statement (PL/SQL code through convert/plsql with the shared SQL
// translator, schema statements through convert/oracle, exactly as
// `ferry convert` does) and reports, per source object, whether it
// converted automatically, with warnings or needs manual work, a
// complexity grade and an effort range in hours, with file and line.
//
// Grading rules (docs/oracle.md, "Assessment"): LOC is the object's
// non-blank source lines, items its action items.
//
//	simple       (< 2 h)  no action item, or one in at most 100 LOC
//	significant  (> 6 h)  3 or more action items, or any in more than 300 LOC
//	medium       (2-6 h)  the rest
//
// Effort per object: converted 0-0.25 h (review and test), converted with
// warnings 0.25-1 h, needs manual work 1-2 h (simple), 2-6 h (medium),
// 6-12 h (significant). The total is the sum of the ranges.
package assess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oracle"
	"github.com/ferrydb/ferry/convert/plsql"
	"github.com/ferrydb/ferry/source/sqlplus"
)

// SchemaConverter converts one schema statement (CREATE TABLE, INDEX,
// VIEW, ...) into objects; ok false when it does not handle the statement.
type SchemaConverter interface {
	Convert(st sqlplus.Statement) (objs []*convert.Object, ok bool)
}

// Options configure Run.
type Options struct {
	// Schema converts schema statements and Code PL/SQL units. When both
	// are nil, Run uses what `ferry convert` uses: convert/oracle's
	// Incremental converter and convert/plsql with the shared SQL
	// translator (oracle.PLSQLTranslator), sharing column types. A
	// statement Schema does not handle is inventoried by its CREATE
	// keyword and marked "converted with warnings".
	Schema SchemaConverter
	Code   *plsql.Converter
	// Defines are SQL*Plus substitution variables.
	Defines map[string]string
}

// Complexity grades.
const (
	Simple      = "simple"
	Medium      = "medium"
	Significant = "significant"
)

// Entry is one source object (one script statement) of the inventory.
type Entry struct {
	Kind       string               `json:"kind"`
	Name       string               `json:"name"`
	File       string               `json:"file"`
	Line       int                  `json:"line"`
	Status     convert.Status       `json:"status"`
	Complexity string               `json:"complexity"`
	LOC        int                  `json:"loc"`
	HoursMin   float64              `json:"hours_min"`
	HoursMax   float64              `json:"hours_max"`
	Reason     string               `json:"reason,omitempty"`
	Notes      []string             `json:"notes,omitempty"`
	Items      []convert.ActionItem `json:"action_items,omitempty"`
	Objects    []*convert.Object    `json:"-"`
}

// KindCount is the inventory of one kind.
type KindCount struct {
	Kind     string `json:"kind"`
	Auto     int    `json:"converted"`
	Warnings int    `json:"with_warnings"`
	Manual   int    `json:"manual"`
	Total    int    `json:"total"`
}

// Report is the assessment.
type Report struct {
	Files      []string       `json:"files"`
	Entries    []Entry        `json:"objects"`
	Kinds      []KindCount    `json:"inventory"`
	Complexity map[string]int `json:"complexity"`
	HoursMin   float64        `json:"hours_min"`
	HoursMax   float64        `json:"hours_max"`
	// DataStatements counts INSERT/UPDATE/DELETE/MERGE statements (data,
	// loaded rather than converted); Skipped counts the rest (DROP,
	// GRANT, CREATE USER, COMMIT, ...), which are not objects.
	DataStatements int `json:"data_statements"`
	Skipped        int `json:"skipped_statements"`
}

// Run reads the scripts (files, or directories of *.sql files) and
// assesses them. A file another one includes (@@file) is read where it
// is included, not on its own (see [TopLevel]).
func Run(ctx context.Context, paths []string, opt Options) (*Report, error) {
	files, err := sqlplus.ExpandPaths(paths)
	if err != nil {
		return nil, err
	}
	files, err = TopLevel(ctx, files, sqlplus.Options{Defines: opt.Defines, Undefined: sqlplus.UndefinedKeep})
	if err != nil {
		return nil, fmt.Errorf("assess: %w", err)
	}
	rep := &Report{Complexity: map[string]int{}}
	schema, code := opt.Schema, opt.Code
	if schema == nil && code == nil {
		shared := oracle.NewShared()
		schema = oracle.NewIncremental(oracle.Options{Shared: shared})
		code = plsql.New(plsql.Options{SQL: oracle.PLSQLTranslator{Shared: shared}})
	} else if code == nil {
		code = plsql.New(plsql.Options{SQL: oracle.PLSQLTranslator{}})
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		rep.Files = append(rep.Files, f)
		r, err := sqlplus.Open(f, sqlplus.Options{Defines: opt.Defines, Undefined: sqlplus.UndefinedKeep})
		if err != nil {
			return nil, fmt.Errorf("assess: open %s: %w", f, err)
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
				return nil, fmt.Errorf("assess: read %s: %w (fix the script or pass --define for its substitution variables)", f, err)
			}
			seen[st.File] = true
			if st.Kind == sqlplus.Command {
				continue
			}
			rep.add(st, code, schema)
		}
		if err := r.Close(); err != nil {
			return nil, fmt.Errorf("assess: %s: %w", f, err)
		}
	}
	// What depends on an object that is not converted is not converted
	// either (as in `ferry convert`).
	var objs []*convert.Object
	for _, e := range rep.Entries {
		objs = append(objs, e.Objects...)
	}
	oracle.HoldDependents(objs, func(i int) bool { return len(objs[i].SQL) > 0 })
	rep.summarize()
	return rep, nil
}

var dataRe = regexp.MustCompile(`(?i)^\s*(INSERT|UPDATE|DELETE|MERGE)\b`)

func (rep *Report) add(st sqlplus.Statement, code *plsql.Converter, schema SchemaConverter) {
	text := st.Text
	if dataRe.MatchString(text) {
		rep.DataStatements++
		return
	}
	var objs []*convert.Object
	kind := ""
	switch {
	case plsql.IsCode(text):
		objs = code.Add(text, st.File, st.Line)
		if len(objs) == 0 { // ALTER TRIGGER amends an earlier object
			return
		}
		kind = objs[0].Kind
	default:
		kind = SchemaKind(text)
		if kind == "" {
			rep.Skipped++
			return
		}
		ok := false
		if schema != nil {
			objs, ok = schema.Convert(st)
		}
		if ok && len(objs) > 0 && !alterRe.MatchString(text) && alterAnyRe.MatchString(text) {
			kind = objs[0].Kind // MODIFY (column), MODIFY CONSTRAINT, ...
		}
		if !ok {
			objs = []*convert.Object{{Kind: kind, Name: schemaName(text), File: st.File, Line: st.Line, Status: convert.StatusWarnings,
				Notes: []string{"inventoried only: no schema converter in this build"}, Source: text}}
		}
	}
	rep.Entries = append(rep.Entries, Entry{Kind: kind, File: st.File, Line: st.Line, Objects: objs, LOC: loc(text)})
}

// collect sets the entry's name, status, notes and action items from its
// objects. It runs once every statement is read: a later statement may
// amend an earlier object (ALTER TRIGGER ... DISABLE adds a note to its
// trigger).
func (e *Entry) collect() {
	e.Status = convert.StatusAuto
	e.Notes, e.Items = nil, nil
	for _, o := range e.Objects {
		if e.Name == "" {
			e.Name = o.Name
		}
		e.Notes = append(e.Notes, o.Notes...)
		e.Items = append(e.Items, o.Items...)
		if rank(o.Status) > rank(e.Status) {
			e.Status = o.Status
		}
	}
}

func rank(s convert.Status) int {
	switch s {
	case convert.StatusManual:
		return 2
	case convert.StatusWarnings:
		return 1
	}
	return 0
}

func loc(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// grade applies the rules of the package comment.
func grade(e *Entry) {
	items := len(e.Items)
	switch {
	case items >= 3 || items >= 1 && e.LOC > 300:
		e.Complexity = Significant
	case items == 0 || items == 1 && e.LOC <= 100:
		e.Complexity = Simple
	default:
		e.Complexity = Medium
	}
	switch e.Status {
	case convert.StatusAuto:
		e.HoursMin, e.HoursMax = 0, 0.25
	case convert.StatusWarnings:
		e.HoursMin, e.HoursMax = 0.25, 1
	default:
		switch e.Complexity {
		case Simple:
			e.HoursMin, e.HoursMax = 1, 2
		case Medium:
			e.HoursMin, e.HoursMax = 2, 6
		default:
			e.HoursMin, e.HoursMax = 6, 12
		}
	}
	switch {
	case len(e.Items) > 0:
		e.Reason = fmt.Sprintf("%d action item(s): %s", len(e.Items), e.Items[0].Reason)
	case len(e.Notes) > 0:
		e.Reason = e.Notes[0]
	}
}

func (rep *Report) summarize() {
	byKind := map[string]*KindCount{}
	for i := range rep.Entries {
		e := &rep.Entries[i]
		e.collect()
		grade(e)
		rep.Complexity[e.Complexity]++
		rep.HoursMin += e.HoursMin
		rep.HoursMax += e.HoursMax
		k := byKind[e.Kind]
		if k == nil {
			k = &KindCount{Kind: e.Kind}
			byKind[e.Kind] = k
		}
		k.Total++
		switch e.Status {
		case convert.StatusAuto:
			k.Auto++
		case convert.StatusWarnings:
			k.Warnings++
		default:
			k.Manual++
		}
	}
	for _, k := range byKind {
		rep.Kinds = append(rep.Kinds, *k)
	}
	sort.Slice(rep.Kinds, func(i, j int) bool { return rep.Kinds[i].Kind < rep.Kinds[j].Kind })
}

var (
	createRe = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:NO)?FORCE\s+|EDITIONABLE\s+|NONEDITIONABLE\s+|UNIQUE\s+|BITMAP\s+|GLOBAL\s+TEMPORARY\s+|PRIVATE\s+TEMPORARY\s+|PUBLIC\s+)*(MATERIALIZED\s+VIEW\s+LOG|MATERIALIZED\s+VIEW|TABLE|INDEX|VIEW|SEQUENCE|SYNONYM|TYPE\s+BODY|TYPE|DIRECTORY|DATABASE\s+LINK|DIMENSION)\b\s*("[^"]+"|[\w$#.]+)?`)
	alterRe  = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+("[^"]+"|[\w$#.]+)\s+ADD\s+(?:CONSTRAINT\s+("[^"]+"|[\w$#]+)\s+)?`)
	// createAnyRe is any other CREATE: the converter grades it (an action
	// item when it has no conversion), it is never left out.
	createAnyRe = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:EDITIONABLE\s+|NONEDITIONABLE\s+|SHARED\s+|PUBLIC\s+)*(\w+)`)
	// alterAnyRe is any other ALTER TABLE (MODIFY, constraint states,
	// ...): converted or an action item, never left out.
	alterAnyRe = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+("[^"]+"|[\w$#.]+)`)
	commRe     = regexp.MustCompile(`(?is)^\s*COMMENT\s+ON\s+(TABLE|COLUMN)\s+("[^"]+"|[\w$#."]+)`)
)

// SchemaKind returns the kind of object a schema statement creates
// (table, index, view, ..., constraint for ALTER TABLE ... ADD, comment),
// or "" for statements that create none.
func SchemaKind(text string) string {
	if m := createRe.FindStringSubmatch(text); m != nil {
		return strings.ToLower(strings.Join(strings.Fields(m[1]), " "))
	}
	if m := createAnyRe.FindStringSubmatch(text); m != nil {
		switch w := strings.ToUpper(m[1]); w {
		case "USER", "ROLE", "TABLESPACE", "PROFILE", "DATABASE", "PLUGGABLE", "RESTORE", "CONTROLFILE", "PFILE", "SPFILE", "AUDIT", "LOCKDOWN", "FLASHBACK":
			// Not schema objects (see Report.Skipped).
		default:
			return strings.ToLower(w)
		}
	}
	if alterRe.MatchString(text) {
		return "constraint"
	}
	if alterAnyRe.MatchString(text) {
		return "table"
	}
	if commRe.MatchString(text) {
		return "comment"
	}
	return ""
}

func schemaName(text string) string {
	if m := createRe.FindStringSubmatch(text); m != nil {
		return strings.ToLower(strings.Trim(m[2], `"`))
	}
	if m := alterRe.FindStringSubmatch(text); m != nil {
		if m[2] != "" {
			return strings.ToLower(strings.Trim(m[2], `"`))
		}
		return strings.ToLower(strings.Trim(m[1], `"`))
	}
	if m := commRe.FindStringSubmatch(text); m != nil {
		return strings.ToLower(strings.Trim(m[2], `"`))
	}
	return ""
}
