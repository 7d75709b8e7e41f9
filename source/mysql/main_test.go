package mysql_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ferrydb/ferry/internal/sandbox"
)

// env holds the throwaway MariaDB (row binlog with GTIDs) and PostgreSQL
// servers the package's integration tests run against.
var env *sandbox.Env

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	e, err := sandbox.StartEnv(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start test databases:", err)
		os.Exit(1)
	}
	env = e
	code := m.Run()
	env.Close()
	os.Exit(code)
}
