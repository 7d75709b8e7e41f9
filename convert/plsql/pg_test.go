package plsql

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/sqlplus"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

// pgConn connects to a fresh database and collects NOTICE messages.
type pgConn struct {
	*pgx.Conn
	mu      sync.Mutex
	notices []string
}

func (c *pgConn) takeNotices() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.notices
	c.notices = nil
	return n
}

func freshPG(t *testing.T) *pgConn {
	t.Helper()
	_, dsn, _ := env.FreshDBs(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pc := &pgConn{}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		pc.mu.Lock()
		pc.notices = append(pc.notices, n.Message)
		pc.mu.Unlock()
	}
	pc.Conn, err = pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(context.Background()) })
	return pc
}

func (c *pgConn) exec(t *testing.T, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// install runs every object's SQL.
func (c *pgConn) install(t *testing.T, objs []*convert.Object) {
	t.Helper()
	for _, o := range objs {
		for _, s := range o.SQL {
			c.exec(t, s)
		}
	}
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code + " " + pe.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// sysdateSQL returns how the converter translates SYSDATE, so tests can
// pin the clock by replacing it with a literal.
func sysdateSQL(t *testing.T) string {
	c := New(Options{})
	o := c.Add("CREATE FUNCTION f RETURN DATE IS BEGIN RETURN SYSDATE; END;", "", 1)[0]
	_, after, ok := strings.Cut(o.SQL[len(o.SQL)-1], "\n  RETURN ")
	if !ok {
		t.Fatalf("no RETURN in %s", o.SQL)
	}
	return strings.TrimSuffix(strings.SplitN(after, "\n", 2)[0], ";")
}

func TestHRCode(t *testing.T) {
	dir := sandbox.SharedDir(t)
	sts, err := sqlplus.ReadAll([]string{filepath.Join(dir, "oracle", "human_resources", "hr_code.sql")}, sqlplus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{})
	for _, s := range sts {
		if s.Kind != sqlplus.Command && IsCode(s.Text) {
			c.Add(s.Text, s.File, s.Line)
		}
	}
	objs := c.Objects()
	got := map[string]*convert.Object{}
	for _, o := range objs {
		got[o.Kind+" "+o.Name] = o
		if o.Status == convert.StatusManual {
			t.Errorf("%s %s needs manual work: %+v", o.Kind, o.Name, o.Items)
		}
	}
	for _, k := range []string{"procedure secure_dml", "procedure add_job_history", "trigger secure_employees", "trigger update_job_history"} {
		if got[k] == nil {
			t.Fatalf("no %s among %d objects", k, len(objs))
		}
	}
	pg := freshPG(t)
	ddl, err := os.ReadFile("testdata/hr_tables.sql")
	if err != nil {
		t.Fatal(err)
	}
	pg.exec(t, string(ddl))
	pg.install(t, objs)
	ctx := context.Background()

	// secure_employees is created disabled, as the script disables it.
	var enabled string
	if err := pg.QueryRow(ctx, `SELECT tgenabled FROM pg_trigger WHERE tgname = 'secure_employees'`).Scan(&enabled); err != nil || enabled != "D" {
		t.Fatalf("secure_employees tgenabled = %q, %v; want D", enabled, err)
	}

	// Changing a job inserts the old job into job_history.
	pg.exec(t, `UPDATE employees SET job_id = 'SA_REP', department_id = 80 WHERE employee_id = 103`)
	pg.exec(t, `UPDATE employees SET salary = salary + 1 WHERE employee_id = 104`) // not a job or department change
	rows, err := pg.Query(ctx, `SELECT employee_id::int, start_date::date::text, end_date::date = current_date, job_id, department_id::int FROM job_history ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	type jh struct {
		emp     int
		start   string
		today   bool
		job     string
		deptart int
	}
	hist, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (jh, error) {
		var h jh
		err := r.Scan(&h.emp, &h.start, &h.today, &h.job, &h.deptart)
		return h, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []jh{{103, "2016-01-03", true, "IT_PROG", 60}}; len(hist) != 1 || hist[0] != want[0] {
		t.Fatalf("job_history = %+v, want %+v", hist, want)
	}

	// secure_dml with the clock pinned: a Sunday noon and a Wednesday
	// evening are refused, a Wednesday morning is allowed.
	sd := got["procedure secure_dml"].SQL[0]
	now := sysdateSQL(t)
	if !strings.Contains(sd, now) {
		t.Fatalf("secure_dml does not use %s:\n%s", now, sd)
	}
	for _, tc := range []struct{ at, want string }{
		{"2024-06-09 12:00:00", "P2205 You may only make changes during normal office hours"},
		{"2024-06-12 19:30:00", "P2205 You may only make changes during normal office hours"},
		{"2024-06-12 10:00:00", ""},
	} {
		pg.exec(t, strings.ReplaceAll(sd, now, "TIMESTAMP '"+tc.at+"'"))
		_, err := pg.Exec(ctx, `CALL secure_dml()`)
		if got := sqlState(err); got != tc.want {
			t.Errorf("secure_dml at %s: %q, want %q", tc.at, got, tc.want)
		}
	}
	// With the trigger enabled and the clock on a Sunday, DML is refused.
	pg.exec(t, strings.ReplaceAll(sd, now, "TIMESTAMP '2024-06-09 12:00:00'"))
	pg.exec(t, `ALTER TABLE employees ENABLE TRIGGER secure_employees`)
	_, err = pg.Exec(ctx, `UPDATE employees SET salary = 1 WHERE employee_id = 104`)
	if got := sqlState(err); !strings.HasPrefix(got, "P2205 ") {
		t.Errorf("UPDATE with secure_employees enabled on a Sunday: %q, want P2205", got)
	}
}
