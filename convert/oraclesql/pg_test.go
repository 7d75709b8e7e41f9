package oraclesql

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/internal/sandbox"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

// fixture is the PostgreSQL side of the constructs test: the tables the
// Oracle statements read, created natively.
var fixture = []string{
	`CREATE SCHEMA t`,
	`CREATE TABLE t.nums (n integer)`,
	`INSERT INTO t.nums SELECT generate_series(1, 10)`,
	`CREATE TABLE t.h (id integer, parent integer, name varchar(10))`,
	`INSERT INTO t.h VALUES (1, NULL, 'a'), (2, 1, 'b'), (3, 1, 'c'), (4, 2, 'd'), (5, NULL, 'e')`,
	`CREATE TABLE t.emp (id integer, name varchar(10), dept integer)`,
	`INSERT INTO t.emp VALUES (1, 'x', 10), (2, 'y', 20), (3, 'z', NULL)`,
	`CREATE TABLE t.dept (id integer, dname varchar(10), loc integer)`,
	`INSERT INTO t.dept VALUES (10, 'A', 1), (20, 'B', NULL), (30, 'C', 1)`,
	`CREATE TABLE t.loc (id integer, city varchar(10))`,
	`INSERT INTO t.loc VALUES (1, 'Paris')`,
	`CREATE TABLE t.ev (id integer, d timestamp(0), s varchar(20))`,
	`INSERT INTO t.ev VALUES (1, '2024-01-31 10:00:00', 'abc')`,
	`CREATE TABLE t.tgt (id integer PRIMARY KEY, v integer)`,
	`INSERT INTO t.tgt VALUES (1, 10), (2, 20)`,
	`CREATE TABLE t.src (id integer, v integer)`,
	`INSERT INTO t.src VALUES (2, 200), (3, 300)`,
	`CREATE SEQUENCE t.s`,
}

// columnTypes are the Oracle types of the fixture's columns.
func columnTypes(table, col string) string {
	switch table + "." + col {
	case "ev.d":
		return "DATE"
	case "ev.s", "h.name", "emp.name", "dept.dname", "loc.city":
		return "VARCHAR2"
	case "ev.id", "nums.n", "h.id", "h.parent", "emp.id", "emp.dept", "dept.id", "dept.loc", "loc.id", "tgt.id", "tgt.v", "src.id", "src.v":
		return "NUMBER"
	}
	return ""
}

// TestConstructsOnPostgres translates one-line Oracle statements, runs them
// on PostgreSQL and checks the result. Expected values are Oracle's (from
// the Oracle documentation's examples where there is one). A want starting
// with "~" compares numbers to 1e-9.
func TestConstructsOnPostgres(t *testing.T) {
	_, dsn, _ := env.FreshDBs(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range append(fixture, CompatSQL(nil)...) {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	cases := []struct {
		name   string
		exec   string // an Oracle DML statement run first
		oracle string // an Oracle query returning one row, one column
		want   string // "NULL" for NULL
	}{
		{"nvl", "", "SELECT NVL(NULL, 'x') FROM dual", "x"},
		{"nvl2", "", "SELECT NVL2('a', 'b', 'c') || NVL2(NULL, 'b', 'c') FROM dual", "bc"},
		{"decode", "", "SELECT DECODE(2, 1, 'one', 2, 'two', 'other') FROM dual", "two"},
		{"decode null matches null", "", "SELECT DECODE(NULL, 1, 'one', NULL, 'null', 'other') FROM dual", "null"},
		{"decode default", "", "SELECT DECODE(3, 1, 'one', 'other') FROM dual", "other"},
		{"nullif", "", "SELECT NULLIF(1, 1) FROM dual", "NULL"},
		{"coalesce", "", "SELECT COALESCE(NULL, NULL, 3) FROM dual", "3"},
		{"empty string is null", "", "SELECT CASE WHEN '' IS NULL THEN 'null' ELSE 'not null' END FROM dual", "null"},
		{"length of empty string", "", "SELECT LENGTH('') FROM dual", "NULL"},
		{"concat skips null", "", "SELECT 'a' || NULL || 'b' FROM dual", "ab"},
		{"concat of nulls is null", "", "SELECT NVL(NULL || NULL, 'was null') FROM dual", "was null"},
		{"concat number", "", "SELECT 'n=' || 42 FROM dual", "n=42"},
		{"trim to empty is null", "", "SELECT NVL(TRIM('   '), 'was null') FROM dual", "was null"},
		{"substr negative", "", "SELECT SUBSTR('abcdef', -3) FROM dual", "def"},
		{"substr negative with length", "", "SELECT SUBSTR('abcdef', -3, 2) FROM dual", "de"},
		{"substr zero position", "", "SELECT SUBSTR('abcdef', 0, 2) FROM dual", "ab"},
		{"substr beyond the end", "", "SELECT SUBSTR('abc', 5) FROM dual", "NULL"},
		{"substr", "", "SELECT SUBSTR('ABCDEFG', 3, 4) FROM dual", "CDEF"},
		{"instr", "", "SELECT INSTR('abc', 'z') FROM dual", "0"},
		{"instr occurrence", "", "SELECT INSTR('CORPORATE FLOOR', 'OR', 3, 2) FROM dual", "14"},
		{"instr backwards", "", "SELECT INSTR('CORPORATE FLOOR', 'OR', -3, 2) FROM dual", "2"},
		{"sysdate", "", "SELECT CASE WHEN SYSDATE > DATE '2020-01-01' AND SYSTIMESTAMP IS NOT NULL THEN 'ok' END FROM dual", "ok"},
		{"date plus one", "", "SELECT DATE '2024-02-28' + 1 FROM dual", "2024-02-29 00:00:00"},
		{"date plus fraction", "", "SELECT d + 1/24 FROM ev", "2024-01-31 11:00:00"},
		{"date minus number", "", "SELECT d - 31 FROM ev", "2023-12-31 10:00:00"},
		{"date minus date", "", "SELECT DATE '2024-03-01' - DATE '2024-02-28' FROM dual", "~2"},
		{"date minus date with time", "", "SELECT d - DATE '2024-01-31' FROM ev", "~0.4166666666666667"},
		{"months_between", "", "SELECT MONTHS_BETWEEN(DATE '1995-02-02', DATE '1995-01-01') FROM dual", "~1.032258064516129"},
		{"months_between last days", "", "SELECT MONTHS_BETWEEN(DATE '2024-02-29', DATE '2024-01-31') FROM dual", "~1"},
		{"add_months", "", "SELECT ADD_MONTHS(d, 1) FROM ev", "2024-02-29 10:00:00"},
		{"add_months last day", "", "SELECT ADD_MONTHS(DATE '2023-02-28', 1) FROM dual", "2023-03-31 00:00:00"},
		{"add_months negative", "", "SELECT ADD_MONTHS(DATE '2024-03-15', -2) FROM dual", "2024-01-15 00:00:00"},
		{"trunc date", "", "SELECT TRUNC(d) FROM ev", "2024-01-31 00:00:00"},
		{"trunc date month", "", "SELECT TRUNC(d, 'MM') FROM ev", "2024-01-01 00:00:00"},
		{"trunc number", "", "SELECT TRUNC(15.79, 1) FROM dual", "15.7"},
		{"last_day", "", "SELECT LAST_DAY(DATE '2024-02-10') FROM dual", "2024-02-29 00:00:00"},
		{"to_char date", "", "SELECT TO_CHAR(d, 'YYYY-MM-DD HH24:MI:SS') FROM ev", "2024-01-31 10:00:00"},
		{"to_char rr and fm", "", "SELECT TO_CHAR(DATE '2024-03-05', 'FMDD.MM.RRRR') FROM dual", "5.3.2024"},
		{"to_char number", "", "SELECT TO_CHAR(12.5, '9990.99') FROM dual", "   12.50"},
		{"to_date", "", "SELECT TO_DATE('2024-03-05 10:11:12', 'YYYY-MM-DD HH24:MI:SS') FROM dual", "2024-03-05 10:11:12"},
		{"to_date rr", "", "SELECT TO_DATE('05-03-24', 'DD-MM-RR') FROM dual", "2024-03-05 00:00:00"},
		{"to_number", "", "SELECT TO_NUMBER('12.5') + 1 FROM dual", "13.5"},
		{"translate using nchar_cs", "", "SELECT TRANSLATE(dname USING NCHAR_CS) || '!' FROM dept WHERE id = 10", "A!"},
		{"cast number", "", "SELECT CAST('12' AS NUMBER(5)) + 1 FROM dual", "13"},
		{"cast varchar2", "", "SELECT CAST(123 AS VARCHAR2(10)) FROM dual", "123"},
		{"cast date", "", "SELECT CAST('2024-01-02' AS DATE) FROM dual", "2024-01-02 00:00:00"},
		{"exact division", "", "SELECT 7/2 FROM dual", "3.5"},
		{"greatest with null", "", "SELECT GREATEST(1, NULL, 3) FROM dual", "NULL"},
		{"least", "", "SELECT LEAST(4, 2, 3) FROM dual", "2"},
		{"rownum limit", "", "SELECT COUNT(*) FROM (SELECT n FROM nums WHERE ROWNUM <= 3)", "3"},
		{"rownum less than", "", "SELECT COUNT(*) FROM (SELECT n FROM nums WHERE n > 2 AND ROWNUM < 3)", "2"},
		{"top-n", "", "SELECT MAX(n) FROM (SELECT n FROM (SELECT n FROM nums ORDER BY n DESC) WHERE ROWNUM <= 3)", "10"},
		{"rownum in select list", "", "SELECT MAX(rn) FROM (SELECT ROWNUM rn, n FROM nums)", "10"},
		{"outer join", "", "SELECT COUNT(*) || ':' || COUNT(d.id) FROM emp e, dept d WHERE e.dept = d.id(+)", "3:2"},
		{"outer join filter on optional table", "", "SELECT COUNT(d.id) FROM emp e, dept d WHERE e.dept = d.id(+) AND d.dname(+) = 'B'", "1"},
		{"outer join chain", "", "SELECT LISTAGG(e.name || '-' || NVL(l.city, '?'), ',') WITHIN GROUP (ORDER BY e.id) FROM emp e, dept d, loc l WHERE e.dept = d.id(+) AND d.loc = l.id(+)", "x-Paris,y-?,z-?"},
		{"right-hand outer join", "", "SELECT COUNT(*) FROM emp e, dept d WHERE e.dept(+) = d.id", "3"},
		{"connect by path", "", "SELECT SYS_CONNECT_BY_PATH(name, '/') FROM h WHERE id = 4 START WITH parent IS NULL CONNECT BY PRIOR id = parent", "/a/b/d"},
		{"connect by level", "", "SELECT MAX(LEVEL) FROM h START WITH parent IS NULL CONNECT BY PRIOR id = parent", "3"},
		{"connect by order siblings", "", "SELECT LISTAGG(name, ',') WITHIN GROUP (ORDER BY ord) FROM (SELECT name, ROWNUM ord FROM (SELECT name FROM h START WITH parent IS NULL CONNECT BY PRIOR id = parent ORDER SIBLINGS BY name))", "a,b,d,c,e"},
		{"connect by root", "", "SELECT CONNECT_BY_ROOT name FROM h WHERE id = 4 START WITH parent IS NULL CONNECT BY PRIOR id = parent", "a"},
		{"connect by from a node", "", "SELECT COUNT(*) FROM h START WITH id = 2 CONNECT BY PRIOR id = parent", "2"},
		{"minus", "", "SELECT COUNT(*) FROM (SELECT n FROM nums MINUS SELECT n FROM nums WHERE n > 3)", "3"},
		{"listagg", "", "SELECT LISTAGG(name, ', ') WITHIN GROUP (ORDER BY name DESC) FROM h", "e, d, c, b, a"},
		{"analytic", "", "SELECT MAX(r) FROM (SELECT RANK() OVER (ORDER BY n) r, SUM(n) OVER (PARTITION BY MOD(n, 2)) s FROM nums)", "10"},
		{"sequence nextval", "", "SELECT s.NEXTVAL FROM dual", "1"},
		{"sequence currval", "", "SELECT s.CURRVAL FROM dual", "1"},
		{"merge", "MERGE INTO tgt t USING src s ON (t.id = s.id) WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)",
			"SELECT LISTAGG(id || '=' || v, ',') WITHIN GROUP (ORDER BY id) FROM tgt", "1=10,2=200,3=300"},
		{"insert with sysdate", "INSERT INTO ev (id, d, s) VALUES (2, TRUNC(SYSDATE), '')", "SELECT NVL(s, 'null') FROM ev WHERE id = 2", "null"},
		{"update with decode", "UPDATE emp SET name = DECODE(dept, NULL, 'nodept', name)", "SELECT LISTAGG(name, ',') WITHIN GROUP (ORDER BY id) FROM emp", "x,y,nodept"},
		{"with clause", "", "WITH x AS (SELECT n FROM nums WHERE n <= 2) SELECT SUM(n) FROM x", "3"},
		{"case and in", "", "SELECT CASE WHEN 2 IN (1, 2) THEN 'in' END FROM dual", "in"},
		{"regexp_replace replaces all", "", "SELECT REGEXP_REPLACE('a1b2c3', '[0-9]', '') FROM dual", "abc"},
		{"replace two args", "", "SELECT REPLACE('banana', 'an') FROM dual", "ba"},
		{"lpad", "", "SELECT LPAD('7', 3, '0') FROM dual", "007"},
		{"extract", "", "SELECT EXTRACT(YEAR FROM d) FROM ev", "2024"},
		{"upper in where", "", "SELECT COUNT(*) FROM h WHERE UPPER(name) IN ('A', 'B')", "2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &Translator{Schema: "t", ColumnType: columnTypes}
			if c.exec != "" {
				s, err := tr.TranslateSQL(c.exec)
				if err != nil {
					t.Fatalf("translate %s: %v", c.exec, err)
				}
				if _, err := conn.Exec(ctx, s); err != nil {
					t.Fatalf("%s\n→ %s\n%v", c.exec, s, err)
				}
			}
			s, err := tr.TranslateSQL(c.oracle)
			if err != nil {
				t.Fatalf("translate %s: %v", c.oracle, err)
			}
			var got *string
			if err := conn.QueryRow(ctx, "SELECT (x)::text FROM ("+s+") AS q(x)").Scan(&got); err != nil {
				t.Fatalf("%s\n→ %s\n%v", c.oracle, s, err)
			}
			g := "NULL"
			if got != nil {
				g = *got
			}
			if !same(g, c.want) {
				t.Errorf("%s\n→ %s\ngot %q, want %q", c.oracle, s, g, c.want)
			}
		})
	}
}

func same(got, want string) bool {
	if strings.HasPrefix(want, "~") {
		w, err1 := strconv.ParseFloat(want[1:], 64)
		g, err2 := strconv.ParseFloat(got, 64)
		return err1 == nil && err2 == nil && math.Abs(w-g) < 1e-9
	}
	return got == want
}
