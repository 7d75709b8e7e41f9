package mysql

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Retention is how long the server keeps its binary logs.
type Retention struct {
	// Period is the age after which binlogs are purged; 0 means they are
	// never purged by age.
	Period time.Duration
	// Setting is the variable that sets Period, as it reads now
	// ("binlog_expire_logs_seconds=86400"); Variable is its name.
	Setting, Variable string
}

// BinlogRetention reads the binlog retention: binlog_expire_logs_seconds
// (MySQL 8, MariaDB 10.6+), else expire_logs_days. On MySQL,
// binlog_expire_logs_auto_purge=OFF turns purging by age off.
func (s *Source) BinlogRetention(ctx context.Context) (Retention, error) {
	rows, err := s.db.QueryContext(ctx, "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('binlog_expire_logs_seconds', 'expire_logs_days', 'binlog_expire_logs_auto_purge')")
	if err != nil {
		return Retention{}, fmt.Errorf("source %s: read the binlog retention: %w", s.cfg.Addr, err)
	}
	defer rows.Close()
	vars := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return Retention{}, fmt.Errorf("source %s: read the binlog retention: %w", s.cfg.Addr, err)
		}
		vars[strings.ToLower(k)] = v
	}
	if err := rows.Err(); err != nil {
		return Retention{}, fmt.Errorf("source %s: read the binlog retention: %w", s.cfg.Addr, err)
	}
	return retentionFrom(vars), nil
}

// retentionFrom interprets the retention variables. When both are set,
// the seconds win (MySQL 8 ignores expire_logs_days then; MariaDB 10.6+
// keeps the two in step).
func retentionFrom(vars map[string]string) Retention {
	if strings.EqualFold(vars["binlog_expire_logs_auto_purge"], "OFF") {
		return Retention{Setting: "binlog_expire_logs_auto_purge=OFF", Variable: "binlog_expire_logs_seconds"}
	}
	if v, ok := vars["binlog_expire_logs_seconds"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return Retention{Period: time.Duration(n) * time.Second, Setting: "binlog_expire_logs_seconds=" + v, Variable: "binlog_expire_logs_seconds"}
		}
	}
	if v, ok := vars["expire_logs_days"]; ok {
		// A fraction of a day is allowed on MariaDB (expire_logs_days=0.5).
		if d, err := strconv.ParseFloat(v, 64); err == nil && d > 0 {
			r := Retention{Period: time.Duration(d * float64(24*time.Hour)), Setting: "expire_logs_days=" + v, Variable: "expire_logs_days"}
			if _, ok := vars["binlog_expire_logs_seconds"]; ok {
				r.Variable = "binlog_expire_logs_seconds"
			}
			return r
		}
	}
	v := "binlog_expire_logs_seconds"
	if _, ok := vars[v]; !ok {
		v = "expire_logs_days"
	}
	return Retention{Variable: v, Setting: v + "=0"}
}

// RetentionFactor is the safety margin: the binlogs must be kept at least
// this many times as long as the full load took, since CDC then has to
// read everything written meanwhile while new changes keep coming.
const RetentionFactor = 3

// RetentionWarning reads the retention and says, when it is too short,
// that the binlogs CDC needs from a position current at since (the
// snapshot) may be purged before CDC catches up; "" when it is long
// enough or off.
func (s *Source) RetentionWarning(ctx context.Context, since time.Time) (string, error) {
	r, err := s.BinlogRetention(ctx)
	if err != nil {
		return "", err
	}
	return retentionWarning(r, time.Since(since)), nil
}

// retentionWarning decides: elapsed is the time since the position CDC
// starts from was current.
func retentionWarning(r Retention, elapsed time.Duration) string {
	if r.Period <= 0 || elapsed <= 0 {
		return ""
	}
	need := time.Duration(RetentionFactor) * elapsed
	if r.Period >= need {
		return ""
	}
	suggest := max(7*24*time.Hour, 2*need)
	fix := fmt.Sprintf("SET GLOBAL binlog_expire_logs_seconds = %d", int64(suggest.Seconds()))
	if r.Variable == "expire_logs_days" {
		fix = fmt.Sprintf("SET GLOBAL expire_logs_days = %d", int64(math.Ceil(suggest.Hours()/24)))
	}
	left := r.Period - elapsed
	when := fmt.Sprintf("they may be purged in %s", left.Round(time.Second))
	if left <= 0 {
		when = "they may already be purged"
	}
	return fmt.Sprintf("binlog retention %s (%s) is shorter than %d× the %s since the snapshot CDC starts from: %s, before CDC catches up; raise it (%s, and in my.cnf)",
		r.Setting, r.Period, RetentionFactor, elapsed.Round(time.Second), when, fix)
}
