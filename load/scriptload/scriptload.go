// Package scriptload writes rows read from files (Oracle INSERT scripts,
// SQL*Loader data) into existing PostgreSQL tables with COPY.
//
// Values are converted for the target column types read from the
// PostgreSQL catalog (integer, numeric, timestamp, date, bytea, boolean,
// text, json, ...), with Oracle's implicit conversions. Consecutive rows
// for the same table and column list are batched into one COPY (at most
// BatchBytes of encoded rows are held in memory). The whole load is one
// transaction: a bad row stops it with its file:line and nothing is
// loaded, so a corrected rerun starts from scratch. Foreign keys and
// triggers do not fire during the load when the user may set
// session_replication_role (rows may then come in any order, like the
// circular references of the HR sample); otherwise constraints are
// deferred where they are deferrable. After the rows, identity and serial
// sequences of the loaded tables restart past the largest value.
package scriptload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferrydb/ferry/source/oraclescript"
)

// DefaultBatchBytes is the COPY batch size when Options.BatchBytes is 0.
const DefaultBatchBytes = 4 << 20

// Options tune a load.
type Options struct {
	// Schema receives every table; "" resolves names as written: a
	// qualified name's owner (folded to lower case) or, for an
	// unqualified one, the search_path.
	Schema     string
	BatchBytes int
	Logger     *slog.Logger
}

// Row is one row to load.
type Row struct {
	Schema, Table string   // PostgreSQL names; Schema may be ""
	Columns       []string // nil: every non-generated column in table order
	Values        []oraclescript.Value
	Pos           string // file:line, for errors
}

// TableCount is the number of rows loaded into a table.
type TableCount struct {
	Table string // schema.table
	Rows  int64
}

// Loader holds the load's transaction.
type Loader struct {
	opt     Options
	log     *slog.Logger
	conn    *pgxpool.Conn
	tx      pgx.Tx
	session *oraclescript.Session
	tables  map[string]*table // by "schema.table" as given in rows
	order   []*table
	batch   batch
}

type table struct {
	schema, name string
	ident        string // quoted schema.name
	cols         []*column
	byName       map[string]*column
	insertable   []*column // columns of an INSERT without a column list
	rows         int64
}

type batch struct {
	key  string
	t    *table
	cols []*column
	sql  string
	buf  []byte
	pos  []string // file:line of each row, to name the row COPY rejects
}

// Begin opens the load's transaction on one connection of pool. session
// supplies the NLS masks for strings loaded into date columns.
func Begin(ctx context.Context, pool *pgxpool.Pool, session *oraclescript.Session, opt Options) (*Loader, error) {
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = DefaultBatchBytes
	}
	l := &Loader{opt: opt, log: opt.Logger, session: session, tables: map[string]*table{}}
	if l.log == nil {
		l.log = slog.Default()
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	l.conn = conn
	if l.tx, err = conn.Begin(ctx); err != nil {
		conn.Release()
		return nil, fmt.Errorf("target: begin: %w", err)
	}
	if _, err := l.tx.Exec(ctx, "SAVEPOINT ferry_role"); err != nil {
		l.Rollback()
		return nil, fmt.Errorf("target: %w", err)
	}
	if _, err := l.tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		if _, err2 := l.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT ferry_role"); err2 != nil {
			l.Rollback()
			return nil, fmt.Errorf("target: %w", err2)
		}
		if _, err2 := l.tx.Exec(ctx, "SET CONSTRAINTS ALL DEFERRED"); err2 != nil {
			l.Rollback()
			return nil, fmt.Errorf("target: %w", err2)
		}
		l.log.Warn("foreign keys and triggers stay on during the load (session_replication_role needs superuser or, from PostgreSQL 15, SET privilege on it): rows must come in dependency order unless the constraints are deferrable", "error", err)
	}
	return l, nil
}

// Add queues one row; it is written when its batch is full or the next
// row goes elsewhere.
func (l *Loader) Add(ctx context.Context, r Row) error {
	t, err := l.table(ctx, r)
	if err != nil {
		return err
	}
	cols := t.insertable
	key := t.ident
	if r.Columns != nil {
		cols = make([]*column, len(r.Columns))
		for i, n := range r.Columns {
			c := t.byName[n]
			if c == nil {
				return fmt.Errorf("%s: table %s has no column %q", r.Pos, t.ident, n)
			}
			cols[i] = c
		}
		key += "(" + strings.Join(r.Columns, "\x00") + ")"
	}
	if len(r.Values) != len(cols) {
		return fmt.Errorf("%s: %d values for the %d columns of %s", r.Pos, len(r.Values), len(cols), t.ident)
	}
	if key != l.batch.key || len(l.batch.buf) >= l.opt.BatchBytes {
		if err := l.flush(ctx); err != nil {
			return err
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = quoteIdent(c.name)
		}
		l.batch = batch{key: key, t: t, cols: cols, buf: l.batch.buf[:0], pos: l.batch.pos[:0],
			sql: fmt.Sprintf("COPY %s (%s) FROM STDIN", t.ident, strings.Join(names, ", "))}
	}
	b := &l.batch
	start := len(b.buf)
	for i, v := range r.Values {
		if i > 0 {
			b.buf = append(b.buf, '\t')
		}
		if b.buf, err = encode(b.buf, v, cols[i], l.session); err != nil {
			b.buf = b.buf[:start]
			return fmt.Errorf("%s: %s column %s: %w", r.Pos, t.ident, cols[i].name, err)
		}
	}
	b.buf = append(b.buf, '\n')
	b.pos = append(b.pos, r.Pos)
	return nil
}

var copyLine = regexp.MustCompile(`COPY [^,]*, line (\d+)`)

func (l *Loader) flush(ctx context.Context) error {
	b := &l.batch
	if len(b.pos) == 0 {
		return nil
	}
	_, err := l.tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(b.buf), b.sql)
	if err != nil {
		var pe *pgconn.PgError
		where := b.pos[0] + " (batch start)"
		if errors.As(err, &pe) {
			if m := copyLine.FindStringSubmatch(pe.Where); m != nil {
				if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(b.pos) {
					where = b.pos[n-1]
				}
			}
		}
		return fmt.Errorf("%s: loading into %s: %w", where, b.t.ident, err)
	}
	b.t.rows += int64(len(b.pos))
	b.buf, b.pos = b.buf[:0], b.pos[:0]
	return nil
}

// table resolves and describes the row's table (once per name).
func (l *Loader) table(ctx context.Context, r Row) (*table, error) {
	schema := r.Schema
	if l.opt.Schema != "" {
		schema = l.opt.Schema
	}
	key := schema + "." + r.Table
	if t := l.tables[key]; t != nil {
		return t, nil
	}
	if schema == "" {
		err := l.tx.QueryRow(ctx, `SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relname = $1 AND c.relkind IN ('r','p') AND n.nspname = ANY (current_schemas(false))
			ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1`, r.Table).Scan(&schema)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("%s: table %q is not in the target's search_path: create the tables first, or name their schema with --schema", r.Pos, r.Table)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: target: look up table %q: %w", r.Pos, r.Table, err)
		}
	}
	t := &table{schema: schema, name: r.Table, ident: quoteIdent(schema) + "." + quoteIdent(r.Table), byName: map[string]*column{}}
	rows, err := l.tx.Query(ctx, `SELECT a.attname, COALESCE(bt.typname, t.typname), a.attidentity <> '' OR COALESCE(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false),
			a.attgenerated <> '', COALESCE(pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname), '')
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_type t ON t.oid = a.atttypid
		LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p') AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, schema, r.Table)
	if err != nil {
		return nil, fmt.Errorf("%s: target: describe %s: %w", r.Pos, t.ident, err)
	}
	for rows.Next() {
		c := &column{}
		var generated bool
		if err := rows.Scan(&c.name, &c.typ, &c.identity, &generated, &c.seq); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%s: target: describe %s: %w", r.Pos, t.ident, err)
		}
		t.cols = append(t.cols, c)
		t.byName[c.name] = c
		if !generated {
			t.insertable = append(t.insertable, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: target: describe %s: %w", r.Pos, t.ident, err)
	}
	if len(t.cols) == 0 {
		return nil, fmt.Errorf("%s: table %s does not exist in the target: create the tables first (or pick their schema with --schema)", r.Pos, t.ident)
	}
	l.tables[key] = t
	l.order = append(l.order, t)
	return t, nil
}

// Commit writes what is queued, restarts the loaded tables' identity and
// serial sequences past their largest value, commits, and reports the
// rows per table in order of first appearance.
func (l *Loader) Commit(ctx context.Context) ([]TableCount, error) {
	defer l.Rollback()
	if err := l.flush(ctx); err != nil {
		return nil, err
	}
	var out []TableCount
	for _, t := range l.order {
		for _, c := range t.cols {
			if !c.identity || c.seq == "" || t.rows == 0 {
				continue
			}
			q := fmt.Sprintf("SELECT setval($1::regclass, m) FROM (SELECT max(%s) AS m FROM %s) x WHERE m IS NOT NULL", quoteIdent(c.name), t.ident)
			if _, err := l.tx.Exec(ctx, q, c.seq); err != nil {
				return nil, fmt.Errorf("target: restart sequence %s of %s: %w", c.seq, t.ident, err)
			}
		}
		out = append(out, TableCount{Table: t.schema + "." + t.name, Rows: t.rows})
	}
	if err := l.tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("target: commit the load: %w", err)
	}
	return out, nil
}

// Rollback abandons the load (a no-op after Commit) and releases the
// connection.
func (l *Loader) Rollback() {
	if l.conn == nil {
		return
	}
	_ = l.tx.Rollback(context.Background())
	l.conn.Release()
	l.conn = nil
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Clear prepares a table for a SQL*Loader load method: "INSERT" checks
// the table is empty, "REPLACE" deletes its rows, "TRUNCATE" truncates
// it, "APPEND" does nothing. It runs in the load's transaction.
func (l *Loader) Clear(ctx context.Context, schema, name, method, pos string) error {
	t, err := l.table(ctx, Row{Schema: schema, Table: name, Pos: pos})
	if err != nil {
		return err
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	switch method {
	case "APPEND":
	case "INSERT":
		var nonEmpty bool
		if err := l.tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t.ident+")").Scan(&nonEmpty); err != nil {
			return fmt.Errorf("%s: target: read %s: %w", pos, t.ident, err)
		}
		if nonEmpty && t.rows == 0 {
			return fmt.Errorf("%s: table %s is not empty: the load method INSERT (SQL*Loader's default) needs an empty table; say APPEND, REPLACE or TRUNCATE in the control file", pos, t.ident)
		}
	case "REPLACE":
		if _, err := l.tx.Exec(ctx, "DELETE FROM "+t.ident); err != nil {
			return fmt.Errorf("%s: target: REPLACE: delete the rows of %s: %w", pos, t.ident, err)
		}
	case "TRUNCATE":
		if _, err := l.tx.Exec(ctx, "TRUNCATE "+t.ident); err != nil {
			return fmt.Errorf("%s: target: TRUNCATE %s: %w", pos, t.ident, err)
		}
	default:
		return fmt.Errorf("%s: unknown load method %q", pos, method)
	}
	return nil
}
