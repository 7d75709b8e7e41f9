package load

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferrydb/ferry/convert"
)

// keyStatements returns the primary-key statement of a table, with the
// deferred NOT NULLs of date columns folded in (one table scan). A date
// column where zero dates became NULL keeps its NULLs (see
// reportZeroDateColumns).
func (r *runner) keyStatements(tp *convert.TablePlan, zero map[string]int64) []string {
	var parts []string
	for _, c := range tp.DeferredNotNull {
		if zero[c] > 0 {
			continue
		}
		parts = append(parts, "ALTER COLUMN "+convert.QuoteIdent(c)+" SET NOT NULL")
	}
	if tp.PrimaryKey != "" {
		parts = append(parts, strings.TrimPrefix(tp.PrimaryKey, "ALTER TABLE "+tp.Ident()+" "))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{"ALTER TABLE " + tp.Ident() + " " + strings.Join(parts, ", ")}
}

// postLoad builds keys and indexes (in parallel), then foreign keys, then
// identities, triggers and comments. Each statement is checkpointed.
func (r *runner) postLoad(ctx context.Context) error {
	type group struct {
		name  string
		stmts []string
	}
	var keys, idx, fks, after []string
	for _, tp := range r.plan.Tables {
		var zero map[string]int64
		r.st.Read(func(s *State) {
			if ts := s.Tables[tp.Source.QualifiedName()]; ts != nil {
				zero = ts.ZeroDates
			}
		})
		keys = append(keys, r.keyStatements(tp, zero)...)
		for _, c := range tp.DeferredNotNull {
			if zero[c] > 0 {
				r.report.ActionItems = append(r.report.ActionItems, convert.ActionItem{
					Object: tp.Source.QualifiedName() + "." + c, Kind: "column",
					Reason: fmt.Sprintf("NOT NULL not applied: %d zero dates were loaded as NULL; fix the data, then ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", zero[c], tp.Ident(), convert.QuoteIdent(c)),
				})
			}
		}
		idx = append(idx, tp.Indexes...)
		fks = append(fks, tp.ForeignKeys...)
		if len(tp.After) > 0 {
			// One unit per table, in order (a trigger needs its function);
			// every statement in it is idempotent.
			after = append(after, strings.Join(tp.After, ";\n"))
		}
	}
	// Primary keys and indexes together: the biggest work, spread over the
	// workers; PostgreSQL's locks order a table's key and its indexes.
	for _, g := range []group{{"keys and indexes", append(keys, idx...)}, {"foreign keys", fks}, {"identities, triggers and comments", after}} {
		if err := r.runParallel(ctx, g.name, g.stmts); err != nil {
			return err
		}
	}
	return nil
}

// runParallel runs statements on up to Parallel connections, skipping the
// ones the checkpoint marks done. Deadlocks (two foreign keys locking the
// same pair of tables) are retried by the target.
func (r *runner) runParallel(ctx context.Context, what string, stmts []string) error {
	p := r.startDDL(ctx, what, r.t.Parallel)
	p.submit(stmts...)
	return p.wait()
}

// ddlPool runs post-load statements on a few connections while other work
// goes on, checkpointing each statement once it succeeds.
type ddlPool struct {
	r    *runner
	what string
	// queue is unbounded: callbacks submit from worker goroutines and must
	// never block on a full queue.
	qmu    sync.Mutex
	qcond  *sync.Cond
	queue  []ddlJob
	closed bool
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	err    error
	// pending counts submitted jobs not yet finished (callbacks included),
	// so wait never closes the queue under a callback that submits more.
	pending sync.WaitGroup
}

func (r *runner) startDDL(ctx context.Context, what string, workers int) *ddlPool {
	p := &ddlPool{r: r, what: what}
	p.qcond = sync.NewCond(&p.qmu)
	p.ctx, p.cancel = context.WithCancel(ctx)
	for w := 0; w < max(workers, 1); w++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				job, ok := p.next()
				if !ok {
					return
				}
				p.run(job)
			}
		}()
	}
	return p
}

// next takes the oldest queued job, waiting for one; ok is false once the
// pool is closed and drained.
func (p *ddlPool) next() (ddlJob, bool) {
	p.qmu.Lock()
	defer p.qmu.Unlock()
	for len(p.queue) == 0 && !p.closed {
		p.qcond.Wait()
	}
	if len(p.queue) == 0 {
		return ddlJob{}, false
	}
	job := p.queue[0]
	p.queue = p.queue[1:]
	return job, true
}

func (p *ddlPool) run(job ddlJob) {
	defer p.pending.Done()
	r := p.r
	st := job.sql
	if p.ctx.Err() != nil {
		return
	}
	begin := time.Now()
	err := r.dst.Exec(p.ctx, st)
	r.log.Debug("post-load statement", "seconds", time.Since(begin).Seconds(), "sql", firstLine(st))
	if err == nil || r.opt.IsAlreadyExists(err) {
		err = r.st.Update(func(s *State) { s.PostDone[statementID(st)] = true })
	}
	if err == nil && job.done != nil {
		job.done()
	}
	if err != nil {
		p.mu.Lock()
		if p.err == nil {
			p.err = fmt.Errorf("target: %s: %w\nstatement: %s", p.what, err, st)
		}
		p.mu.Unlock()
		p.cancel()
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

type ddlJob struct {
	sql  string
	done func() // called after the statement succeeded
}

// submit queues statements that the checkpoint does not mark done.
func (p *ddlPool) submit(stmts ...string) {
	for _, st := range stmts {
		p.submitThen(st, nil)
	}
}

// submitThen queues one statement and calls done once it has run (at
// once, synchronously, when the checkpoint says it ran before). It must
// not be called after wait.
func (p *ddlPool) submitThen(st string, done func()) {
	var ran bool
	p.r.st.Read(func(s *State) { ran = s.PostDone[statementID(st)] })
	if ran {
		if done != nil {
			done()
		}
		return
	}
	p.pending.Add(1)
	p.qmu.Lock()
	p.queue = append(p.queue, ddlJob{sql: st, done: done})
	p.qmu.Unlock()
	p.qcond.Signal()
}

// wait finishes the queued statements and returns the first error.
func (p *ddlPool) wait() error {
	p.pending.Wait()
	p.qmu.Lock()
	p.closed = true
	p.qmu.Unlock()
	p.qcond.Broadcast()
	p.wg.Wait()
	p.cancel()
	return p.err
}

// createViews creates translated views, retrying those that depend on
// views not yet created; views PostgreSQL rejects become action items.
func (r *runner) createViews(ctx context.Context) error {
	pending := append([]*convert.ViewPlan(nil), r.plan.Views...)
	lastErr := map[string]error{}
	for len(pending) > 0 {
		var next []*convert.ViewPlan
		for _, v := range pending {
			var done bool
			r.st.Read(func(s *State) { done = s.PostDone[statementID(v.SQL)] })
			if done {
				r.report.Views = append(r.report.Views, v.Schema+"."+v.Name)
				continue
			}
			err := r.dst.Exec(ctx, v.SQL)
			if err == nil || r.opt.IsAlreadyExists(err) {
				r.report.Views = append(r.report.Views, v.Schema+"."+v.Name)
				if err := r.st.Update(func(s *State) { s.PostDone[statementID(v.SQL)] = true }); err != nil {
					return err
				}
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			lastErr[v.Name] = err
			next = append(next, v)
		}
		if len(next) == len(pending) {
			for _, v := range next {
				r.report.ActionItems = append(r.report.ActionItems, convert.ActionItem{
					Object: v.Source.Schema + "." + v.Source.Name, Kind: "view",
					Reason: "translated view rejected by PostgreSQL: " + lastErr[v.Name].Error() + "; fix the SQL and create it by hand",
					Source: v.SQL,
				})
			}
			break
		}
		pending = next
	}
	sort.Strings(r.report.Views)
	return nil
}
