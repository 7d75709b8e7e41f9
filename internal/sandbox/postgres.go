package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// StartPostgres initializes a PostgreSQL cluster under dir (created if
// needed; must not already hold one), starts postgres on a free loopback
// port and waits until it accepts connections. wal_level is logical
// (CDC-ready); durability is traded for speed (fsync=off). The superuser
// "postgres" has password [Password] with scram-sha-256 auth on TCP and
// the unix socket.
//
// When running as root, dir is chowned to the "postgres" OS user and the
// server runs as that user; dir's parents must be traversable by it (parents
// inside os.TempDir() are made world-traversable if needed).
//
// Layout: dir/data (PGDATA), dir/postgres.log, socket dir = dir.
func StartPostgres(ctx context.Context, dir string) (*Server, error) {
	bins, err := findPostgres()
	if err != nil {
		return nil, err
	}
	dir, err = prepareDir(dir)
	if err != nil {
		return nil, err
	}
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := ensureTraversable(dir, cred); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("sandbox: chown %s to postgres: %w", dir, err)
		}
	}
	sockDir, sockTmp, err := socketDir(dir, ".s.PGSQL.65535.lock")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Kind:     KindPostgres,
		Host:     "127.0.0.1",
		User:     "postgres",
		Password: Password,
		Dir:      dir,
		dataDir:  filepath.Join(dir, "data"),
		sockDir:  sockDir,
		sockTmp:  sockTmp,
		logPath:  filepath.Join(dir, "postgres.log"),
		cred:     cred,
		stopSig:  syscall.SIGINT, // fast shutdown
		pg:       bins,
	}
	fail := func(err error) (*Server, error) {
		_ = s.Stop()
		return nil, err
	}
	if err := s.initdb(ctx); err != nil {
		return fail(err)
	}
	s.mu.Lock()
	err = s.startWithFreePort(ctx, s.postgresArgv)
	s.mu.Unlock()
	if err != nil {
		return fail(fmt.Errorf("sandbox: start postgres: %w", err))
	}
	return s, nil
}

func (s *Server) postgresArgv(port int) []string {
	argv := []string{s.pg.postgres, "-D", s.dataDir, "-p", strconv.Itoa(port), "-k", s.sockDir}
	for _, kv := range []string{
		"listen_addresses=127.0.0.1",
		"wal_level=logical",
		"max_wal_senders=10",
		"max_replication_slots=10",
		"fsync=off",
		// synchronous_commit stays on: with fsync=off a commit is only a
		// write() to the OS, and committed rows survive Kill (a process
		// crash), which crash/resume tests rely on.
		"full_page_writes=off",
		"shared_buffers=256MB",
		"max_wal_size=4GB",
		"maintenance_work_mem=256MB",
		"max_connections=200",
		"unix_socket_permissions=0777",
	} {
		argv = append(argv, "-c", kv)
	}
	return argv
}

// initdb creates the cluster, trying locale C.UTF-8 and falling back to C.
func (s *Server) initdb(ctx context.Context) error {
	pwFile := filepath.Join(s.Dir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(s.Password+"\n"), 0o600); err != nil {
		return fmt.Errorf("sandbox: write password file: %w", err)
	}
	defer os.Remove(pwFile)
	if s.cred != nil {
		if err := os.Chown(pwFile, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fmt.Errorf("sandbox: chown password file: %w", err)
		}
	}
	logPath := filepath.Join(s.Dir, "initdb.log")
	var errs []error
	for _, locale := range []string{"C.UTF-8", "C"} {
		err := runInstallAs(ctx, s.Dir, logPath, s.cred, s.pg.initdb,
			"-D", s.dataDir, "-U", s.User, "--auth=scram-sha-256", "--pwfile="+pwFile,
			"-E", "UTF8", "--locale="+locale, "--no-sync")
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("locale %s: %w", locale, err))
		if ctx.Err() != nil {
			break
		}
		if rmErr := os.RemoveAll(s.dataDir); rmErr != nil {
			errs = append(errs, rmErr)
			break
		}
	}
	return fmt.Errorf("sandbox: initdb: %w", errors.Join(errs...))
}

// pgPing checks readiness with pg_isready (or psql when unavailable).
func (s *Server) pgPing(ctx context.Context) error {
	var cmd *exec.Cmd
	if s.pg.isready != "" {
		cmd = exec.CommandContext(ctx, s.pg.isready, "-q", "-t", "2",
			"-h", s.sockDir, "-p", strconv.Itoa(s.Port), "-U", s.User, "-d", "postgres")
		cmd.Env = cleanEnv()
	} else {
		cmd = s.Client(ctx, "postgres", "-c", "SELECT 1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w %s", filepath.Base(cmd.Path), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// postgresCredential returns the credential of the "postgres" OS user when
// running as root (initdb and postgres refuse to run as root), else nil.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("sandbox: running as root needs the \"postgres\" OS user (installed with the postgresql package): %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("sandbox: postgres OS user: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// ensureTraversable checks that every ancestor of dir can be searched by
// cred's user. Ancestors inside os.TempDir() get o+x added when needed;
// anything else is reported as an error.
func ensureTraversable(dir string, cred *syscall.Credential) error {
	tmp, err := filepath.Abs(os.TempDir())
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		if !canSearch(fi, cred) {
			rel, relErr := filepath.Rel(tmp, p)
			if relErr != nil || rel == "." || strings.HasPrefix(rel, "..") {
				return fmt.Errorf("sandbox: directory %s is not traversable by the postgres OS user; use a directory under %s", p, tmp)
			}
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("sandbox: make %s traversable: %w", p, err)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func canSearch(fi os.FileInfo, cred *syscall.Credential) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return perm&0o001 != 0
	}
	switch {
	case st.Uid == cred.Uid:
		return perm&0o100 != 0
	case st.Gid == cred.Gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
