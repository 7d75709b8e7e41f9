package mysql

import (
	"strings"
	"testing"
	"time"
)

func TestRetentionFrom(t *testing.T) {
	cases := []struct {
		vars    map[string]string
		period  time.Duration
		setting string
	}{
		{map[string]string{"binlog_expire_logs_seconds": "86400", "expire_logs_days": "1.000000"}, 24 * time.Hour, "binlog_expire_logs_seconds=86400"},
		{map[string]string{"binlog_expire_logs_seconds": "0", "expire_logs_days": "0.500000"}, 12 * time.Hour, "expire_logs_days=0.500000"},
		{map[string]string{"expire_logs_days": "3"}, 72 * time.Hour, "expire_logs_days=3"},
		{map[string]string{"binlog_expire_logs_seconds": "0", "expire_logs_days": "0"}, 0, "binlog_expire_logs_seconds=0"},
		{map[string]string{"binlog_expire_logs_seconds": "2592000", "binlog_expire_logs_auto_purge": "OFF"}, 0, "binlog_expire_logs_auto_purge=OFF"},
	}
	for _, c := range cases {
		r := retentionFrom(c.vars)
		if r.Period != c.period || r.Setting != c.setting {
			t.Errorf("%v: got %s %q, want %s %q", c.vars, r.Period, r.Setting, c.period, c.setting)
		}
	}
}

func TestRetentionWarning(t *testing.T) {
	hour := Retention{Period: time.Hour, Setting: "binlog_expire_logs_seconds=3600", Variable: "binlog_expire_logs_seconds"}
	if w := retentionWarning(hour, 10*time.Minute); w != "" {
		t.Errorf("an hour against a 10-minute load: %q", w)
	}
	w := retentionWarning(hour, 30*time.Minute)
	for _, want := range []string{"binlog_expire_logs_seconds=3600", "3×", "30m0s since the snapshot", "purged in 30m0s", "SET GLOBAL binlog_expire_logs_seconds = 604800"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
	if w := retentionWarning(hour, 2*time.Hour); !strings.Contains(w, "may already be purged") {
		t.Errorf("past the retention: %q", w)
	}
	days := Retention{Period: 24 * time.Hour, Setting: "expire_logs_days=1", Variable: "expire_logs_days"}
	if w := retentionWarning(days, 10*time.Hour); !strings.Contains(w, "SET GLOBAL expire_logs_days = 7") {
		t.Errorf("days: %q", w)
	}
	if w := retentionWarning(Retention{Setting: "expire_logs_days=0"}, 1000*time.Hour); w != "" {
		t.Errorf("no retention: %q", w)
	}
}
