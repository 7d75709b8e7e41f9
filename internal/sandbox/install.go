package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// mariaBins are the MariaDB executables used by the sandbox.
type mariaBins struct {
	server    string // mariadbd / mysqld
	installDB string // mariadb-install-db / mysql_install_db
	client    string // mariadb / mysql
}

// pgBins are the PostgreSQL executables used by the sandbox.
type pgBins struct {
	postgres string
	initdb   string
	psql     string
	isready  string // optional
	version  int    // major version, 0 if unknown
}

var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/mysql/bin"}

// findExe looks each name up in PATH, then in extraDirs, returning the
// first executable found.
func findExe(names []string, extraDirs []string) (string, bool) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, true
		}
	}
	for _, d := range extraDirs {
		for _, n := range names {
			if p := filepath.Join(d, n); isExecutable(p) {
				return p, true
			}
		}
	}
	return "", false
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func findMariaDB() (*mariaBins, error) {
	var b mariaBins
	var missing []string
	var ok bool
	if b.server, ok = findExe([]string{"mariadbd", "mysqld"}, sbinDirs); !ok {
		missing = append(missing, "mariadbd")
	}
	if b.installDB, ok = findExe([]string{"mariadb-install-db", "mysql_install_db"}, sbinDirs); !ok {
		missing = append(missing, "mariadb-install-db")
	}
	if b.client, ok = findExe([]string{"mariadb", "mysql"}, sbinDirs); !ok {
		missing = append(missing, "mariadb (client)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sandbox: MariaDB executables not found: %s (install mariadb-server and mariadb-client, or call EnsureInstalled)", strings.Join(missing, ", "))
	}
	return &b, nil
}

// pgVersionDirs returns /usr/lib/postgresql/<major>/bin directories,
// highest version first.
func pgVersionDirs() []struct {
	dir     string
	version int
} {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	type vd = struct {
		dir     string
		version int
	}
	var out []vd
	for _, m := range matches {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(m)))
		if err != nil {
			continue
		}
		out = append(out, vd{m, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version > out[j].version })
	return out
}

// findPostgres prefers the highest /usr/lib/postgresql/N/bin that holds a
// server (Debian's /usr/bin/psql is a version-picking wrapper), falling
// back to PATH.
func findPostgres() (*pgBins, error) {
	for _, vd := range pgVersionDirs() {
		b := pgBins{
			postgres: filepath.Join(vd.dir, "postgres"),
			initdb:   filepath.Join(vd.dir, "initdb"),
			psql:     filepath.Join(vd.dir, "psql"),
			isready:  filepath.Join(vd.dir, "pg_isready"),
			version:  vd.version,
		}
		if !isExecutable(b.postgres) || !isExecutable(b.initdb) {
			continue
		}
		if !isExecutable(b.psql) {
			p, ok := findExe([]string{"psql"}, nil)
			if !ok {
				continue
			}
			b.psql = p
		}
		if !isExecutable(b.isready) {
			b.isready, _ = findExe([]string{"pg_isready"}, nil)
		}
		return &b, nil
	}
	var b pgBins
	var missing []string
	var ok bool
	if b.postgres, ok = findExe([]string{"postgres"}, nil); !ok {
		missing = append(missing, "postgres")
	}
	if b.initdb, ok = findExe([]string{"initdb"}, nil); !ok {
		missing = append(missing, "initdb")
	}
	if b.psql, ok = findExe([]string{"psql"}, nil); !ok {
		missing = append(missing, "psql")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sandbox: PostgreSQL executables not found: %s (install postgresql and postgresql-client, or call EnsureInstalled)", strings.Join(missing, ", "))
	}
	b.isready, _ = findExe([]string{"pg_isready"}, nil)
	b.version = postgresMajor(b.postgres)
	return &b, nil
}

// postgresMajor runs "postgres --version" and returns the major version, or 0.
func postgresMajor(bin string) int {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return 0
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return 0
	}
	major, _, _ := strings.Cut(f[len(f)-1], ".")
	v, _ := strconv.Atoi(major)
	return v
}

// aptPackages are installed by EnsureInstalled when executables are missing.
var aptPackages = []string{"mariadb-server", "mariadb-client", "postgresql", "postgresql-client"}

// EnsureInstalled makes sure the MariaDB and PostgreSQL server and client
// executables are available. If any is missing it runs `apt-get update`
// and `apt-get install -y --no-install-recommends mariadb-server
// mariadb-client postgresql postgresql-client` non-interactively, with a
// temporary policy-rc.d (exit 101) and RUNLEVEL=1 so that the packages'
// system services are not started. Requires root in that case.
func EnsureInstalled(ctx context.Context) error {
	_, mErr := findMariaDB()
	_, pErr := findPostgres()
	if mErr == nil && pErr == nil {
		return nil
	}
	// go test runs packages in parallel, each starting its own sandbox:
	// one installs, the others wait for it and then find the binaries.
	unlock, err := lockFile(ctx, filepath.Join(os.TempDir(), "ferry-sandbox-install.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	_, mErr = findMariaDB()
	_, pErr = findPostgres()
	if mErr == nil && pErr == nil {
		return nil
	}
	missing := errors.Join(mErr, pErr)
	if os.Geteuid() != 0 {
		return fmt.Errorf("sandbox: not root, cannot install packages: %w", missing)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("sandbox: apt-get not available: %w", missing)
	}
	cleanup, err := denyServiceStarts()
	if err != nil {
		return err
	}
	defer cleanup()
	env := append(cleanEnv(), "DEBIAN_FRONTEND=noninteractive", "RUNLEVEL=1")
	if err := runLogged(ctx, env, "apt-get", "update"); err != nil {
		return fmt.Errorf("sandbox: apt-get update: %w", err)
	}
	args := append([]string{"install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600",
		"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"}, aptPackages...)
	if err := runLogged(ctx, env, "apt-get", args...); err != nil {
		return fmt.Errorf("sandbox: apt-get install: %w", err)
	}
	if _, err := findMariaDB(); err != nil {
		return err
	}
	if _, err := findPostgres(); err != nil {
		return err
	}
	return nil
}

// lockFile takes an exclusive flock on path, waiting for it while ctx
// allows.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox: install lock %s: %w", path, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("sandbox: install lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("sandbox: waiting for another package's install: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// denyServiceStarts installs /usr/sbin/policy-rc.d returning 101 (action
// forbidden) unless one exists already; the returned func removes it.
func denyServiceStarts() (func(), error) {
	const path = "/usr/sbin/policy-rc.d"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if errors.Is(err, os.ErrExist) {
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: write %s: %w", path, err)
	}
	_, werr := f.WriteString("#!/bin/sh\n# installed temporarily by ferry sandbox.EnsureInstalled\nexit 101\n")
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("sandbox: write %s: %w", path, err)
	}
	return func() { _ = os.Remove(path) }, nil
}

// runLogged runs a command, returning an error with its output tail.
func runLogged(ctx context.Context, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %s", err, tailLines(out.String(), 20))
	}
	return nil
}
