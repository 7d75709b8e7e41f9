package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
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

// RunTests is the body of a test package's TestMain: it starts an Env
// into *env, runs the tests, stops the servers and exits with the tests'
// code. m is the *testing.M.
func RunTests(m interface{ Run() int }, env **Env) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	e, err := StartEnv(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start test databases:", err)
		os.Exit(1)
	}
	*env = e
	code := m.Run()
	e.Close()
	os.Exit(code)
}

var (
	dbSeqMu sync.Mutex
	dbSeq   int
)

// FreshDatabases creates an empty database of the same new name on both
// servers, derived from label (a test name), and returns the name.
func (e *Env) FreshDatabases(ctx context.Context, label string) (string, error) {
	dbSeqMu.Lock()
	dbSeq++
	n := dbSeq
	dbSeqMu.Unlock()
	name := strings.ToLower(nonWord.ReplaceAllString(label, "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("%s_%d", name, n)
	if err := e.MariaDB.CreateDatabase(ctx, name); err != nil {
		return "", err
	}
	if err := e.Postgres.CreateDatabase(ctx, name); err != nil {
		return "", err
	}
	return name, nil
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// SharedDatasets returns the sample datasets directory, shared/datasets
// beside the project root (the first directory up from the working
// directory that holds go.mod), or "" when it is absent.
func SharedDatasets() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared", "datasets")
			if _, err := os.Stat(d); err == nil {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TB is the part of testing.TB the helpers below use (sandbox does not
// import testing, as the demo links it too).
type TB interface {
	Helper()
	Name() string
	Fatal(args ...any)
	Skip(args ...any)
}

// SharedDir returns the sample datasets directory or skips the test with
// a message when it is absent (CI always has it).
func SharedDir(t TB) string {
	t.Helper()
	d := SharedDatasets()
	if d == "" {
		t.Skip("skipping: the sample datasets are not in ../shared/datasets beside the project root (CI always has them)")
	}
	return d
}

// FreshDBs creates an empty database named after the test on both
// servers and returns the MariaDB URL, the PostgreSQL URL and the name.
func (e *Env) FreshDBs(t TB) (src, dst, name string) {
	t.Helper()
	name, err := e.FreshDatabases(context.Background(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return e.MariaDB.DSN(name), e.Postgres.DSN(name), name
}
