package mysql_test

import (
	"testing"

	"github.com/ferrydb/ferry/internal/sandbox"
)

// env holds the throwaway MariaDB (row binlog with GTIDs) and PostgreSQL
// servers the package's integration tests run against.
var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }
