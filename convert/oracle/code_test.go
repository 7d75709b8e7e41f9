package oracle

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/convert"
	codeconv "github.com/ferrydb/ferry/convert/plsql"
)

// convertCode converts statements with the PL/SQL converter wired as
// `ferry convert` does (no target schema) and applies them.
func convertCode(t *testing.T, conn *pgx.Conn, sts []Statement) *Result {
	t.Helper()
	shared := NewShared()
	code := codeconv.New(codeconv.Options{SQL: PLSQLTranslator{Shared: shared}})
	res := Convert(sts, Options{Shared: shared, Converters: []UnitConverter{func(st Statement) ([]*convert.Object, bool) {
		if !codeconv.IsCode(st.Text) {
			return nil, false
		}
		return code.Add(st.Text, st.File, st.Line), true
	}}})
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	failures, err := Apply(ctx, connExec{tx.Conn()}, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Errorf("%v\n%s", f, f.SQL)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCodeOnPostgres converts tables with PL/SQL code that uses them,
// applies it and checks what the code computes. Expected values are
// Oracle's.
func TestCodeOnPostgres(t *testing.T) {
	script := []string{
		`CREATE TABLE ev (id NUMBER(9) PRIMARY KEY, d DATE, q NUMBER, a VARCHAR2(10), b VARCHAR2(10), ab VARCHAR2(20))`,
		// Expressions starting with :NEW / :OLD keep the translation
		// rules: date arithmetic, exact division, Oracle's ||.
		`CREATE OR REPLACE TRIGGER ev_biu BEFORE INSERT OR UPDATE ON ev FOR EACH ROW
BEGIN
  :NEW.d := :NEW.d + 1;
  :NEW.q := :NEW.id / 4;
  IF UPDATING THEN
    :NEW.ab := :OLD.a || :NEW.b;
  ELSE
    :NEW.ab := :NEW.a || :NEW.b;
  END IF;
END;`,
		// Expressions starting with a package variable.
		`CREATE OR REPLACE PACKAGE pk AS
  g_d DATE := DATE '2024-01-31';
  g_s VARCHAR2(20);
  FUNCTION next_d RETURN DATE;
  FUNCTION grow RETURN VARCHAR2;
END pk;`,
		`CREATE OR REPLACE PACKAGE BODY pk AS
  FUNCTION next_d RETURN DATE IS
  BEGIN
    RETURN g_d + 1;
  END;
  FUNCTION grow RETURN VARCHAR2 IS
  BEGIN
    g_s := g_s || NULL;
    g_s := g_s || 'a';
    RETURN g_s;
  END;
END pk;`,
	}
	var sts []Statement
	for i, s := range script {
		sts = append(sts, Statement{Text: s, File: "code.sql", Line: i + 1, PLSQL: i > 0})
	}
	conn := connect(t)
	res := convertCode(t, conn, sts)
	for _, it := range res.Items {
		if it.Object.Status == convert.StatusManual {
			t.Errorf("%s %s: %v", it.Object.Kind, it.Object.Name, it.Object.Items)
		}
	}
	ctx := context.Background()
	cases := []struct{ sql, want string }{
		{`INSERT INTO ev (id, d, a, b) VALUES (5, '2024-01-31 10:00:00', 'x', NULL) RETURNING concat_ws('|', d, q, ab)`, "2024-02-01 10:00:00|1.25|x"},
		{`UPDATE ev SET a = NULL, b = 'y' WHERE id = 5 RETURNING concat_ws('|', d, q, ab)`, "2024-02-02 10:00:00|1.25|xy"},
		{`SELECT pk.next_d()::text`, "2024-02-01 00:00:00"},
		{`SELECT pk.grow() || pk.grow()`, "aaa"},
	}
	for _, c := range cases {
		var got string
		if err := conn.QueryRow(ctx, c.sql).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.sql, got, c.want)
		}
	}
	if t.Failed() {
		for _, it := range res.Items {
			t.Logf("%s %s:\n%v", it.Object.Kind, it.Object.Name, it.Object.SQL)
		}
	}
}

// TestCodeLocalsOnPostgres: expressions on local variables, parameters,
// %TYPE and %ROWTYPE variables and cursor records get the translation
// their declared types call for (date arithmetic, exact division,
// Oracle's ||), with nested blocks' scoping. Expected values are
// Oracle's.
func TestCodeLocalsOnPostgres(t *testing.T) {
	script := []string{
		`CREATE TABLE emp (id NUMBER(9) PRIMARY KEY, hire_date DATE, last_name VARCHAR2(20), sal NUMBER(9))`,
		`CREATE OR REPLACE FUNCTION next_day1(p_d DATE) RETURN DATE IS
BEGIN
  RETURN p_d + 1;
END;`,
		`CREATE OR REPLACE FUNCTION quarter(p_n NUMBER) RETURN NUMBER IS
  v_n NUMBER(9) := p_n;
  v_q NUMBER;
BEGIN
  v_q := v_n / 4;
  RETURN v_q;
END;`,
		`CREATE OR REPLACE FUNCTION cat(p_a VARCHAR2) RETURN VARCHAR2 IS
  v_a VARCHAR2(10) := p_a;
  v_b VARCHAR2(10) := NULL;
BEGIN
  RETURN v_b || v_a;
END;`,
		`CREATE OR REPLACE FUNCTION typed(p_id NUMBER) RETURN VARCHAR2 IS
  v_d emp.hire_date%TYPE;
  v_n emp.sal%TYPE;
  v_d2 v_d%TYPE;
  r emp%ROWTYPE;
  v_days NUMBER;
BEGIN
  SELECT hire_date, sal INTO v_d, v_n FROM emp WHERE id = p_id;
  SELECT * INTO r FROM emp WHERE id = p_id;
  v_d2 := v_d - 1;
  v_days := r.hire_date + 30 - v_d2;
  RETURN TO_CHAR(v_d + 1, 'YYYY-MM-DD') || '|' || (v_n / 4) || '|' || v_days || '|' || TO_CHAR(r.hire_date + 30, 'YYYY-MM-DD');
END;`,
		`CREATE OR REPLACE FUNCTION loops RETURN VARCHAR2 IS
  CURSOR c IS SELECT hire_date AS hd, sal FROM emp;
  v_s VARCHAR2(200);
  v_x DATE := DATE '2000-01-01';
BEGIN
  FOR r IN (SELECT hire_date, sal FROM emp) LOOP
    v_s := v_s || TO_CHAR(r.hire_date + 30, 'YYYY-MM-DD') || ',' || (r.sal / 4);
  END LOOP;
  FOR r IN c LOOP
    v_s := v_s || ',' || TO_CHAR(r.hd - 1, 'YYYY-MM-DD');
  END LOOP;
  DECLARE
    v_x NUMBER(9) := 7;
  BEGIN
    v_s := v_s || ',' || (v_x / 2);
  END;
  RETURN v_s || ',' || TO_CHAR(v_x + 1, 'YYYY-MM-DD');
END;`,
	}
	var sts []Statement
	for i, s := range script {
		sts = append(sts, Statement{Text: s, File: "code.sql", Line: i + 1, PLSQL: i > 0})
	}
	conn := connect(t)
	res := convertCode(t, conn, sts)
	for _, it := range res.Items {
		if it.Object.Status == convert.StatusManual {
			t.Errorf("%s %s: %v", it.Object.Kind, it.Object.Name, it.Object.Items)
		}
	}
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `INSERT INTO emp VALUES (1, '2024-01-31', 'King', 5)`); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ sql, want string }{
		{`SELECT next_day1('2024-01-31 10:00:00')::text`, "2024-02-01 10:00:00"},
		{`SELECT quarter(5)::text`, "1.25"},
		{`SELECT cat('x')`, "x"},
		{`SELECT typed(1)`, "2024-02-01|1.25|31|2024-03-01"},
		{`SELECT loops()`, "2024-03-01,1.25,2024-01-30,3.5,2000-01-02"},
	}
	for _, c := range cases {
		var got string
		if err := conn.QueryRow(ctx, c.sql).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.sql, got, c.want)
		}
	}
	if t.Failed() {
		for _, it := range res.Items {
			t.Logf("%s %s:\n%v", it.Object.Kind, it.Object.Name, it.Object.SQL)
		}
	}
}

// TestAnonymousBlockNotRun checks that a block with a statement left
// unconverted is kept as an action item and not run (it would raise).
func TestAnonymousBlockNotRun(t *testing.T) {
	conn := connect(t)
	res := convertCode(t, conn, []Statement{
		{Text: `CREATE TABLE q (id NUMBER)`, File: "q.sql", Line: 1},
		{Text: `BEGIN dbms_aqadm.start_queue(queue_name => 'q'); END;`, File: "q.sql", Line: 2, PLSQL: true},
		{Text: `BEGIN INSERT INTO q VALUES (1); END;`, File: "q.sql", Line: 3, PLSQL: true},
	})
	var blocks []Item
	for _, it := range res.Items {
		if it.Object.Kind == "anonymous block" {
			blocks = append(blocks, it)
		}
	}
	if len(blocks) != 2 {
		t.Fatalf("%d anonymous blocks, want 2", len(blocks))
	}
	if blocks[0].Phase != PhaseNone || blocks[0].Object.Status != convert.StatusManual || len(blocks[0].Object.SQL) == 0 {
		t.Errorf("block with an unconverted call: phase %v, status %q, SQL %v", blocks[0].Phase, blocks[0].Object.Status, blocks[0].Object.SQL)
	}
	if blocks[1].Phase != PhaseCode {
		t.Errorf("converted block: phase %v", blocks[1].Phase)
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM q`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in q: %d, %v", n, err)
	}
}
