package plsql

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/convert"
)

// TestConstructs converts PL/SQL units, runs them on PostgreSQL and checks
// what they compute.
func TestConstructs(t *testing.T) {
	const setup = `CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL, price numeric(8,2));
INSERT INTO items VALUES (1, 'apple', 1.50), (2, 'pear', 2.25), (3, 'plum', 0.75);
CREATE TABLE log (msg text);
CREATE TABLE cust (id int, parent_id int);
INSERT INTO cust VALUES (1, NULL), (2, 1), (3, 2), (4, 1), (5, NULL);`
	cases := []struct {
		name   string
		units  []string // Oracle statements, '/'-free
		query  string   // returns one text column; rows joined with ","
		want   string
		status convert.Status
		notice string // a NOTICE the query must raise, if any
	}{
		{name: "declared types of locals, parameters, records and nested blocks",
			units: []string{`CREATE OR REPLACE FUNCTION typed_locals(p_d DATE, p_n NUMBER) RETURN VARCHAR2 IS
  TYPE span_t IS RECORD (s DATE, n NUMBER(9));
  sp span_t;
  v_d DATE := p_d;
  v_e v_d%TYPE;
  v_n NUMBER(9) := p_n;
  v_a VARCHAR2(10);
  v_s VARCHAR2(200);
  CURSOR c(lim DATE) IS SELECT id FROM items WHERE lim + id > p_d + 2 ORDER BY id;
BEGIN
  v_e := v_d + 10;
  sp.s := v_d;
  sp.n := 7;
  v_s := TO_CHAR(v_e - 1, 'YYYY-MM-DD') || '|' || (v_e - v_d) || '|' || TO_CHAR(TRUNC(v_d + 0.5), 'YYYY-MM-DD HH24:MI') || '|' || (v_n / 4) || '|' || v_a || 'x';
  v_s := v_s || '|' || TO_CHAR(sp.s + sp.n, 'YYYY-MM-DD') || '|' || (sp.n / 2);
  DECLARE
    v_d NUMBER := 9;
  BEGIN
    v_s := v_s || '|' || (v_d / 2);
  END;
  FOR i IN 1 .. 2 LOOP
    v_s := v_s || '|' || TO_CHAR(v_d + i, 'DD');
  END LOOP;
  FOR r IN c(p_d) LOOP
    v_s := v_s || '|' || r.id;
  END LOOP;
  RETURN v_s;
END;`},
			query: `SELECT typed_locals('2024-01-31 18:00:00', 5)`, want: "2024-02-09|10|2024-02-01 00:00|1.25|x|2024-02-07|3.5|4.5|01|02|3",
			status: convert.StatusWarnings},
		{name: "cursor loop with parameter and %ROWTYPE",
			units: []string{`CREATE OR REPLACE FUNCTION total_above(p_min NUMBER) RETURN NUMBER IS
  CURSOR c(lim NUMBER) IS SELECT * FROM items WHERE price > lim ORDER BY id;
  r items%ROWTYPE;
  v_total NUMBER := 0;
BEGIN
  FOR rec IN c(p_min) LOOP
    v_total := v_total + rec.price;
  END LOOP;
  SELECT * INTO r FROM items WHERE id = 2;
  RETURN v_total + r.id * 100;
END;`},
			query: `SELECT total_above(1)::text`, want: "203.75"},
		{name: "explicit cursor OPEN FETCH CLOSE, %NOTFOUND %ROWCOUNT %ISOPEN",
			units: []string{`CREATE OR REPLACE FUNCTION names RETURN VARCHAR2 IS
  CURSOR c IS SELECT name FROM items ORDER BY id;
  v_name items.name%TYPE;
  v_out VARCHAR2(200) := '>';
BEGIN
  OPEN c;
  LOOP
    FETCH c INTO v_name;
    EXIT WHEN c%NOTFOUND;
    v_out := v_out || v_name || ';';
  END LOOP;
  v_out := v_out || c%ROWCOUNT;
  IF c%ISOPEN THEN CLOSE c; END IF;
  IF NOT c%ISOPEN THEN v_out := v_out || ' closed'; END IF;
  RETURN v_out;
END;`},
			query: `SELECT names()`, want: ">apple;pear;plum;3 closed"},
		{name: "SELECT INTO no rows raises NO_DATA_FOUND, caught",
			units: []string{`CREATE OR REPLACE FUNCTION find_name(p_id IN NUMBER) RETURN VARCHAR2 IS
  v items.name%TYPE;
BEGIN
  SELECT name INTO v FROM items WHERE id = p_id;
  RETURN v;
EXCEPTION
  WHEN NO_DATA_FOUND THEN RETURN 'none';
  WHEN TOO_MANY_ROWS THEN RETURN 'many';
END;`, `CREATE OR REPLACE FUNCTION any_name RETURN VARCHAR2 IS
  v items.name%TYPE;
BEGIN
  SELECT name INTO v FROM items;
  RETURN v;
EXCEPTION
  WHEN TOO_MANY_ROWS THEN RETURN 'many';
END;`},
			query: `SELECT find_name(2) || ',' || find_name(9) || ',' || any_name()`, want: "pear,none,many"},
		{name: "RAISE_APPLICATION_ERROR gives SQLSTATE P2nnn, SQLERRM, user exception with EXCEPTION_INIT",
			units: []string{`CREATE OR REPLACE PROCEDURE check_price(p NUMBER) IS
BEGIN
  IF p < 0 THEN
    RAISE_APPLICATION_ERROR(-20001, 'negative price ' || p);
  END IF;
END;`, `CREATE OR REPLACE FUNCTION try_price(p NUMBER) RETURN VARCHAR2 IS
  bad_price EXCEPTION;
  PRAGMA EXCEPTION_INIT(bad_price, -20001);
BEGIN
  check_price(p);
  RETURN 'ok';
EXCEPTION
  WHEN bad_price THEN RETURN 'bad: ' || SQLERRM;
END;`},
			query: `SELECT try_price(1) || ',' || try_price(-5)`, want: "ok,bad: negative price -5"},
		{name: "user-defined exception raised and caught; WHEN OTHERS; DUP_VAL_ON_INDEX",
			units: []string{`CREATE OR REPLACE FUNCTION exc_demo(p NUMBER) RETURN VARCHAR2 IS
  e_small EXCEPTION;
BEGIN
  IF p < 10 THEN RAISE e_small; END IF;
  INSERT INTO items (id, name) VALUES (p, 'dup');
  RETURN 'inserted';
EXCEPTION
  WHEN e_small THEN RETURN 'small';
  WHEN DUP_VAL_ON_INDEX THEN RETURN 'duplicate';
  WHEN OTHERS THEN RETURN 'other';
END;`},
			query: `SELECT exc_demo(1) || ',' || exc_demo(10) || ',' || exc_demo(10)`, want: "small,inserted,duplicate"},
		{name: "OUT and IN OUT parameters of a procedure, defaults",
			units: []string{`CREATE OR REPLACE PROCEDURE stats(p_count OUT NUMBER, p_acc IN OUT VARCHAR2, p_min IN NUMBER DEFAULT 0) IS
BEGIN
  SELECT COUNT(*) INTO p_count FROM items WHERE price > p_min;
  p_acc := p_acc || '+' || p_count;
END;`, `CREATE OR REPLACE FUNCTION use_stats RETURN VARCHAR2 IS
  n NUMBER;
  s VARCHAR2(50) := 'x';
BEGIN
  stats(n, s, 1);
  stats(p_count => n, p_acc => s);
  RETURN s || '/' || n;
END;`},
			query: `SELECT use_stats()`, want: "x+2+3/3"},
		{name: "IF ELSIF CASE WHILE FOR REVERSE CONTINUE EXIT",
			units: []string{`CREATE OR REPLACE FUNCTION flow RETURN VARCHAR2 IS
  s VARCHAR2(100) := '>';
  i PLS_INTEGER := 0;
BEGIN
  FOR j IN REVERSE 1..5 LOOP
    CONTINUE WHEN j = 3;
    s := s || j;
  END LOOP;
  WHILE i < 10 LOOP
    i := i + 4;
  END LOOP;
  s := s || '-' || i;
  IF i > 20 THEN s := s || 'big'; ELSIF i > 10 THEN s := s || 'mid'; ELSE s := s || 'small'; END IF;
  CASE MOD(i, 3)
    WHEN 0 THEN s := s || 'z';
    WHEN 1 THEN s := s || 'o';
    ELSE s := s || 't';
  END CASE;
  <<outer>>
  LOOP
    i := i + 1;
    EXIT outer WHEN i >= 14;
  END LOOP outer;
  RETURN s || i;
END;`},
			query: `SELECT flow()`, want: ">5421-12midz14"},
		{name: "DBMS_OUTPUT.PUT_LINE becomes a NOTICE; anonymous block",
			units: []string{`BEGIN
  DBMS_OUTPUT.PUT_LINE('hello ' || 42);
END;`},
			query: `SELECT 'done'`, want: "done", notice: "hello 42"},
		{name: "SQL%ROWCOUNT and EXECUTE IMMEDIATE with USING",
			units: []string{`CREATE OR REPLACE FUNCTION bump(p_pct NUMBER) RETURN NUMBER IS
  n NUMBER;
  v_cnt NUMBER;
BEGIN
  UPDATE items SET price = price * (1 + p_pct / 100) WHERE price > 1;
  n := SQL%ROWCOUNT;
  EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM items WHERE price > :lim' INTO v_cnt USING 2;
  RETURN n * 10 + v_cnt;
END;`},
			query: `SELECT bump(10)::text`, want: "21", status: convert.StatusWarnings},
		{name: "package with a session variable, constant, init block and private routine",
			units: []string{`CREATE OR REPLACE PACKAGE counter AS
  c_step CONSTANT PLS_INTEGER := 5;
  g_total NUMBER := 100;
  PROCEDURE add(p NUMBER);
  FUNCTION total RETURN NUMBER;
END counter;`, `CREATE OR REPLACE PACKAGE BODY counter AS
  g_calls PLS_INTEGER;
  FUNCTION scaled(p NUMBER) RETURN NUMBER IS BEGIN RETURN p * c_step; END;
  PROCEDURE add(p NUMBER) IS
  BEGIN
    g_total := g_total + scaled(p);
    g_calls := g_calls + 1;
  END add;
  FUNCTION total RETURN NUMBER IS BEGIN RETURN g_total * 1000 + g_calls; END total;
BEGIN
  g_calls := 0;
END counter;`, `BEGIN
  counter.add(2);
  counter.add(1);
  DBMS_OUTPUT.PUT_LINE('total ' || counter.total);
  DBMS_OUTPUT.PUT_LINE('g_total ' || counter.g_total);
END;`},
			query: `SELECT counter.total()::text`, want: "115002", status: convert.StatusWarnings, notice: "total 115002"},
		{name: "trigger: row BEFORE with WHEN, :NEW assignment, INSERTING/UPDATING/DELETING, statement AFTER",
			units: []string{`CREATE OR REPLACE TRIGGER items_bi
  BEFORE INSERT OR UPDATE OR DELETE ON items
  FOR EACH ROW
  WHEN (new.price IS NULL OR old.id IS NOT NULL)
BEGIN
  IF INSERTING THEN
    :new.price := 9.99;
    INSERT INTO log VALUES ('ins ' || :new.name);
  ELSIF UPDATING THEN
    INSERT INTO log VALUES ('upd ' || :old.name || '>' || :new.name);
  ELSIF DELETING THEN
    INSERT INTO log VALUES ('del ' || :old.name);
  END IF;
END;`, `CREATE OR REPLACE TRIGGER items_as
  AFTER INSERT OR UPDATE ON items
BEGIN
  INSERT INTO log VALUES ('stmt');
END;`, `BEGIN
  INSERT INTO items (id, name) VALUES (4, 'fig');
  UPDATE items SET name = 'big fig' WHERE id = 4;
  DELETE FROM items WHERE id = 4;
END;`},
			query: `SELECT string_agg(msg, '|' ORDER BY ctid) FROM log`, want: "ins fig|stmt|upd fig>big fig|stmt|del big fig"},
		{name: "record type, collection, BULK COLLECT and FORALL",
			units: []string{`CREATE OR REPLACE FUNCTION coll RETURN VARCHAR2 IS
  TYPE t_rec IS RECORD (id NUMBER, name VARCHAR2(20));
  TYPE t_ids IS TABLE OF NUMBER INDEX BY PLS_INTEGER;
  r t_rec;
  ids t_ids;
  n NUMBER;
  s VARCHAR2(100) := '>';
BEGIN
  SELECT id BULK COLLECT INTO ids FROM items ORDER BY id DESC;
  FORALL i IN 1..ids.COUNT
    INSERT INTO log VALUES ('id ' || ids(i));
  SELECT id, name INTO r FROM items WHERE id = 1;
  FOR i IN 1..ids.COUNT LOOP
    s := s || ids(i);
  END LOOP;
  SELECT COUNT(*) INTO n FROM log;
  RETURN s || ' ' || r.name || ' ' || n;
END;`},
			query: `SELECT coll()`, want: ">321 apple 3", status: convert.StatusWarnings},
		{name: "CONNECT BY in SELECT INTO keeps INTO and the parameter",
			units: []string{`CREATE OR REPLACE FUNCTION depth(p_id NUMBER) RETURN NUMBER IS
  n NUMBER;
BEGIN
  SELECT MAX(LEVEL) INTO n FROM cust START WITH id = p_id CONNECT BY PRIOR id = parent_id;
  RETURN n;
END;`},
			query: `SELECT concat_ws(',', depth(1), depth(2), depth(5))`, want: "3,2,1", status: convert.StatusWarnings},
		{name: "cursor FOR loop keeps %ROWCOUNT and %ISOPEN in step",
			units: []string{`CREATE OR REPLACE FUNCTION counts RETURN VARCHAR2 IS
  CURSOR c IS SELECT name FROM items WHERE id <= 2 ORDER BY id;
  v VARCHAR2(100);
BEGIN
  FOR r IN c LOOP
    v := v || c%ROWCOUNT || CASE WHEN c%ISOPEN THEN 'o' END || ';';
  END LOOP;
  IF NOT c%ISOPEN THEN v := v || 'closed'; END IF;
  RETURN v;
END;`},
			query: `SELECT counts()`, want: "1o;2o;closed"},
	}
	cases = append(cases, struct {
		name   string
		units  []string
		query  string
		want   string
		status convert.Status
		notice string
	}{name: "|| with Oracle's NULL semantics: string building from a NULL start, '' is NULL",
		units: []string{`CREATE OR REPLACE FUNCTION build_list RETURN VARCHAR2 IS
  v VARCHAR2(100);
  e VARCHAR2(10) := '';
  n VARCHAR2(10);
BEGIN
  FOR r IN (SELECT name FROM items ORDER BY id) LOOP
    v := v || r.name || ';';
  END LOOP;
  n := e || NULL;
  RETURN v || '|' || CASE WHEN n IS NULL THEN 'null' ELSE 'not null' END || '|' || NVL(e || n, 'empty') || '|' || (NULL || 'x' || NULL);
END;`},
		query: `SELECT build_list()`, want: "apple;pear;plum;|null|empty|x"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pg := freshPG(t)
			pg.exec(t, setup)
			c := New(Options{})
			var objs []*convert.Object
			for i, u := range tc.units {
				objs = append(objs, c.Add(u, "case.sql", i+1)...)
			}
			want := tc.status
			if want == "" {
				want = convert.StatusAuto
			}
			for _, o := range objs {
				if o.Status == convert.StatusManual || (want == convert.StatusAuto && o.Status != want) {
					t.Errorf("%s %s: %s, notes %q, items %+v", o.Kind, o.Name, o.Status, o.Notes, o.Items)
				}
			}
			for _, o := range objs {
				for _, s := range o.SQL {
					if _, err := pg.Exec(context.Background(), s); err != nil {
						t.Fatalf("%s %s: %v\n%s", o.Kind, o.Name, err, s)
					}
				}
			}
			var got []string
			rows, err := pg.Query(context.Background(), tc.query)
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.query, err, dump(objs))
			}
			for rows.Next() {
				var s *string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprint(deref(s)))
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %v\n%s", tc.query, err, dump(objs))
			}
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("%s = %q, want %q\n%s", tc.query, g, tc.want, dump(objs))
			}
			if tc.notice != "" {
				found := false
				for _, n := range pg.takeNotices() {
					found = found || n == tc.notice
				}
				if !found {
					t.Errorf("no NOTICE %q", tc.notice)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func dump(objs []*convert.Object) string {
	var b strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&b, "-- %s %s (%s)\n%s;\n", o.Kind, o.Name, o.Status, strings.Join(o.SQL, ";\n"))
	}
	return b.String()
}

// TestSuppliedPackageUse checks that code naming members of Oracle-supplied
// packages the converter has no rule for (types in declarations, functions
// in expressions) and functions with OUT parameters and a RETURN value
// become action items, and that what is created still applies.
func TestSuppliedPackageUse(t *testing.T) {
	pg := freshPG(t)
	c := New(Options{})
	var objs []*convert.Object
	for i, u := range []string{
		`CREATE OR REPLACE PACKAGE doc_util AS
  FUNCTION node_text(n DBMS_XMLDOM.DOMNODE) RETURN VARCHAR2;
  FUNCTION digest(s VARCHAR2) RETURN RAW;
  FUNCTION split_name(full_name VARCHAR2, last_name OUT VARCHAR2) RETURN VARCHAR2;
  FUNCTION twice(n NUMBER) RETURN NUMBER;
END doc_util;`,
		`CREATE OR REPLACE PACKAGE BODY doc_util AS
  FUNCTION node_text(n DBMS_XMLDOM.DOMNODE) RETURN VARCHAR2 IS
  BEGIN
    RETURN DBMS_XMLDOM.GETNODEVALUE(n); -- not DBMS_OUTPUT.PUT_LINE
  END;
  FUNCTION digest(s VARCHAR2) RETURN RAW IS
  BEGIN
    RETURN DBMS_CRYPTO.HASH(UTL_RAW.CAST_TO_RAW(s), 2);
  END;
  FUNCTION split_name(full_name VARCHAR2, last_name OUT VARCHAR2) RETURN VARCHAR2 IS
  BEGIN
    last_name := SUBSTR(full_name, INSTR(full_name, ' ') + 1);
    RETURN SUBSTR(full_name, 1, INSTR(full_name, ' ') - 1);
  END;
  FUNCTION twice(n NUMBER) RETURN NUMBER IS
  BEGIN
    DBMS_OUTPUT.PUT_LINE('dbms_crypto.hash is not called');
    RETURN n * 2;
  END;
END doc_util;`,
	} {
		objs = append(objs, c.Add(u, "pkg.sql", i+1)...)
	}
	var reasons []string
	for _, o := range objs {
		for _, it := range o.Items {
			reasons = append(reasons, it.Reason)
		}
		for _, s := range o.SQL {
			if _, err := pg.Exec(context.Background(), s); err != nil {
				t.Fatalf("%s %s: %v\n%s", o.Kind, o.Name, err, s)
			}
		}
	}
	all := strings.Join(reasons, "\n")
	for _, want := range []string{
		"type dbms_xmldom.domnode of an Oracle-supplied package",
		"uses dbms_xmldom.getnodevalue of the Oracle-supplied package dbms_xmldom",
		"uses dbms_crypto.hash of the Oracle-supplied package dbms_crypto",
		"uses utl_raw.cast_to_raw",
		"with OUT parameters and a RETURN value: not created",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no action item %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, "dbms_output") {
		t.Errorf("DBMS_OUTPUT (converted) or a name in a comment or string became an action item:\n%s", all)
	}
	var got string
	if err := pg.QueryRow(context.Background(), `SELECT doc_util.twice(21)::text`).Scan(&got); err != nil || got != "42" {
		t.Errorf("doc_util.twice(21) = %q, %v", got, err)
	}
}
