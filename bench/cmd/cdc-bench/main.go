// Command cdc-bench measures ferry's change data capture from MariaDB to
// PostgreSQL on one machine, with ferry run as a subprocess (the built
// binary), against throwaway servers (internal/sandbox):
//
//   - snapshot: `ferry migrate` (full load) of -rows rows;
//   - backlog: -changes row changes (inserts, updates, deletes; multi-row
//     and single-row transactions) written while ferry is stopped, then
//     `ferry migrate --mode full+cdc` started: changes/s until a marker
//     row written after the backlog is visible in the target;
//   - lag: with ferry caught up, a load generator writes -rate changes/s
//     for -lag-seconds plus a heartbeat row every 100 ms carrying the time
//     just before its commit; the time until each heartbeat is visible in
//     the target gives p50 and p99;
//   - peak RSS of the ferry process (full load; CDC over backlog + lag).
//
// Every run starts from fresh databases; the target is checked against
// the source (row count and sums) after each phase. It prints medians.
//
//	go run ./bench/cmd/cdc-bench -runs 3
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	driver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/mysql"
)

type options struct {
	runs       int
	rows       int
	changes    int
	single     int
	rate       int
	lagSeconds int
	ferryBin   string
	workDir    string
	profile    bool
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	var o options
	flag.IntVar(&o.runs, "runs", 3, "runs (medians are reported)")
	flag.IntVar(&o.rows, "rows", 1_000_000, "rows in the table before the snapshot")
	flag.IntVar(&o.changes, "changes", 1_000_000, "row changes in the backlog")
	flag.IntVar(&o.single, "single", 100_000, "of the backlog's changes, how many are single-row transactions")
	flag.IntVar(&o.rate, "rate", 5000, "changes/s of the load generator in the lag phase")
	flag.IntVar(&o.lagSeconds, "lag-seconds", 20, "duration of the lag phase")
	flag.StringVar(&o.ferryBin, "ferry", "", "ferry binary (default: go build ./cmd/ferry)")
	flag.StringVar(&o.workDir, "work-dir", "", "keep ferry's logs and state here (default: a temporary directory, removed at the end)")
	flag.BoolVar(&o.profile, "cpuprofile", false, "write CPU profiles of ferry's runs (snapshot-N.pprof, cdc-N.pprof) to the work dir")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		slog.Error("cdc-bench failed", "err", err)
		os.Exit(1)
	}
}

// result is one run's figures.
type result struct {
	snapshotSec    float64
	snapshotRSSKiB int64
	backlogSec     float64
	backlogRate    float64
	lagP50, lagP99 float64 // milliseconds
	lagRate        float64 // changes/s the generator achieved
	cdcRSSKiB      int64
}

type bench struct {
	o       options
	env     *sandbox.Env
	workDir string
	bin     string
}

func run(ctx context.Context, o options) error {
	if o.runs < 1 || o.rows < 1 || o.changes < o.single || o.rate < 100 || o.lagSeconds < 1 {
		return errors.New("bad flags: -runs, -rows >= 1; -single <= -changes; -rate >= 100; -lag-seconds >= 1")
	}
	b := &bench{o: o, workDir: o.workDir}
	if b.workDir == "" {
		d, err := os.MkdirTemp("", "cdc-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		b.workDir = d
	} else if err := os.MkdirAll(b.workDir, 0o755); err != nil {
		return err
	}
	var err error
	if b.bin, err = b.ferryBinary(ctx); err != nil {
		return err
	}
	slog.Info("starting MariaDB and PostgreSQL")
	if b.env, err = sandbox.StartEnv(ctx); err != nil {
		return err
	}
	defer b.env.Close()

	var rs []result
	for i := range o.runs {
		r, err := b.once(ctx, i+1)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		slog.Info("run done", "run", i+1, "snapshot_s", round(r.snapshotSec), "backlog_changes_per_s", int(r.backlogRate),
			"lag_p50_ms", round(r.lagP50), "lag_p99_ms", round(r.lagP99), "cdc_rss_mib", r.cdcRSSKiB/1024)
		rs = append(rs, r)
	}
	b.print(rs)
	return nil
}

func (b *bench) ferryBinary(ctx context.Context) (string, error) {
	if b.o.ferryBin != "" {
		return b.o.ferryBin, nil
	}
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if root == "." || root == "" {
		return "", errors.New("run inside the ferry module or pass -ferry")
	}
	bin := filepath.Join(b.workDir, "ferry")
	slog.Info("building ferry", "module", root)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ferry")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
}

const schema = `CREATE TABLE orders (
  id BIGINT PRIMARY KEY AUTO_INCREMENT,
  customer_id INT NOT NULL,
  name VARCHAR(40) NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  updated DATETIME(6) NOT NULL
);
CREATE TABLE heartbeat (id INT PRIMARY KEY, src_us BIGINT NOT NULL);
CREATE TABLE marker (id INT PRIMARY KEY);`

// once is one run: snapshot, backlog, lag.
func (b *bench) once(ctx context.Context, n int) (result, error) {
	var r result
	name, err := b.env.FreshDatabases(ctx, fmt.Sprintf("cdcbench_%d", n))
	if err != nil {
		return r, err
	}
	src, dst := b.env.MariaDB.DSN(name), b.env.Postgres.DSN(name)
	if err := b.env.MariaDB.Exec(ctx, name, schema+fmt.Sprintf(`
		INSERT INTO orders (customer_id, name, qty, price, updated)
		SELECT seq %% 5000, CONCAT('item ', seq), seq %% 1000, (seq %% 10000) / 100, '2024-01-01 00:00:00' FROM seq_1_to_%d;`, b.o.rows)); err != nil {
		return r, err
	}
	my, err := openMySQL(src)
	if err != nil {
		return r, err
	}
	defer my.Close()
	pg, err := pgx.Connect(ctx, dst)
	if err != nil {
		return r, err
	}
	defer pg.Close(context.WithoutCancel(ctx))
	state := filepath.Join(b.workDir, fmt.Sprintf("state-%d", n))
	_ = os.RemoveAll(state)

	// (a) Snapshot / full load.
	args := []string{"migrate", "--source", src, "--target", dst, "--state-dir", state}
	if b.o.profile {
		args = append(args, "--cpuprofile", filepath.Join(b.workDir, fmt.Sprintf("snapshot-%d.pprof", n)))
	}
	start := time.Now()
	cmd := b.ferry(fmt.Sprintf("snapshot-%d.log", n), args...)
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("ferry full load: %w (log in %s)", err, b.workDir)
	}
	r.snapshotSec = time.Since(start).Seconds()
	r.snapshotRSSKiB = peakRSS(cmd.ProcessState)
	if err := same(ctx, my, pg); err != nil {
		return r, fmt.Errorf("after the full load: %w", err)
	}

	// (b) Backlog written while ferry is stopped.
	slog.Info("writing the backlog", "changes", b.o.changes)
	wstart := time.Now()
	if err := b.backlog(ctx, my); err != nil {
		return r, err
	}
	if _, err := my.ExecContext(ctx, "INSERT INTO marker VALUES (1)"); err != nil {
		return r, err
	}
	slog.Info("backlog written", "elapsed", time.Since(wstart).Round(time.Millisecond))
	args = []string{"migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state}
	if b.o.profile {
		args = append(args, "--cpuprofile", filepath.Join(b.workDir, fmt.Sprintf("cdc-%d.pprof", n)))
	}
	cmd = b.ferry(fmt.Sprintf("cdc-%d.log", n), args...)
	start = time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	stopFerry := func() error {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
			return exitErr
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("ferry did not stop within 60 s of SIGINT")
		}
	}
	if err := waitFor(ctx, pg, exited, "SELECT count(*) FROM marker", 1, 10*time.Minute); err != nil {
		stopFerry()
		return r, fmt.Errorf("backlog: %w (log in %s)", err, b.workDir)
	}
	r.backlogSec = time.Since(start).Seconds()
	r.backlogRate = float64(b.o.changes) / r.backlogSec
	if err := same(ctx, my, pg); err != nil {
		stopFerry()
		return r, fmt.Errorf("after the backlog: %w", err)
	}

	// (c) Lag at a steady write rate.
	slog.Info("lag phase", "rate", b.o.rate, "seconds", b.o.lagSeconds)
	lags, rate, err := b.lag(ctx, my, pg, exited)
	if err != nil {
		stopFerry()
		return r, err
	}
	r.lagP50, r.lagP99, r.lagRate = percentile(lags, 50), percentile(lags, 99), rate
	// The load's last writes may follow the last heartbeat: wait for all.
	if _, err := my.ExecContext(ctx, "INSERT INTO marker VALUES (2)"); err != nil {
		stopFerry()
		return r, err
	}
	if err := waitFor(ctx, pg, exited, "SELECT count(*) FROM marker", 2, time.Minute); err != nil {
		stopFerry()
		return r, fmt.Errorf("after the lag phase: %w (log in %s)", err, b.workDir)
	}
	if err := stopFerry(); err != nil {
		return r, fmt.Errorf("ferry cdc: %w (log in %s)", err, b.workDir)
	}
	r.cdcRSSKiB = peakRSS(cmd.ProcessState)
	if err := same(ctx, my, pg); err != nil {
		return r, fmt.Errorf("after the lag phase: %w", err)
	}
	return r, nil
}

func (b *bench) ferry(logName string, args ...string) *exec.Cmd {
	cmd := exec.Command(b.bin, args...)
	if f, err := os.Create(filepath.Join(b.workDir, logName)); err == nil {
		cmd.Stdout, cmd.Stderr = f, f
	}
	return cmd
}

// backlog writes b.o.changes row changes: multi-row transactions of
// inserts, updates and deletes (1,000 rows each), then single-row
// transactions on 4 connections.
func (b *bench) backlog(ctx context.Context, my *sql.DB) error {
	multi := b.o.changes - b.o.single
	rng := rand.New(rand.NewPCG(1, 2))
	maxID := int64(b.o.rows)
	const size = 1000
	for done := 0; done < multi; {
		k := min(size, multi-done)
		var q string
		switch rng.IntN(5) { // the shape: 20 % inserts, 60 % updates, 20 % deletes
		case 0: // insert
			q = fmt.Sprintf("INSERT INTO orders (customer_id, name, qty, price, updated) SELECT seq %% 5000, CONCAT('new ', seq), seq %% 100, 1.5, NOW(6) FROM seq_1_to_%d", k)
			maxID += int64(k)
		case 1, 2, 3: // update a key range of existing rows
			lo := 1 + rng.Int64N(maxID-int64(k))
			q = fmt.Sprintf("UPDATE orders SET qty = qty + 1, updated = NOW(6) WHERE id BETWEEN %d AND %d", lo, lo+int64(k)-1)
		default: // delete
			lo := 1 + rng.Int64N(maxID-int64(k))
			q = fmt.Sprintf("DELETE FROM orders WHERE id BETWEEN %d AND %d", lo, lo+int64(k)-1)
		}
		res, err := my.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("backlog: %w", err)
		}
		n, _ := res.RowsAffected()
		done += int(n)
		if n == 0 {
			done++ // a range emptied by deletes: count it so the loop ends
		}
	}
	// Single-row transactions, autocommit, on 4 connections.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	per := b.o.single / 4
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < per; {
				var res sql.Result
				var err error
				switch rng.IntN(5) {
				case 0:
					res, err = my.ExecContext(ctx, "INSERT INTO orders (customer_id, name, qty, price, updated) VALUES (?, ?, ?, 2.5, NOW(6))", i%5000, fmt.Sprintf("single %d", i), i%100)
				case 1, 2, 3:
					res, err = my.ExecContext(ctx, "UPDATE orders SET qty = qty + 1 WHERE id = ?", 1+rng.Int64N(maxID))
				default:
					res, err = my.ExecContext(ctx, "DELETE FROM orders WHERE id = ?", 1+rng.Int64N(maxID))
				}
				if err != nil {
					errs <- fmt.Errorf("backlog: %w", err)
					return
				}
				if n, _ := res.RowsAffected(); n > 0 {
					i++
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// lag runs the load generator and the heartbeat, and returns the
// heartbeats' commit-to-visible times in milliseconds and the change rate
// achieved.
func (b *bench) lag(ctx context.Context, my *sql.DB, pg *pgx.Conn, exited <-chan struct{}) ([]float64, float64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var maxID int64
	if err := my.QueryRowContext(ctx, "SELECT MAX(id) FROM orders").Scan(&maxID); err != nil {
		return nil, 0, err
	}
	startGen := time.Now()
	end := startGen.Add(time.Duration(b.o.lagSeconds) * time.Second)
	const updWorkers = 8
	var changes atomic.Int64
	errc := make(chan error, updWorkers+2)
	var wg sync.WaitGroup
	// Load: every 10 ms, rate/100 changes: half in one multi-row insert,
	// half in single-row updates spread over updWorkers connections.
	per := b.o.rate / 100
	ins := per / 2
	worker := func(w int) {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		rng := rand.New(rand.NewPCG(3, uint64(w)))
		upd := (per - ins) / updWorkers
		if w < (per-ins)%updWorkers {
			upd++
		}
		ticks := 0
		for time.Now().Before(end) {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			// Catch up on ticks missed while a statement took longer.
			due := int(time.Since(startGen)/(10*time.Millisecond)) + 1
			k := max(1, due-ticks)
			ticks += k
			n := 0
			if w == updWorkers {
				q := "INSERT INTO orders (customer_id, name, qty, price, updated) VALUES " + strings.TrimSuffix(strings.Repeat("(7, 'lag', 1, 3.5, NOW(6)),", ins*k), ",")
				if _, err := my.ExecContext(ctx, q); err != nil {
					errc <- err
					return
				}
				n = ins * k
			}
			for range upd * k * min(1, updWorkers-w) {
				// A row deleted by the backlog changes nothing: try another.
				for try := 0; try < 5; try++ {
					res, err := my.ExecContext(ctx, "UPDATE orders SET qty = qty + 1 WHERE id = ?", 1+rng.Int64N(maxID))
					if err != nil {
						errc <- err
						return
					}
					if a, _ := res.RowsAffected(); a > 0 {
						n += int(a)
						break
					}
				}
			}
			changes.Add(int64(n))
		}
	}
	for w := range updWorkers + 1 {
		wg.Add(1)
		go worker(w)
	}
	// Heartbeat every 100 ms with the time just before its commit.
	var beats atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for time.Now().Before(end) {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if _, err := my.ExecContext(ctx, "INSERT INTO heartbeat VALUES (?, ?)", beats.Load()+1, time.Now().UnixMicro()); err != nil {
				errc <- err
				return
			}
			beats.Add(1)
		}
	}()
	// Poll the target for new heartbeats.
	var lags []float64
	last := int64(0)
	for {
		select {
		case err := <-errc:
			return nil, 0, fmt.Errorf("load generator: %w", err)
		case <-exited:
			return nil, 0, errors.New("ferry exited during the lag phase")
		default:
		}
		rows, err := pg.Query(ctx, "SELECT id, src_us FROM heartbeat WHERE id > $1 ORDER BY id", last)
		if err != nil {
			return nil, 0, err
		}
		now := time.Now()
		for rows.Next() {
			var id, us int64
			if err := rows.Scan(&id, &us); err != nil {
				return nil, 0, err
			}
			lags = append(lags, float64(now.UnixMicro()-us)/1000)
			last = id
		}
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
		if time.Now().After(end) {
			wg.Wait()
			if last >= beats.Load() {
				break
			}
			if time.Now().After(end.Add(30 * time.Second)) {
				return nil, 0, fmt.Errorf("heartbeats: %d of %d arrived within 30 s after the load stopped", last, beats.Load())
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	rate := float64(changes.Load()) / end.Sub(startGen).Seconds()
	return lags, rate, nil
}

// waitFor polls q on the target until it returns want.
func waitFor(ctx context.Context, pg *pgx.Conn, exited <-chan struct{}, q string, want int64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		var n int64
		if err := pg.QueryRow(ctx, q).Scan(&n); err == nil && n == want {
			return nil
		}
		select {
		case <-exited:
			return errors.New("ferry exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not caught up within %s", within)
		}
	}
}

// same compares the orders table on both sides: count and sums.
func same(ctx context.Context, my *sql.DB, pg *pgx.Conn) error {
	const q = "SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(SUM(qty), 0), COALESCE(SUM(price), 0) FROM orders"
	var a, b [4]string
	if err := my.QueryRowContext(ctx, q).Scan(&a[0], &a[1], &a[2], &a[3]); err != nil {
		return err
	}
	if err := pg.QueryRow(ctx, "SELECT COUNT(*)::text, COALESCE(SUM(id), 0)::text, COALESCE(SUM(qty), 0)::text, COALESCE(SUM(price), 0)::text FROM orders").Scan(&b[0], &b[1], &b[2], &b[3]); err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("orders differ: source count/sum(id)/sum(qty)/sum(price) %v, target %v", a, b)
	}
	return nil
}

func openMySQL(url string) (*sql.DB, error) {
	cfg, err := mysql.ParseURL(url)
	if err != nil {
		return nil, err
	}
	conn, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(8)
	return db, nil
}

func (b *bench) print(rs []result) {
	col := func(f func(result) float64) float64 {
		var xs []float64
		for _, r := range rs {
			xs = append(xs, f(r))
		}
		return median(xs)
	}
	fmt.Printf("\ncdc-bench: %d runs, medians (MariaDB -> PostgreSQL, sandbox servers, %d CPUs)\n", len(rs), runtime.NumCPU())
	fmt.Printf("  (a) full load of %d rows          %8.2f s        (target <= 3 s)   peak RSS %.0f MiB\n",
		b.o.rows, col(func(r result) float64 { return r.snapshotSec }), col(func(r result) float64 { return float64(r.snapshotRSSKiB) / 1024 }))
	fmt.Printf("  (b) backlog of %d changes        %8.0f changes/s (target >= 50k)  %.1f s to catch up\n",
		b.o.changes, col(func(r result) float64 { return r.backlogRate }), col(func(r result) float64 { return r.backlogSec }))
	fmt.Printf("  (c) lag at %.0f changes/s            p50 %6.1f ms  p99 %6.1f ms (target p99 < 200 ms)\n",
		col(func(r result) float64 { return r.lagRate }), col(func(r result) float64 { return r.lagP50 }), col(func(r result) float64 { return r.lagP99 }))
	fmt.Printf("  (d) ferry CDC peak RSS             %8.0f MiB      (target <= 150 MiB)\n",
		col(func(r result) float64 { return float64(r.cdcRSSKiB) / 1024 }))
	fmt.Println("  per run:")
	for i, r := range rs {
		fmt.Printf("    %d: load %.2f s, backlog %.0f/s (%.1f s), lag p50 %.1f p99 %.1f ms at %.0f/s, RSS load %d MiB cdc %d MiB\n",
			i+1, r.snapshotSec, r.backlogRate, r.backlogSec, r.lagP50, r.lagP99, r.lagRate, r.snapshotRSSKiB/1024, r.cdcRSSKiB/1024)
	}
}

// peakRSS is ru_maxrss of an exited process, in KiB.
func peakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

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

// percentile by nearest rank.
func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func round(x float64) float64 { return float64(int(x*100+0.5)) / 100 }
