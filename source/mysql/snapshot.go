package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/source"
)

// snapshot is n connections, each inside a REPEATABLE READ transaction
// started WITH CONSISTENT SNAPSHOT while a global read lock was held, so all
// of them see the same point, and the binlog position of that point.
type snapshot struct {
	conns      []*sql.Conn
	readers    []*reader
	pos        catalog.Position
	consistent bool
}

// Snapshot opens n readers on one consistent point. It takes FLUSH TABLES
// WITH READ LOCK for the few milliseconds it needs to open them (that needs
// the RELOAD privilege). Without it, each reader opens its own snapshot;
// on MariaDB the binlog position of each is exact, and Position is the
// earliest one, so a CDC phase started there misses nothing.
func (s *Source) Snapshot(ctx context.Context, n int) (source.Snapshot, error) {
	if n < 1 {
		n = 1
	}
	sn := &snapshot{}
	fail := func(err error) (source.Snapshot, error) {
		sn.Close()
		return nil, err
	}
	for i := 0; i < n; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return fail(connectError(s.cfg, err))
		}
		sn.conns = append(sn.conns, c)
	}
	lockConn, err := s.db.Conn(ctx)
	if err != nil {
		return fail(connectError(s.cfg, err))
	}
	defer lockConn.Close()
	locked := true
	// Never queue the source's writes behind a long query for long: the
	// lock waits a few seconds at most, then ferry goes on without it.
	if _, err := lockConn.ExecContext(ctx, "SET SESSION lock_wait_timeout = 10"); err != nil {
		return fail(fmt.Errorf("source: set lock_wait_timeout: %w", err))
	}
	if _, err := lockConn.ExecContext(ctx, "FLUSH TABLES WITH READ LOCK"); err != nil {
		locked = false
		slog.Warn("source: cannot take a global read lock for a shared snapshot (grant RELOAD, or wait for long queries to end); readers use separate snapshots and CDC starts from the earliest position", "err", err)
	} else {
		// Whatever happens next, the lock is released before the connection
		// goes back to the pool.
		defer lockConn.ExecContext(context.Background(), "UNLOCK TABLES") //nolint:errcheck // best effort on error paths
	}
	var positions []catalog.Position
	for _, c := range sn.conns {
		if _, err := c.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
			return fail(fmt.Errorf("source: set isolation level: %w", err))
		}
		if !locked && !s.mariadb {
			// MySQL has no per-snapshot position: read it before the
			// snapshot starts, so it is at or before the snapshot point.
			p, err := s.masterPosition(ctx, c)
			if err != nil {
				return fail(err)
			}
			positions = append(positions, p)
		}
		if _, err := c.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"); err != nil {
			return fail(fmt.Errorf("source: start snapshot transaction: %w", err))
		}
		if !locked && s.mariadb {
			p, err := s.connSnapshotPosition(ctx, c)
			if err != nil {
				return fail(err)
			}
			positions = append(positions, p)
		}
	}
	if locked {
		p, err := s.masterPosition(ctx, lockConn)
		if _, uerr := lockConn.ExecContext(ctx, "UNLOCK TABLES"); uerr != nil && err == nil {
			err = fmt.Errorf("source: unlock tables: %w", uerr)
		}
		if err != nil {
			return fail(err)
		}
		sn.pos, sn.consistent = p, true
	} else {
		sn.pos = positions[0]
		sn.consistent = s.mariadb
		for _, p := range positions[1:] {
			if p != sn.pos {
				sn.consistent = false
			}
			if p.File < sn.pos.File || (p.File == sn.pos.File && p.Pos < sn.pos.Pos) {
				sn.pos = p
			}
		}
	}
	for _, c := range sn.conns {
		sn.readers = append(sn.readers, &reader{conn: c, longLat: s.axisOrderMatters()})
	}
	return sn, nil
}

// masterPosition reads the binlog position and GTID set. Binary logging
// off is not an error for a full load: the position is then empty.
func (s *Source) masterPosition(ctx context.Context, c *sql.Conn) (catalog.Position, error) {
	p := catalog.Position{Dialect: "mysql", Flavor: "mysql"}
	if s.mariadb {
		p.Flavor = "mariadb"
	}
	file, pos, err := showMasterStatus(ctx, c)
	if err != nil {
		return p, err
	}
	p.File, p.Pos = file, pos
	var gtid sql.NullString
	q := "SELECT @@GLOBAL.gtid_executed"
	if s.mariadb {
		q = "SELECT @@GLOBAL.gtid_binlog_pos"
	}
	if err := c.QueryRowContext(ctx, q).Scan(&gtid); err == nil {
		p.GTID = strings.ReplaceAll(gtid.String, "\n", "")
	}
	return p, nil
}

func showMasterStatus(ctx context.Context, c *sql.Conn) (string, uint64, error) {
	rows, err := c.QueryContext(ctx, "SHOW MASTER STATUS")
	if err != nil {
		// MySQL 8.4 renamed it.
		var err2 error
		rows, err2 = c.QueryContext(ctx, "SHOW BINARY LOG STATUS")
		if err2 != nil {
			return "", 0, fmt.Errorf("source: read binlog position (needs REPLICATION CLIENT or BINLOG MONITOR): %w", errors.Join(err, err2))
		}
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		return "", 0, rows.Err() // binary log disabled
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return "", 0, err
	}
	pos, _ := strconv.ParseUint(string(vals[1]), 10, 64)
	return string(vals[0]), pos, nil
}

// connSnapshotPosition reads MariaDB's per-transaction snapshot position.
func (s *Source) connSnapshotPosition(ctx context.Context, c *sql.Conn) (catalog.Position, error) {
	p := catalog.Position{Dialect: "mysql", Flavor: "mariadb"}
	rows, err := c.QueryContext(ctx, "SHOW STATUS LIKE 'binlog_snapshot_%'")
	if err != nil {
		return p, fmt.Errorf("source: read snapshot binlog position: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return p, err
		}
		switch strings.ToLower(k) {
		case "binlog_snapshot_file":
			p.File = v
		case "binlog_snapshot_position":
			p.Pos, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	if p.File != "" {
		var g sql.NullString
		if err := c.QueryRowContext(ctx, "SELECT BINLOG_GTID_POS(?, ?)", p.File, p.Pos).Scan(&g); err == nil {
			p.GTID = g.String
		}
	}
	return p, nil
}

func (sn *snapshot) Position() catalog.Position { return sn.pos }
func (sn *snapshot) Consistent() bool           { return sn.consistent }
func (sn *snapshot) Reader(i int) source.Reader { return sn.readers[i] }

func (sn *snapshot) Close() error {
	var errs []error
	for _, c := range sn.conns {
		_, _ = c.ExecContext(context.Background(), "COMMIT")
		errs = append(errs, c.Close())
	}
	sn.conns = nil
	return errors.Join(errs...)
}

type reader struct {
	conn *sql.Conn
	// longLat asks MySQL 8+ for longitude-first WKT (it follows the SRS
	// axis order, latitude first for EPSG:4326; EWKT is x/y).
	longLat bool
}

func (s *Source) axisOrderMatters() bool {
	return !s.mariadb && !strings.HasPrefix(s.version, "5.")
}

func (r *reader) KeyBounds(ctx context.Context, t *catalog.Table, column string) (int64, int64, bool, error) {
	q := fmt.Sprintf("SELECT MIN(%[1]s), MAX(%[1]s) FROM %[2]s", quoteIdent(column), qualified(t))
	var lo, hi sql.NullInt64
	if err := r.conn.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return 0, 0, false, fmt.Errorf("source: key bounds of %s: %w", t.QualifiedName(), err)
	}
	return lo.Int64, hi.Int64, lo.Valid, nil
}

// ReadExpr is the expression the loader reads a column with, so that its
// text form is exact: BIT as binary digits, spatial values as EWKT
// (longitude first when longLat), FLOAT as the exact stored float. The
// verifier builds its canonical forms on it (convert.Canonical).
func ReadExpr(c *catalog.Column, longLat bool) string {
	q := quoteIdent(c.Name)
	switch c.Type.Name {
	case "float":
		// The server prints FLOAT (single precision) to 6 significant
		// digits (1.2345678 → 1.23457), which is a different float. As a
		// DOUBLE it prints the exact value of the stored float, and
		// PostgreSQL's real reads that back to the same float, as the
		// binlog carries it.
		return fmt.Sprintf("(%s + 0e0)", q)
	case "bit":
		return fmt.Sprintf("LPAD(BIN(%s), %d, '0')", q, max(c.Type.Length, 1))
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		if longLat {
			return fmt.Sprintf("CONCAT('SRID=', ST_SRID(%[1]s), ';', ST_AsText(%[1]s, 'axis-order=long-lat'))", q)
		}
		return fmt.Sprintf("CONCAT('SRID=', ST_SRID(%[1]s), ';', ST_AsText(%[1]s))", q)
	}
	return q
}

// SelectSQL is the query ReadChunk runs, exported for tests and dry runs.
func SelectSQL(t *catalog.Table, cols []*catalog.Column, c source.Chunk) (string, []any) {
	return selectSQL(t, cols, c, false)
}

func selectSQL(t *catalog.Table, cols []*catalog.Column, c source.Chunk, longLat bool) (string, []any) {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, col := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ReadExpr(col, longLat))
	}
	b.WriteString(" FROM ")
	b.WriteString(qualified(t))
	var args []any
	if c.KeyColumn != "" && (c.Lo != nil || c.Hi != nil) {
		k := quoteIdent(c.KeyColumn)
		var conds []string
		if c.Lo != nil {
			conds = append(conds, k+" >= ?")
			args = append(args, *c.Lo)
		}
		if c.Hi != nil {
			conds = append(conds, k+" < ?")
			args = append(args, *c.Hi)
		}
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	return b.String(), args
}

// ReadChunk streams the chunk's rows straight from the driver (rawQuery).
func (r *reader) ReadChunk(ctx context.Context, t *catalog.Table, cols []*catalog.Column, c source.Chunk, fn func(row [][]byte) error) error {
	q, args := selectSQL(t, cols, c, r.longLat)
	if err := rawQuery(ctx, r.conn, q, args, fn); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("source: read %s: %w", t.QualifiedName(), err)
	}
	return nil
}
