package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StartMariaDB initializes a MariaDB data directory under dir (created if
// needed; must not already hold one), starts mariadbd on a free loopback
// port and waits until it accepts connections. The server has a row-based
// binlog with GTIDs (CDC-ready) and root's password is [Password] for
// root@localhost, root@127.0.0.1 and root@'%'.
//
// Layout: dir/data (datadir), dir/mysql.sock, dir/error.log,
// dir/binlog.* (binary logs), dir/mariadbd.pid, dir/tmp (tmpdir).
//
// Each server has its own tmpdir: at startup mariadbd deletes every
// "#sql*" file in its tmpdir, so with a shared one (the default, /tmp)
// starting a server deletes the on-disk internal temporary tables of the
// others that are running, which then fail queries or crash (SIGSEGV in
// ha_maria::drop_table in MariaDB 10.11).
func StartMariaDB(ctx context.Context, dir string) (*Server, error) {
	return StartMariaDBWith(ctx, dir, MariaDBOptions{})
}

// MariaDBOptions change how StartMariaDBWith configures the server.
type MariaDBOptions struct {
	// NoBinlog starts the server without a binary log (log_bin=OFF), for
	// tests of what CDC says about such a source.
	NoBinlog bool
}

// StartMariaDBWith is StartMariaDB with options.
func StartMariaDBWith(ctx context.Context, dir string, opt MariaDBOptions) (*Server, error) {
	bins, err := findMariaDB()
	if err != nil {
		return nil, err
	}
	dir, err = prepareDir(dir)
	if err != nil {
		return nil, err
	}
	sockDir, sockTmp, err := socketDir(dir, "mysql.sock")
	if err != nil {
		return nil, err
	}
	tmpDir, tmpTmp, err := mariadbTmpDir(dir)
	if err != nil {
		if sockTmp {
			_ = os.RemoveAll(sockDir)
		}
		return nil, err
	}
	s := &Server{
		Kind:     KindMariaDB,
		Host:     "127.0.0.1",
		User:     "root",
		Password: Password,
		Dir:      dir,
		dataDir:  filepath.Join(dir, "data"),
		sockDir:  sockDir,
		sockTmp:  sockTmp,
		tmpDir:   tmpDir,
		tmpTmp:   tmpTmp,
		logPath:  filepath.Join(dir, "error.log"),
		stopSig:  syscall.SIGTERM,
		mdb:      bins,
	}
	fail := func(err error) (*Server, error) {
		_ = s.Stop()
		return nil, err
	}

	osUser := ""
	if os.Geteuid() == 0 {
		osUser = "root"
	}
	installArgs := []string{"--no-defaults", "--datadir=" + s.dataDir, "--tmpdir=" + s.tmpDir,
		"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"}
	if osUser != "" {
		installArgs = append(installArgs, "--user="+osUser)
	}
	if err := runInstall(ctx, dir, filepath.Join(dir, "install-db.log"), bins.installDB, installArgs...); err != nil {
		return fail(fmt.Errorf("sandbox: mariadb-install-db: %w", err))
	}

	s.mu.Lock()
	err = s.startWithFreePort(ctx, func(port int) []string { return s.mariadbArgv(port, osUser, opt) })
	s.mu.Unlock()
	if err != nil {
		return fail(fmt.Errorf("sandbox: start mariadbd: %w", err))
	}
	if err := s.mariadbBootstrap(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

func (s *Server) mariadbArgv(port int, osUser string, opt MariaDBOptions) []string {
	argv := []string{s.mdb.server,
		"--no-defaults",
		"--datadir=" + s.dataDir,
		"--socket=" + s.SocketPath(),
		"--port=" + strconv.Itoa(port),
		"--bind-address=127.0.0.1",
		"--pid-file=" + filepath.Join(s.Dir, "mariadbd.pid"),
		"--log-error=" + s.logPath,
		"--tmpdir=" + s.tmpDir,
		"--server-id=1",
		"--log-bin=" + filepath.Join(s.Dir, "binlog"),
		"--binlog-format=ROW",
		"--binlog-row-image=FULL",
		"--gtid-strict-mode=1",
		"--log-slave-updates",
		"--innodb-buffer-pool-size=256M",
		"--innodb-log-file-size=256M",
		"--innodb-flush-log-at-trx-commit=2",
		"--innodb-doublewrite=0",
		"--sync-binlog=0",
		"--character-set-server=utf8mb4",
		"--collation-server=utf8mb4_general_ci",
		"--skip-name-resolve",
		"--max-allowed-packet=1G",
		"--max-connections=500",
		"--local-infile=1",
		"--secure-file-priv=",
	}
	if osUser != "" {
		argv = append(argv, "--user="+osUser)
	}
	if opt.NoBinlog {
		kept := argv[:0]
		for _, a := range argv {
			if !strings.HasPrefix(a, "--log-bin=") && a != "--log-slave-updates" {
				kept = append(kept, a)
			}
		}
		argv = append(kept, "--skip-log-bin")
	}
	return argv
}

// mariadbTmpDir creates the server's private tmpdir, dir/tmp, or a fresh
// temporary directory (tmp=true) when dir's path holds characters that
// mariadb-install-db (a shell script passing the option on unquoted)
// would mangle.
func mariadbTmpDir(dir string) (tmpDir string, tmp bool, err error) {
	tmpDir = filepath.Join(dir, "tmp")
	if strings.ContainsAny(tmpDir, " \t\n*?[]\\'\"$`") {
		if tmpDir, err = os.MkdirTemp("", "ferry-mariadb-tmp-"); err != nil {
			return "", false, fmt.Errorf("sandbox: tmpdir: %w", err)
		}
		return tmpDir, true, nil
	}
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return "", false, fmt.Errorf("sandbox: tmpdir: %w", err)
	}
	return tmpDir, false, nil
}

// mariadbBootstrap sets root's password and creates TCP root accounts. The
// statements are kept out of the binlog so CDC tests start from a clean log.
func (s *Server) mariadbBootstrap(ctx context.Context) error {
	q := "'" + strings.ReplaceAll(s.Password, "'", "''") + "'"
	sql := `SET SESSION sql_log_bin=0;
DELETE FROM mysql.global_priv WHERE User='root' AND Host<>'localhost';
DELETE FROM mysql.proxies_priv WHERE User='root' AND Host<>'localhost';
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY ` + q + `;
CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY ` + q + `;
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER 'root'@'%' IDENTIFIED BY ` + q + `;
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
`
	// root@localhost has no password yet: run the client without MYSQL_PWD.
	argv := s.ClientCommand("")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(sql)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sandbox: mariadb: set up root accounts: %w: %s", err, strings.TrimSpace(tailString(out.String(), 2048)))
	}
	return nil
}

// mysqlPing connects to addr (network "tcp" or "unix") and checks that the
// server sends a MySQL protocol handshake (protocol version 10), i.e. it
// accepts connections.
func mysqlPing(ctx context.Context, network, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(2 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = c.SetDeadline(deadline)
	hdr := make([]byte, 5) // 3-byte length, sequence id, first payload byte
	if _, err := io.ReadFull(c, hdr); err != nil {
		return fmt.Errorf("read handshake: %w", err)
	}
	switch hdr[4] {
	case 10:
		return nil
	case 0xff:
		n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
		msg := make([]byte, max(0, min(n-1, 512)))
		_, _ = io.ReadFull(c, msg)
		if len(msg) > 2 {
			msg = msg[2:] // error code
		}
		return fmt.Errorf("server refused connection: %s", msg)
	default:
		return fmt.Errorf("unexpected handshake byte %#x", hdr[4])
	}
}

// runInstall runs an initialization tool (mariadb-install-db / initdb)
// with output going to logPath; on failure the error includes the log tail.
func runInstall(ctx context.Context, dir, logPath, bin string, args ...string) error {
	return runInstallAs(ctx, dir, logPath, nil, bin, args...)
}

func runInstallAs(ctx context.Context, dir, logPath string, cred *syscall.Credential, bin string, args ...string) error {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		b, _ := os.ReadFile(logPath)
		return fmt.Errorf("%w; tail of %s:\n%s", err, logPath, tailLines(string(b), 20))
	}
	return nil
}
