package assess

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oracle"
	"github.com/ferrydb/ferry/convert/plsql"
	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/sqlplus"
)

// countCreates counts CREATE statements per kind in the scripts by a line
// scan independent of the assessment's reader.
func countCreates(t *testing.T, files []string) map[string]int {
	re := regexp.MustCompile(`(?i)^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+|BITMAP\s+)?(TABLE|INDEX|VIEW|SEQUENCE|PROCEDURE|FUNCTION|TRIGGER|PACKAGE\s+BODY|PACKAGE)\b`)
	comment := regexp.MustCompile(`(?i)^\s*COMMENT\s+ON\s+(TABLE|COLUMN)\b`)
	out := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if m := re.FindStringSubmatch(l); m != nil {
				out[strings.ToLower(strings.Join(strings.Fields(m[1]), " "))]++
			}
			if comment.MatchString(l) {
				out["comment"]++
			}
		}
	}
	return out
}

func TestAssessHRAndCO(t *testing.T) {
	dir := sandbox.SharedDir(t)
	files := []string{
		filepath.Join(dir, "oracle", "human_resources", "hr_create.sql"),
		filepath.Join(dir, "oracle", "human_resources", "hr_code.sql"),
		filepath.Join(dir, "oracle", "customer_orders", "co_create.sql"),
	}
	rep, err := Run(context.Background(), files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := countCreates(t, files)
	got := map[string]int{}
	for _, k := range rep.Kinds {
		got[k.Kind] = k.Total
		if k.Auto+k.Warnings+k.Manual != k.Total {
			t.Errorf("%s: %d+%d+%d != %d", k.Kind, k.Auto, k.Warnings, k.Manual, k.Total)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: report counts %d, the scripts have %d CREATE statements", k, got[k], n)
		}
	}
	if want["procedure"] != 2 || want["trigger"] != 2 || want["table"] != 14 || want["comment"] < 100 {
		t.Errorf("independent count looks wrong: %v", want)
	}
	for _, e := range rep.Entries {
		if e.File == "" || e.Line == 0 || e.Complexity == "" || e.HoursMax < e.HoursMin {
			t.Errorf("incomplete entry %+v", e)
		}
		// Everything is graded by the real converters (those of ferry
		// convert): nothing is only inventoried, nothing needs manual work
		// in HR and CO.
		if e.Status == convert.StatusManual || len(e.Objects) == 0 {
			t.Errorf("%s %s (%s:%d): %s (%s)", e.Kind, e.Name, e.File, e.Line, e.Status, e.Reason)
		}
		for _, n := range e.Notes {
			if strings.Contains(n, "inventoried only") {
				t.Errorf("%s %s: %s", e.Kind, e.Name, n)
			}
		}
		switch {
		case e.Kind == "trigger" && e.Name == "secure_employees":
			// hr_code.sql disables it after creating it: the note of the
			// later ALTER TRIGGER reaches the trigger's entry.
			if e.Status != convert.StatusWarnings || !strings.Contains(e.Reason, "created disabled") {
				t.Errorf("secure_employees: %s (%s), want the ALTER TRIGGER ... DISABLE note", e.Status, e.Reason)
			}
		case e.Kind == "procedure" || e.Kind == "trigger":
			if e.Status != convert.StatusAuto {
				t.Errorf("%s %s: %s (%s)", e.Kind, e.Name, e.Status, e.Reason)
			}
		}
	}
	// The PL/SQL code is graded on exactly what ferry convert produces:
	// the same statements as convert/oracle with the shared translator
	// (the token-reprinting default would leave `INSERT INTO job_history`
	// unquoted and TO_CHAR upper case).
	sts, err := sqlplus.ReadAll(files, sqlplus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stmts []oracle.Statement
	for _, st := range sts {
		if st.Kind != sqlplus.Command {
			stmts = append(stmts, oracle.FromSQLPlus(st))
		}
	}
	shared := oracle.NewShared()
	code := plsql.New(plsql.Options{SQL: oracle.PLSQLTranslator{Shared: shared}})
	res := oracle.Convert(stmts, oracle.Options{Shared: shared, Converters: []oracle.UnitConverter{func(st oracle.Statement) ([]*convert.Object, bool) {
		if !plsql.IsCode(st.Text) {
			return nil, false
		}
		return code.Add(st.Text, st.File, st.Line), true
	}}})
	converted := map[string]string{}
	for _, it := range res.Items {
		if it.Phase == oracle.PhaseCode {
			converted[it.Object.Kind+" "+it.Object.Name] = strings.Join(it.Object.SQL, ";\n")
		}
	}
	nCode := 0
	for _, e := range rep.Entries {
		if e.Kind != "procedure" && e.Kind != "trigger" {
			continue
		}
		for _, o := range e.Objects {
			nCode++
			got, want := strings.Join(o.SQL, ";\n"), converted[o.Kind+" "+o.Name]
			if got != want {
				t.Errorf("%s %s: assess graded\n%s\nferry convert produces\n%s", o.Kind, o.Name, got, want)
			}
			if o.Name == "add_job_history" && !strings.Contains(got, `INSERT INTO "job_history"`) {
				t.Errorf("add_job_history not through the shared translator:\n%s", got)
			}
		}
	}
	if nCode != 4 || len(converted) != 4 {
		t.Errorf("%d code objects assessed, %d converted; HR has 4", nCode, len(converted))
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Entries) != len(rep.Entries) {
		t.Fatalf("JSON round trip: %v, %d entries", err, len(back.Entries))
	}
	var h bytes.Buffer
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"secure_dml", "hr_code.sql:66", `class="bar"`} {
		if !strings.Contains(h.String(), s) {
			t.Errorf("HTML report lacks %q", s)
		}
	}
	if strings.Contains(h.String(), "http") {
		t.Errorf("HTML report references an external asset")
	}
}

// TestGrade checks the grading rules.
func TestGrade(t *testing.T) {
	cases := []struct {
		status     string
		items, loc int
		want       string
		min, max   float64
	}{
		{"converted", 0, 500, Simple, 0, 0.25},
		{"converted with warnings", 0, 20, Simple, 0.25, 1},
		{"needs manual work", 1, 100, Simple, 1, 2},
		{"needs manual work", 1, 101, Medium, 2, 6},
		{"needs manual work", 2, 10, Medium, 2, 6},
		{"needs manual work", 3, 10, Significant, 6, 12},
		{"needs manual work", 1, 301, Significant, 6, 12},
	}
	for _, c := range cases {
		e := Entry{LOC: c.loc}
		e.Status = statusOf(c.status)
		for i := 0; i < c.items; i++ {
			e.Items = append(e.Items, itemOf("x"))
		}
		grade(&e)
		if e.Complexity != c.want || e.HoursMin != c.min || e.HoursMax != c.max {
			t.Errorf("%+v: %s %v-%v, want %s %v-%v", c, e.Complexity, e.HoursMin, e.HoursMax, c.want, c.min, c.max)
		}
	}
}

func statusOf(s string) convert.Status   { return convert.Status(s) }
func itemOf(r string) convert.ActionItem { return convert.ActionItem{Reason: r} }

// TestAssessDependents checks that the assessment, like `ferry convert`,
// grades an object that reads an unconverted one as needing manual work.
func TestAssessDependents(t *testing.T) {
	f := filepath.Join(t.TempDir(), "deps.sql")
	script := `CREATE TABLE parts (sku VARCHAR2(8) PRIMARY KEY, qty NUMBER(4));
CREATE TYPE part_t AS OBJECT (sku VARCHAR2(8), qty NUMBER(4));
/
CREATE VIEW part_objs OF part_t WITH OBJECT IDENTIFIER (sku) AS SELECT sku, qty FROM parts;
CREATE VIEW big_parts AS SELECT sku FROM part_objs WHERE qty > 10;
CREATE VIEW small_parts AS SELECT sku FROM parts WHERE qty < 10;
`
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), []string{f}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range rep.Entries {
		got[e.Kind+" "+e.Name] = string(e.Status)
	}
	want := map[string]string{
		"view part_objs":   string(convert.StatusManual),
		"view big_parts":   string(convert.StatusManual),
		"view small_parts": string(convert.StatusAuto),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// TestAssessInventoriesEveryDDL checks that dimensions and ALTER TABLE
// forms other than ADD are inventoried, as `ferry convert` lists them.
func TestAssessInventoriesEveryDDL(t *testing.T) {
	f := filepath.Join(t.TempDir(), "dw.sql")
	script := `CREATE TABLE fact (id NUMBER(9) CONSTRAINT fact_pk PRIMARY KEY, note LONG);
ALTER TABLE fact MODIFY (note CLOB);
ALTER TABLE fact MODIFY CONSTRAINT fact_pk RELY;
ALTER TABLE fact MOVE TABLESPACE other;
CREATE DIMENSION fact_dim LEVEL f IS (fact.id);
CREATE OR REPLACE CONTEXT fact_ctx USING fact_pkg;
CREATE USER someone IDENTIFIED BY secret;
`
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), []string{f}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rep.Entries {
		got = append(got, e.Kind+" "+e.Name+" "+string(e.Status))
	}
	want := []string{
		"table fact " + string(convert.StatusAuto),
		"column fact.note " + string(convert.StatusWarnings),
		"constraint fact_pk " + string(convert.StatusWarnings),
		"table fact " + string(convert.StatusManual),
		"dimension fact_dim " + string(convert.StatusManual),
		"context fact_ctx " + string(convert.StatusManual),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("inventory:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
