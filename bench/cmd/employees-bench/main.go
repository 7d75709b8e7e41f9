// Command employees-bench times MySQL/MariaDB -> PostgreSQL migrations of
// the employees data set (3,919,015 rows at -scale 1) on one machine, in
// one run: ferry, pgloader and a hand-made pipe (mariadb -B | psql COPY,
// then the keys and indexes). Each is timed end to end (schema, data,
// keys, indexes) for -runs rounds; it prints medians, ratios and peak RSS.
// The verify tool times `ferry verify --level checksum` of a migrated
// copy, to compare with ferry's full load.
//
//	go run ./bench/cmd/employees-bench -runs 3
//
// Without -mysql/-pg it starts throwaway servers (internal/sandbox).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ferrydb/ferry/bench/employees"
	"github.com/ferrydb/ferry/internal/sandbox"
)

type options struct {
	runs       int
	scale      float64
	tools      []string
	mysqlDSN   string
	pgDSN      string
	ferryBin   string
	out        string
	schemaPath string
	db         string
	pipeJobs   int
	workDir    string
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	var o options
	var tools string
	flag.IntVar(&o.runs, "runs", 3, "timed runs per tool (the median is reported)")
	flag.Float64Var(&o.scale, "scale", 1, "fraction of the original row counts (1 = 3,919,015 rows)")
	flag.StringVar(&tools, "tools", "ferry,verify,pgloader,pipe", "tools to time, comma-separated: ferry, verify, pgloader, pipe")
	flag.StringVar(&o.mysqlDSN, "mysql", "", "source server mysql://user:pass@host:port/ (default: a sandbox MariaDB)")
	flag.StringVar(&o.pgDSN, "pg", "", "target server postgres://user:pass@host:port/ (default: a sandbox PostgreSQL)")
	flag.StringVar(&o.ferryBin, "ferry", "", "ferry binary to time (default: go build ./cmd/ferry)")
	flag.StringVar(&o.out, "out", "", "also write the results as JSON to this file")
	flag.StringVar(&o.schemaPath, "schema", "", "path of employees.sql (default: "+employees.SchemaRelPath+" in a parent directory)")
	flag.StringVar(&o.db, "db", "employees", "database name on both servers (dropped and recreated)")
	flag.IntVar(&o.pipeJobs, "pipe-jobs", defaultPipeJobs, "tables the hand pipe copies concurrently")
	flag.StringVar(&o.workDir, "work-dir", "", "keep tool logs here (default: a temporary directory, removed at the end)")
	flag.Parse()
	o.tools = strings.Split(tools, ",")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		slog.Error("employees-bench failed", "err", err)
		os.Exit(1)
	}
}

// measurement is one timed run of one tool.
type measurement struct {
	Seconds    float64 `json:"seconds"`
	PeakRSSKiB int64   `json:"peak_rss_kib"`
	// LoadSeconds is the untimed ferry migrate before a verify run.
	LoadSeconds float64 `json:"load_seconds,omitempty"`
}

// tool is one migration method under test.
type tool struct {
	name string
	note string
	// run migrates the source into the empty target database and returns
	// the PostgreSQL schema holding the tables.
	run func(ctx context.Context, runDir string) (measurement, string, error)
}

type bench struct {
	o       options
	my, pg  employees.Server
	counts  employees.Counts
	workDir string
	// ferryBin is the ferry binary, once built (ferryBinary).
	ferryBin string
}

func run(ctx context.Context, o options) error {
	if o.runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	counts, err := employees.CountsFor(o.scale)
	if err != nil {
		return err
	}
	if o.schemaPath == "" {
		if o.schemaPath, err = employees.FindSchema(); err != nil {
			return err
		}
	}
	b := &bench{o: o, counts: counts}

	b.workDir = o.workDir
	if b.workDir == "" {
		d, err := os.MkdirTemp("", "employees-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		b.workDir = d
	} else if err := os.MkdirAll(b.workDir, 0o755); err != nil {
		return err
	}

	switch {
	case o.mysqlDSN != "" && o.pgDSN != "":
		if b.my, err = employees.NewExternal(o.mysqlDSN); err != nil {
			return err
		}
		if b.pg, err = employees.NewExternal(o.pgDSN); err != nil {
			return err
		}
	case o.mysqlDSN != "" || o.pgDSN != "":
		return errors.New("give both -mysql and -pg, or neither (sandbox)")
	default:
		slog.Info("starting sandbox MariaDB and PostgreSQL")
		env, err := sandbox.StartEnv(ctx)
		if err != nil {
			return err
		}
		defer env.Close()
		b.my, b.pg = env.MariaDB, env.Postgres
	}

	var tools []tool
	for _, name := range o.tools {
		var t tool
		var err error
		switch strings.TrimSpace(name) {
		case "ferry":
			t, err = b.ferryTool(ctx)
		case "verify":
			t, err = b.verifyTool(ctx)
		case "pgloader":
			t, err = b.pgloaderTool(ctx)
			if errors.Is(err, errUnavailable) {
				fmt.Printf("pgloader: not available (%v)\n", err)
				continue
			}
		case "pipe":
			t = b.pipeTool()
		default:
			return fmt.Errorf("unknown tool %q (want ferry, verify, pgloader, pipe)", name)
		}
		if err != nil {
			return err
		}
		tools = append(tools, t)
	}
	if len(tools) == 0 {
		return errors.New("no tool to run")
	}

	if load := loadAvg(); load > float64(runtime.NumCPU())/2 {
		slog.Warn("load average is high (other work on the machine?); timings may be noisy", "loadavg_1m", load, "cpus", runtime.NumCPU())
	}
	slog.Info("generating source data", "db", o.db, "scale", o.scale, "rows", counts.Total())
	if _, err := employees.GenerateFrom(ctx, b.my, o.db, o.scale, o.schemaPath); err != nil {
		return err
	}

	b.settle(ctx)

	// Each round starts with the next tool, so that no tool always runs
	// first (on the coldest caches) or last.
	results := map[string][]measurement{}
	for r := 1; r <= o.runs; r++ {
		for i := range tools {
			t := tools[(i+r-1)%len(tools)]
			runDir := filepath.Join(b.workDir, fmt.Sprintf("%s-%d", t.name, r))
			if err := os.MkdirAll(runDir, 0o755); err != nil {
				return err
			}
			if err := b.pg.CreateDatabase(ctx, o.db); err != nil {
				return err
			}
			// Start each run with nothing of the previous one left to
			// write back: PostgreSQL's dirty buffers, the OS's dirty pages.
			if err := b.pg.Exec(ctx, o.db, "CHECKPOINT;"); err != nil {
				return err
			}
			syscall.Sync()
			slog.Info("run", "tool", t.name, "round", r)
			m, schema, err := t.run(ctx, runDir)
			if err != nil {
				return fmt.Errorf("%s (round %d, logs in %s): %w", t.name, r, runDir, err)
			}
			if err := b.verify(ctx, schema); err != nil {
				return fmt.Errorf("%s (round %d, logs in %s): %w", t.name, r, runDir, err)
			}
			slog.Info("done", "tool", t.name, "round", r, "seconds", fmt.Sprintf("%.2f", m.Seconds), "peak_rss_mib", fmt.Sprintf("%.1f", mib(m.PeakRSSKiB)))
			results[t.name] = append(results[t.name], m)
		}
	}
	rep := b.report(ctx, tools, results)
	rep.print(os.Stdout)
	if o.out != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.out, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	return nil
}

// settle lets MariaDB write back the pages dirtied by the data load, which
// would otherwise compete with the first timed run for CPU and disk. It
// is best effort: failures are logged.
func (b *bench) settle(ctx context.Context) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// Flush at full speed (the default io_capacity of 200 pages/s takes
	// minutes), then put the settings back.
	vars := []string{"innodb_io_capacity_max", "innodb_io_capacity", "innodb_max_dirty_pages_pct", "innodb_max_dirty_pages_pct_lwm"}
	fast := []string{"100000", "50000", "0", "0.001"}
	var sel []string
	for _, v := range vars {
		sel = append(sel, "@@GLOBAL."+v)
	}
	const dirtyQuery = "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'"
	out, err := b.my.Query(ctx, "", "SELECT "+strings.Join(sel, ", ")+", ("+dirtyQuery+");")
	old := strings.Split(out, "\t")
	if err == nil && len(old) != len(vars)+1 {
		err = fmt.Errorf("unexpected output %q", out)
	}
	if err != nil {
		slog.Warn("settle: read InnoDB settings", "err", err)
		return
	}
	// io_capacity_max >= io_capacity must hold after each statement.
	set := func(ctx context.Context, vals []string, reverse bool) error {
		var stmts []string
		for i, v := range vars {
			stmts = append(stmts, fmt.Sprintf("SET GLOBAL %s = %s;\n", v, vals[i]))
		}
		if reverse {
			slices.Reverse(stmts)
		}
		return b.my.Exec(ctx, "", strings.Join(stmts, ""))
	}
	if err := set(ctx, fast, false); err != nil {
		slog.Warn("settle: flush dirty pages", "err", err)
		return
	}
	defer func() {
		if err := set(context.WithoutCancel(ctx), old, true); err != nil {
			slog.Warn("settle: restore InnoDB settings", "err", err)
		}
	}()
	first := old[len(vars)]
	old = old[:len(vars)]
	for {
		out, err = b.my.Query(ctx, "", dirtyQuery+";")
		if err != nil {
			slog.Warn("settle: dirty pages", "err", err)
			return
		}
		if n, _ := strconv.Atoi(strings.TrimSpace(out)); n < 100 {
			slog.Info("settled: MariaDB dirty pages written", "pages", first, "elapsed", time.Since(start).Round(time.Millisecond))
			return
		}
		select {
		case <-ctx.Done():
			slog.Warn("settle: MariaDB still has dirty pages; going on", "dirty_pages", strings.TrimSpace(out))
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// verify checks the row counts per table and that the primary and
// foreign keys exist in the target.
func (b *bench) verify(ctx context.Context, schema string) error {
	if err := employees.CheckCounts(ctx, b.pg, b.o.db, schema, b.counts); err != nil {
		return err
	}
	out, err := b.pg.Query(ctx, b.o.db, fmt.Sprintf(`SELECT
  count(*) FILTER (WHERE c.contype = 'p'),
  count(*) FILTER (WHERE c.contype = 'f'),
  (SELECT count(*) FROM pg_indexes WHERE schemaname = %[1]s)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = %[1]s;`, pgQuoteLiteral(schema)))
	if err != nil {
		return fmt.Errorf("check keys: %w", err)
	}
	var pk, fk, idx int
	if _, err := fmt.Sscanf(out, "%d\t%d\t%d", &pk, &fk, &idx); err != nil {
		return fmt.Errorf("check keys: %q: %w", out, err)
	}
	if pk != 6 || fk != 6 {
		return fmt.Errorf("schema %s has %d primary keys and %d foreign keys, want 6 and 6", schema, pk, fk)
	}
	slog.Debug("verified", "schema", schema, "indexes", idx)
	return nil
}

// tableSchema returns the PostgreSQL schema holding the salaries table.
func (b *bench) tableSchema(ctx context.Context) (string, error) {
	out, err := b.pg.Query(ctx, b.o.db, `SELECT table_schema FROM information_schema.tables
WHERE table_name = 'salaries' AND table_schema NOT IN ('pg_catalog', 'information_schema');`)
	if err != nil {
		return "", err
	}
	schemas := strings.Fields(out)
	if len(schemas) != 1 {
		return "", fmt.Errorf("table salaries found in schemas %v, want exactly one", schemas)
	}
	return schemas[0], nil
}

// loadAvg returns the 1-minute load average (0 where unknown).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	x, _ := strconv.ParseFloat(f[0], 64)
	return x
}

func pgQuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func mib(kib int64) float64 { return float64(kib) / 1024 }

// peakRSS returns the peak resident set size of an exited process in KiB
// (getrusage ru_maxrss, KiB on Linux; it covers the process's waited-for
// children too).
func peakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// median of xs (mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func since(t time.Time) float64 { return time.Since(t).Seconds() }

var defaultPipeJobs = max(2, runtime.NumCPU())
