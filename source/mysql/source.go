package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/source"
)

// Source is an open MySQL/MariaDB source.
type Source struct {
	db      *sql.DB
	cfg     *driver.Config
	mariadb bool
	version string
	// idleAdvance: see SetIdleAdvance.
	idleAdvance time.Duration
	// ddl: see FollowDDL.
	ddl ddlOptions
	// chunkSize: see SetChunkSize.
	chunkSize int
}

// SetChunkSize sets how many events of a transaction StreamChunks holds
// before it hands them on as a chunk (default DefaultChunkSize).
func (s *Source) SetChunkSize(n int) { s.chunkSize = n }

// DefaultChunkSize is StreamChunks' default chunk size.
const DefaultChunkSize = 1000

// SetIdleAdvance sets how often Stream hands on an empty transaction while
// only unselected tables change, so the stored position keeps up with the
// binlog (default 10 s; 0 never).
func (s *Source) SetIdleAdvance(d time.Duration) { s.idleAdvance = d }

var _ source.Source = (*Source)(nil)

// Open connects and checks that the server answers.
func Open(ctx context.Context, rawURL string) (*Source, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(4)
	s := &Source{db: db, cfg: cfg, idleAdvance: 10 * time.Second, chunkSize: DefaultChunkSize}
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&s.version); err != nil {
		db.Close()
		return nil, connectError(cfg, err)
	}
	s.mariadb = strings.Contains(strings.ToLower(s.version), "mariadb")
	if cfg.DBName != "" {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", cfg.DBName).Scan(&n); err != nil {
			db.Close()
			return nil, connectError(cfg, err)
		}
	}
	return s, nil
}

// connectError turns driver errors into one line that says what to do.
func connectError(cfg *driver.Config, err error) error {
	var me *driver.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045:
			return fmt.Errorf("source %s: access denied for user %q: check the user name and password (password from the URL or %s): %w", cfg.Addr, cfg.User, PasswordEnv, err)
		case 1049:
			return fmt.Errorf("source %s: database %q does not exist: check the database name in the source URL: %w", cfg.Addr, cfg.DBName, err)
		case 1044, 1142, 1143, 1227:
			return fmt.Errorf("source %s: user %q lacks a privilege ferry needs (SELECT on the tables, and RELOAD, REPLICATION CLIENT for a consistent snapshot position): %w", cfg.Addr, cfg.User, err)
		}
		return fmt.Errorf("source %s: %w", cfg.Addr, err)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("source %s is unreachable (timed out): check the host, port and firewall: %w", cfg.Addr, err)
	}
	if strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "no such host") {
		return fmt.Errorf("source %s is unreachable: check the host and port in the source URL: %w", cfg.Addr, err)
	}
	return fmt.Errorf("source %s: %w", cfg.Addr, err)
}

// Database is the database named in the source URL ("" if none).
func (s *Source) Database() string { return s.cfg.DBName }

// Version is the server's version string.
func (s *Source) Version() string { return s.version }

// MariaDB reports whether the server is MariaDB.
func (s *Source) MariaDB() bool { return s.mariadb }

// Close closes the connection pool.
func (s *Source) Close() error { return s.db.Close() }

// DB exposes the pool for callers in this module that need raw queries
// (tests, verification).
func (s *Source) DB() *sql.DB { return s.db }

func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

func qualified(t *catalog.Table) string {
	return quoteIdent(t.Schema) + "." + quoteIdent(t.Name)
}
