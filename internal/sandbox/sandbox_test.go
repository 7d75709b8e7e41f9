package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var env *Env

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	start := time.Now()
	e, err := StartEnv(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox: StartEnv:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "sandbox: StartEnv took %s (mariadb %s, postgres %s)\n",
		time.Since(start).Round(time.Millisecond), e.MariaDB.Addr(), e.Postgres.Addr())
	env = e
	code := m.Run()
	e.Close()
	if _, err := os.Stat(e.Dir()); !os.IsNotExist(err) {
		fmt.Fprintln(os.Stderr, "sandbox: temp dir not removed:", e.Dir(), err)
		code = 1
	}
	os.Exit(code)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func servers() []*Server { return []*Server{env.MariaDB, env.Postgres} }

func TestDSN(t *testing.T) {
	m, p := env.MariaDB, env.Postgres
	if got, want := m.DSN("db1"), "mysql://root:ferry@127.0.0.1:"+strconv.Itoa(m.Port)+"/db1"; got != want {
		t.Errorf("MariaDB DSN = %q, want %q", got, want)
	}
	if got, want := p.DSN("db1"), "postgres://postgres:ferry@127.0.0.1:"+strconv.Itoa(p.Port)+"/db1?sslmode=disable"; got != want {
		t.Errorf("Postgres DSN = %q, want %q", got, want)
	}
	if m.Port == 3306 || p.Port == 5432 || m.Port == p.Port {
		t.Errorf("unexpected ports: mariadb %d, postgres %d", m.Port, p.Port)
	}
}

func TestExecQuery(t *testing.T) {
	ctx := testCtx(t)
	for _, s := range servers() {
		t.Run(s.Kind, func(t *testing.T) {
			if err := s.CreateDatabase(ctx, "ferry_exec"); err != nil {
				t.Fatal(err)
			}
			err := s.Exec(ctx, "ferry_exec", `
CREATE TABLE t (id int PRIMARY KEY, name varchar(20));
INSERT INTO t VALUES (1, 'a'), (2, 'ü');
INSERT INTO t VALUES (3, NULL);`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Query(ctx, "ferry_exec", "SELECT id, name FROM t ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			null := ""
			if s.Kind == KindMariaDB {
				null = "NULL"
			}
			if want := "1\ta\n2\tü\n3\t" + null; got != want {
				t.Errorf("Query = %q, want %q", got, want)
			}
			// CreateDatabase drops an existing database.
			if err := s.CreateDatabase(ctx, "ferry_exec"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Query(ctx, "ferry_exec", "SELECT * FROM t"); err == nil {
				t.Error("table t survived CreateDatabase")
			}
			// Errors carry the server message but no password.
			err = s.Exec(ctx, "ferry_exec", "SELECT * FROM no_such_table")
			if err == nil || !strings.Contains(err.Error(), "no_such_table") {
				t.Errorf("Exec error = %v, want mention of no_such_table", err)
			}
			if err != nil && (strings.Contains(err.Error(), ":"+Password+"@") || strings.Contains(err.Error(), "-p"+Password) ||
				strings.Contains(err.Error(), "PWD") || strings.Contains(err.Error(), "PGPASSWORD")) {
				t.Errorf("error leaks password: %v", err)
			}
		})
	}
}

func TestMariaDBConfig(t *testing.T) {
	ctx := testCtx(t)
	s := env.MariaDB
	got, err := s.Query(ctx, "", "SELECT @@binlog_format, @@log_bin, @@gtid_strict_mode, @@binlog_row_image, @@character_set_server")
	if err != nil {
		t.Fatal(err)
	}
	if want := "ROW\t1\t1\tFULL\tutf8mb4"; got != want {
		t.Errorf("config = %q, want %q", got, want)
	}
	// TCP login with password as in the DSN.
	var out bytes.Buffer
	cmd := s.Client(ctx, "", "--protocol=TCP", "--host=127.0.0.1", "--port="+strconv.Itoa(s.Port),
		"--batch", "--skip-column-names", "-e", "SELECT CURRENT_USER()")
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("TCP login: %v: %s", err, out.String())
	}
	if got := strings.TrimSpace(out.String()); got != "root@127.0.0.1" {
		t.Errorf("CURRENT_USER() over TCP = %q", got)
	}
	// A wrong password is rejected.
	cmd = s.Client(ctx, "", "--protocol=TCP", "--host=127.0.0.1", "--port="+strconv.Itoa(s.Port), "-e", "SELECT 1")
	cmd.Env = append(cmd.Env, "MYSQL_PWD=wrong")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("login with wrong password succeeded: %s", out)
	}
}

func TestMariaDBDelimiterFile(t *testing.T) {
	ctx := testCtx(t)
	s := env.MariaDB
	path := filepath.Join(t.TempDir(), "trig.sql")
	script := `DROP DATABASE IF EXISTS ferry_trig;
CREATE DATABASE ferry_trig;
USE ferry_trig;
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE log (id int);
DELIMITER ;;
CREATE TRIGGER a_ins AFTER INSERT ON a FOR EACH ROW BEGIN
  INSERT INTO log VALUES (NEW.id);
  INSERT INTO log VALUES (NEW.id * 10);
END;;
DELIMITER ;
INSERT INTO a VALUES (1), (2);
`
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.ExecFile(ctx, "", path); err != nil {
		t.Fatal(err)
	}
	got, err := s.Query(ctx, "ferry_trig", "SELECT COUNT(*), SUM(id) FROM log")
	if err != nil {
		t.Fatal(err)
	}
	if got != "4\t33" {
		t.Errorf("log = %q, want 4\\t33", got)
	}
}

func TestPostgresConfig(t *testing.T) {
	ctx := testCtx(t)
	s := env.Postgres
	got, err := s.Query(ctx, "", "SHOW wal_level")
	if err != nil {
		t.Fatal(err)
	}
	if got != "logical" {
		t.Errorf("wal_level = %q, want logical", got)
	}
	got, err = s.Query(ctx, "postgres", "SELECT current_setting('server_encoding'), current_setting('fsync')")
	if err != nil {
		t.Fatal(err)
	}
	if got != "UTF8\toff" {
		t.Errorf("encoding/fsync = %q", got)
	}
	// TCP login with password as in the DSN.
	var out bytes.Buffer
	cmd := s.Client(ctx, "postgres", "-h", "127.0.0.1", "-At", "-c", "SELECT current_user, inet_server_addr()")
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("TCP login: %v: %s", err, out.String())
	}
	if got := strings.TrimSpace(out.String()); got != "postgres|127.0.0.1" {
		t.Errorf("TCP login = %q", got)
	}
	cmd = s.Client(ctx, "postgres", "-h", "127.0.0.1", "-c", "SELECT 1")
	cmd.Env = append(cmd.Env, "PGPASSWORD=wrong")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("login with wrong password succeeded: %s", out)
	}
}

func TestPostgresExecFile(t *testing.T) {
	ctx := testCtx(t)
	s := env.Postgres
	if err := s.CreateDatabase(ctx, "ferry_file"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.sql")
	if err := os.WriteFile(path, []byte("CREATE TABLE t (id int);\nINSERT INTO t SELECT generate_series(1, 10);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.ExecFile(ctx, "ferry_file", path); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Query(ctx, "ferry_file", "SELECT sum(id) FROM t"); err != nil || got != "55" {
		t.Errorf("sum = %q, %v", got, err)
	}
	if err := os.WriteFile(path, []byte("SELECT 1;\nSELECT broken syntax here;\nCREATE TABLE after_error (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.ExecFile(ctx, "ferry_file", path); err == nil {
		t.Error("ExecFile with a syntax error succeeded")
	}
	if got, _ := s.Query(ctx, "ferry_file", "SELECT to_regclass('after_error') IS NULL"); got != "t" {
		t.Error("script continued after error (ON_ERROR_STOP not effective)")
	}
}

// TestRestart checks that a clean restart and a kill + restart (crash
// recovery) keep committed data and the port.
func TestRestart(t *testing.T) {
	ctx := testCtx(t)
	for _, s := range servers() {
		t.Run(s.Kind, func(t *testing.T) {
			if err := s.CreateDatabase(ctx, "ferry_restart"); err != nil {
				t.Fatal(err)
			}
			if err := s.Exec(ctx, "ferry_restart", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);"); err != nil {
				t.Fatal(err)
			}
			port := s.Port
			start := time.Now()
			if err := s.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("restart took %s", time.Since(start).Round(time.Millisecond))
			if s.Port != port {
				t.Errorf("port changed %d -> %d", port, s.Port)
			}
			if err := s.Exec(ctx, "ferry_restart", "INSERT INTO t VALUES (2);"); err != nil {
				t.Fatal(err)
			}

			if err := s.Kill(); err != nil {
				t.Fatal(err)
			}
			if s.Running() {
				t.Fatal("server still running after Kill")
			}
			if _, err := s.Query(ctx, "ferry_restart", "SELECT 1"); err == nil {
				t.Fatal("query succeeded against a killed server")
			}
			start = time.Now()
			if err := s.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("restart after kill took %s", time.Since(start).Round(time.Millisecond))
			got, err := s.Query(ctx, "ferry_restart", "SELECT COUNT(*) FROM t")
			if err != nil {
				t.Fatal(err)
			}
			if got != "2" {
				t.Errorf("rows after crash recovery = %q, want 2", got)
			}

			// Stop is idempotent and Restart works from stopped.
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := s.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Query(ctx, "ferry_restart", "SELECT 1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPostgresPrivateDir starts PostgreSQL in t.TempDir(), whose parent is
// created 0700 by the testing package, exercising the root->postgres
// traversal fix-up.
func TestPostgresPrivateDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an extra server")
	}
	ctx := testCtx(t)
	s, err := StartPostgres(ctx, filepath.Join(t.TempDir(), "pg"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if got, err := s.Query(ctx, "", "SELECT 1"); err != nil || got != "1" {
		t.Fatalf("Query = %q, %v", got, err)
	}
	// Reusing an initialized dir is refused.
	if _, err := StartPostgres(ctx, s.Dir); err == nil {
		t.Error("StartPostgres on an initialized dir succeeded")
	}
}

// TestLongDir uses a directory too long for a unix socket path.
func TestLongDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an extra server")
	}
	ctx := testCtx(t)
	dir := filepath.Join(env.Dir(), strings.Repeat("x", 60), strings.Repeat("y", 60))
	s, err := StartMariaDB(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(s.SocketPath()); !os.IsNotExist(err) {
			t.Errorf("socket %s left behind: %v", s.SocketPath(), err)
		}
	}()
	if strings.HasPrefix(s.SocketPath(), dir) {
		t.Errorf("socket %s inside long dir", s.SocketPath())
	}
	// Setting up the root accounts is kept out of the binlog.
	if got, err := s.Query(ctx, "", "SELECT 1, @@gtid_binlog_pos"); err != nil || got != "1\t" {
		t.Fatalf("Query = %q, %v", got, err)
	}
}

// TestMariaDBSakila loads the sakila sample database (schema with DELIMITER
// blocks for triggers/routines, plus data) when FERRY_SAKILA_DIR points at a
// directory holding sakila-mv-schema.sql / sakila-mv-data.sql (or
// sakila-schema.sql / sakila-data.sql).
func TestMariaDBSakila(t *testing.T) {
	dir := os.Getenv("FERRY_SAKILA_DIR")
	if dir == "" {
		t.Skip("FERRY_SAKILA_DIR not set")
	}
	ctx := testCtx(t)
	s := env.MariaDB
	for _, pair := range [][2]string{{"sakila-mv-schema.sql", "sakila-mv-data.sql"}, {"sakila-schema.sql", "sakila-data.sql"}} {
		schema, data := filepath.Join(dir, pair[0]), filepath.Join(dir, pair[1])
		if _, err := os.Stat(schema); err != nil {
			continue
		}
		start := time.Now()
		if err := s.ExecFile(ctx, "", schema); err != nil {
			t.Fatal(err)
		}
		if err := s.ExecFile(ctx, "", data); err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded sakila in %s", time.Since(start).Round(time.Millisecond))
		got, err := s.Query(ctx, "sakila", "SELECT COUNT(*) FROM rental; SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='sakila'")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("rentals, triggers: %q", got)
		if strings.HasPrefix(got, "0\n") || strings.HasSuffix(got, "\n0") {
			t.Errorf("sakila not loaded: %q", got)
		}
		return
	}
	t.Skipf("no sakila files in %s", dir)
}

// TestStartFailureShowsLog checks that a failed start reports the server
// log tail, and that a taken port is reported by Restart.
func TestStartFailureShowsLog(t *testing.T) {
	ctx := testCtx(t)
	s := env.MariaDB
	orig := s.serverArgv
	defer func() {
		s.serverArgv = orig
		if err := s.Restart(ctx); err != nil {
			t.Fatal(err)
		}
	}()
	s.serverArgv = append(append([]string(nil), orig...), "--no-such-option-xyz")
	err := s.Restart(ctx)
	if err == nil {
		t.Fatal("Restart with a bad option succeeded")
	}
	if !strings.Contains(err.Error(), "no-such-option-xyz") {
		t.Errorf("error lacks log tail: %v", err)
	}
	t.Logf("error: %v", err)

	p := env.Postgres
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	err = p.Restart(ctx)
	l.Close()
	if err == nil {
		t.Fatal("Restart on a taken port succeeded")
	}
	t.Logf("error: %v", err)
	if err := p.Restart(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestServerOutlivesStartingThread starts a server from a goroutine that
// locks its OS thread and exits without unlocking, which makes the Go
// runtime terminate the thread. The server was started with Pdeathsig,
// which Linux delivers when the forking *thread* exits
// (https://go.dev/issue/27505); it must keep running.
func TestServerOutlivesStartingThread(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an extra server")
	}
	ctx := testCtx(t)
	type result struct {
		s   *Server
		err error
	}
	ch := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		s, err := StartPostgres(ctx, filepath.Join(t.TempDir(), "pg"))
		ch <- result{s, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	s := r.s
	defer func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(time.Second) // the parent-death signal would have arrived by now
	if !s.Running() {
		t.Fatal("server died after the goroutine that started it exited")
	}
	if got, err := s.Query(ctx, "", "SELECT 1"); err != nil || got != "1" {
		t.Fatalf("Query = %q, %v", got, err)
	}
}

// TestKillLeavesNothing checks that Kill waits for every process of the
// server, including PostgreSQL's children (which run in their own sessions,
// out of reach of a process group kill), and for the shared memory to be
// detached, and that an unexpected server exit is reported by client
// commands and recovered from by Restart.
func TestKillLeavesNothing(t *testing.T) {
	ctx := testCtx(t)
	for _, s := range servers() {
		t.Run(s.Kind, func(t *testing.T) {
			if err := s.CreateDatabase(ctx, "ferry_kill"); err != nil {
				t.Fatal(err)
			}
			s.mu.Lock()
			pid := s.proc.pid
			s.mu.Unlock()
			kids := descendants(pid)
			if s.Kind == KindPostgres {
				if len(kids) == 0 {
					t.Fatal("no postgres child processes found")
				}
				// A child that is not scheduled for a while (as on a busy
				// machine) does not notice the postmaster's death.
				if err := syscall.Kill(kids[0].pid, syscall.SIGSTOP); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Kill(); err != nil {
				t.Fatal(err)
			}
			for _, k := range kids {
				if k.alive() {
					t.Errorf("child pid %d still alive after Kill", k.pid)
				}
			}
			if o := serverOrphans(s.serverExe(), s.dataDir); len(o) > 0 {
				t.Errorf("server processes left after Kill: %v", o)
			}
			if s.Kind == KindPostgres {
				id, ok := pgShmID(s.dataDir)
				if !ok {
					t.Fatal("no shared memory id in postmaster.pid")
				}
				if n := shmAttached(id); n != 0 {
					t.Errorf("shared memory %d still has %d attachments after Kill", id, n)
				}
			}
			if err := s.Restart(ctx); err != nil {
				t.Fatal(err)
			}

			// A crash (SIGKILL of the main process only, leaving any
			// PostgreSQL children orphaned) is reported by client
			// commands with the log tail, and Restart recovers.
			s.mu.Lock()
			p := s.proc
			s.mu.Unlock()
			if err := p.signal(syscall.SIGKILL, false); err != nil {
				t.Fatal(err)
			}
			<-p.done
			_, err := s.Query(ctx, "ferry_kill", "SELECT 1")
			if err == nil || !strings.Contains(err.Error(), "server process has exited: signal: killed") ||
				!strings.Contains(err.Error(), s.LogPath()) {
				t.Errorf("Query error = %v, want server exit report", err)
			}
			if err := s.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Query(ctx, "ferry_kill", "SELECT 1"); err != nil || got != "1" {
				t.Fatalf("Query after restart = %q, %v", got, err)
			}
		})
	}
}

// TestMariaDBPortTakenByOtherServer checks that the readiness check does
// not mistake another MySQL-protocol server on the port (e.g. of a sandbox
// started concurrently by another test package) for ours.
func TestMariaDBPortTakenByOtherServer(t *testing.T) {
	ctx := testCtx(t)
	s := env.MariaDB
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Restart(ctx); err != nil {
			t.Fatal(err)
		}
	}()
	l, err := net.Listen("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			// A protocol version 10 handshake packet.
			_, _ = c.Write([]byte{7, 0, 0, 0, 10, '1', '0', '.', '1', '1', 0})
			c.Close()
		}
	}()
	err = s.Restart(ctx)
	l.Close()
	if err == nil {
		t.Fatal("Restart succeeded although another server holds the port")
	}
	if !strings.Contains(err.Error(), "exited during startup") {
		t.Errorf("Restart error = %v, want a start failure", err)
	}
}

// TestMariaDBPrivateTmpdir checks that MariaDB uses its own tmpdir: at
// startup mariadbd deletes every "#sql*" file in its tmpdir, which in a
// shared one (/tmp) are the live internal temporary tables of other
// servers (e.g. of test packages running in parallel), making them fail
// queries or crash.
func TestMariaDBPrivateTmpdir(t *testing.T) {
	ctx := testCtx(t)
	s := env.MariaDB
	got, err := s.Query(ctx, "", "SELECT @@tmpdir")
	if err != nil {
		t.Fatal(err)
	}
	if got != s.tmpDir || !strings.HasPrefix(got, s.Dir) {
		t.Errorf("tmpdir = %q, want %q inside %s", got, s.tmpDir, s.Dir)
	}
	other, err := os.CreateTemp("", "#sql-ferry-sandbox-test-")
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	defer os.Remove(other.Name())
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other.Name()); err != nil {
		t.Errorf("MariaDB start removed another server's temporary file: %v", err)
	}
}
