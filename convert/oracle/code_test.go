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
