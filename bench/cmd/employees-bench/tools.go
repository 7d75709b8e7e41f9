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
	"time"

	"github.com/ferrydb/ferry/bench/employees"
)

var errUnavailable = errors.New("unavailable")

// ferryTool builds ferry (unless -ferry is given) and returns the tool
// running `ferry migrate ... --json`.
func (b *bench) ferryTool(ctx context.Context) (tool, error) {
	bin := b.o.ferryBin
	if bin == "" {
		gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
		if err != nil {
			return tool{}, fmt.Errorf("ferry: go env GOMOD: %w", err)
		}
		root := filepath.Dir(strings.TrimSpace(string(gomod)))
		if root == "." || root == "" {
			return tool{}, errors.New("ferry: run inside the ferry module or pass -ferry")
		}
		bin = filepath.Join(b.workDir, "ferry")
		slog.Info("building ferry", "module", root)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ferry")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return tool{}, fmt.Errorf("ferry: go build: %w: %s", err, out)
		}
	}
	return tool{
		name: "ferry",
		note: "ferry migrate --if-exists drop --json (default --parallel)",
		run: func(ctx context.Context, runDir string) (measurement, string, error) {
			logf, err := os.Create(filepath.Join(runDir, "ferry.log"))
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
			_ = os.WriteFile(filepath.Join(runDir, "ferry.json"), stdout.Bytes(), 0o644)
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
