package assess

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"
)

// WriteText writes the summary printed on stdout.
func (rep *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%-20s %9s %13s %7s %6s\n", "KIND", "CONVERTED", "WITH WARNINGS", "MANUAL", "TOTAL")
	var t KindCount
	for _, k := range rep.Kinds {
		fmt.Fprintf(w, "%-20s %9d %13d %7d %6d\n", k.Kind, k.Auto, k.Warnings, k.Manual, k.Total)
		t.Auto += k.Auto
		t.Warnings += k.Warnings
		t.Manual += k.Manual
		t.Total += k.Total
	}
	fmt.Fprintf(w, "%-20s %9d %13d %7d %6d\n", "total", t.Auto, t.Warnings, t.Manual, t.Total)
	fmt.Fprintf(w, "complexity: %d simple, %d medium, %d significant\n", rep.Complexity[Simple], rep.Complexity[Medium], rep.Complexity[Significant])
	fmt.Fprintf(w, "estimated effort: %s to %s hours\n", hours(rep.HoursMin), hours(rep.HoursMax))
	fmt.Fprintf(w, "data statements (INSERT/UPDATE/DELETE/MERGE): %d; other statements not inventoried: %d\n", rep.DataStatements, rep.Skipped)
	for _, e := range rep.Entries {
		if len(e.Items) > 0 {
			_, err := fmt.Fprintf(w, "MANUAL %s %s (%s:%d, %s): %s\n", e.Kind, e.Name, filepath.Base(e.File), e.Line, e.Complexity, e.Reason)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func hours(h float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", h), "0"), ".0")
}

// WriteJSON writes the report as JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteHTML writes a self-contained HTML report (no external assets).
func (rep *Report) WriteHTML(w io.Writer) error {
	max := 1
	for _, k := range rep.Kinds {
		if k.Total > max {
			max = k.Total
		}
	}
	return htmlTmpl.Execute(w, map[string]any{"R": rep, "Max": max, "Hours": hours})
}

var htmlTmpl = template.Must(template.New("r").Funcs(template.FuncMap{
	"pct":  func(n, max int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max)) },
	"base": filepath.Base,
	"cls": func(s any) string {
		switch fmt.Sprint(s) {
		case "converted":
			return "auto"
		case "converted with warnings":
			return "warn"
		}
		return "manual"
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ferry assessment</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.bar{display:flex;height:16px;width:320px;background:#eee}.bar span{display:block;height:100%}
.auto{background:#4caf50}.warn{background:#ffb300}.manual{background:#e53935}
td.auto,td.warn,td.manual{color:#fff}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}
</style></head><body>
<h1>Oracle to PostgreSQL assessment</h1>
<p>Estimated effort: <b>{{call .Hours .R.HoursMin}} to {{call .Hours .R.HoursMax}} hours</b>.
Complexity: {{index .R.Complexity "simple"}} simple (&lt; 2 h), {{index .R.Complexity "medium"}} medium (2&ndash;6 h), {{index .R.Complexity "significant"}} significant (&gt; 6 h).
Data statements: {{.R.DataStatements}}.</p>
<p class="legend"><span class="auto"></span>converted<span class="warn"></span>with warnings<span class="manual"></span>needs manual work</p>
<table><tr><th>Kind</th><th>Converted</th><th>With warnings</th><th>Manual</th><th>Total</th><th></th></tr>
{{range .R.Kinds}}<tr><td>{{.Kind}}</td><td>{{.Auto}}</td><td>{{.Warnings}}</td><td>{{.Manual}}</td><td>{{.Total}}</td>
<td><div class="bar" style="width:{{pct .Total $.Max}}"><span class="auto" style="width:{{pct .Auto .Total}}"></span><span class="warn" style="width:{{pct .Warnings .Total}}"></span><span class="manual" style="width:{{pct .Manual .Total}}"></span></div></td></tr>
{{end}}</table>
<h2>Objects</h2>
<table><tr><th>Kind</th><th>Name</th><th>Location</th><th>Status</th><th>Complexity</th><th>LOC</th><th>Hours</th><th>Reason</th></tr>
{{range .R.Entries}}<tr><td>{{.Kind}}</td><td>{{.Name}}</td><td>{{base .File}}:{{.Line}}</td><td class="{{cls .Status}}">{{.Status}}</td><td>{{.Complexity}}</td><td>{{.LOC}}</td><td>{{.HoursMin}}&ndash;{{.HoursMax}}</td><td>{{.Reason}}{{range .Items}}<details><summary>{{.Reason}}</summary><pre>{{.Source}}</pre></details>{{end}}</td></tr>
{{end}}</table>
<p>Files: {{range .R.Files}}{{base .}} {{end}}</p>
</body></html>
`))
