package verify

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// Table statuses.
const (
	StatusOK    = "OK"
	StatusDiff  = "DIFF"
	StatusError = "ERROR"
)

// Report is the outcome of a verification.
type Report struct {
	// OK is true when every table matches (after the repair, with --repair).
	OK        bool      `json:"ok"`
	Level     Level     `json:"level"`
	Source    string    `json:"source,omitempty"` // without password
	Target    string    `json:"target,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Seconds   float64   `json:"seconds"`
	// MaxRows caps each list of keys per table.
	MaxRows int           `json:"max_rows_listed"`
	Tables  []TableResult `json:"tables"`
	// Repairs lists what --repair changed, and After the comparison of the
	// repaired tables that followed.
	Repairs []TableRepair `json:"repairs,omitempty"`
	After   []TableResult `json:"after_repair,omitempty"`
}

// TableResult is the comparison of one table.
type TableResult struct {
	Source string `json:"source"` // db.table
	Target string `json:"target"` // schema.table
	Status string `json:"status"` // OK, DIFF or ERROR
	Error  string `json:"error,omitempty"`
	// KeyColumns are the primary key columns the keys below list.
	KeyColumns []string `json:"key_columns,omitempty"`
	SourceRows int64    `json:"source_rows"`
	TargetRows int64    `json:"target_rows"`
	// Missing rows are on the source only, extra rows on the target only,
	// changed rows on both with different values.
	Missing     int64        `json:"missing"`
	Extra       int64        `json:"extra"`
	Changed     int64        `json:"changed"`
	MissingKeys [][]string   `json:"missing_keys,omitempty"`
	ExtraKeys   [][]string   `json:"extra_keys,omitempty"`
	ChangedRows []ChangedRow `json:"changed_rows,omitempty"`
	// Truncated is set when a list holds fewer keys than its count (the
	// report lists at most max_rows_listed of each).
	Truncated bool `json:"truncated,omitempty"`
	// Chunks is the number of key-range chunks; RowChunks those compared
	// row by row (their checksums differed, or --level row).
	Chunks    int     `json:"chunks"`
	RowChunks int     `json:"chunks_compared_row_by_row"`
	Note      string  `json:"note,omitempty"`
	Seconds   float64 `json:"seconds"`
}

// ChangedRow is a row whose values differ, with the columns that differ.
type ChangedRow struct {
	Key     []string `json:"key"`
	Columns []string `json:"columns"`
}

// TableRepair is what --repair did to one table.
type TableRepair struct {
	Source  string `json:"source"`
	Target  string `json:"target"`
	Deleted int64  `json:"rows_deleted"`
	Written int64  `json:"rows_written"`
	// TriggersFired is set when the target user could not switch triggers
	// off for the repair (that needs a superuser).
	TriggersFired bool   `json:"triggers_fired,omitempty"`
	Error         string `json:"error,omitempty"`
}

// Final returns the results that decide the outcome: after the repair for
// repaired tables, the first comparison for the others.
func (r *Report) Final() []TableResult {
	after := map[string]TableResult{}
	for _, t := range r.After {
		after[t.Source] = t
	}
	out := make([]TableResult, len(r.Tables))
	for i, t := range r.Tables {
		if a, ok := after[t.Source]; ok {
			t = a
		}
		out[i] = t
	}
	return out
}

// Counts returns how many tables differ and how many failed, finally.
func (r *Report) Counts() (diff, failed int) {
	for _, t := range r.Final() {
		switch t.Status {
		case StatusDiff:
			diff++
		case StatusError:
			failed++
		}
	}
	return diff, failed
}

// WriteText prints the per-table results.
func (r *Report) WriteText(w io.Writer) {
	writeResults(w, r.Tables)
	if len(r.Repairs) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "repair:")
		for _, rp := range r.Repairs {
			line := fmt.Sprintf("  %s: %d rows deleted, %d rows written", rp.Source, rp.Deleted, rp.Written)
			if rp.TriggersFired {
				line += " (triggers fired: the target user may not switch them off)"
			}
			if rp.Error != "" {
				line += "; error: " + rp.Error
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "after repair:")
		writeResults(w, r.After)
	}
	diff, failed := r.Counts()
	fmt.Fprintln(w)
	switch {
	case diff == 0 && failed == 0:
		fmt.Fprintf(w, "all %d tables match (level %s, %.2fs)\n", len(r.Tables), r.Level, r.Seconds)
	default:
		fmt.Fprintf(w, "%d of %d tables differ, %d failed (level %s, %.2fs)\n", diff, len(r.Tables), failed, r.Level, r.Seconds)
	}
}

func writeResults(w io.Writer, results []TableResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "table\ttarget\tsource rows\ttarget rows\tresult")
	for _, t := range results {
		res := t.Status
		switch t.Status {
		case StatusDiff:
			if t.KeyColumns == nil && t.Missing == 0 && t.Extra == 0 {
				res += " (row counts differ)"
			} else {
				res += fmt.Sprintf("  missing %d, extra %d, changed %d", t.Missing, t.Extra, t.Changed)
			}
		case StatusError:
			res += "  " + t.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", t.Source, t.Target, t.SourceRows, t.TargetRows, res)
	}
	tw.Flush()
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

//go:embed report.html.tmpl
var templates embed.FS

var htmlReport = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"key":  func(k []string) string { return strings.Join(k, ", ") },
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).ParseFS(templates, "report.html.tmpl"))

// WriteHTML writes the report as a standalone HTML page.
func (r *Report) WriteHTML(w io.Writer) error {
	return htmlReport.Execute(w, r)
}

// ReportFormat returns the format a report path asks for by its
// extension: "json" or "html".
func ReportFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return "json", nil
	case ".html", ".htm":
		return "html", nil
	}
	return "", fmt.Errorf("--report %s: the file name must end in .json or .html", path)
}

// WriteFile writes the report to path, as JSON or HTML by its extension.
func (r *Report) WriteFile(path string) error {
	format, err := ReportFormat(path)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if format == "json" {
		err = r.WriteJSON(f)
	} else {
		err = r.WriteHTML(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}
