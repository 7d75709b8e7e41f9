package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// Env holds one MariaDB and one PostgreSQL for a test package.
//
// Typical TestMain:
//
//	func TestMain(m *testing.M) {
//		env, err := sandbox.StartEnv(context.Background())
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		code := m.Run()
//		env.Close()
//		os.Exit(code)
//	}
type Env struct {
	MariaDB, Postgres *Server
	dir               string
}

// StartEnv runs EnsureInstalled, creates a temporary directory and starts a
// MariaDB and a PostgreSQL server in it in parallel. On error nothing is
// left running and the directory is removed.
func StartEnv(ctx context.Context) (*Env, error) {
	if err := EnsureInstalled(ctx); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ferry-sandbox-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: temp dir: %w", err)
	}
	// MkdirTemp creates 0700; the postgres OS user must traverse it.
	if err := os.Chmod(dir, 0o755); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("sandbox: temp dir: %w", err)
	}
	e := &Env{dir: dir}
	var wg sync.WaitGroup
	var mErr, pErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		e.MariaDB, mErr = StartMariaDB(ctx, filepath.Join(dir, "mariadb"))
	}()
	go func() {
		defer wg.Done()
		e.Postgres, pErr = StartPostgres(ctx, filepath.Join(dir, "postgres"))
	}()
	wg.Wait()
	if err := errors.Join(mErr, pErr); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Dir returns the temporary directory holding both servers.
func (e *Env) Dir() string { return e.dir }

// Close stops both servers and removes the temporary directory. Failures
// are logged with slog; Close is safe to call more than once.
func (e *Env) Close() {
	var wg sync.WaitGroup
	for _, s := range []*Server{e.MariaDB, e.Postgres} {
		if s == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Stop(); err != nil {
				slog.Warn("sandbox: stop server", "server", s.String(), "err", err)
			}
		}()
	}
	wg.Wait()
	if e.dir != "" {
		if err := os.RemoveAll(e.dir); err != nil {
			slog.Warn("sandbox: remove temp dir", "dir", e.dir, "err", err)
		}
	}
}
