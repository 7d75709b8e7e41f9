// Package postgres writes to PostgreSQL: it runs the converted DDL, bulk
// loads rows with COPY (binary format, or text) inside transactions, and
// builds keys and indexes after the load.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PasswordEnv is read when the target URL carries no password (PGPASSWORD
// and ~/.pgpass work too, as in libpq).
const PasswordEnv = "FERRY_TARGET_PASSWORD"

// Target is an open PostgreSQL target.
type Target struct {
	pool *pgxpool.Pool
	cfg  *pgxpool.Config
	// CopyFormat is "binary" or "text" (the zero value). Binary falls back
	// to text for tables with a column type it cannot encode.
	CopyFormat string
	// replica loads with session_replication_role = replica, so triggers
	// and foreign-key checks of existing tables do not fire.
	replica bool
}

// Triggers counts the triggers on a table, foreign-key triggers included.
func (t *Target) Triggers(ctx context.Context, schema, name string) (int, error) {
	var n int
	err := t.pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = $1 AND c.relname = $2`, schema, name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("target: list triggers of %s.%s: %w", schema, name, err)
	}
	return n, nil
}

// DisableTriggersDuringLoad makes every chunk load run with
// session_replication_role = replica. That needs superuser (or, from
// PostgreSQL 15, the privilege to set it); the error says so.
func (t *Target) DisableTriggersDuringLoad(ctx context.Context) error {
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		return err
	}
	_, _ = conn.Exec(ctx, "RESET session_replication_role")
	t.replica = true
	return nil
}

// ParseURL parses a postgres:// URL (or a libpq key=value string) with
// libpq's rules: sslmode, sslrootcert etc. are honoured.
func ParseURL(raw string) (*pgxpool.Config, error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return nil, errors.New("target URL must look like postgres://user:password@host:5432/database")
	}
	cfg, err := pgxpool.ParseConfig(raw)
	if err != nil {
		// pgx's messages quote parts of the URL, the password possibly
		// among them: say what to check instead.
		return nil, errors.New("target URL is malformed: expected postgres://user:password@host:5432/database, with special characters in the password percent-encoded")
	}
	if cfg.ConnConfig.Password == "" {
		if p := os.Getenv(PasswordEnv); p != "" {
			cfg.ConnConfig.Password = p
		}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "ferry"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// Literals in the generated DDL assume standard strings ('\' is a
	// backslash).
	cfg.ConnConfig.RuntimeParams["standard_conforming_strings"] = "on"
	cfg.MaxConns = 32
	return cfg, nil
}

// Open connects and checks the server answers.
func Open(ctx context.Context, raw string) (*Target, error) {
	cfg, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, connectError(cfg, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, connectError(cfg, err)
	}
	return &Target{pool: pool, cfg: cfg}, nil
}

func connectError(cfg *pgxpool.Config, err error) error {
	addr := net.JoinHostPort(cfg.ConnConfig.Host, fmt.Sprint(cfg.ConnConfig.Port))
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000":
			return fmt.Errorf("target %s: authentication failed for user %q: check the user name and password (password from the URL, %s or PGPASSWORD): %w", addr, cfg.ConnConfig.User, PasswordEnv, err)
		case "3D000":
			return fmt.Errorf("target %s: database %q does not exist: create it first (createdb %s): %w", addr, cfg.ConnConfig.Database, cfg.ConnConfig.Database, err)
		}
		return fmt.Errorf("target %s: %w", addr, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") || strings.Contains(msg, "timeout") {
		return fmt.Errorf("target %s is unreachable: check the host and port in the target URL: %w", addr, err)
	}
	return fmt.Errorf("target %s: %w", addr, err)
}

// Close closes the pool.
func (t *Target) Close() { t.pool.Close() }

// Pool exposes the connection pool (tests, verification).
func (t *Target) Pool() *pgxpool.Pool { return t.pool }

// Exec runs one statement. A deadlock (two DDL statements locking the
// same tables in opposite order) is retried.
func (t *Target) Exec(ctx context.Context, sql string) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		_, err = t.pool.Exec(ctx, sql)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "40P01" {
			continue
		}
		return err
	}
	return err
}

// ExecTx runs statements in one transaction: all or none.
func (t *Target) ExecTx(ctx context.Context, stmts []string) error {
	return pgx.BeginFunc(ctx, t.pool, func(tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%w\nstatement: %s", err, s)
			}
		}
		return nil
	})
}

// HasPostGIS reports whether the postgis extension is installed in the
// target database.
func (t *Target) HasPostGIS(ctx context.Context) bool {
	var ok bool
	_ = t.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')").Scan(&ok)
	return ok
}

// CheckPrivileges verifies the user may create schemas and tables.
func (t *Target) CheckPrivileges(ctx context.Context) error {
	var ok bool
	if err := t.pool.QueryRow(ctx, "SELECT has_database_privilege(current_database(), 'CREATE')").Scan(&ok); err != nil {
		return fmt.Errorf("target: check privileges: %w", err)
	}
	if !ok {
		return fmt.Errorf("target: user %q may not create schemas in database %q: GRANT CREATE ON DATABASE %s TO %s", t.cfg.ConnConfig.User, t.cfg.ConnConfig.Database, t.cfg.ConnConfig.Database, t.cfg.ConnConfig.User)
	}
	return nil
}

// TableRows reports whether schema.name exists and whether it holds rows.
func (t *Target) TableRows(ctx context.Context, schema, name string) (exists, nonEmpty bool, err error) {
	var oid *uint32
	err = t.pool.QueryRow(ctx, `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p')`, schema, name).Scan(&oid)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("target: look up %s.%s: %w", schema, name, err)
	}
	q := fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s.%s)", quoteIdent(schema), quoteIdent(name))
	if err := t.pool.QueryRow(ctx, q).Scan(&nonEmpty); err != nil {
		return true, false, fmt.Errorf("target: read %s.%s: %w", schema, name, err)
	}
	return true, nonEmpty, nil
}

// IsAlreadyExists reports errors that mean the object is already there
// (a rerun after a crash, or an appended-to table).
func IsAlreadyExists(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "42P07", "42710", "42P16", "42P06":
			return true
		case "23505":
			// The same name created concurrently: a backend of a killed
			// run finished its CREATE INDEX after this run had checked for
			// it; the unique index of the system catalog reports it.
			switch pe.ConstraintName {
			case "pg_class_relname_nsp_index", "pg_type_typname_nsp_index", "pg_namespace_nspname_index", "pg_constraint_conrelid_contypid_conname_index":
				return true
			}
		}
	}
	return false
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// RelationOwner tells what holds the name schema.name: for an index the
// table it indexes; for any other relation the relation itself. ok is
// false when the name is free.
func (t *Target) RelationOwner(ctx context.Context, schema, name string) (owner string, ok bool, err error) {
	err = t.pool.QueryRow(ctx, `SELECT COALESCE(tbl.relname, c.relname) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_index i ON i.indexrelid = c.oid
		LEFT JOIN pg_class tbl ON tbl.oid = i.indrelid
		WHERE n.nspname = $1 AND c.relname = $2`, schema, name).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("target: look up %s.%s: %w", schema, name, err)
	}
	return owner, true, nil
}
