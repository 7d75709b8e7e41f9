package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/load"
	"github.com/ferrydb/ferry/monitor"
	"github.com/ferrydb/ferry/task"
)

// statusInterval is how often a running migrate rewrites its status file.
const statusInterval = time.Second

// apiFlags are migrate's --http and --http-token.
type apiFlags struct {
	addr, token string
}

// check validates the flags before anything connects: a non-loopback
// address needs a token.
func (a *apiFlags) check() error {
	if a.token == "" {
		a.token = os.Getenv("FERRY_HTTP_TOKEN")
	}
	if a.addr == "" {
		return nil
	}
	return monitor.CheckBind(a.addr, a.token)
}

// startMonitor starts the status file writer and, with --http, the API.
// stop records how the run ended and writes the final status.
func startMonitor(ctx context.Context, log *slog.Logger, taskID string, t *task.Task, api apiFlags) (*monitor.Collector, func(error), error) {
	mon := monitor.New(taskID, t.Mode)
	monCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var warned bool
	wait := mon.Run(monCtx, t.StateDir, statusInterval, func(err error) {
		if !warned {
			warned = true
			log.Warn("cannot write the status file", "err", err)
		}
	})
	if api.addr != "" {
		addr, err := mon.Serve(monCtx, api.addr, api.token, func(err error) { log.Error("status API stopped", "err", err) })
		if err != nil {
			cancel()
			wait()
			return nil, nil, err
		}
		log.Info("status API listening", "url", "http://"+addr+"/status", "metrics", "http://"+addr+"/metrics")
	}
	stop := func(err error) {
		if ctx.Err() != nil {
			err = nil // interrupted: a clean stop
		}
		mon.Finish(err)
		cancel()
		wait()
	}
	return mon, stop, nil
}

// observer returns mon as a load.Observer, or nil.
func observer(mon *monitor.Collector) load.Observer {
	if mon == nil {
		return nil
	}
	return mon
}

func newStatus(stdout io.Writer) *cobra.Command {
	var stateDir, rawURL, token, taskID string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--state-dir DIR | --url URL]",
		Short: "Show a migration's progress: tables, positions, lag, rates",
		Long: `status shows what a running (or the last) ferry migrate is doing: each
table's phase (pending, copying, copied, keys, loaded, streaming) and rows
copied, the source position the change stream has read and the one applied
to the target, the lag in seconds (now minus the source commit time of the
oldest change not yet applied; 0 when caught up) and events applied per
second.

It reads the status file that migrate rewrites every second in its
--state-dir, or asks a migrate started with --http for /status.`,
		Example: `  ferry status --state-dir .ferry
  ferry status --url http://127.0.0.1:8420 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = os.Getenv("FERRY_HTTP_TOKEN")
			}
			var sts []monitor.Status
			if rawURL != "" {
				s, err := fetchStatus(cmd.Context(), rawURL, token)
				if err != nil {
					return err
				}
				sts = []monitor.Status{s}
			} else {
				all, err := monitor.ReadDir(stateDir)
				if err != nil {
					return fmt.Errorf("read status files in %s: %w", stateDir, err)
				}
				for _, s := range all {
					if taskID == "" || strings.HasPrefix(s.TaskID, taskID) {
						sts = append(sts, s)
					}
				}
				if len(sts) == 0 {
					return fmt.Errorf("no ferry status in %s: is this the --state-dir of a ferry migrate (run with --state-dir to point at it)?", stateDir)
				}
			}
			if asJSON {
				if len(sts) > 1 {
					return usageError{fmt.Errorf("%s holds %d tasks: pick one with --task", stateDir, len(sts))}
				}
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(sts[0])
			}
			for i, s := range sts {
				if i > 0 {
					fmt.Fprintln(stdout)
				}
				printStatus(stdout, s, rawURL == "", time.Now())
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&stateDir, "state-dir", ".ferry", "the migrate run's --state-dir")
	f.StringVar(&rawURL, "url", "", "base URL of a migrate started with --http (http://127.0.0.1:8420)")
	f.StringVar(&token, "http-token", "", "bearer token for --url (env FERRY_HTTP_TOKEN)")
	f.StringVar(&taskID, "task", "", "only the task whose id starts with this")
	f.BoolVar(&asJSON, "json", false, "print the status as JSON")
	cmd.MarkFlagsMutuallyExclusive("state-dir", "url")
	return cmd
}

func fetchStatus(ctx context.Context, raw, token string) (monitor.Status, error) {
	var s monitor.Status
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return s, usageError{fmt.Errorf("--url %q: want http://host:port", raw)}
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/status"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return s, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return s, fmt.Errorf("ask %s: %w (is ferry migrate running with --http?)", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return s, fmt.Errorf("%s refused the request (401): pass the migrate run's token with --http-token or FERRY_HTTP_TOKEN", u.Redacted())
	}
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("%s answered %s", u.Redacted(), resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&s); err != nil {
		return s, fmt.Errorf("%s: not a ferry status: %w", u.Redacted(), err)
	}
	return s, nil
}

// alive reports whether a process with this pid exists on this machine.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func printStatus(w io.Writer, s monitor.Status, local bool, now time.Time) {
	var state string
	age := now.Sub(s.UpdatedAt)
	if s.State == monitor.StateRunning && local && (!alive(s.PID) || age > 10*statusInterval) {
		state = fmt.Sprintf("not running (the process %d stopped without a final status %s ago: killed?)", s.PID, age.Round(time.Second))
	} else if s.State == monitor.StateRunning {
		state = fmt.Sprintf("running (pid %d, updated %s ago)", s.PID, age.Round(100*time.Millisecond))
	} else {
		state = fmt.Sprintf("%s %s ago", s.State, age.Round(time.Second))
	}
	fmt.Fprintf(w, "task %s  mode %s  phase %s  %s\n", s.TaskID, s.Mode, s.Phase, state)
	if s.Error != "" {
		fmt.Fprintf(w, "error: %s\n", s.Error)
	}
	if c := s.CDC; c != nil {
		fmt.Fprintf(w, "source position read:  %s\n", posString(c.ReadPosition))
		fmt.Fprintf(w, "applied position:      %s\n", posString(c.AppliedPosition))
		lag := "unknown"
		if c.LagSeconds != nil {
			lag = fmt.Sprintf("%.1f s", *c.LagSeconds)
			if c.CaughtUp {
				lag += " (caught up)"
			}
		}
		fmt.Fprintf(w, "lag: %s   events/s: %.0f   applied: %d events in %d transactions   read: %d events in %d transactions\n",
			lag, c.EventsPerSec, c.EventsApplied, c.TxApplied, c.EventsRead, c.TxRead)
	} else {
		fmt.Fprintf(w, "rows copied: %d   rows/s: %.0f\n", s.RowsCopied, s.RowsPerSec)
	}
	for _, m := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	if len(s.Tables) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "table\tphase\trows copied\testimate\tevents applied")
	for _, t := range s.Tables {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", t.Name, t.Phase, t.RowsCopied, t.RowsEstimate, t.EventsApplied)
	}
	tw.Flush()
}

func posString(p *catalog.Position) string {
	if p == nil {
		return "-"
	}
	return p.String()
}
