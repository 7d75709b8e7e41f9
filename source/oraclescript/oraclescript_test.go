package oraclescript

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/sqlplus"
)

var now = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

func run(t *testing.T, script string) ([]*Insert, []Action, error) {
	t.Helper()
	r := sqlplus.NewReader(strings.NewReader(script), "t.sql", sqlplus.Options{})
	defer r.Close()
	s := NewSession(now)
	var ins []*Insert
	var acts []Action
	for {
		st, err := r.Next()
		if err == io.EOF {
			return ins, acts, nil
		}
		if err != nil {
			return ins, acts, err
		}
		a, err := s.Statement(st, func(in *Insert) error { ins = append(ins, in); return nil })
		acts = append(acts, a)
		if err != nil {
			return ins, acts, err
		}
	}
}

func show(v Value) string {
	switch v.Kind {
	case Date, Timestamp:
		return v.Kind.String() + ":" + v.Time.Format(time.RFC3339Nano)
	case Raw:
		return "raw:" + string(v.Bytes)
	}
	return v.Kind.String() + ":" + v.Str
}

func TestValues(t *testing.T) {
	script := `ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD';
INSERT INTO hr.t (a, "B", c) VALUES ('it''s', q'[a 'q' ]', N'x');
insert into t values ('', NULL, -2, 1e3, .5, 1.5D, -(3), 2*3+1, 1/4);
INSERT INTO t VALUES (DATE '2021-02-03', TIMESTAMP '2021-02-03 04:05:06.5', TO_DATE('2021-02-04'), TO_DATE('17-06-2013', 'dd-MM-yyyy'),
  TO_TIMESTAMP('04-FEB-2021 13.20.22.245676861','DD-MON-YYYY HH24.MI.SS.FF'), SYSDATE - 1, 'a' || NULL || 'b', 'x' || 1);
INSERT INTO t VALUES (UTL_RAW.CAST_TO_RAW('{"a":1}'), HEXTORAW('414243'), CHR(65), NVL(NULL, 'd'), TO_NUMBER('12.5'), EMPTY_CLOB());
INSERT ALL INTO t (a) VALUES (1) INTO u (b) VALUES (2) SELECT * FROM dual;
DECLARE
  v VARCHAR2(100) := 'p1' ||
 'p2';
  w NUMBER;
BEGIN
  w := 7;
  INSERT INTO t VALUES (v, w);
  NULL;
END;
/
COMMIT;
ALTER TABLE t DISABLE CONSTRAINT c;
SET DEFINE OFF
`
	ins, acts, err := run(t, script)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range ins {
		var vs []string
		for _, v := range in.Values {
			vs = append(vs, show(v))
		}
		var cs []string
		for _, c := range in.Columns {
			cs = append(cs, c.PG())
		}
		got = append(got, in.Schema.PG()+"."+in.Table.PG()+"("+strings.Join(cs, ",")+")@"+in.Pos()+" "+strings.Join(vs, " | "))
	}
	want := []string{
		`hr.t(a,B,c)@t.sql:2 string:it's | string:a 'q'  | string:x`,
		`.t()@t.sql:3 NULL: | NULL: | number:-2 | number:1e3 | number:0.5 | number:1.5 | number:-3 | number:7 | number:0.25`,
		`.t()@t.sql:4 date:2021-02-03T00:00:00Z | timestamp:2021-02-03T04:05:06.5Z | date:2021-02-04T00:00:00Z | date:2013-06-17T00:00:00Z | timestamp:2021-02-04T13:20:22.245676861Z | date:2026-11-24T10:30:00Z | string:ab | string:x1`,
		`.t()@t.sql:6 raw:{"a":1} | raw:ABC | string:A | string:d | number:12.5 | string:`,
		`.t(a)@t.sql:7 number:1`,
		`.u(b)@t.sql:7 number:2`,
		`.t()@t.sql:14 string:p1p2 | number:7`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantActs := []Action{Ignored, Data, Data, Data, Data, Data, Data, Ignored, DDL, Ignored}
	if len(acts) != len(wantActs) {
		t.Fatalf("actions %v, want %v", acts, wantActs)
	}
	for i := range acts {
		if acts[i] != wantActs[i] {
			t.Errorf("action %d: %v, want %v", i, acts[i], wantActs[i])
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ script, msg string }{
		{"SELECT 1 FROM dual;\nINSERT INTO t VALUES (1,\n  TO_DATE('31-02-2020', 'DD-MM-YYYY'));\n", "t.sql:3: TO_DATE"},
		{"UPDATE t SET a = 1;\n", "t.sql:1: UPDATE cannot be loaded"},
		{"INSERT INTO t (a, b) VALUES (1);\n", "2 columns but 1 values"},
		{"INSERT INTO t VALUES (s.nextval);\n", "sequence values"},
		{"INSERT INTO t VALUES (UPPER('x'));\n", "function UPPER"},
		{"INSERT INTO t SELECT * FROM u;\n", "INSERT ... SELECT"},
		{"BEGIN\n  INSERT INTO t VALUES (1);\n  FOR i IN 1..3 LOOP NULL; END LOOP;\nEND;\n/\n", "t.sql:3: unsupported PL/SQL"},
		{"INSERT INTO t VALUES ('a' * 2);\n", "cannot compute"},
	} {
		_, _, err := run(t, c.script)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: got %v, want %q", c.script, err, c.msg)
		}
	}
}

// TestSamples reads every INSERT of the Oracle sample data scripts and
// checks the rows per table against an independent count.
func TestSamples(t *testing.T) {
	root := filepath.Join(sandbox.SharedDir(t), "oracle")
	re := regexp.MustCompile(`(?im)^\s*INSERT\s+INTO\s+(\w+)`)
	for _, f := range []string{"human_resources/hr_populate.sql", "customer_orders/co_populate.sql"} {
		path := filepath.Join(root, f)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
			want[strings.ToLower(m[1])]++
		}
		r, err := sqlplus.Open(path, sqlplus.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := NewSession(now)
		got := map[string]int{}
		ddl := 0
		for {
			st, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.Statement(st, func(in *Insert) error { got[in.Table.PG()]++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if a == DDL {
				ddl++
			}
		}
		r.Close()
		if len(got) != len(want) {
			t.Errorf("%s: tables %v, want %v", f, got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %s has %d rows, want %d", f, k, got[k], n)
			}
		}
		t.Logf("%s: %v, %d DDL statements skipped", f, got, ddl)
	}
}
