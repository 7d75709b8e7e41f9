package mysql_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/source/mysql"
)

// TestBinlogRetention reads the server's retention as it is set, and warns
// once the time since the snapshot outgrows it.
func TestBinlogRetention(t *testing.T) {
	ctx := context.Background()
	if err := env.MariaDB.Exec(ctx, "", "SET GLOBAL binlog_expire_logs_seconds = 7200"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.MariaDB.Exec(ctx, "", "SET GLOBAL binlog_expire_logs_seconds = 0") })
	s, err := mysql.Open(ctx, env.MariaDB.DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.BinlogRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Period != 2*time.Hour || r.Setting != "binlog_expire_logs_seconds=7200" {
		t.Errorf("retention %s %q, want 2h binlog_expire_logs_seconds=7200", r.Period, r.Setting)
	}
	if w, err := s.RetentionWarning(ctx, time.Now().Add(-10*time.Minute)); err != nil || w != "" {
		t.Errorf("10 minutes against 2 hours: %q %v", w, err)
	}
	if w, err := s.RetentionWarning(ctx, time.Now().Add(-time.Hour)); err != nil || !strings.Contains(w, "binlog_expire_logs_seconds=7200") {
		t.Errorf("an hour against 2 hours: %q %v", w, err)
	}
}
