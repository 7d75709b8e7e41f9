// Package monitor collects what a running migration is doing: each
// table's phase and rows copied, the change stream's read and applied
// source positions, the replication lag and the apply rate. The running
// `ferry migrate` writes it as a status snapshot into the state dir
// (status-<task>.json, replaced atomically) and can serve it over HTTP
// (/status JSON, /metrics for Prometheus, /healthz); `ferry status` reads
// either. load calls the Collector through its load.Observer hooks.
package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
)

// Table phases.
const (
	TablePending   = "pending"   // announced, no row copied yet
	TableCopying   = "copying"   // chunks are being copied
	TableCopied    = "copied"    // every row is in; keys not started
	TableKeys      = "keys"      // primary key and indexes are being built
	TableLoaded    = "loaded"    // rows, keys and indexes are done
	TableStreaming = "streaming" // CDC applies its changes
)

// Run states.
const (
	StateRunning = "running"
	StateStopped = "stopped" // ended without an error (or was interrupted)
	StateFailed  = "failed"
)

// Status is one snapshot of a run, as written to the state dir and served
// at /status.
type Status struct {
	TaskID    string    `json:"task_id"`
	Mode      string    `json:"mode"`
	PID       int       `json:"pid"`
	State     string    `json:"state"` // running, stopped, failed
	Phase     string    `json:"phase"` // inspect, schema, data, keys, views, streaming
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Error     string    `json:"error,omitempty"`
	// RowsCopied counts rows copied by the full load (all tables);
	// RowsPerSec is the copy rate over the last interval.
	RowsCopied int64         `json:"rows_copied"`
	RowsPerSec float64       `json:"rows_per_sec"`
	Tables     []TableStatus `json:"tables"`
	CDC        *CDCStatus    `json:"cdc,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
}

// TableStatus is one table's line.
type TableStatus struct {
	Name          string `json:"name"` // source db.table
	Phase         string `json:"phase"`
	RowsCopied    int64  `json:"rows_copied"`
	RowsEstimate  int64  `json:"rows_estimate"`
	EventsApplied int64  `json:"events_applied"`
}

// CDCStatus is the change stream's state.
type CDCStatus struct {
	// ReadPosition is the source position after the last transaction the
	// stream read (and stored in the event log); AppliedPosition the one
	// stored in the target with the last applied batch.
	ReadPosition    *catalog.Position `json:"read_position,omitempty"`
	AppliedPosition *catalog.Position `json:"applied_position,omitempty"`
	// LastAppliedCommit is the source commit time of the last applied
	// transaction that changed rows.
	LastAppliedCommit *time.Time `json:"last_applied_commit,omitempty"`
	// LagSeconds is how far the target is behind the source: now minus
	// the source commit time of the oldest change read but not applied;
	// when everything read is applied, the delay with which the stream
	// read its last transaction (0 once the stream has been idle for a
	// moment). Nil until it is known.
	LagSeconds *float64 `json:"lag_seconds,omitempty"`
	CaughtUp   bool     `json:"caught_up"`
	// Counters since this process started streaming.
	TxRead        int64 `json:"transactions_read"`
	EventsRead    int64 `json:"events_read"`
	TxApplied     int64 `json:"transactions_applied"`
	EventsApplied int64 `json:"events_applied"`
	// EventsPerSec is the apply rate over the last interval.
	EventsPerSec float64 `json:"events_per_sec"`
}

// recentRead is how long after reading a transaction the stream still
// counts as busy: within it, a caught-up target reports the delay of that
// read as its lag; after it, the stream is idle and the lag is 0.
const recentRead = 2 * time.Second

// rateWindow is the span the rates are computed over.
const rateWindow = 10 * time.Second

// Collector gathers the status of one run. It implements load.Observer;
// its methods are safe for concurrent use.
type Collector struct {
	mu     sync.Mutex
	st     Status
	tables map[string]*TableStatus
	keys   map[string]int // key statements outstanding per table

	streaming  bool
	read       *catalog.Position
	applied    *catalog.Position
	readWall   time.Time // when the last transaction was read
	readCommit time.Time // its source commit time
	// pendingSince is the commit time of the oldest transaction read
	// since the target was last caught up (zero when caught up).
	pendingSince  time.Time
	appliedCommit time.Time
	tx            struct{ read, events, applied, appliedEvents int64 }

	samples []sample
	now     func() time.Time
}

type sample struct {
	at           time.Time
	rows, events int64
}

// New starts a collector for a task.
func New(taskID, mode string) *Collector {
	c := &Collector{tables: map[string]*TableStatus{}, keys: map[string]int{}, now: time.Now}
	c.st = Status{TaskID: taskID, Mode: mode, PID: os.Getpid(), State: StateRunning, Phase: "inspect", StartedAt: c.now().UTC()}
	return c
}

func (c *Collector) table(name string) *TableStatus {
	t := c.tables[name]
	if t == nil {
		t = &TableStatus{Name: name, Phase: TablePending}
		c.tables[name] = t
	}
	return t
}

// Table announces a table and its estimated row count.
func (c *Collector) Table(name string, estimate int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.table(name).RowsEstimate = estimate
}

// Add counts rows copied into a table.
func (c *Collector) Add(name string, rows int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.table(name)
	t.RowsCopied += rows
	c.st.RowsCopied += rows
	if t.Phase == TablePending {
		t.Phase = TableCopying
	}
}

// TableDone marks a table's rows copied.
func (c *Collector) TableDone(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.table(name); t.Phase == TablePending || t.Phase == TableCopying {
		t.Phase = TableCopied
	}
}

// Phase records the run's phase.
func (c *Collector) Phase(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st.Phase = name
}

// Wait is part of load.Progress; there is nothing to flush.
func (c *Collector) Wait() {}

// KeysStarted records that n key statements of a table are queued.
func (c *Collector) KeysStarted(table string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.table(table)
	c.keys[table] = n
	if n == 0 {
		t.Phase = TableLoaded
	} else if t.Phase != TableStreaming {
		t.Phase = TableKeys
	}
}

// KeyBuilt counts one key statement of a table done.
func (c *Collector) KeyBuilt(table string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys[table]--
	if t := c.table(table); c.keys[table] <= 0 && t.Phase == TableKeys {
		t.Phase = TableLoaded
	}
}

// Streaming records that CDC reads from `from`: everything up to it was
// read before (by an earlier run, or into the event log).
func (c *Collector) Streaming(from catalog.Position) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.streaming = true
	c.st.Phase = "streaming"
	p := from
	p.LogSeq = 0
	c.read = &p
	for _, t := range c.tables {
		t.Phase = TableStreaming
	}
}

// commitTime is a transaction's source commit time; an empty transaction
// (the position carried on while only other tables changed) counts as
// committed when it was read.
func commitTime(tx []event.Event, read time.Time) time.Time {
	var ms int64
	for i := range tx {
		ms = max(ms, tx[i].Source.TsMs)
	}
	if ms == 0 {
		return read
	}
	return time.UnixMilli(ms)
}

func samePosition(a, b *catalog.Position) bool {
	return a != nil && b != nil && a.File == b.File && a.Pos == b.Pos && a.GTID == b.GTID
}

// Read records a transaction the stream read.
func (c *Collector) Read(tx []event.Event, next catalog.Position) {
	now := c.now()
	commit := commitTime(tx, now)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pendingSince.IsZero() && (c.applied == nil || samePosition(c.read, c.applied)) {
		c.pendingSince = commit
	}
	next.LogSeq = 0
	c.read = &next
	c.readWall, c.readCommit = now, commit
	c.tx.read++
	c.tx.events += int64(len(tx))
}

// Applied records a target transaction committed.
func (c *Collector) Applied(t event.Tally, next catalog.Position) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, n := range t.Tables {
		if tb := c.tables[key]; tb != nil {
			tb.EventsApplied += n
		}
	}
	c.tx.appliedEvents += t.Events
	if t.Events > 0 {
		c.appliedCommit = now
		if t.LastMs > 0 {
			c.appliedCommit = time.UnixMilli(t.LastMs)
		}
	}
	c.tx.applied += t.Txs
	next.LogSeq = 0
	c.applied = &next
	if c.read == nil {
		p := next
		c.read = &p
	}
	if samePosition(c.read, c.applied) {
		c.pendingSince = time.Time{}
	}
}

// Warn records a warning for the status.
func (c *Collector) Warn(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.st.Warnings {
		if w == msg {
			return
		}
	}
	c.st.Warnings = append(c.st.Warnings, msg)
}

// Finish records how the run ended: err nil is a clean stop.
func (c *Collector) Finish(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st.State = StateStopped
	if err != nil {
		c.st.State = StateFailed
		c.st.Error = err.Error()
	}
}

// Tick takes a rate sample; the snapshot writer calls it once per interval.
func (c *Collector) Tick() {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.samples = append(c.samples, sample{at: now, rows: c.st.RowsCopied, events: c.tx.appliedEvents})
	// Keep one sample older than the window, so the rate spans all of it.
	for len(c.samples) > 2 && now.Sub(c.samples[1].at) >= rateWindow {
		c.samples = c.samples[1:]
	}
}

// Snapshot returns the current status.
func (c *Collector) Snapshot() Status {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.st
	s.UpdatedAt = now.UTC()
	s.Warnings = append([]string(nil), c.st.Warnings...)
	s.Tables = make([]TableStatus, 0, len(c.tables))
	for _, t := range c.tables {
		s.Tables = append(s.Tables, *t)
	}
	sort.Slice(s.Tables, func(i, j int) bool { return s.Tables[i].Name < s.Tables[j].Name })
	if n := len(c.samples); n >= 2 {
		a, b := c.samples[0], c.samples[n-1]
		if dt := b.at.Sub(a.at).Seconds(); dt > 0 {
			s.RowsPerSec = float64(b.rows-a.rows) / dt
			if c.streaming {
				s.CDC = &CDCStatus{EventsPerSec: float64(b.events-a.events) / dt}
			}
		}
	}
	if !c.streaming {
		return s
	}
	if s.CDC == nil {
		s.CDC = &CDCStatus{}
	}
	cdc := s.CDC
	cdc.ReadPosition, cdc.AppliedPosition = copyPos(c.read), copyPos(c.applied)
	cdc.TxRead, cdc.EventsRead = c.tx.read, c.tx.events
	cdc.TxApplied, cdc.EventsApplied = c.tx.applied, c.tx.appliedEvents
	if !c.appliedCommit.IsZero() {
		t := c.appliedCommit.UTC()
		cdc.LastAppliedCommit = &t
	}
	cdc.CaughtUp = c.applied != nil && samePosition(c.read, c.applied)
	var lag float64
	switch {
	case cdc.CaughtUp && !c.readWall.IsZero() && now.Sub(c.readWall) < recentRead:
		lag = c.readWall.Sub(c.readCommit).Seconds()
	case cdc.CaughtUp:
		lag = 0
	case c.applied == nil && c.readWall.IsZero():
		return s // nothing read or applied yet: unknown
	default:
		oldest := c.pendingSince
		if oldest.IsZero() || c.appliedCommit.After(oldest) {
			oldest = c.appliedCommit
		}
		if oldest.IsZero() {
			return s
		}
		lag = now.Sub(oldest).Seconds()
	}
	lag = max(lag, 0)
	cdc.LagSeconds = &lag
	return s
}

func copyPos(p *catalog.Position) *catalog.Position {
	if p == nil {
		return nil
	}
	q := *p
	return &q
}

// FileName is the status snapshot's name in the state dir.
func FileName(taskID string) string { return "status-" + taskID + ".json" }

// WriteFile writes the snapshot into dir atomically (write, rename), so a
// reader never sees half of it.
func WriteFile(dir string, s Status) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	p := filepath.Join(dir, FileName(s.TaskID))
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("write status %s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("write status %s: %w", p, err)
	}
	return nil
}

// Run writes a snapshot into dir every interval until ctx ends, then once
// more (call Finish before cancelling to record how the run ended; the
// final write happens in the returned wait function).
func (c *Collector) Run(ctx context.Context, dir string, interval time.Duration, onErr func(error)) (wait func()) {
	done := make(chan struct{})
	write := func() {
		if err := WriteFile(dir, c.Snapshot()); err != nil && onErr != nil {
			onErr(err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil && onErr != nil {
		onErr(err)
	}
	c.Tick()
	write()
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.Tick()
				write()
			}
		}
	}()
	return func() {
		<-done
		c.Tick()
		write()
	}
}

// ReadFile reads one status snapshot.
func ReadFile(path string) (Status, error) {
	var s Status
	raw, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("status file %s is not valid JSON (%v)", path, err)
	}
	return s, nil
}

// ReadDir reads every status snapshot in a state dir, newest first.
func ReadDir(dir string) ([]Status, error) {
	files, err := filepath.Glob(filepath.Join(dir, "status-*.json"))
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, f := range files {
		s, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, nil
}
