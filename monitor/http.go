package monitor

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// IsLoopback reports whether a listen address (host:port) binds only to
// the loopback interface. An empty host binds every interface.
func IsLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("--http %q: want host:port, e.g. 127.0.0.1:8420 (%v)", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// CheckBind refuses to serve the API on a non-loopback address without a
// token: the status names databases, tables and positions.
func CheckBind(addr, token string) error {
	lo, err := IsLoopback(addr)
	if err != nil {
		return err
	}
	if !lo && token == "" {
		return fmt.Errorf("--http %s listens beyond this machine, so the API needs a bearer token: pass --http-token or set FERRY_HTTP_TOKEN (or bind to 127.0.0.1)", addr)
	}
	return nil
}

// Handler serves /status (JSON), /metrics (Prometheus text format) and
// /healthz. With a token, /status and /metrics require the header
// "Authorization: Bearer <token>"; /healthz tells only whether the run is
// healthy and is always open.
func (c *Collector) Handler(token string) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	auth := func(h http.Handler) http.Handler {
		if token == "" {
			return h
		}
		want := []byte("Bearer " + token)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ferry"`)
				http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	mux.Handle("GET /status", auth(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(c.Snapshot())
	})))
	mux.Handle("GET /metrics", auth(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		s := c.Snapshot()
		if s.State == StateFailed {
			http.Error(w, "failed: "+s.Error, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// Serve listens on addr and serves the API until ctx ends. It returns the
// address it listens on (useful with port 0) once listening.
func (c *Collector) Serve(ctx context.Context, addr, token string, onErr func(error)) (string, error) {
	if err := CheckBind(addr, token); err != nil {
		return "", err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("--http %s: %w", addr, err)
	}
	srv := &http.Server{Handler: c.Handler(token), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && onErr != nil {
			onErr(err)
		}
	}()
	return ln.Addr().String(), nil
}

var (
	descInfo        = prometheus.NewDesc("ferry_info", "The run: task id, mode, state and phase (always 1).", []string{"task_id", "mode", "state", "phase"}, nil)
	descRows        = prometheus.NewDesc("ferry_rows_copied_total", "Rows copied by the full load.", nil, nil)
	descTableRows   = prometheus.NewDesc("ferry_table_rows_copied_total", "Rows copied by the full load, per source table.", []string{"table"}, nil)
	descTableEst    = prometheus.NewDesc("ferry_table_rows_estimate", "The source's row estimate, per table.", []string{"table"}, nil)
	descTablePhase  = prometheus.NewDesc("ferry_table_phase", "The table's phase (1 for its current one).", []string{"table", "phase"}, nil)
	descTableEvents = prometheus.NewDesc("ferry_table_events_applied_total", "CDC row events applied, per source table.", []string{"table"}, nil)
	descEvents      = prometheus.NewDesc("ferry_cdc_events_applied_total", "CDC row events applied to the target.", nil, nil)
	descTx          = prometheus.NewDesc("ferry_cdc_transactions_applied_total", "Source transactions applied to the target.", nil, nil)
	descEventsRead  = prometheus.NewDesc("ferry_cdc_events_read_total", "Row events read from the source's change log.", nil, nil)
	descTxRead      = prometheus.NewDesc("ferry_cdc_transactions_read_total", "Source transactions read from the change log.", nil, nil)
	descLag         = prometheus.NewDesc("ferry_cdc_lag_seconds", "How far the target is behind the source (0 when caught up).", nil, nil)
	descRate        = prometheus.NewDesc("ferry_cdc_events_per_second", "CDC apply rate over the last interval.", nil, nil)
	descCaughtUp    = prometheus.NewDesc("ferry_cdc_caught_up", "1 when everything read has been applied.", nil, nil)
	descPos         = prometheus.NewDesc("ferry_cdc_position_info", "Source positions (always 1): kind read or applied, binlog file, offset, GTID set.", []string{"kind", "file", "pos", "gtid"}, nil)
	descOffset      = prometheus.NewDesc("ferry_cdc_position_offset", "Binlog offset of the read or applied position within its file.", []string{"kind", "file"}, nil)
	descCommit      = prometheus.NewDesc("ferry_cdc_last_applied_commit_timestamp_seconds", "Source commit time of the last applied transaction.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInfo, descRows, descTableRows, descTableEst, descTablePhase, descTableEvents,
		descEvents, descTx, descEventsRead, descTxRead, descLag, descRate, descCaughtUp, descPos, descOffset, descCommit} {
		ch <- d
	}
}

// Collect implements prometheus.Collector from one snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.Snapshot()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge(descInfo, 1, s.TaskID, s.Mode, s.State, s.Phase)
	counter(descRows, float64(s.RowsCopied))
	for _, t := range s.Tables {
		counter(descTableRows, float64(t.RowsCopied), t.Name)
		gauge(descTableEst, float64(t.RowsEstimate), t.Name)
		gauge(descTablePhase, 1, t.Name, t.Phase)
		counter(descTableEvents, float64(t.EventsApplied), t.Name)
	}
	if s.CDC == nil {
		return
	}
	d := s.CDC
	counter(descEvents, float64(d.EventsApplied))
	counter(descTx, float64(d.TxApplied))
	counter(descEventsRead, float64(d.EventsRead))
	counter(descTxRead, float64(d.TxRead))
	gauge(descRate, d.EventsPerSec)
	if d.LagSeconds != nil {
		gauge(descLag, *d.LagSeconds)
	}
	caught := 0.0
	if d.CaughtUp {
		caught = 1
	}
	gauge(descCaughtUp, caught)
	if p := d.ReadPosition; p != nil {
		gauge(descPos, 1, "read", p.File, strconv.FormatUint(p.Pos, 10), p.GTID)
		gauge(descOffset, float64(p.Pos), "read", p.File)
	}
	if p := d.AppliedPosition; p != nil {
		gauge(descPos, 1, "applied", p.File, strconv.FormatUint(p.Pos, 10), p.GTID)
		gauge(descOffset, float64(p.Pos), "applied", p.File)
	}
	if d.LastAppliedCommit != nil {
		gauge(descCommit, float64(d.LastAppliedCommit.UnixMilli())/1000)
	}
}
