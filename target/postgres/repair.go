package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/target"
)

// Statement is one SQL statement with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Repair is one repair transaction of a table (ferry verify --repair).
type Repair struct {
	// Delete runs first, in order: it removes rows the source does not
	// have (and, for tables without a primary key, rows to re-copy).
	Delete []Statement
	// Upsert names the primary key columns (target names): a written row
	// whose key exists replaces that row. Empty: rows are inserted.
	Upsert []string
	// Rows are the source rows to write, one value per column of the
	// table plan's Load list in the source's text form, as LoadChunk takes
	// them; they are converted with the migration's encodings.
	Rows target.RowSource
	// WholeTable marks a repair that deletes every row and copies the
	// table again: it runs only with triggers off (ErrTriggersOn
	// otherwise), since deleting every row would fire the ON DELETE
	// actions of foreign keys that reference the table, and user triggers.
	WholeTable bool
}

// ErrTriggersOn is returned by Repair for a WholeTable repair when the
// user may not switch triggers off; repair row by row instead.
var ErrTriggersOn = errors.New("target: triggers cannot be switched off (session_replication_role), so the table is not deleted and copied whole")

// RepairStats counts what a repair did.
type RepairStats struct {
	Deleted int64
	Written int64
	// TriggersFired is set when triggers could not be switched off for the
	// repair (session_replication_role needs a superuser): ON UPDATE
	// triggers may then have changed the repaired rows again.
	TriggersFired bool
}

// Repair applies r to table tp in one transaction: deletes, then the rows
// (through COPY into a temporary table and INSERT ... ON CONFLICT when
// Upsert is set), then moves identity sequences past the new maximum.
// Triggers, including foreign key checks, are off when the user may switch
// them off: the rows are the source's own, which satisfied them there.
func (t *Target) Repair(ctx context.Context, tp *convert.TablePlan, r Repair) (RepairStats, error) {
	var st RepairStats
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return st, fmt.Errorf("target: %w", err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return st, fmt.Errorf("target: begin: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // no-op after commit
	sp, err := tx.Begin(ctx)
	if err != nil {
		return st, fmt.Errorf("target: savepoint: %w", err)
	}
	if _, err := sp.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		if r.WholeTable {
			return st, ErrTriggersOn
		}
		st.TriggersFired = true
		if err := sp.Rollback(ctx); err != nil {
			return st, fmt.Errorf("target: rollback to savepoint: %w", err)
		}
	} else if err := sp.Commit(ctx); err != nil {
		return st, fmt.Errorf("target: release savepoint: %w", err)
	}

	if len(r.Delete) > 0 {
		b := &pgx.Batch{}
		for _, s := range r.Delete {
			b.Queue(s.SQL, s.Args...)
		}
		br := tx.SendBatch(ctx, b)
		for range r.Delete {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return st, fmt.Errorf("target: delete rows of %s: %w", tp.Ident(), err)
			}
			st.Deleted += tag.RowsAffected()
		}
		if err := br.Close(); err != nil {
			return st, fmt.Errorf("target: delete rows of %s: %w", tp.Ident(), err)
		}
	}

	if r.Rows != nil {
		cols := make([]string, len(tp.Load))
		for i, c := range tp.Load {
			cols[i] = quoteIdent(c.Name)
		}
		list := strings.Join(cols, ", ")
		if len(r.Upsert) == 0 {
			st.Written, err = copyText(ctx, tx, tp, tp.Ident(), list, r.Rows)
			if err != nil {
				return st, err
			}
		} else {
			if _, err := tx.Exec(ctx, "CREATE TEMP TABLE ferry_repair (LIKE "+tp.Ident()+") ON COMMIT DROP"); err != nil {
				return st, fmt.Errorf("target: create temporary table for %s: %w", tp.Ident(), err)
			}
			if _, err := copyText(ctx, tx, tp, "pg_temp.ferry_repair", list, r.Rows); err != nil {
				return st, err
			}
			tag, err := tx.Exec(ctx, upsertSQL(tp, cols, list, r.Upsert))
			if err != nil {
				var pe *pgconn.PgError
				if errors.As(err, &pe) && pe.Code == "42P10" {
					return st, fmt.Errorf("target: %s has no primary key on (%s), which --repair needs: build it first (ferry migrate adds keys after the data): %w", tp.Ident(), strings.Join(r.Upsert, ", "), err)
				}
				return st, fmt.Errorf("target: write repaired rows of %s: %w", tp.Ident(), err)
			}
			st.Written = tag.RowsAffected()
		}
		for _, c := range tp.Load {
			if !c.Source.AutoIncrement {
				continue
			}
			// Move the identity or owned sequence past the largest key, never back.
			q := fmt.Sprintf(`SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS s,
				(SELECT max(%s) FROM %s)::bigint AS m) x
				WHERE s IS NOT NULL AND m >= 1 AND m >= COALESCE(pg_sequence_last_value(s), 0)`, quoteIdent(c.Name), tp.Ident())
			if _, err := tx.Exec(ctx, q, tp.Ident(), c.Name); err != nil {
				return st, fmt.Errorf("target: move the sequence of %s.%s past its maximum: %w", tp.Ident(), quoteIdent(c.Name), err)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return st, fmt.Errorf("target: commit repair of %s: %w", tp.Ident(), err)
	}
	return st, nil
}

func upsertSQL(tp *convert.TablePlan, cols []string, list string, keys []string) string {
	isKey := map[string]bool{}
	qk := make([]string, len(keys))
	for i, k := range keys {
		isKey[k] = true
		qk[i] = quoteIdent(k)
	}
	var set []string
	for i, c := range tp.Load {
		if !isKey[c.Name] {
			set = append(set, cols[i]+" = EXCLUDED."+cols[i])
		}
	}
	action := "DO NOTHING"
	if len(set) > 0 {
		action = "DO UPDATE SET " + strings.Join(set, ", ")
	}
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM pg_temp.ferry_repair ON CONFLICT (%s) %s",
		tp.Ident(), list, list, strings.Join(qk, ", "), action)
}

// copyText copies rows into table in COPY's text format, each value
// converted with its column's encoding (as LoadChunk's text format does).
func copyText(ctx context.Context, tx pgx.Tx, tp *convert.TablePlan, table, list string, rows target.RowSource) (int64, error) {
	// As in LoadChunk: a failed COPY cancels the source query.
	pctx, pcancel := context.WithCancel(ctx)
	defer pcancel()
	pr, pw := io.Pipe()
	prodErr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, copyBufSize)
		var line []byte
		err := rows(pctx, func(row [][]byte) error {
			if len(row) != len(tp.Load) {
				return fmt.Errorf("%s: a row has %d values for %d columns", tp.Ident(), len(row), len(tp.Load))
			}
			line = line[:0]
			for i, v := range row {
				if i > 0 {
					line = append(line, '\t')
				}
				if v == nil {
					line = append(line, '\\', 'N')
					continue
				}
				var err error
				if line, _, err = tp.Load[i].Encoding.Encode(line, v); err != nil {
					return fmt.Errorf("%s column %s: %w", tp.Ident(), quoteIdent(tp.Load[i].Name), err)
				}
			}
			line = append(line, '\n')
			_, err := bw.Write(line)
			return err
		})
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		prodErr <- err
	}()
	tag, copyErr := tx.Conn().PgConn().CopyFrom(ctx, pr, "COPY "+table+" ("+list+") FROM STDIN")
	pr.CloseWithError(io.ErrClosedPipe) // unblock the producer if COPY failed
	if copyErr != nil {
		pcancel()
	}
	perr := <-prodErr
	switch {
	case copyErr != nil && (perr == nil || errors.Is(perr, io.ErrClosedPipe) || errors.Is(perr, context.Canceled)):
		// The producer only stopped because COPY failed: report why.
		return 0, fmt.Errorf("target: copy into %s: %w", table, copyErr)
	case perr != nil:
		return 0, perr
	case copyErr != nil:
		return 0, fmt.Errorf("target: copy into %s: %w", table, copyErr)
	}
	return tag.RowsAffected(), nil
}
