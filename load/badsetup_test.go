package load_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/internal/sandbox"
)

// badSetup runs migrate and checks the failure: non-zero exit, a last
// stderr line "ferry: ..." naming each of want (the setting and the fix),
// and no password anywhere in the output.
func badSetup(t *testing.T, bin string, want []string, secrets []string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"migrate", "--state-dir", t.TempDir()}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out, errs := stdout.String(), stderr.String()
	if ctx.Err() != nil {
		t.Fatalf("still running after a minute, want a failure at once\n%s\n%s", out, errs)
	}
	if err == nil {
		t.Fatalf("exit 0, want a failure\n%s\n%s", out, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "ferry: ") {
		t.Errorf("last stderr line %q is not the error\nstderr:\n%s", last, errs)
	}
	t.Log(last)
	for _, w := range want {
		if !strings.Contains(last, w) {
			t.Errorf("error %q does not mention %q", last, w)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out+errs, s) {
			t.Errorf("the output shows the password %q:\n%s%s", s, out, errs)
		}
	}
}

// TestBadCDCSetup: sources that cannot feed CDC are refused with one line
// that names the setting or privilege and the fix, before anything is
// written to the target.
func TestBadCDCSetup(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1);
		CREATE USER IF NOT EXISTS 'norepl'@'%' IDENTIFIED BY 'Secr3t-pw';
		GRANT SELECT, RELOAD, SHOW VIEW ON *.* TO 'norepl'@'%';`); err != nil {
		t.Fatal(err)
	}
	bin := buildFerry(t)
	secrets := []string{sandbox.Password + "@", "Secr3t-pw"}
	targetUntouched := func(t *testing.T, dst string) {
		t.Helper()
		pg := openPG(t, dst)
		if n := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`); n != 0 {
			t.Errorf("the target has %d tables after a refused start", n)
		}
	}

	t.Run("binlog_format STATEMENT", func(t *testing.T) {
		if err := env.MariaDB.Exec(ctx, "", "SET GLOBAL binlog_format = 'STATEMENT'"); err != nil {
			t.Fatal(err)
		}
		defer env.MariaDB.Exec(ctx, "", "SET GLOBAL binlog_format = 'ROW'")
		badSetup(t, bin, []string{"binlog_format is STATEMENT", "SET GLOBAL binlog_format=ROW", "my.cnf"}, secrets,
			"--mode", "full+cdc", "--source", src, "--target", dst)
		targetUntouched(t, dst)
	})

	t.Run("no replication privilege", func(t *testing.T) {
		user := "mysql://norepl:Secr3t-pw@" + env.MariaDB.Addr() + "/" + name
		badSetup(t, bin, []string{`"norepl"`, "REPLICATION SLAVE", "GRANT REPLICATION SLAVE"}, secrets,
			"--mode", "full+cdc", "--source", user, "--target", dst)
		targetUntouched(t, dst)
		badSetup(t, bin, []string{"REPLICATION SLAVE", "GRANT"}, secrets,
			"--mode", "cdc", "--start-position", "binlog.000001:4", "--source", user, "--target", dst)
	})

	t.Run("cdc without the target tables", func(t *testing.T) {
		badSetup(t, bin, []string{"target table", "does not exist", "--mode full"}, secrets,
			"--mode", "cdc", "--start-position", "binlog.000001:4", "--source", src, "--target", dst)
	})

	t.Run("malformed start position", func(t *testing.T) {
		// A MySQL GTID set given to a MariaDB source: refused before
		// anything connects to the binlog or touches the target.
		badSetup(t, bin, []string{"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7", "mariadb GTID set", "gtid_binlog_pos"}, secrets,
			"--mode", "cdc", "--start-position", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7", "--source", src, "--target", dst)
		targetUntouched(t, dst)
	})

	t.Run("start position purged", func(t *testing.T) {
		first, err := env.MariaDB.Query(ctx, "", "SHOW BINARY LOGS")
		if err != nil {
			t.Fatal(err)
		}
		oldest := strings.Fields(first)[0]
		if err := env.MariaDB.Exec(ctx, "", "FLUSH BINARY LOGS"); err != nil {
			t.Fatal(err)
		}
		cur, err := env.MariaDB.Query(ctx, "", "SHOW MASTER STATUS")
		if err != nil {
			t.Fatal(err)
		}
		current := strings.Fields(cur)[0]
		if err := env.MariaDB.Exec(ctx, "", "PURGE BINARY LOGS TO '"+current+"'"); err != nil {
			t.Fatal(err)
		}
		if after, err := env.MariaDB.Query(ctx, "", "SHOW BINARY LOGS"); err != nil || strings.Contains(after, oldest+"\t") {
			t.Fatalf("%s was not purged (%v):\n%s", oldest, err, after)
		}
		// The target tables exist (a cdc run needs them), so the purge is
		// what fails.
		mustMigrate(t, "--source", src, "--target", dst)
		badSetup(t, bin, []string{"purged", oldest, "new snapshot", "binlog_expire_logs_seconds"}, secrets,
			"--mode", "cdc", "--start-position", oldest+":4", "--source", src, "--target", dst)
	})

	t.Run("binlog off", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nobinlog")
		srv, err := sandbox.StartMariaDBWith(ctx, dir, sandbox.MariaDBOptions{NoBinlog: true})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Stop()
		if err := srv.CreateDatabase(ctx, "nb"); err != nil {
			t.Fatal(err)
		}
		if err := srv.Exec(ctx, "nb", "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1);"); err != nil {
			t.Fatal(err)
		}
		if err := env.Postgres.CreateDatabase(ctx, name+"_nb"); err != nil {
			t.Fatal(err)
		}
		dst := env.Postgres.DSN(name + "_nb")
		badSetup(t, bin, []string{"binary logging is off (log_bin=0)", "log_bin", "my.cnf", "restart"}, secrets,
			"--mode", "full+cdc", "--source", srv.DSN("nb"), "--target", dst)
		targetUntouched(t, dst)
	})
}
