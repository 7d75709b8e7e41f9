package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

type toolResult struct {
	Tool           string        `json:"tool"`
	Note           string        `json:"note"`
	Runs           []measurement `json:"runs"`
	MedianSeconds  float64       `json:"median_seconds"`
	MinSeconds     float64       `json:"min_seconds"`
	MaxSeconds     float64       `json:"max_seconds"`
	MedianPeakRSS  float64       `json:"median_peak_rss_mib"`
	TimeVsFerry    float64       `json:"time_ratio_vs_ferry,omitempty"`
	PeakRSSVsFerry float64       `json:"peak_rss_ratio_vs_ferry,omitempty"`
	RowsPerSecond  float64       `json:"rows_per_second"`
	PeakRSSOfWhat  string        `json:"peak_rss_of"`
	// MedianLoadSeconds is, for verify, the median of the untimed ferry
	// migrates that preceded its runs.
	MedianLoadSeconds float64 `json:"median_load_seconds,omitempty"`
}

type report struct {
	Time     time.Time    `json:"time"`
	Scale    float64      `json:"scale"`
	Rows     int64        `json:"rows"`
	RunsEach int          `json:"runs_per_tool"`
	CPUs     int          `json:"cpus"`
	LoadAvg  float64      `json:"loadavg_1m_at_end"`
	GOOS     string       `json:"goos"`
	MariaDB  string       `json:"mariadb_version"`
	Postgres string       `json:"postgres_version"`
	Tools    []toolResult `json:"tools"`
	// VerifyVsLoad is verify's median over ferry's median (the untimed
	// loads' median when ferry was not timed); the goal is at most 1.
	VerifyVsLoad float64 `json:"verify_vs_load,omitempty"`
}

var rssOf = map[string]string{
	"ferry":    "the ferry process",
	"pgloader": "the pgloader process",
	"pipe":     "the largest mariadb or psql client process",
	"verify":   "the ferry verify process",
}

func (b *bench) report(ctx context.Context, tools []tool, results map[string][]measurement) *report {
	rep := &report{
		Time:     time.Now().UTC().Truncate(time.Second),
		Scale:    b.o.scale,
		Rows:     b.counts.Total(),
		RunsEach: b.o.runs,
		CPUs:     runtime.NumCPU(),
		LoadAvg:  loadAvg(),
		GOOS:     runtime.GOOS + "/" + runtime.GOARCH,
	}
	rep.MariaDB, _ = b.my.Query(ctx, "", "SELECT VERSION();")
	rep.Postgres, _ = b.pg.Query(ctx, "", "SHOW server_version;")
	for _, t := range tools {
		ms := results[t.name]
		var secs, rss, loads []float64
		for _, m := range ms {
			secs = append(secs, m.Seconds)
			rss = append(rss, mib(m.PeakRSSKiB))
			if m.LoadSeconds > 0 {
				loads = append(loads, m.LoadSeconds)
			}
		}
		r := toolResult{
			Tool:          t.name,
			Note:          t.note,
			Runs:          ms,
			MedianSeconds: median(secs),
			MinSeconds:    minOf(secs),
			MaxSeconds:    maxOf(secs),
			MedianPeakRSS: median(rss),
			PeakRSSOfWhat: rssOf[t.name],
		}
		r.MedianLoadSeconds = median(loads)
		if r.MedianSeconds > 0 {
			r.RowsPerSecond = float64(rep.Rows) / r.MedianSeconds
		}
		rep.Tools = append(rep.Tools, r)
	}
	for _, f := range rep.Tools {
		if f.Tool != "ferry" {
			continue
		}
		for i := range rep.Tools {
			t := &rep.Tools[i]
			if f.MedianSeconds > 0 {
				t.TimeVsFerry = t.MedianSeconds / f.MedianSeconds
			}
			if f.MedianPeakRSS > 0 {
				t.PeakRSSVsFerry = t.MedianPeakRSS / f.MedianPeakRSS
			}
		}
	}
	if v := rep.tool("verify"); v != nil && v.MedianSeconds > 0 {
		load := v.MedianLoadSeconds
		if f := rep.tool("ferry"); f != nil && f.MedianSeconds > 0 {
			load = f.MedianSeconds
		}
		if load > 0 {
			rep.VerifyVsLoad = v.MedianSeconds / load
		}
	}
	return rep
}

func (r *report) tool(name string) *toolResult {
	for i := range r.Tools {
		if r.Tools[i].Tool == name {
			return &r.Tools[i]
		}
	}
	return nil
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nemployees benchmark: %d rows (scale %g), %d run(s) per tool, %d CPUs, MariaDB %s -> PostgreSQL %s\n\n",
		r.Rows, r.Scale, r.RunsEach, r.CPUs, r.MariaDB, r.Postgres)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// tabwriter.AlignRight applies to every column; pad the names by hand.
	width := 0
	for _, t := range r.Tools {
		width = max(width, len(t.Tool))
	}
	fmt.Fprintf(tw, "%-*s\tmedian s\tmin s\tmax s\trows/s\tpeak RSS MiB\ttime vs ferry\tRSS vs ferry\t\n", width, "tool")
	for _, t := range r.Tools {
		fmt.Fprintf(tw, "%-*s\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%s\t%s\t\n", width, t.Tool, t.MedianSeconds, t.MinSeconds, t.MaxSeconds,
			t.RowsPerSecond, t.MedianPeakRSS, ratio(t.TimeVsFerry), ratio(t.PeakRSSVsFerry))
	}
	tw.Flush()
	if v := r.tool("verify"); v != nil && r.VerifyVsLoad > 0 {
		load, of := v.MedianLoadSeconds, "the untimed loads before verify"
		if f := r.tool("ferry"); f != nil && f.MedianSeconds > 0 {
			load, of = f.MedianSeconds, "ferry"
		}
		verdict := "within"
		if r.VerifyVsLoad > 1 {
			verdict = "OVER"
		}
		fmt.Fprintf(w, "\nverify / load: %.2fx (checksum verify median %.2f s vs full load median %.2f s of %s; %s the goal of 1.00x)\n",
			r.VerifyVsLoad, v.MedianSeconds, load, of, verdict)
	}
	fmt.Fprintln(w)
	for _, t := range r.Tools {
		var runs []string
		for _, m := range t.Runs {
			runs = append(runs, fmt.Sprintf("%.2fs/%.0fMiB", m.Seconds, mib(m.PeakRSSKiB)))
		}
		fmt.Fprintf(w, "%-8s %s\n         runs: %s; peak RSS of %s\n", t.Tool, t.Note, strings.Join(runs, " "), t.PeakRSSOfWhat)
	}
	fmt.Fprintln(w, "\nTimes are end to end: schema, data, primary keys, indexes, foreign keys (verify: the checksum comparison only). Server memory is not counted.")
	fmt.Fprintf(w, "Load average (1 min) at the end: %.2f on %d CPUs.\n", r.LoadAvg, r.CPUs)
}

func ratio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", x)
}

func minOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
