package scriptload

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ferrydb/ferry/source/oraclescript"
)

func loadCtl(t *testing.T, ctls ...string) ([]TableCount, error) {
	t.Helper()
	pool := sqlldrPool
	ctx := context.Background()
	s := oraclescript.NewSession(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	l, err := Begin(ctx, pool, s, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range ctls {
		paths = append(paths, filepath.Join("testdata", "sqlldr", c))
	}
	if err := SQLLoader(ctx, l, paths, s); err != nil {
		l.Rollback()
		return nil, err
	}
	return l.Commit(ctx)
}

var sqlldrPool *pgxpool.Pool

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSQLLoader(t *testing.T) {
	sqlldrPool, _ = freshDB(t, filepath.Join("testdata", "sqlldr", "tables.pg.sql"))
	pool := sqlldrPool
	counts, err := loadCtl(t, "emp.ctl", "fixed.ctl", "tab.ctl", "ws.ctl")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range counts {
		got = append(got, c.Table+"="+itoa(c.Rows))
	}
	if strings.Join(got, " ") != "public.emp=3 public.fixed_t=2 public.tabbed=2 public.ws=2" {
		t.Errorf("counts %v", got)
	}
	checks := map[string]string{
		// delimited, optionally enclosed, doubled quotes, NULLIF, FILLER, TRAILING NULLCOLS, TRUNCATE, SKIP=1, CRLF
		`SELECT string_agg(format('%s|%s|%s|%s|%s|%s', emp_id, name, hired, salary, note, dept), E'\n' ORDER BY emp_id) FROM emp`: "1|Smith, John|2013-06-17 00:00:00|24000.50|said \"hi\"|IT\n" +
			"2|O'Brien|2020-01-01 00:00:00|||HR\n" +
			"3|Multi|2020-02-29 00:00:00|1000.00||",
		// fixed positions, BEGINDATA, NULLIF BLANKS, CONSTANT, RECNUM, APPEND
		`SELECT string_agg(format('%s|%s|%s|%s|%s|%s', code, qty, ts, flag, src, rn), E'\n' ORDER BY rn) FROM fixed_t`: "AB12|42|2021-02-03 04:05:06|t|fixed|1\n" +
			"CD34|7|2021-12-31 23:59:59||fixed|2",
		// X'09', REPLACE, time zones
		`SELECT string_agg(format('%s|%s|%s', a, b, c), E'\n' ORDER BY a) FROM tabbed`: "1|one|2021-02-03 02:05:06+00\n2||2021-02-03 09:35:06+00",
		// WHITESPACE
		`SELECT string_agg(format('%s|%s|%s', x, y, z), E'\n' ORDER BY x) FROM ws`: "alpha|1.5|z1\nbeta|2|",
	}
	for q, w := range checks {
		if g := query(t, pool, q); g != w {
			t.Errorf("%s:\ngot  %q\nwant %q", q, g, w)
		}
	}

	for _, c := range []struct{ ctl, msg string }{
		{"bad.ctl", "bad.dat:3: field HIRED: value \"31-FEB-2020\""},
		{"when.ctl", "when.ctl:2: WHEN is not supported"},
		{"short.ctl", "ws.dat:2: field Z: missing"},
		{"expr.ctl", `SQL expression "UPPER(:x)" on field X is not supported`},
	} {
		before := query(t, pool, "SELECT count(*) FROM emp")
		_, err := loadCtl(t, c.ctl)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: got %v, want %q", c.ctl, err, c.msg)
		}
		if after := query(t, pool, "SELECT count(*) FROM emp"); after != before {
			t.Errorf("%s: a failed load changed emp: %s -> %s rows", c.ctl, before, after)
		}
	}
	// INSERT (the default method) refuses a table with rows.
	if _, err := loadCtl(t, "emp.ctl", "bad.ctl"); err == nil {
		t.Error("bad.ctl after emp.ctl loaded")
	}
}
