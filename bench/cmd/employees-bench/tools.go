package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ferrydb/ferry/bench/employees"
)

var errUnavailable = errors.New("unavailable")

// ferryBinary returns the ferry binary to run: -ferry, or one built from
// this checkout with go build ./cmd/ferry (once, shared by the ferry and
// verify tools).
func (b *bench) ferryBinary(ctx context.Context) (string, error) {
	if b.ferryBin != "" {
		return b.ferryBin, nil
	}
	if b.o.ferryBin != "" {
		b.ferryBin = b.o.ferryBin
		return b.ferryBin, nil
	}
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("ferry: go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if root == "." || root == "" {
		return "", errors.New("ferry: run inside the ferry module or pass -ferry")
	}
	bin := filepath.Join(b.workDir, "ferry")
	slog.Info("building ferry", "module", root)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ferry")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ferry: go build: %w: %s", err, out)
	}
	b.ferryBin = bin
	return bin, nil
}

// ferryTool returns the tool running `ferry migrate ... --json`.
func (b *bench) ferryTool(ctx context.Context) (tool, error) {
	bin, err := b.ferryBinary(ctx)
	if err != nil {
		return tool{}, err
	}
	return tool{
		name: "ferry",
		note: "ferry migrate --if-exists drop --json (default --parallel)",
		run: func(ctx context.Context, runDir string) (measurement, string, error) {
			return b.ferryMigrate(ctx, bin, runDir, "ferry")
		},
	}, nil
}

// ferryMigrate runs `ferry migrate ... --json` into the empty target
// database, logging to runDir/<name>.log and .json, and checks the
// summary's row count.
func (b *bench) ferryMigrate(ctx context.Context, bin, runDir, name string) (measurement, string, error) {
	logf, err := os.Create(filepath.Join(runDir, name+".log"))
	if err != nil {
		return measurement{}, "", err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, "migrate",
		"--source", b.my.DSN(b.o.db), "--target", b.pg.DSN(b.o.db),
		"--if-exists", "drop", "--state-dir", filepath.Join(runDir, "state"), "--json")
	cmd.Env = toolEnv()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = logf
	start := time.Now()
	err = cmd.Run()
	m := measurement{Seconds: since(start), PeakRSSKiB: peakRSS(cmd.ProcessState)}
	_ = os.WriteFile(filepath.Join(runDir, name+".json"), stdout.Bytes(), 0o644)
	var sum struct {
		OK          bool   `json:"ok"`
		Error       string `json:"error"`
		RowsWritten int64  `json:"rows_written"`
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &sum); jerr != nil {
		return m, "", fmt.Errorf("ferry: %w; summary: %w", err, jerr)
	}
	if err != nil || !sum.OK {
		return m, "", fmt.Errorf("ferry: %v: %s", err, sum.Error)
	}
	if sum.RowsWritten != b.counts.Total() {
		return m, "", fmt.Errorf("ferry: rows_written %d, want %d", sum.RowsWritten, b.counts.Total())
	}
	schema, err := b.tableSchema(ctx)
	return m, schema, err
}

// verifyTool returns the tool timing `ferry verify --level checksum
// --json`. The bench empties the target before every run, so each run
// first migrates the data with ferry (untimed; its time is kept as
// LoadSeconds), checkpoints PostgreSQL and syncs, then times the verify.
// Every table must be OK (exit code 0).
func (b *bench) verifyTool(ctx context.Context) (tool, error) {
	bin, err := b.ferryBinary(ctx)
	if err != nil {
		return tool{}, err
	}
	return tool{
		name: "verify",
		note: "ferry verify --level checksum --json (default --parallel), after an untimed ferry migrate",
		run: func(ctx context.Context, runDir string) (measurement, string, error) {
			load, schema, err := b.ferryMigrate(ctx, bin, runDir, "migrate")
			if err != nil {
				return measurement{}, "", fmt.Errorf("untimed migrate: %w", err)
			}
			if err := b.pg.Exec(ctx, b.o.db, "CHECKPOINT;"); err != nil {
				return measurement{}, "", err
			}
			syscall.Sync()

			logf, err := os.Create(filepath.Join(runDir, "verify.log"))
			if err != nil {
				return measurement{}, "", err
			}
			defer logf.Close()
			cmd := exec.CommandContext(ctx, bin, "verify",
				"--source", b.my.DSN(b.o.db), "--target", b.pg.DSN(b.o.db),
				"--level", "checksum", "--json")
			cmd.Env = toolEnv()
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			cmd.Stderr = logf
			start := time.Now()
			err = cmd.Run()
			m := measurement{Seconds: since(start), PeakRSSKiB: peakRSS(cmd.ProcessState), LoadSeconds: load.Seconds}
			_ = os.WriteFile(filepath.Join(runDir, "verify.json"), stdout.Bytes(), 0o644)
			var rep struct {
				OK     bool   `json:"ok"`
				Level  string `json:"level"`
				Tables []struct {
					Target     string `json:"target"`
					Status     string `json:"status"`
					Error      string `json:"error"`
					SourceRows int64  `json:"source_rows"`
				} `json:"tables"`
			}
			if jerr := json.Unmarshal(stdout.Bytes(), &rep); jerr != nil {
				return m, "", fmt.Errorf("ferry verify: %w; report: %w", err, jerr)
			}
			var bad []string
			var rows int64
			for _, t := range rep.Tables {
				rows += t.SourceRows
				if t.Status != "OK" {
					bad = append(bad, fmt.Sprintf("%s %s %s", t.Target, t.Status, t.Error))
				}
			}
			if err != nil || !rep.OK || len(bad) > 0 {
				return m, "", fmt.Errorf("ferry verify: exit %v, ok %v: %s", err, rep.OK, strings.Join(bad, "; "))
			}
			if rep.Level != "checksum" || len(rep.Tables) != len(employees.Tables) || rows != b.counts.Total() {
				return m, "", fmt.Errorf("ferry verify: level %q, %d tables, %d source rows; want checksum, %d, %d",
					rep.Level, len(rep.Tables), rows, len(employees.Tables), b.counts.Total())
			}
			return m, schema, nil
		},
	}, nil
}

// pgloaderTool installs pgloader with apt-get when it is missing.
func (b *bench) pgloaderTool(ctx context.Context) (tool, error) {
	bin, err := exec.LookPath("pgloader")
	if err != nil {
		if err := aptInstall(ctx, "pgloader"); err != nil {
			return tool{}, fmt.Errorf("%w: %w", errUnavailable, err)
		}
		if bin, err = exec.LookPath("pgloader"); err != nil {
			return tool{}, fmt.Errorf("%w: %w", errUnavailable, err)
		}
	}
	version := "?"
	if out, err := exec.CommandContext(ctx, bin, "--version").Output(); err == nil {
		version, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	}
	return tool{
		name: "pgloader",
		note: version + ", default options (WITH include drop, create tables, create indexes, foreign keys, reset sequences)",
		run: func(ctx context.Context, runDir string) (measurement, string, error) {
			logf, err := os.Create(filepath.Join(runDir, "pgloader.log"))
			if err != nil {
				return measurement{}, "", err
			}
			defer logf.Close()
			cmd := exec.CommandContext(ctx, bin, "--root-dir", filepath.Join(runDir, "pgloader"),
				b.my.DSN(b.o.db), b.pg.DSN(b.o.db))
			cmd.Env = toolEnv()
			cmd.Stdout = logf
			cmd.Stderr = logf
			cmd.WaitDelay = 5 * time.Second
			start := time.Now()
			err = cmd.Run()
			m := measurement{Seconds: since(start), PeakRSSKiB: peakRSS(cmd.ProcessState)}
			if err != nil {
				return m, "", fmt.Errorf("pgloader: %w", err)
			}
			schema, err := b.tableSchema(ctx)
			return m, schema, err
		},
	}, nil
}

// aptInstall installs a Debian package non-interactively (root only),
// running apt-get update first when the plain install fails.
func aptInstall(ctx context.Context, pkg string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s is not installed and installing it needs root", pkg)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("%s is not installed and apt-get is missing", pkg)
	}
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "RUNLEVEL=1")
	run := func(args ...string) error {
		slog.Info("apt-get", "args", args)
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("apt-get %s: %w: %s", strings.Join(args, " "), err, lastLines(string(out), 5))
		}
		return nil
	}
	install := []string{"install", "-y", "--no-install-recommends", pkg}
	if err := run(install...); err == nil {
		return nil
	}
	if err := run("update"); err != nil {
		return err
	}
	return run(install...)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// toolEnv is the environment for the tools: no PG*/MYSQL* variables, and no
// FERRY_* ones that could override the command line.
func toolEnv() []string {
	var out []string
	for _, kv := range employees.CleanEnv() {
		if !strings.HasPrefix(kv, "FERRY_") {
			out = append(out, kv)
		}
	}
	return out
}

// procSet collects the peak RSS of finished processes.
type procSet struct {
	mu  sync.Mutex
	max int64
}

func (p *procSet) add(cmds ...*exec.Cmd) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cmds {
		p.max = max(p.max, peakRSS(c.ProcessState))
	}
}

// runLogged runs cmd with output to logf, returning an error naming it.
func runLogged(cmd *exec.Cmd, what string, procs *procSet) error {
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	err := cmd.Run()
	procs.add(cmd)
	if err != nil {
		return fmt.Errorf("%s: %w: %s", what, err, lastLines(stderr.String(), 5))
	}
	return nil
}
