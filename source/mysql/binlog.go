package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/pingcap/tidb/pkg/parser"
	"golang.org/x/text/encoding/charmap"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/event"
	"github.com/ferrydb/ferry/source"
)

// flavor is "mariadb" or "mysql", as go-mysql and catalog.Position spell it.
func (s *Source) flavor() string {
	if s.mariadb {
		return gomysql.MariaDBFlavor
	}
	return gomysql.MySQLFlavor
}

// CheckBinlog verifies that the server's binary log can feed CDC: log_bin
// on, binlog_format=ROW, binlog_row_image=FULL (and on MySQL no partial
// JSON updates), and that the user holds the replication privileges the
// binlog dump needs (REPLICATION SLAVE and REPLICATION CLIENT; on MariaDB
// REPLICATION SLAVE and BINLOG MONITOR). Each error names the setting or
// privilege and how to fix it.
func (s *Source) CheckBinlog(ctx context.Context) error {
	var logBin, format, image sql.NullString
	if err := s.db.QueryRowContext(ctx, "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image").Scan(&logBin, &format, &image); err != nil {
		return fmt.Errorf("source %s: read binlog settings: %w", s.cfg.Addr, err)
	}
	if v := strings.ToUpper(logBin.String); v != "1" && v != "ON" {
		return fmt.Errorf("source %s: binary logging is off (log_bin=%s); CDC needs it: start the server with log_bin (e.g. log_bin=mysql-bin and server_id=1 in my.cnf) and restart it", s.cfg.Addr, logBin.String)
	}
	if v := strings.ToUpper(format.String); v != "ROW" {
		return fmt.Errorf("source %s: binlog_format is %s; CDC needs ROW: SET GLOBAL binlog_format=ROW and add binlog_format=ROW to my.cnf (sessions already open keep the old format until they reconnect)", s.cfg.Addr, v)
	}
	if v := strings.ToUpper(image.String); v != "FULL" {
		return fmt.Errorf("source %s: binlog_row_image is %s; CDC needs FULL: SET GLOBAL binlog_row_image=FULL and add binlog_row_image=FULL to my.cnf", s.cfg.Addr, v)
	}
	if !s.mariadb {
		var opts sql.NullString
		if err := s.db.QueryRowContext(ctx, "SELECT @@GLOBAL.binlog_row_value_options").Scan(&opts); err == nil && strings.TrimSpace(opts.String) != "" {
			return fmt.Errorf("source %s: binlog_row_value_options is %s; CDC needs full JSON images: SET GLOBAL binlog_row_value_options='' and remove it from my.cnf", s.cfg.Addr, opts.String)
		}
	}
	return s.checkReplicationGrants(ctx)
}

var grantOnAll = regexp.MustCompile(`(?i)^GRANT (.*) ON \*\.\* TO `)

// checkReplicationGrants reads SHOW GRANTS for the current user and
// reports the replication privileges it lacks. Privileges that come
// through roles are not expanded: when the user has roles and the direct
// grants look insufficient, the check passes and the binlog dump itself
// reports a missing privilege.
func (s *Source) checkReplicationGrants(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "SHOW GRANTS FOR CURRENT_USER()")
	if err != nil {
		return fmt.Errorf("source %s: read the user's grants: %w", s.cfg.Addr, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	roles := false
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return fmt.Errorf("source %s: read the user's grants: %w", s.cfg.Addr, err)
		}
		m := grantOnAll.FindStringSubmatch(g)
		if m == nil {
			if strings.HasPrefix(strings.ToUpper(g), "GRANT ") && !strings.Contains(strings.ToUpper(g), " ON ") {
				roles = true // GRANT role TO user
			}
			continue
		}
		for _, p := range strings.Split(m[1], ",") {
			have[strings.ToUpper(strings.TrimSpace(p))] = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("source %s: read the user's grants: %w", s.cfg.Addr, err)
	}
	if have["ALL PRIVILEGES"] || have["ALL"] || roles {
		return nil
	}
	var missing []string
	if !have["REPLICATION SLAVE"] && !have["REPLICATION REPLICA"] {
		missing = append(missing, "REPLICATION SLAVE")
	}
	if s.mariadb {
		if !have["BINLOG MONITOR"] && !have["REPLICATION CLIENT"] && !have["SUPER"] {
			missing = append(missing, "BINLOG MONITOR")
		}
	} else if !have["REPLICATION CLIENT"] && !have["SUPER"] {
		missing = append(missing, "REPLICATION CLIENT")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("source %s: user %q lacks %s, which CDC needs to read the binary log: GRANT %s ON *.* TO the user", s.cfg.Addr, s.cfg.User, strings.Join(missing, " and "), strings.Join(missing, ", "))
}

// Stream reads the binary log from pos and calls fn once per committed
// transaction that changed rows of the given tables, in commit order, with
// the transaction's events and the position just after its commit (the
// position to resume from). It holds each transaction whole in memory;
// StreamChunks hands transactions on in bounded pieces instead.
func (s *Source) Stream(ctx context.Context, from catalog.Position, tables map[string]*catalog.Table, serverID uint32, fn func(tx []event.Event, next catalog.Position) error) error {
	var tx []event.Event
	return s.StreamChunks(ctx, from, tables, serverID, func(c event.Chunk, next catalog.Position) error {
		if c.First {
			tx = tx[:0:0]
		}
		tx = append(tx, c.Events...)
		if !c.Commit {
			return nil
		}
		if tx == nil {
			tx = []event.Event{}
		}
		return fn(tx, next)
	})
}

// StreamChunks reads the binary log from pos and hands on every committed
// transaction that changed rows of the given tables, in commit order, as
// one or more chunks (event.Chunk) of at most SetChunkSize events: memory
// stays bounded however big a transaction is. The last chunk of a
// transaction has Commit set and comes with the position just after its
// commit (the position to resume from); next means nothing on the others.
// It starts from pos.GTID when set (MariaDB
// gtid_binlog_pos or MySQL gtid_executed form), else from pos.File:pos.Pos.
//
// A chunk goes out before its transaction's commit is read: a reader of
// chunks must not treat them as committed until the Commit chunk (a
// stream that stops mid-transaction resumes before it, and the
// transaction's chunks come again from its first). Rows after a SAVEPOINT
// are held back until the transaction ends (ROLLBACK TO may drop them).
//
// tables maps "db.table" to the table's catalog as of from; it gives the
// column names and types. Row events of other tables are skipped. Schema
// changes of the tables are followed (see FollowDDL and ddl.go): they
// become schema change events, each a transaction of its own, and later
// rows decode with the new columns; after a change ferry cannot follow,
// StreamChunks returns source.ErrPaused.
//
// serverID is the replica server id ferry registers with; it must differ
// from every other replica of the source. It returns nil when ctx is
// cancelled, and otherwise the first error: a connection failure, a purged
// start position, or fn's error. It does not reconnect: resume from the
// last position fn received.
func (s *Source) StreamChunks(ctx context.Context, from catalog.Position, tables map[string]*catalog.Table, serverID uint32, fn func(c event.Chunk, next catalog.Position) error) error {
	flavor := from.Flavor
	if flavor == "" {
		flavor = s.flavor()
	}
	if flavor != gomysql.MariaDBFlavor && flavor != gomysql.MySQLFlavor {
		return fmt.Errorf("source %s: position flavor %q is not mysql or mariadb", s.cfg.Addr, flavor)
	}
	if from.GTID == "" && from.File == "" {
		return fmt.Errorf("source %s: the start position is empty (binary logging was off when it was recorded): turn log_bin on and take a new snapshot", s.cfg.Addr)
	}
	if serverID == 0 {
		return fmt.Errorf("source %s: replica server id 0 is not allowed: pick a number no other replica of the source uses", s.cfg.Addr)
	}
	host, portStr, err := net.SplitHostPort(s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("source %s: binlog reader needs host:port: %w", s.cfg.Addr, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return fmt.Errorf("source %s: port %q: %w", s.cfg.Addr, portStr, err)
	}
	cfg := replication.BinlogSyncerConfig{
		ServerID:                serverID,
		Flavor:                  flavor,
		Host:                    host,
		Port:                    uint16(port),
		User:                    s.cfg.User,
		Password:                s.cfg.Passwd,
		Charset:                 "utf8mb4",
		TLSConfig:               s.cfg.TLS,
		ParseTime:               false,
		TimestampStringLocation: time.UTC,
		// Without UseDecimal go-mysql returns DECIMAL as its exact text,
		// with every digit of the scale; that is what events carry.
		UseDecimal:            false,
		RenderJSONAsMySQLText: true,
		HeartbeatPeriod:       30 * time.Second,
		ReadTimeout:           90 * time.Second,
		DisableRetrySync:      true,
		Logger:                slog.New(slog.DiscardHandler),
		// Parsed events queued ahead of the reader: few enough to bound
		// memory (a rows event holds up to binlog_row_event_max_size of
		// rows), enough to keep the reader busy.
		EventCacheCount: 256,
	}
	syncer := replication.NewBinlogSyncer(cfg)
	defer syncer.Close()

	st := &streamState{
		s: s, tables: maps.Clone(tables), flavor: flavor, fn: fn,
		idleEvery: s.idleAdvance, lastEmit: time.Now(), chunkSize: s.chunkSize,
		file: from.File, pos: from.Pos,
		dialect: "mysql",
	}
	var streamer *replication.BinlogStreamer
	if from.GTID != "" {
		gset, err := gomysql.ParseGTIDSet(flavor, from.GTID)
		if err != nil {
			return fmt.Errorf("source %s: start GTID set %q is malformed: %w", s.cfg.Addr, from.GTID, err)
		}
		st.gset = gset
		streamer, err = syncer.StartSyncGTID(gset.Clone())
		if err != nil {
			return s.binlogError(from, err)
		}
	} else {
		// The GTID set at file:pos: MariaDB computes it; for MySQL the
		// positions carry none (a partial set would replay or fail).
		st.fromFile = true
		if s.mariadb {
			var g sql.NullString
			if err := s.db.QueryRowContext(ctx, "SELECT BINLOG_GTID_POS(?, ?)", from.File, from.Pos).Scan(&g); err == nil && g.Valid {
				if gset, err := gomysql.ParseGTIDSet(flavor, g.String); err == nil {
					st.gset, st.fromFile = gset, false
				}
			}
		}
		if from.Pos > 1<<32-1 {
			return fmt.Errorf("source %s: binlog offset %d is out of range", s.cfg.Addr, from.Pos)
		}
		streamer, err = syncer.StartSync(gomysql.Position{Name: from.File, Pos: uint32(from.Pos)})
		if err != nil {
			return s.binlogError(from, err)
		}
	}
	for {
		ev, err := streamer.GetEvent(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return s.binlogError(from, err)
		}
		if err := st.handle(ev); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil
			}
			return err
		}
	}
}

// binlogError turns replication errors into messages that say what to do.
func (s *Source) binlogError(from catalog.Position, err error) error {
	var me *gomysql.MyError
	code := uint16(0)
	if errors.As(err, &me) {
		code = me.Code
	}
	msg := err.Error()
	switch {
	case code == 1236 || strings.Contains(msg, "ERROR 1236"):
		return fmt.Errorf("source %s: the binlog at %s was purged (or never existed) on the server; ferry cannot resume there: take a new snapshot (ferry migrate) and raise binlog retention (expire_logs_days / binlog_expire_logs_seconds) so CDC can keep up: %w", s.cfg.Addr, from, err)
	case code == 1227 || code == 1045 || code == 1044 || strings.Contains(msg, "ERROR 1227"):
		need := "REPLICATION SLAVE, REPLICATION CLIENT"
		if s.mariadb {
			need = "REPLICATION SLAVE, BINLOG MONITOR"
		}
		return fmt.Errorf("source %s: user %q may not read the binary log: GRANT %s ON *.* TO the user: %w", s.cfg.Addr, s.cfg.User, need, err)
	}
	return fmt.Errorf("source %s: binlog stream from %s: %w", s.cfg.Addr, from, err)
}

// streamState follows the binlog: current file and offset, the executed
// GTID set, and the transaction being buffered.
type streamState struct {
	s       *Source
	tables  map[string]*catalog.Table
	flavor  string
	dialect string
	fn      func(event.Chunk, catalog.Position) error

	file string
	pos  uint64
	gset gomysql.GTIDSet // nil until the first GTID when started from file:pos

	inTx     bool
	txGTID   string
	txStart  string        // file:pos of the transaction's first event
	txEvents []event.Event // rows not handed on yet
	perTable map[string]int64
	// txSent counts the transaction's events already handed on in chunks
	// (chunkSize at a time) before its commit.
	txSent    int
	chunkSize int
	// savepoints mark where the buffered rows stood at each SAVEPOINT, so
	// ROLLBACK TO drops the rows after it.
	savepoints []savepoint
	// idleEvery is how often an empty transaction carries the position on
	// while only unselected tables change (0: never); lastEmit is when a
	// transaction was last handed on.
	idleEvery time.Duration
	lastEmit  time.Time
	// fromFile is true when streaming started from file:pos: the GTID set
	// then is only what was seen since, so positions carry no GTID (a
	// partial set would make a resume replay or fail).
	fromFile bool

	// DDL following (ddl.go): the parser, set once a statement stops the
	// stream, and the CREATE TABLE's default character set while one is
	// read.
	parser       *parser.Parser
	paused       bool
	tableCharset string
}

type savepoint struct {
	name string
	at   int
}

// savepointName normalizes a savepoint identifier (backquotes, case).
func savepointName(s string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), "`"))
}

func (st *streamState) begin(h *replication.EventHeader, gtid string) {
	st.inTx = true
	st.txGTID = gtid
	st.txStart = fmt.Sprintf("%s:%d", st.file, uint64(h.LogPos)-uint64(h.EventSize))
	st.txEvents = st.txEvents[:0]
	st.perTable = map[string]int64{}
	st.txSent = 0
}

// txID is the current transaction's id: its GTID, else its start file:pos.
func (st *streamState) txID() string {
	if st.txGTID != "" {
		return st.txGTID
	}
	return st.txStart
}

// number stamps events with their place in the transaction and the source
// time.
func (st *streamState) number(events []event.Event, ts uint32) {
	now := time.Now().UnixMilli()
	txID := st.txID()
	for i := range events {
		e := &events[i]
		st.perTable[e.Key()]++
		e.TsMs = now
		e.Source.TsMs = int64(ts) * 1000
		e.Transaction = &event.Transaction{ID: txID, TotalOrder: int64(st.txSent + i + 1), DataCollectionOrder: st.perTable[e.Key()]}
	}
	st.txSent += len(events)
}

// heldAfterSavepoint bounds, in chunks, the rows held back after a
// savepoint: beyond it they are handed on anyway, so a transaction that
// keeps a savepoint open does not grow in memory. (With transactional
// tables the server drops rolled-back rows from the binlog itself; a
// ROLLBACK TO in the binlog, which comes with non-transactional tables,
// then fails loudly if its rows were handed on.)
const heldAfterSavepoint = 20

// spill hands on a chunk of the open transaction once chunkSize rows are
// waiting. Rows after a savepoint stay (a ROLLBACK TO may drop them), up
// to heldAfterSavepoint chunks.
func (st *streamState) spill(h *replication.EventHeader) error {
	if st.chunkSize <= 0 {
		return nil
	}
	for {
		n := len(st.txEvents)
		if len(st.savepoints) > 0 && n-max(st.savepoints[0].at, 0) < heldAfterSavepoint*st.chunkSize {
			n = max(st.savepoints[0].at, 0)
		}
		if n < st.chunkSize {
			return nil
		}
		n = st.chunkSize
		chunk := make([]event.Event, n)
		copy(chunk, st.txEvents[:n])
		rest := copy(st.txEvents, st.txEvents[n:])
		clear(st.txEvents[rest:])
		st.txEvents = st.txEvents[:rest]
		for i := range st.savepoints {
			st.savepoints[i].at -= n
		}
		first := st.txSent == 0
		// Rows events carry the statement's time; the commit's comes later.
		st.number(chunk, h.Timestamp)
		if err := st.fn(event.Chunk{Events: chunk, First: first}, catalog.Position{}); err != nil {
			return err
		}
	}
}

func (st *streamState) handle(ev *replication.BinlogEvent) error {
	h := ev.Header
	switch e := ev.Event.(type) {
	case *replication.RotateEvent:
		st.file = string(e.NextLogName)
		st.pos = e.Position
		return nil
	case *replication.MariadbGTIDEvent:
		st.begin(h, e.GTID.String())
	case *replication.GTIDEvent:
		g, err := e.GTIDNext()
		if err != nil {
			return fmt.Errorf("source: binlog GTID event at %s:%d: %w", st.file, h.LogPos, err)
		}
		if e.GNO == 0 {
			// An anonymous GTID (gtid_mode=OFF): the transaction has none.
			st.begin(h, "")
			break
		}
		st.begin(h, g.String())
	case *replication.QueryEvent:
		q := strings.TrimSpace(string(e.Query))
		switch strings.ToUpper(q) {
		case "BEGIN":
			if !st.inTx || len(st.txEvents) > 0 {
				st.begin(h, "")
			}
		case "COMMIT":
			return st.commit(h)
		case "ROLLBACK":
			// In row format the server writes neither rolled-back rows nor
			// a ROLLBACK (non-transactional changes go out as their own
			// committed group). Should one come with rows, which of them
			// took effect cannot be told: stop rather than guess.
			if st.inTx && (len(st.txEvents) > 0 || st.txSent > 0) {
				tables := map[string]bool{}
				for i := range st.txEvents {
					tables[st.txEvents[i].Key()] = true
				}
				return fmt.Errorf("source: the transaction %s ends with ROLLBACK at %s:%d after %d row changes (tables %s): ferry cannot tell which of them took effect; load the affected tables again (--mode full+cdc --tables ...)", st.txID(), st.file, h.LogPos, len(st.txEvents)+st.txSent, strings.Join(slices.Sorted(maps.Keys(tables)), ", "))
			}
			return st.commit(h) // nothing of it to apply; the position moves past it
		default:
			upper := strings.ToUpper(q)
			switch {
			case st.inTx && strings.HasPrefix(upper, "SAVEPOINT "):
				// Part of the transaction: remember where its rows stood.
				st.savepoints = append(st.savepoints, savepoint{name: savepointName(q[len("SAVEPOINT "):]), at: len(st.txEvents)})
				return nil
			case st.inTx && strings.HasPrefix(upper, "ROLLBACK TO "):
				// The rows since the savepoint never took effect.
				name := savepointName(q[strings.LastIndex(upper, " ")+1:])
				for i := len(st.savepoints) - 1; i >= 0; i-- {
					if st.savepoints[i].name == name {
						if st.savepoints[i].at < 0 {
							return fmt.Errorf("source: ROLLBACK TO SAVEPOINT %s at %s:%d drops rows of a transaction that were already handed on (more than %d rows after the savepoint, with a non-transactional table): ferry cannot take them back; load the affected tables again (--mode full+cdc --tables ...)", name, st.file, h.LogPos, heldAfterSavepoint*st.chunkSize)
						}
						st.txEvents = st.txEvents[:st.savepoints[i].at]
						st.savepoints = st.savepoints[:i+1]
						break
					}
				}
				return nil
			case st.inTx && strings.HasPrefix(upper, "RELEASE SAVEPOINT "):
				// The savepoint and those after it are gone: their rows
				// can no longer be rolled back alone. (MySQL and MariaDB
				// do not write RELEASE to the binlog today; this is for
				// servers that do.)
				name := savepointName(q[len("RELEASE SAVEPOINT "):])
				for i := len(st.savepoints) - 1; i >= 0; i-- {
					if st.savepoints[i].name == name {
						st.savepoints = st.savepoints[:i]
						break
					}
				}
				return nil
			case strings.HasPrefix(upper, "XA "):
				return fmt.Errorf("source: XA transaction at %s:%d: ferry does not replicate XA transactions yet", st.file, h.LogPos)
			}
			// DDL and other standalone statements: a transaction of their
			// own. Schema changes of selected tables are followed (ddl.go).
			if err := st.ddl(h, e); err != nil {
				return err
			}
			if err := st.commit(h); err != nil {
				return err
			}
			if st.paused {
				return source.ErrPaused
			}
			return nil
		}
	case *replication.XIDEvent:
		return st.commit(h)
	case *replication.RowsEvent:
		return st.rows(h, e)
	case *replication.TransactionPayloadEvent:
		for _, inner := range e.Events {
			if err := st.handle(inner); err != nil {
				return err
			}
		}
		return nil
	}
	if h.LogPos > 0 && !st.inTx {
		st.pos = uint64(h.LogPos)
	}
	return nil
}

func (st *streamState) rows(h *replication.EventHeader, e *replication.RowsEvent) (err error) {
	if e.Table == nil {
		return nil
	}
	db, name := string(e.Table.Schema), string(e.Table.Table)
	t := st.tables[db+"."+name]
	if t == nil {
		return nil
	}
	cols, err := rowColumns(t, int(e.ColumnCount))
	if err != nil {
		return err
	}
	spatial := false
	for _, c := range cols {
		spatial = spatial || isSpatial(c.Type)
	}
	if !st.inTx {
		st.begin(h, "")
	}
	evPos := uint64(h.LogPos) - uint64(h.EventSize)
	mk := func(row int, op string, before, after []any) error {
		ev := event.Event{
			Op: op,
			Source: event.Source{
				Version:   event.Version,
				Connector: "mysql",
				Name:      st.s.cfg.Addr,
				Db:        db,
				Table:     name,
				ServerID:  h.ServerID,
				GTID:      st.txGTID,
				File:      st.file,
				Pos:       evPos,
				Row:       row,
			},
		}
		var err error
		if before != nil {
			if ev.Before, err = rowMap(t, cols, before); err != nil {
				return err
			}
		}
		if after != nil {
			if ev.After, err = rowMap(t, cols, after); err != nil {
				return err
			}
		}
		if spatial {
			for _, img := range []map[string]any{ev.Before, ev.After} {
				if err := st.s.spatialToText(cols, img); err != nil {
					return fmt.Errorf("source: %s: %w", t.QualifiedName(), err)
				}
			}
		}
		st.txEvents = append(st.txEvents, ev)
		return nil
	}
	defer func() {
		if err == nil {
			err = st.spill(h)
		}
	}()
	for _, sk := range e.SkippedColumns {
		if len(sk) > 0 {
			return fmt.Errorf("source %s: %s: the binlog row image at %s:%d is not full (binlog_row_image is not FULL): SET GLOBAL binlog_row_image=FULL, add it to my.cnf, and take a new snapshot", st.s.cfg.Addr, t.QualifiedName(), st.file, evPos)
		}
	}
	switch e.Type() {
	case replication.EnumRowsEventTypeInsert:
		for i, r := range e.Rows {
			if err := mk(i, event.OpCreate, nil, r); err != nil {
				return err
			}
		}
	case replication.EnumRowsEventTypeDelete:
		for i, r := range e.Rows {
			if err := mk(i, event.OpDelete, r, nil); err != nil {
				return err
			}
		}
	case replication.EnumRowsEventTypeUpdate:
		if len(e.Rows)%2 != 0 {
			return fmt.Errorf("source %s: update rows event at %s:%d has an odd number of row images", st.s.cfg.Addr, st.file, evPos)
		}
		for i := 0; i+1 < len(e.Rows); i += 2 {
			if err := mk(i/2, event.OpUpdate, e.Rows[i], e.Rows[i+1]); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("source %s: unknown rows event type %s at %s:%d", st.s.cfg.Addr, h.EventType, st.file, evPos)
	}
	return nil
}

func (st *streamState) commit(h *replication.EventHeader) error {
	if h.LogPos > 0 {
		st.pos = uint64(h.LogPos)
	}
	if st.txGTID != "" {
		if st.gset == nil {
			g, err := gomysql.ParseGTIDSet(st.flavor, "")
			if err != nil {
				return err
			}
			st.gset = g
		}
		if err := st.gset.Update(st.txGTID); err != nil {
			return fmt.Errorf("source: track GTID %s: %w", st.txGTID, err)
		}
	}
	events := st.txEvents
	first := st.txSent == 0
	if len(events) > 0 {
		st.number(events, h.Timestamp)
	}
	st.inTx, st.txGTID, st.txEvents, st.savepoints, st.txSent = false, "", nil, nil, 0
	if len(events) == 0 && first {
		// Only unselected tables changed. Now and then the position is
		// handed on anyway (an empty transaction), so what the target
		// stores keeps up with the binlog and a restart after a long quiet
		// spell does not start from binlogs that were purged meanwhile.
		if st.idleEvery <= 0 || time.Since(st.lastEmit) < st.idleEvery {
			return nil
		}
		st.lastEmit = time.Now()
		return st.fn(event.Chunk{Events: []event.Event{}, First: true, Commit: true}, st.position())
	}
	st.lastEmit = time.Now()
	return st.fn(event.Chunk{Events: events, First: first, Commit: true}, st.position())
}

// position is where the stream stands after the last committed transaction.
func (st *streamState) position() catalog.Position {
	next := catalog.Position{Dialect: st.dialect, File: st.file, Pos: st.pos, Flavor: st.flavor}
	if st.gset != nil && !st.fromFile {
		next.GTID = gtidString(st.gset)
	}
	return next
}

// gtidString prints a GTID set with its parts in a stable order.
func gtidString(g gomysql.GTIDSet) string {
	s := strings.ReplaceAll(g.String(), "\n", "")
	if _, ok := g.(*gomysql.MariadbGTIDSet); ok {
		parts := strings.Split(s, ",")
		sort.Strings(parts)
		return strings.Join(parts, ",")
	}
	return s
}

// rowColumns returns the catalog columns the binlog row image holds:
// all columns, or, when the image has fewer, the non-virtual ones.
func rowColumns(t *catalog.Table, n int) ([]*catalog.Column, error) {
	if n == len(t.Columns) {
		return t.Columns, nil
	}
	var stored []*catalog.Column
	for _, c := range t.Columns {
		if c.Generated == nil || c.Generated.Stored {
			stored = append(stored, c)
		}
	}
	if n == len(stored) {
		return stored, nil
	}
	return nil, fmt.Errorf("source: %s has %d columns in the binlog but %d in ferry's catalog: the table changed in a way ferry did not follow (a schema change it missed or was told to skip): make the target match and run a new full load", t.QualifiedName(), n, len(t.Columns))
}

func rowMap(t *catalog.Table, cols []*catalog.Column, row []any) (map[string]any, error) {
	if len(row) != len(cols) {
		return nil, fmt.Errorf("source: %s: binlog row has %d values for %d columns", t.QualifiedName(), len(row), len(cols))
	}
	m := make(map[string]any, len(cols))
	for i, c := range cols {
		v, err := convertValue(c, row[i])
		if err != nil {
			return nil, fmt.Errorf("source: %s.%s: %w", t.QualifiedName(), c.Name, err)
		}
		m[c.Name] = v
	}
	return m, nil
}

// convertValue maps a go-mysql binlog value to the event representation
// (docs/events.md), using the catalog type for what the binlog does not
// carry (signedness, enum and set members, text vs binary).
func convertValue(c *catalog.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	ty := c.Type
	switch ty.Name {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return convertInt(ty, v)
	case "bit":
		switch x := v.(type) {
		case int64:
			return uint64(x), nil
		}
		return convertInt(catalog.Type{Name: "bigint", Unsigned: true}, v)
	case "year":
		if x, ok := v.(int); ok {
			return int64(x), nil
		}
		return convertInt(ty, v)
	case "decimal", "numeric", "dec", "fixed":
		switch x := v.(type) {
		case string:
			return x, nil
		case fmt.Stringer:
			return x.String(), nil
		}
	case "float":
		if x, ok := v.(float32); ok {
			// Shortest decimal form of the float32, read as float64, so
			// 1.1 stays 1.1 rather than 1.100000023841858.
			f, err := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
			return f, err
		}
		if x, ok := v.(float64); ok {
			return x, nil
		}
	case "double", "real", "double precision":
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
	case "date", "datetime", "timestamp", "time":
		switch x := v.(type) {
		case string:
			return x, nil
		case time.Time:
			return x.UTC().Format("2006-01-02 15:04:05.999999"), nil
		}
	case "enum":
		idx, ok := v.(int64)
		if !ok {
			break
		}
		if idx == 0 {
			return "", nil // the invalid-value member MySQL stores in non-strict mode
		}
		if idx < 0 || int(idx) > len(ty.Values) {
			return nil, fmt.Errorf("enum index %d out of range for %s: the column changed (DDL) after ferry read it", idx, ty)
		}
		return ty.Values[idx-1], nil
	case "set":
		mask, ok := v.(int64)
		if !ok {
			break
		}
		var parts []string
		for i, m := range ty.Values {
			if i < 64 && uint64(mask)&(1<<uint(i)) != 0 {
				parts = append(parts, m)
			}
		}
		if len(ty.Values) < 64 && uint64(mask)>>uint(len(ty.Values)) != 0 {
			return nil, fmt.Errorf("set bitmask %#x has bits beyond the %d members of %s: the column changed (DDL) after ferry read it", mask, len(ty.Values), ty)
		}
		return strings.Join(parts, ","), nil
	case "json":
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case "binary":
		b := toBytes(v)
		if int64(len(b)) < ty.Length {
			// The binlog drops BINARY(n)'s trailing zero bytes.
			p := make([]byte, ty.Length)
			copy(p, b)
			b = p
		}
		return b, nil
	case "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return toBytes(v), nil
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return decodeText(c, toBytes(v))
	default:
		// Spatial types and anything unknown: raw bytes (spatial: the
		// 4-byte little-endian SRID followed by WKB, which the stream
		// turns into EWKT text: spatial.go) or go-mysql's value.
		if b, ok := v.([]byte); ok {
			return b, nil
		}
		return v, nil
	}
	return nil, fmt.Errorf("unexpected binlog value %T for type %s", v, ty)
}

func toBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return []byte(fmt.Sprint(v))
}

// decodeText turns a character column's bytes into UTF-8 by its charset.
func decodeText(c *catalog.Column, b []byte) (any, error) {
	cs := strings.ToLower(c.Charset)
	switch {
	case cs == "binary":
		return b, nil
	case cs == "latin1":
		s, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return nil, fmt.Errorf("decode latin1: %w", err)
		}
		return string(s), nil
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("value is not valid UTF-8 (column charset %q is not supported by CDC yet: convert the column to utf8mb4)", c.Charset)
	}
	return string(b), nil
}

// convertInt returns int64 for signed and uint64 for unsigned integer
// columns. The binlog carries no signedness unless binlog_row_metadata is
// FULL, so go-mysql may give a signed value for an unsigned column; its
// bits are reinterpreted at the column's width.
func convertInt(ty catalog.Type, v any) (any, error) {
	var s int64
	var u uint64
	width := 64
	signed := true
	switch x := v.(type) {
	case int8:
		s, u, width = int64(x), uint64(uint8(x)), 8
	case int16:
		s, u, width = int64(x), uint64(uint16(x)), 16
	case int32:
		s, u, width = int64(x), uint64(uint32(x)), 32
	case int64:
		s, u = x, uint64(x)
	case int:
		s, u = int64(x), uint64(x)
	case uint8:
		u, signed = uint64(x), false
	case uint16:
		u, signed = uint64(x), false
	case uint32:
		u, signed = uint64(x), false
	case uint64:
		u, signed = x, false
	default:
		return nil, fmt.Errorf("unexpected binlog value %T for type %s", v, ty)
	}
	if ty.Name == "mediumint" && width == 32 {
		u &= 0xFFFFFF
	}
	if ty.Unsigned {
		return u, nil
	}
	if !signed {
		return int64(u), nil
	}
	return s, nil
}
