// Package sandbox provides throwaway database servers for tests, demos and
// benchmarks.
//
// It starts private MariaDB and PostgreSQL server processes on free loopback
// ports with their data in a caller-supplied directory. The servers are
// configured for change data capture (MariaDB: row-based binlog with GTIDs;
// PostgreSQL: wal_level=logical) and tuned for speed over durability
// (fsync off etc.), so never point them at data you care about. System
// servers (e.g. on 3306 / 5432) are never used or touched.
//
// When running as root, PostgreSQL is run as the "postgres" OS user (initdb
// refuses to run as root) and MariaDB is run with --user=root.
//
// Passwords are never put on command lines: the CLI clients get them through
// MYSQL_PWD / PGPASSWORD (see [Server.ClientEnv]).
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server kinds.
const (
	KindMariaDB  = "mariadb"
	KindPostgres = "postgres"
)

// Password is the password set for the administrative user of every sandbox
// server.
const Password = "ferry"

const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	startTries   = 3
	// maxSocketPath is a conservative limit for unix socket paths
	// (sun_path is 108 bytes on Linux, 104 on some BSDs).
	maxSocketPath = 100
)

// Server is one running (or stopped) throwaway database server.
type Server struct {
	Kind     string // "mariadb" or "postgres"
	Host     string // 127.0.0.1
	Port     int
	User     string // "root" for MariaDB, "postgres" for PostgreSQL
	Password string
	Dir      string // data dir root

	dataDir    string
	sockDir    string // directory holding the unix socket
	sockTmp    bool   // sockDir is a private temp dir (dir path was too long)
	tmpDir     string // MariaDB's private tmpdir (internal temporary tables)
	tmpTmp     bool   // tmpDir is outside Dir (removed by Stop)
	logPath    string // server log (MariaDB error log / PostgreSQL stderr)
	serverArgv []string
	cred       *syscall.Credential // non-nil: run the server as this user
	stopSig    syscall.Signal
	mdb        *mariaBins
	pg         *pgBins

	mu   sync.Mutex
	proc *process
	// live is the started server process, for error reports by client
	// commands (which must not wait for mu); nil after Stop/Kill.
	live atomic.Pointer[process]
}

// Addr returns "host:port" of the server's TCP listener.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// LogPath returns the path of the server's log file.
func (s *Server) LogPath() string { return s.logPath }

// SocketPath returns the path of the server's unix socket (for PostgreSQL
// the socket file inside the socket directory).
func (s *Server) SocketPath() string {
	if s.Kind == KindPostgres {
		return filepath.Join(s.sockDir, ".s.PGSQL."+strconv.Itoa(s.Port))
	}
	return filepath.Join(s.sockDir, "mysql.sock")
}

// DataDir returns the server's data directory (inside Dir).
func (s *Server) DataDir() string { return s.dataDir }

// DSN returns a URL-style DSN connecting over TCP with the admin user and
// password, e.g. "mysql://root:ferry@127.0.0.1:PORT/db" or
// "postgres://postgres:ferry@127.0.0.1:PORT/db?sslmode=disable".
// db may be empty.
func (s *Server) DSN(db string) string {
	u := url.URL{
		User: url.UserPassword(s.User, s.Password),
		Host: s.Addr(),
		Path: "/" + db,
	}
	switch s.Kind {
	case KindPostgres:
		u.Scheme = "postgres"
		u.RawQuery = "sslmode=disable"
	default:
		u.Scheme = "mysql"
	}
	return u.String()
}

// String describes the server without its password.
func (s *Server) String() string {
	return fmt.Sprintf("%s@%s (dir %s)", s.Kind, s.Addr(), s.Dir)
}

// ClientCommand returns argv for the CLI client (mariadb / psql) connected
// to this server over its unix socket as the admin user. db may be empty.
//
// The password is not part of argv: run the command with [Server.ClientEnv]
// appended to its environment, or use [Server.Client].
//
// MariaDB: mariadb --no-defaults --socket=... -uroot --default-character-set=utf8mb4 ... [db]
// PostgreSQL: psql -X -q -v ON_ERROR_STOP=1 -h SOCKDIR -p PORT -U postgres -d db
func (s *Server) ClientCommand(db string) []string {
	if s.Kind == KindPostgres {
		if db == "" {
			db = "postgres"
		}
		return []string{s.pg.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
			"-h", s.sockDir, "-p", strconv.Itoa(s.Port), "-U", s.User, "-d", db}
	}
	argv := []string{s.mdb.client, "--no-defaults", "--socket=" + s.SocketPath(),
		"--user=" + s.User, "--default-character-set=utf8mb4",
		"--local-infile=1", "--max-allowed-packet=1G"}
	if db != "" {
		argv = append(argv, "--database="+db)
	}
	return argv
}

// ClientEnv returns the environment entries ("NAME=value") the CLI client
// needs on top of the current environment: the password and client
// encoding.
func (s *Server) ClientEnv() []string {
	if s.Kind == KindPostgres {
		return []string{"PGPASSWORD=" + s.Password, "PGCLIENTENCODING=UTF8", "PGSSLMODE=disable"}
	}
	return []string{"MYSQL_PWD=" + s.Password}
}

// Client returns an unstarted *exec.Cmd running the CLI client for db with
// a clean environment (inherited PG* / MYSQL* variables removed) plus
// [Server.ClientEnv]. The caller sets Stdin/Stdout/Stderr and runs it.
func (s *Server) Client(ctx context.Context, db string, extraArgs ...string) *exec.Cmd {
	argv := append(s.ClientCommand(db), extraArgs...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(cleanEnv(), s.ClientEnv()...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Exec runs a (multi-statement) SQL script in db through the CLI client.
// For MariaDB the script may use DELIMITER blocks. db may be empty.
func (s *Server) Exec(ctx context.Context, db string, sql string) error {
	_, err := s.runClient(ctx, db, strings.NewReader(sql), nil)
	if err != nil {
		return fmt.Errorf("sandbox: %s exec in database %q: %w", s.Kind, db, err)
	}
	return nil
}

// ExecFile feeds the SQL file at path to the CLI client connected to db
// (which may be empty). MariaDB scripts may use DELIMITER (e.g. sakila's
// triggers); PostgreSQL scripts run with ON_ERROR_STOP.
func (s *Server) ExecFile(ctx context.Context, db string, path string) error {
	var err error
	if s.Kind == KindPostgres {
		_, err = s.runClient(ctx, db, nil, []string{"-f", path})
	} else {
		var f *os.File
		f, err = os.Open(path)
		if err != nil {
			return fmt.Errorf("sandbox: %s exec file: %w", s.Kind, err)
		}
		defer f.Close()
		_, err = s.runClient(ctx, db, f, nil)
	}
	if err != nil {
		return fmt.Errorf("sandbox: %s exec file %s in database %q: %w", s.Kind, path, db, err)
	}
	return nil
}

// Query runs sql in db and returns the result rows as tab-separated lines
// without headers, trailing newlines trimmed. MariaDB output is in the
// client's batch format (NULL printed as "NULL", special characters
// escaped); PostgreSQL prints NULL as an empty string.
func (s *Server) Query(ctx context.Context, db string, sql string) (string, error) {
	var extra []string
	if s.Kind == KindPostgres {
		extra = []string{"-A", "-t", "-F", "\t"}
	} else {
		extra = []string{"--batch", "--skip-column-names"}
	}
	out, err := s.runClient(ctx, db, strings.NewReader(sql), extra)
	if err != nil {
		return "", fmt.Errorf("sandbox: %s query in database %q: %w", s.Kind, db, err)
	}
	return strings.TrimRight(out, "\r\n"), nil
}

// CreateDatabase drops database name if it exists and creates it afresh
// (MariaDB: utf8mb4; PostgreSQL: UTF8 from template0).
func (s *Server) CreateDatabase(ctx context.Context, name string) error {
	var sql string
	if s.Kind == KindPostgres {
		force := ""
		if s.pg.version == 0 || s.pg.version >= 13 {
			force = " WITH (FORCE)"
		}
		q := pgQuoteIdent(name)
		sql = "DROP DATABASE IF EXISTS " + q + force + ";\n" +
			"CREATE DATABASE " + q + " TEMPLATE template0 ENCODING 'UTF8';\n"
	} else {
		q := mysqlQuoteIdent(name)
		sql = "DROP DATABASE IF EXISTS " + q + ";\n" +
			"CREATE DATABASE " + q + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;\n"
	}
	if err := s.Exec(ctx, "", sql); err != nil {
		return fmt.Errorf("sandbox: create database %q: %w", name, err)
	}
	return nil
}

// runClient runs the CLI client with stdin and extra args, returning stdout.
// Errors carry the tail of stderr, never argv or the password.
func (s *Server) runClient(ctx context.Context, db string, stdin io.Reader, extra []string) (string, error) {
	cmd := s.Client(ctx, db, extra...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("%s: %w", filepath.Base(cmd.Path), ctx.Err())
		}
		msg := strings.TrimSpace(tailString(stderr.String(), 2048))
		if msg != "" {
			msg = ": " + msg
		}
		return "", fmt.Errorf("%s: %w%s%s", filepath.Base(cmd.Path), err, msg, s.exitReport())
	}
	return stdout.String(), nil
}

// exitReport describes an unexpected exit of the server process (one not
// caused by Stop or Kill) with the tail of its log, or returns "" while it
// runs. It is appended to client command errors.
func (s *Server) exitReport() string {
	p := s.live.Load()
	if p == nil {
		return ""
	}
	if !p.exited() {
		// The monitor may not have reaped a just-crashed server yet.
		if pi, ok := readProcStat(p.pid); ok && pi.state != 'Z' && pi.state != 'X' {
			return ""
		}
		select {
		case <-p.done:
		case <-time.After(time.Second):
			return ""
		}
	}
	status := "exit status 0"
	if p.err != nil {
		status = p.err.Error()
	}
	log := tailLines(readFrom(s.logPath, p.logOff), 40)
	if log == "" {
		return fmt.Sprintf("\nserver process has exited: %s (log %s is empty)", status, s.logPath)
	}
	return fmt.Sprintf("\nserver process has exited: %s; tail of %s:\n%s", status, s.logPath, log)
}

// Stop shuts the server down quickly (MariaDB: SIGTERM; PostgreSQL: SIGINT,
// i.e. fast shutdown) and waits for it to exit, escalating to SIGKILL after
// 30s. Stopping a stopped server is a no-op. If the server process had
// exited on its own (e.g. crashed), Stop reports that with the log tail.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.stopLocked(true)
	if s.sockTmp {
		_ = os.RemoveAll(s.sockDir)
	}
	if s.tmpTmp {
		_ = os.RemoveAll(s.tmpDir)
	}
	return err
}

// stopLocked stops the server; with reportExit an earlier unexpected exit
// of the server process is returned as an error.
func (s *Server) stopLocked(reportExit bool) error {
	p := s.proc
	if p == nil {
		return nil
	}
	var exitErr error
	if p.exited() && reportExit {
		exitErr = fmt.Errorf("sandbox: %s had exited unexpectedly before Stop%s", s.Kind, s.exitReport())
	}
	s.proc = nil
	s.live.Store(nil)
	deadline := time.Now().Add(stopTimeout)
	if err := p.signal(s.stopSig, false); err != nil && !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("sandbox: stop %s (pid %d): %w", s.Kind, p.pid, err)
	}
	t := time.NewTimer(stopTimeout)
	defer t.Stop()
	select {
	case <-p.done:
		return errors.Join(exitErr, s.waitGone(p, nil, deadline))
	case <-t.C:
	}
	err := s.killProcess(p, deadline.Add(stopTimeout))
	return errors.Join(fmt.Errorf("sandbox: %s (pid %d) did not stop within %s; killed", s.Kind, p.pid, stopTimeout), err)
}

// Kill sends SIGKILL to the server and all its processes (a simulated
// crash) and waits until they are gone (for PostgreSQL also until the
// shared memory is released). The data directory is left as is, so
// [Server.Restart] exercises crash recovery.
func (s *Server) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.proc
	if p == nil {
		return nil
	}
	s.proc = nil
	s.live.Store(nil)
	return s.killProcess(p, time.Now().Add(stopTimeout))
}

// Restart stops the server (if running) and starts it again on the same
// port and data directory, waiting until it accepts connections.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stopLocked(false); err != nil {
		return err
	}
	if err := s.startLocked(ctx); err != nil {
		return fmt.Errorf("sandbox: restart %s: %w", s.Kind, err)
	}
	return nil
}

// Running reports whether the server process is running.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil && !s.proc.exited()
}

// startLocked starts the server process on s.Port and waits until ready.
// A PostgreSQL start that finds the shared memory of a killed predecessor
// still in use is retried with backoff.
func (s *Server) startLocked(ctx context.Context) error {
	if err := os.MkdirAll(s.sockDir, 0o755); err != nil {
		return fmt.Errorf("create socket dir: %w", err)
	}
	if s.cred != nil {
		if err := os.Chown(s.sockDir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fmt.Errorf("chown socket dir: %w", err)
		}
	}
	if s.tmpDir != "" {
		if err := os.MkdirAll(s.tmpDir, 0o700); err != nil {
			return fmt.Errorf("create tmpdir: %w", err)
		}
	}
	// Leftovers of a server that died on its own (e.g. PostgreSQL
	// backends of a crashed postmaster) would block the start.
	_ = s.waitGone(nil, nil, time.Now().Add(stopTimeout))
	backoff := 250 * time.Millisecond
	for try := 1; ; try++ {
		err := s.startOnce(ctx)
		var se *startError
		if err == nil || ctx.Err() != nil || try >= startTries+2 || !errors.As(err, &se) || !se.shmInUse() {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

func (s *Server) startOnce(ctx context.Context) error {
	p, err := startProcess(s.serverArgv, s.Dir, s.logPath, s.cred, s.stopSig)
	if err != nil {
		return err
	}
	s.proc = p
	s.live.Store(p)
	if err := s.waitReady(ctx, p); err != nil {
		s.proc = nil
		s.live.Store(nil)
		_ = s.killProcess(p, time.Now().Add(stopTimeout))
		return &startError{err: err, log: readFrom(s.logPath, p.logOff), logPath: s.logPath}
	}
	return nil
}

// startWithFreePort picks a free port and starts the server, retrying with
// another port when the chosen one was taken in the meantime.
// argvFor builds the server argv for a port.
func (s *Server) startWithFreePort(ctx context.Context, argvFor func(port int) []string) error {
	var err error
	for try := 0; try < startTries; try++ {
		var port int
		port, err = freePort()
		if err != nil {
			return err
		}
		s.Port = port
		s.serverArgv = argvFor(port)
		err = s.startLocked(ctx)
		var se *startError
		if err == nil || ctx.Err() != nil || !errors.As(err, &se) || !se.bindFailure() {
			return err
		}
	}
	return err
}

// startError is a server start failure with the relevant part of its log.
type startError struct {
	err     error
	log     string
	logPath string
}

func (e *startError) Error() string {
	lines := tailLines(e.log, 25)
	if lines == "" {
		return fmt.Sprintf("%v (log %s is empty)", e.err, e.logPath)
	}
	return fmt.Sprintf("%v; tail of %s:\n%s", e.err, e.logPath, lines)
}

func (e *startError) Unwrap() error { return e.err }

// shmInUse reports PostgreSQL finding the shared memory of an old server
// still attached.
func (e *startError) shmInUse() bool {
	return strings.Contains(e.log, "pre-existing shared memory block")
}

func (e *startError) bindFailure() bool {
	for _, s := range []string{"Address already in use", "Bind on TCP/IP port", "could not bind", "could not create any TCP/IP sockets"} {
		if strings.Contains(e.log, s) {
			return true
		}
	}
	return false
}

// waitReady polls until the server accepts connections, the process exits,
// readyTimeout passes or ctx is done.
func (s *Server) waitReady(ctx context.Context, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited during startup: %v", s.Kind, p.err)
		default:
		}
		if lastErr = s.ping(ctx); lastErr == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited during startup: %v", s.Kind, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready on %s: %w (last check: %v)", s.Kind, s.Addr(), ctx.Err(), lastErr)
		case <-tick.C:
		}
	}
}

func (s *Server) ping(ctx context.Context) error {
	if s.Kind == KindPostgres {
		return s.pgPing(ctx)
	}
	// Through the unix socket, which is private to this server: over TCP
	// the check could reach another server that holds the port (e.g. of a
	// concurrently started sandbox) while ours fails to bind it. mariadbd
	// binds the TCP port before it creates the socket and aborts if it
	// cannot, so a handshake on the socket also proves the port is ours.
	return mysqlPing(ctx, "unix", s.SocketPath())
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("sandbox: pick free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("sandbox: pick free port: %w", err)
	}
	return port, nil
}

// cleanEnv returns the process environment without variables that would
// redirect or reconfigure the database clients.
func cleanEnv() []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PG") || strings.HasPrefix(name, "MYSQL") || strings.HasPrefix(name, "MARIADB") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// prepareDir creates the server root dir and returns its absolute path.
func prepareDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("sandbox: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", fmt.Errorf("sandbox: create dir: %w", err)
	}
	if err := os.Chmod(abs, 0o755); err != nil {
		return "", fmt.Errorf("sandbox: chmod dir: %w", err)
	}
	if entries, err := os.ReadDir(filepath.Join(abs, "data")); err == nil && len(entries) > 0 {
		return "", fmt.Errorf("sandbox: %s already holds a data directory; use Restart on its Server or pass an empty dir", abs)
	}
	return abs, nil
}

// socketDir returns dir if a socket named longestName fits inside it, or
// else a fresh short temporary directory (tmp=true).
func socketDir(dir, longestName string) (sockDir string, tmp bool, err error) {
	if len(filepath.Join(dir, longestName)) <= maxSocketPath {
		return dir, false, nil
	}
	d, err := os.MkdirTemp("", "ferry-sock-")
	if err != nil {
		return "", false, fmt.Errorf("sandbox: socket dir: %w", err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		return "", false, fmt.Errorf("sandbox: socket dir: %w", err)
	}
	return d, true, nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readFrom returns the contents of path from offset off (at most 64 KiB,
// the end of the file).
func readFrom(path string, off int64) string {
	b, err := os.ReadFile(path)
	if err != nil || off > int64(len(b)) {
		return ""
	}
	return tailString(string(b[off:]), 64<<10)
}

func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func tailLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func mysqlQuoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func pgQuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
