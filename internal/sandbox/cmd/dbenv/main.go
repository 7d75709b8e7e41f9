// Command dbenv starts a throwaway MariaDB and PostgreSQL (see package
// sandbox), prints their DSNs and shell export lines, and stops them on
// SIGINT/SIGTERM.
//
// Usage:
//
//	go run ./internal/sandbox/cmd/dbenv   (or scripts/dbenv.sh)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ferrydb/ferry/internal/sandbox"
)

func main() {
	os.Exit(run())
}

func run() int {
	timeout := flag.Duration("start-timeout", 5*time.Minute, "timeout for installing and starting the servers")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: dbenv [flags]\n\nStarts a throwaway MariaDB and PostgreSQL, prints DSNs, waits for Ctrl-C, then stops them and deletes their data.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)

	// A signal during startup cancels it.
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	started := make(chan struct{})
	watcherDone := make(chan struct{})
	go func() {
		defer close(watcherDone)
		select {
		case <-sigs:
			cancel()
		case <-started:
		}
	}()
	env, err := sandbox.StartEnv(ctx)
	close(started)
	<-watcherDone
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbenv:", err)
		return 1
	}
	defer env.Close()

	m, p := env.MariaDB, env.Postgres
	fmt.Printf("# MariaDB    %s  (socket %s, log %s)\n", m.DSN(""), m.SocketPath(), m.LogPath())
	fmt.Printf("# PostgreSQL %s  (socket dir %s, log %s)\n", p.DSN("postgres"), p.Dir, p.LogPath())
	fmt.Printf("export FERRY_MYSQL_DSN=%q\n", m.DSN(""))
	fmt.Printf("export FERRY_PG_DSN=%q\n", p.DSN("postgres"))
	fmt.Printf("# mariadb --no-defaults -h127.0.0.1 -P%d -uroot -p%s\n", m.Port, m.Password)
	fmt.Printf("# psql %q\n", p.DSN("postgres"))
	fmt.Println("# press Ctrl-C to stop and delete both servers")

	s := <-sigs
	fmt.Fprintf(os.Stderr, "dbenv: %s, stopping\n", s)
	return 0
}
