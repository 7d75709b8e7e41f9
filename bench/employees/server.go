package employees

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Server is a database server driven through its CLI client (mariadb /
// psql). *sandbox.Server implements it; so does [External].
type Server interface {
	// DSN returns a URL DSN for database db (mysql:// or postgres://).
	DSN(db string) string
	// Client returns an unstarted CLI client command for db with the
	// password in its environment.
	Client(ctx context.Context, db string, extraArgs ...string) *exec.Cmd
	// Exec runs a multi-statement SQL script in db.
	Exec(ctx context.Context, db, sql string) error
	// Query runs sql in db and returns tab-separated rows without headers.
	Query(ctx context.Context, db, sql string) (string, error)
	// CreateDatabase drops database name if it exists and creates it.
	CreateDatabase(ctx context.Context, name string) error
}

// External is a MariaDB/MySQL or PostgreSQL server given by a DSN
// (mysql://user:pass@host:port/ or postgres://user:pass@host:port/),
// reached over TCP with the mariadb / psql clients from PATH.
type External struct {
	u        *url.URL
	postgres bool
}

// NewExternal parses dsn; its database part is ignored (methods take the
// database name).
func NewExternal(dsn string) (*External, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("employees: parse DSN: %w", err)
	}
	e := &External{u: u}
	switch u.Scheme {
	case "mysql", "mariadb":
	case "postgres", "postgresql":
		e.postgres = true
	default:
		return nil, fmt.Errorf("employees: DSN scheme %q: want mysql:// or postgres://", u.Scheme)
	}
	if u.Hostname() == "" || u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("employees: DSN needs user@host")
	}
	return e, nil
}

// DSN implements [Server].
func (e *External) DSN(db string) string {
	u := *e.u
	u.Path = "/" + db
	u.RawPath = ""
	if e.postgres && u.RawQuery == "" {
		u.RawQuery = "sslmode=disable"
	}
	return u.String()
}

func (e *External) port() string {
	if p := e.u.Port(); p != "" {
		return p
	}
	if e.postgres {
		return "5432"
	}
	return "3306"
}

// Client implements [Server].
func (e *External) Client(ctx context.Context, db string, extraArgs ...string) *exec.Cmd {
	pw, _ := e.u.User.Password()
	var argv, env []string
	if e.postgres {
		if db == "" {
			db = "postgres"
		}
		argv = []string{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
			"-h", e.u.Hostname(), "-p", e.port(), "-U", e.u.User.Username(), "-d", db}
		ssl := e.u.Query().Get("sslmode")
		if ssl == "" {
			ssl = "disable"
		}
		env = []string{"PGPASSWORD=" + pw, "PGCLIENTENCODING=UTF8", "PGSSLMODE=" + ssl}
	} else {
		argv = []string{"mariadb", "--no-defaults", "--protocol=TCP",
			"--host=" + e.u.Hostname(), "--port=" + e.port(), "--user=" + e.u.User.Username(),
			"--default-character-set=utf8mb4", "--local-infile=1", "--max-allowed-packet=1G"}
		if _, err := exec.LookPath("mariadb"); err != nil {
			argv[0] = "mysql"
		}
		if db != "" {
			argv = append(argv, "--database="+db)
		}
		env = []string{"MYSQL_PWD=" + pw}
	}
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], extraArgs...)...)
	cmd.Env = append(CleanEnv(), env...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Exec implements [Server].
func (e *External) Exec(ctx context.Context, db, sql string) error {
	_, err := e.run(ctx, db, sql, nil)
	return err
}

// Query implements [Server].
func (e *External) Query(ctx context.Context, db, sql string) (string, error) {
	extra := []string{"--batch", "--skip-column-names"}
	if e.postgres {
		extra = []string{"-A", "-t", "-F", "\t"}
	}
	out, err := e.run(ctx, db, sql, extra)
	return strings.TrimRight(out, "\r\n"), err
}

// CreateDatabase implements [Server].
func (e *External) CreateDatabase(ctx context.Context, name string) error {
	var sql string
	if e.postgres {
		q := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		sql = "DROP DATABASE IF EXISTS " + q + " WITH (FORCE);\nCREATE DATABASE " + q + " TEMPLATE template0 ENCODING 'UTF8';\n"
	} else {
		q := "`" + strings.ReplaceAll(name, "`", "``") + "`"
		sql = "DROP DATABASE IF EXISTS " + q + ";\nCREATE DATABASE " + q + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;\n"
	}
	if err := e.Exec(ctx, "", sql); err != nil {
		return fmt.Errorf("employees: create database %q: %w", name, err)
	}
	return nil
}

func (e *External) run(ctx context.Context, db, sql string, extra []string) (string, error) {
	cmd := e.Client(ctx, db, extra...)
	cmd.Stdin = strings.NewReader(sql)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s in database %q: %w: %s", filepath.Base(cmd.Path), db, err, tail(stderr.String(), 2048))
	}
	return stdout.String(), nil
}

// CleanEnv returns the process environment without variables that would
// redirect or reconfigure the database clients (PG*, MYSQL*, MARIADB*).
func CleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PG") || strings.HasPrefix(name, "MYSQL") || strings.HasPrefix(name, "MARIADB") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}
