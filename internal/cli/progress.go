package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// isTerminal reports whether w is a character device (a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// barProgress draws one live bar per table, with rows/s and ETA.
type barProgress struct {
	p          *mpb.Progress
	mu         sync.Mutex
	bars       map[string]*mpb.Bar
	cur, total map[string]int64
	out        io.Writer
	done       bool
}

func newBarProgress(ctx context.Context, w io.Writer) *barProgress {
	return &barProgress{p: mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond)), bars: map[string]*mpb.Bar{}, cur: map[string]int64{}, total: map[string]int64{}, out: w}
}

func (b *barProgress) Phase(string) {}

func (b *barProgress) Table(name string, estimate int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bars[name] != nil {
		return
	}
	if estimate <= 0 {
		estimate = 1
	}
	b.total[name] = estimate
	b.bars[name] = b.p.AddBar(estimate,
		mpb.PrependDecorators(decor.Name(name, decor.WC{C: decor.DindentRight | decor.DextraSpace}), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.AverageSpeed(nil, "% .0f rows/s", decor.WCSyncSpace), decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done")),
	)
}

func (b *barProgress) Add(name string, rows int64) {
	b.mu.Lock()
	bar := b.bars[name]
	b.mu.Unlock()
	if bar == nil {
		return
	}
	b.mu.Lock()
	if b.cur[name] == 0 && rows > 0 {
		// Rates and ETA count from the first row, not from when the bar was drawn.
		bar.DecoratorAverageAdjust(time.Now())
	}
	b.cur[name] += rows
	// Estimates from statistics can be low: grow the total, never finish early.
	if b.cur[name] >= b.total[name] {
		b.total[name] = b.cur[name] + b.cur[name]/10 + 1
		bar.SetTotal(b.total[name], false)
	}
	b.mu.Unlock()
	bar.IncrInt64(rows)
}

func (b *barProgress) TableDone(name string) {
	b.mu.Lock()
	bar := b.bars[name]
	b.mu.Unlock()
	if bar != nil {
		bar.SetTotal(-1, true)
	}
}

// Write prints log lines above the bars while they run, and straight to
// the terminal afterwards.
func (b *barProgress) Write(p []byte) (int, error) {
	b.mu.Lock()
	done := b.done
	b.mu.Unlock()
	if !done {
		if n, err := b.p.Write(p); err == nil {
			return n, nil
		}
	}
	return b.out.Write(p)
}

func (b *barProgress) Wait() {
	b.mu.Lock()
	if b.done {
		b.mu.Unlock()
		return
	}
	b.done = true
	for _, bar := range b.bars {
		if !bar.Completed() {
			bar.Abort(false)
		}
	}
	b.mu.Unlock()
	b.p.Wait()
}

// logProgress logs a line every interval when output is not a terminal.
type logProgress struct {
	mu       sync.Mutex
	rows     map[string]int64
	est      map[string]int64
	done     map[string]bool
	start    time.Time
	stop     chan struct{}
	wg       sync.WaitGroup
	log      *slog.Logger
	stopOnce sync.Once
}

func newLogProgress(log *slog.Logger, every time.Duration) *logProgress {
	l := &logProgress{rows: map[string]int64{}, est: map[string]int64{}, done: map[string]bool{}, start: time.Now(), stop: make(chan struct{}), log: log}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.report()
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

func (l *logProgress) report() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var total int64
	var active []string
	for n, r := range l.rows {
		total += r
		if !l.done[n] && r > 0 {
			active = append(active, n)
		}
	}
	if total == 0 {
		return
	}
	sort.Strings(active)
	secs := time.Since(l.start).Seconds()
	l.log.Info("progress", "rows", total, "rows_per_sec", int64(float64(total)/secs), "tables_done", len(l.done), "tables", len(l.est), "copying", active)
}

func (l *logProgress) Phase(name string) { l.log.Info("phase", "name", name) }
func (l *logProgress) Table(name string, estimate int64) {
	l.mu.Lock()
	l.est[name] = estimate
	l.mu.Unlock()
}
func (l *logProgress) Add(name string, rows int64) {
	l.mu.Lock()
	l.rows[name] += rows
	l.mu.Unlock()
}
func (l *logProgress) TableDone(name string) {
	l.mu.Lock()
	l.done[name] = true
	l.mu.Unlock()
}
func (l *logProgress) Wait() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
}
