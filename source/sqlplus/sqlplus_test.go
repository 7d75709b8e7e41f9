package sqlplus

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/internal/sandbox"
)

func readString(t *testing.T, script string, opt Options) []Statement {
	t.Helper()
	sts, err := readStringErr(script, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

func readStringErr(script string, opt Options) ([]Statement, error) {
	r := NewReader(strings.NewReader(script), "t.sql", opt)
	defer r.Close()
	var out []Statement
	for {
		st, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
}

type want struct {
	kind       Kind
	line, end  int
	text, cmd  string
	textPrefix bool
}

func check(t *testing.T, got []Statement, ws []want) {
	t.Helper()
	if len(got) != len(ws) {
		for _, g := range got {
			t.Logf("got %s %d-%d %q %q", g.Kind, g.Line, g.EndLine, g.Command, g.Text)
		}
		t.Fatalf("got %d statements, want %d", len(got), len(ws))
	}
	for i, w := range ws {
		g := got[i]
		okText := g.Text == w.text || (w.textPrefix && strings.HasPrefix(g.Text, w.text))
		if g.Kind != w.kind || g.Line != w.line || (w.end != 0 && g.EndLine != w.end) || !okText || g.Command != w.cmd {
			t.Errorf("statement %d: got %s lines %d-%d cmd %q text %q; want %s line %d-%d cmd %q text %q",
				i, g.Kind, g.Line, g.EndLine, g.Command, g.Text, w.kind, w.line, w.end, w.cmd, w.text)
		}
	}
}

func TestSplitBasics(t *testing.T) {
	script := `REM a remark
-- a comment line
SET ECHO OFF
PROMPT Creating ; things
CREATE TABLE t (
  a NUMBER, -- a; b
  b VARCHAR2(10) DEFAULT 'x;y' /* c; */
);
/
INSERT INTO t VALUES (1, q'[it's; ]');  INSERT INTO t VALUES (2, 'a''b;');
/* between
   statements */
CREATE OR REPLACE
  EDITIONABLE PROCEDURE p IS
BEGIN
  NULL; -- x
END;
/
create or replace package body pk as
  procedure x is begin null; end;
end;

/
DECLARE
  v NUMBER := 1;
BEGIN
  NULL;
END;
/
BEGIN p; END;
/
EXEC p(1, 'a')
select 1
from dual
/
ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD';
SET TRANSACTION READ ONLY;
COMMENT ON TABLE t IS 'a; b';
CREATE OR REPLACE VIEW v AS SELECT 1 x FROM dual;
CREATE OR REPLACE TYPE ty AS OBJECT (a NUMBER);
/
WHENEVER SQLERROR EXIT SQL.SQLCODE
set serveroutput on;
`
	got := readString(t, script, Options{})
	check(t, got, []want{
		{kind: Command, line: 3, end: 3, cmd: "SET", text: "SET ECHO OFF"},
		{kind: Command, line: 4, cmd: "PROMPT", text: "PROMPT Creating ; things"},
		{kind: SQL, line: 5, end: 8, text: "CREATE TABLE t (\n  a NUMBER, -- a; b\n  b VARCHAR2(10) DEFAULT 'x;y' /* c; */\n)"},
		{kind: SQL, line: 10, end: 10, text: "INSERT INTO t VALUES (1, q'[it's; ]')"},
		{kind: SQL, line: 10, end: 10, text: "INSERT INTO t VALUES (2, 'a''b;')"},
		{kind: PLSQL, line: 13, end: 17, text: "CREATE OR REPLACE\n  EDITIONABLE PROCEDURE p IS\nBEGIN\n  NULL; -- x\nEND;"},
		{kind: PLSQL, line: 19, end: 21, text: "create or replace package body pk as\n  procedure x is begin null; end;\nend;"},
		{kind: PLSQL, line: 24, end: 28, text: "DECLARE\n  v NUMBER := 1;\nBEGIN\n  NULL;\nEND;"},
		{kind: PLSQL, line: 30, end: 30, text: "BEGIN p; END;"},
		{kind: PLSQL, line: 32, end: 32, text: "BEGIN p(1, 'a'); END;"},
		{kind: SQL, line: 33, end: 34, text: "select 1\nfrom dual"},
		{kind: SQL, line: 36, text: "ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD'"},
		{kind: SQL, line: 37, text: "SET TRANSACTION READ ONLY"},
		{kind: SQL, line: 38, text: "COMMENT ON TABLE t IS 'a; b'"},
		{kind: SQL, line: 39, text: "CREATE OR REPLACE VIEW v AS SELECT 1 x FROM dual"},
		{kind: PLSQL, line: 40, text: "CREATE OR REPLACE TYPE ty AS OBJECT (a NUMBER);"},
		{kind: Command, line: 42, cmd: "WHENEVER", text: "WHENEVER SQLERROR EXIT SQL.SQLCODE"},
		{kind: Command, line: 43, cmd: "SET", text: "set serveroutput on;"},
	})
}

func TestExecuteContinuation(t *testing.T) {
	script := "EXECUTE q.create_queue(-\n  queue_name => 'a', -\n  max_retries => 5);\nexec p -- done\nSELECT 1 FROM dual;\n"
	got := readString(t, script, Options{})
	check(t, got, []want{
		{kind: PLSQL, line: 1, end: 3, text: "BEGIN q.create_queue(\nqueue_name => 'a',\nmax_retries => 5); END;"},
		{kind: PLSQL, line: 4, end: 4, text: "BEGIN p -- done\n; END;"},
		{kind: SQL, line: 5, end: 5, text: "SELECT 1 FROM dual"},
	})
}

func TestSlashInsideStringsAndComments(t *testing.T) {
	// A '/' line inside a quote does not end a SQL statement; inside a
	// PL/SQL block it does (SQL*Plus looks at lines only).
	script := "INSERT INTO t VALUES ('a\n/\nb');\nBEGIN\n  x := 'a;\n  /* ; */ b';\nEND;\n/\n"
	got := readString(t, script, Options{})
	check(t, got, []want{
		{kind: SQL, line: 1, end: 3, text: "INSERT INTO t VALUES ('a\n/\nb')"},
		{kind: PLSQL, line: 4, end: 7, text: "BEGIN\n  x := 'a;\n  /* ; */ b';\nEND;"},
	})
}

func TestQuoteForms(t *testing.T) {
	script := "SELECT q'{a;}' || Q'<b;>' || nq'!c;!' || N'd;' || \"e;\" FROM dual;\nSELECT 2 FROM dual;\n"
	got := readString(t, script, Options{})
	check(t, got, []want{
		{kind: SQL, line: 1, text: "SELECT q'{a;}' || Q'<b;>' || nq'!c;!' || N'd;' || \"e;\" FROM dual"},
		{kind: SQL, line: 2, text: "SELECT 2 FROM dual"},
	})
}

func TestSubstitution(t *testing.T) {
	script := `DEFINE tbs = users
DEFINE owner = "HR X"
CREATE TABLE &owner..t (a NUMBER) TABLESPACE &tbs;
SELECT '&&newvar' FROM dual;
SELECT '&newvar.x', '&1' FROM dual;
UNDEFINE tbs
SET DEFINE OFF
SELECT 'a & b &tbs' FROM dual;
SET DEFINE ^
SELECT '^owner &x' FROM dual;
`
	got := readString(t, script, Options{Defines: map[string]string{"NEWVAR": "nv", "1": "one"}})
	check(t, got, []want{
		{kind: Command, line: 1, cmd: "DEFINE", text: "DEFINE tbs = users"},
		{kind: Command, line: 2, cmd: "DEFINE", text: `DEFINE owner = "HR X"`},
		{kind: SQL, line: 3, text: "CREATE TABLE HR X.t (a NUMBER) TABLESPACE users"},
		{kind: SQL, line: 4, text: "SELECT 'nv' FROM dual"},
		{kind: SQL, line: 5, text: "SELECT 'nvx', 'one' FROM dual"},
		{kind: Command, line: 6, cmd: "UNDEFINE", text: "UNDEFINE tbs"},
		{kind: Command, line: 7, cmd: "SET", text: "SET DEFINE OFF"},
		{kind: SQL, line: 8, text: "SELECT 'a & b &tbs' FROM dual"},
		{kind: Command, line: 9, cmd: "SET", text: "SET DEFINE ^"},
		{kind: SQL, line: 10, text: "SELECT 'HR X &x' FROM dual"},
	})

	_, err := readStringErr("SELECT 1 FROM dual;\n\nSELECT '&missing' FROM dual;\n", Options{})
	if err == nil || !strings.Contains(err.Error(), "t.sql:3") || !strings.Contains(err.Error(), "&missing") {
		t.Fatalf("undefined variable: got %v, want an error naming t.sql:3 and &missing", err)
	}
	got = readString(t, "SELECT '&missing' FROM dual;\n", Options{Undefined: UndefinedKeep})
	check(t, got, []want{{kind: SQL, line: 1, text: "SELECT '&missing' FROM dual"}})
	got = readString(t, "ACCEPT tbs PROMPT 'x' DEFAULT 'users'\nSELECT '&tbs' FROM dual;\n", Options{})
	check(t, got, []want{
		{kind: Command, line: 1, cmd: "ACCEPT", text: "ACCEPT tbs PROMPT 'x' DEFAULT 'users'"},
		{kind: SQL, line: 2, text: "SELECT 'users' FROM dual"},
	})
}

func TestBlankLines(t *testing.T) {
	// SQLBLANKLINES OFF: a blank line ends the statement unrun; '/' runs
	// it; otherwise it is dropped.
	script := "SELECT 1\n\n/\nSELECT 2\n\nSELECT 3 FROM dual;\nSET SQLBLANKLINES ON\nSELECT 4\n\nFROM dual;\n"
	got := readString(t, script, Options{})
	check(t, got, []want{
		{kind: SQL, line: 1, end: 1, text: "SELECT 1"},
		{kind: SQL, line: 6, text: "SELECT 3 FROM dual"},
		{kind: Command, line: 7, cmd: "SET", text: "SET SQLBLANKLINES ON"},
		{kind: SQL, line: 8, end: 10, text: "SELECT 4\n\nFROM dual"},
	})
}

func TestCommandContinuationAndEOF(t *testing.T) {
	script := "REM*** banner\nCOLUMN a -\n  FORMAT a10\nPROMPT done\nBEGIN\n  NULL;\nEND;\n"
	got := readString(t, script, Options{})
	check(t, got, []want{
		{kind: Command, line: 2, end: 3, cmd: "COLUMN", text: "COLUMN a\nFORMAT a10"},
		{kind: Command, line: 4, cmd: "PROMPT", text: "PROMPT done"},
		{kind: PLSQL, line: 5, end: 7, text: "BEGIN\n  NULL;\nEND;"},
	})
}

func TestIncludes(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "main.sql"), "SELECT 1 FROM dual;\n@@sub/a\nSELECT 3 FROM dual;\n")
	write(filepath.Join(sub, "a.sql"), "\nSELECT 2\nFROM dual;\n@@b.sql arg1\n")
	write(filepath.Join(sub, "b.sql"), "SELECT '&1' FROM dual;\n")
	sts, err := ReadAll([]string{filepath.Join(dir, "main.sql")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, sts, []want{
		{kind: SQL, line: 1, text: "SELECT 1 FROM dual"},
		{kind: SQL, line: 2, end: 3, text: "SELECT 2\nFROM dual"},
		{kind: SQL, line: 1, text: "SELECT 'arg1' FROM dual"},
		{kind: SQL, line: 3, text: "SELECT 3 FROM dual"},
	})
	if sts[1].File != filepath.Join(sub, "a.sql") || sts[2].File != filepath.Join(sub, "b.sql") || sts[3].File != filepath.Join(dir, "main.sql") {
		t.Errorf("files: %s, %s, %s", sts[1].File, sts[2].File, sts[3].File)
	}

	// A statement left open at the end of an include does not swallow
	// the including file's next line.
	write(filepath.Join(dir, "open.sql"), "@@sub/c\nSELECT 5 FROM dual;\n")
	write(filepath.Join(sub, "c.sql"), "BEGIN NULL; END;\n")
	sts, err = ReadAll([]string{filepath.Join(dir, "open.sql")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, sts, []want{{kind: PLSQL, line: 1, text: "BEGIN NULL; END;"}, {kind: SQL, line: 2, text: "SELECT 5 FROM dual"}})

	write(filepath.Join(dir, "x.sql"), "@@y\n")
	write(filepath.Join(dir, "y.sql"), "SELECT 1 FROM dual;\n@@x.sql\n")
	_, err = ReadAll([]string{filepath.Join(dir, "x.sql")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "include cycle") || !strings.Contains(err.Error(), "y.sql:2") {
		t.Fatalf("cycle: got %v", err)
	}
	write(filepath.Join(dir, "m.sql"), "\n@@nothere\n")
	_, err = ReadAll([]string{filepath.Join(dir, "m.sql")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "m.sql:2") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing include: got %v", err)
	}
}

var (
	reCreateTable = regexp.MustCompile(`(?im)^\s*CREATE\s+TABLE\s+\w`) // not GRANT CREATE TABLE,
	reInsert      = regexp.MustCompile(`(?im)^\s*INSERT\s+INTO\b`)
)

func TestOracleSamples(t *testing.T) {
	root := filepath.Join(sandbox.SharedDir(t), "oracle")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("Oracle sample schemas not found at %s (../shared/datasets/oracle): %v", root, err)
	}
	for _, ds := range []string{"human_resources", "customer_orders"} {
		files, err := filepath.Glob(filepath.Join(root, ds, "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no scripts (%v)", ds, err)
		}
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) {
				sts, err := ReadAll([]string{f}, Options{Undefined: UndefinedKeep})
				if err != nil {
					t.Fatal(err)
				}
				// Install scripts include others: compare each statement
				// with the file it came from.
				raws := map[string][]byte{}
				var creates, inserts int
				for _, st := range sts {
					raw, ok := raws[st.File]
					if !ok {
						if raw, err = os.ReadFile(st.File); err != nil {
							t.Fatal(err)
						}
						raws[st.File] = raw
					}
					if st.Kind != Command && strings.HasPrefix(strings.ToUpper(st.Text), "CREATE TABLE") {
						creates++
					}
					inserts += len(reInsert.FindAllStringIndex(st.Text, -1))
					// The first token is on the line the statement says.
					lines := strings.Split(string(raw), "\n")
					if st.Line < 1 || st.Line > len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[st.Line-1]), firstLine(st.Text)) {
						t.Errorf("%s: line %d does not start with %q", st.Pos(), st.Line, firstLine(st.Text))
					}
				}
				var wantCreates, wantInserts int
				for _, raw := range raws {
					wantCreates += len(reCreateTable.FindAllIndex(raw, -1))
					wantInserts += len(reInsert.FindAllIndex(raw, -1))
				}
				if creates != wantCreates || inserts != wantInserts {
					t.Errorf("CREATE TABLE %d (grep %d), INSERT INTO %d (grep %d)", creates, wantCreates, inserts, wantInserts)
				}
				t.Logf("%d statements from %d files, %d CREATE TABLE, %d INSERT", len(sts), len(raws), creates, inserts)
			})
		}
	}

	// hr_install.sql pulls in create, populate and code through @@.
	inst := filepath.Join(root, "human_resources", "hr_install.sql")
	sts, err := ReadAll([]string{inst}, Options{Defines: map[string]string{"pass": "secret", "var_default_tablespace": "USERS"}})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	var creates, inserts int
	for _, st := range sts {
		files[filepath.Base(st.File)]++
		if strings.HasPrefix(strings.ToUpper(st.Text), "CREATE TABLE") {
			creates++
		}
		inserts += len(reInsert.FindAllStringIndex(st.Text, -1))
		if strings.Contains(st.Text, "&") && st.Kind != Command && strings.Contains(st.Text, "&pass") {
			t.Errorf("%s: &pass not substituted", st.Pos())
		}
	}
	for _, f := range []string{"hr_install.sql", "hr_create.sql", "hr_populate.sql", "hr_code.sql"} {
		if files[f] == 0 {
			t.Errorf("no statement from %s: %v", f, files)
		}
	}
	if creates != 7 || inserts != 217 { // 216 in hr_populate, 1 in a trigger of hr_code
		t.Errorf("hr_install: %d CREATE TABLE, %d INSERT; want 7 and 217", creates, inserts)
	}
	var user string
	for _, st := range sts {
		if strings.HasPrefix(st.Text, "CREATE USER") {
			user = st.Text
		}
	}
	if !strings.Contains(user, `"secret"`) || !strings.Contains(user, "TABLESPACE USERS") {
		t.Errorf("CREATE USER not substituted: %q", user)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
