// Package cli is ferry's command line: flag and task-file handling,
// output and exit codes. The work itself lives in load, convert, source
// and target.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/ferrydb/ferry/internal/cli.Version=v1.2.3".
var Version = "dev"

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

type usageError struct{ error }

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "ferry: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") || strings.Contains(err.Error(), " arg(s), received ") {
		return ExitUsage
	}
	return ExitError
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	var verbose bool
	var cpuProfile string
	var stopProfile func()
	root := &cobra.Command{
		Use:   "ferry",
		Short: "Migrate databases to PostgreSQL: schema, data, keys, in one command",
		Long: `ferry moves databases to PostgreSQL. Whatever it cannot convert is
listed as an action item, never dropped.

MySQL and MariaDB: migrate converts the schema, copies the rows from a
consistent snapshot in parallel, resumable chunks, builds keys, indexes,
foreign keys, sequences and views, and with --mode full+cdc keeps the
target in sync from the binlog; status shows its progress and lag; verify
proves source and target hold the same rows.

Oracle, from scripts (no Oracle server needed): assess inventories them and
estimates the effort, convert turns DDL and PL/SQL into PostgreSQL, load
loads INSERT scripts and SQL*Loader files.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err == nil && pprof.StartCPUProfile(f) == nil {
					stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
				}
			}
		},
		PersistentPostRun: func(*cobra.Command, []string) {
			if stopProfile != nil {
				stopProfile()
			}
		},
	}
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log debug details")
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a Go CPU profile to this file")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newMigrate(stdout, stderr), newVerify(stdout, stderr), newStatus(stdout), newVersion(stdout))
	root.AddCommand(newConvert(stdout))
	root.AddCommand(newAssess(stdout))
	root.AddCommand(newLoad(stdout, stderr))
	return root
}

func newVersion(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ferry's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := Version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(stdout, "ferry %s\n", v)
			return nil
		},
	}
}
