package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCollapsedValues: values whose canonical forms once collapsed
// (±infinity timestamps read as NULL by to_char; doubles equal to 15
// digits; -0 and 0) are differences, at every level; doubles printed as
// each server prints them (0.1 + 0.2, 1e300-scale values) still verify
// clean.
func TestCollapsedValues(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `
SET SESSION sql_mode = '';
CREATE TABLE ev (id INT PRIMARY KEY, at DATETIME(3) NULL, dbl DOUBLE);
INSERT INTO ev VALUES (1, NULL, 1), (2, '0000-00-00 00:00:00.000', 1), (3, '2020-01-01 00:00:00', 0.1), (4, '2020-01-01 00:00:00', 0),
  (5, '2020-01-01 00:00:00', 0.1e0 + 0.2e0), (6, NULL, 1e300 * 1.0000000000000002e0), (7, NULL, -1.5e-7), (8, NULL, 123456789.12345679e0);
`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst)
	args := []string{"--source", src, "--target", dst}
	for _, level := range []string{"checksum", "row"} {
		assertAllOK(t, runVerify(t, 0, append(args, "--level", level)...))
	}
	pg := openPG(t, dst)
	pgExec(t, pg,
		`UPDATE ev SET at = 'infinity' WHERE id = 1`,
		`UPDATE ev SET at = '-infinity' WHERE id = 2`,
		`UPDATE ev SET dbl = 0.1000000000000001 WHERE id = 3`,
		`UPDATE ev SET dbl = '-0' WHERE id = 4`,
	)
	want := map[string]string{"1": "at", "2": "at", "3": "dbl", "4": "dbl"}
	for _, level := range []string{"checksum", "row"} {
		rep := runVerify(t, 1, append(args, "--level", level)...)
		r := tableResult(t, rep.Tables, "ev")
		got := changedKeys(r.ChangedRows)
		if r.Status != "DIFF" || len(got) != len(want) {
			t.Errorf("%s: %s, changed %v; want %v", level, r.Status, got, want)
			continue
		}
		for k, cols := range want {
			if got[k] != cols {
				t.Errorf("%s row %s: changed %q, want %q", level, k, got[k], cols)
			}
		}
	}
	assertAllOK(t, runVerify(t, 0, append(args, "--repair")...))
	assertAllOK(t, runVerify(t, 0, append(args, "--level", "row")...))
}

// TestCastKeyOrder: a DECIMAL(10,0) primary key cast to bigint is sorted
// as a number on both sides, as the merge compares it (by its text, "10"
// came before "9" and verify stopped with an ordering error).
func TestCastKeyOrder(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `
CREATE TABLE dk (id DECIMAL(10,0) PRIMARY KEY, v INT);
INSERT INTO dk SELECT seq, seq FROM seq_1_to_20;
`); err != nil {
		t.Fatal(err)
	}
	task := filepath.Join(t.TempDir(), "task.yaml")
	if err := os.WriteFile(task, []byte("source: "+src+"\ntarget: "+dst+"\ncasts:\n  - {column: \""+name+".dk.id\", to: bigint}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "-f", task)
	for _, level := range []string{"checksum", "row"} {
		assertAllOK(t, runVerify(t, 0, "--level", level, "-f", task))
	}
	pg := openPG(t, dst)
	pgExec(t, pg, `UPDATE dk SET v = 0 WHERE id = 15`, `DELETE FROM dk WHERE id = 9`)
	for _, level := range []string{"checksum", "row"} {
		rep := runVerify(t, 1, "--level", level, "-f", task)
		r := tableResult(t, rep.Tables, "dk")
		if got := changedKeys(r.ChangedRows); r.Status != "DIFF" || len(got) != 1 || got["15"] != "v" || r.Missing != 1 {
			t.Errorf("%s: %s, changed %v, missing %d; want row 15 (v) changed and 1 missing", level, r.Status, got, r.Missing)
		}
	}
	assertAllOK(t, runVerify(t, 0, "--repair", "-f", task))
	assertAllOK(t, runVerify(t, 0, "--level", "row", "-f", task))
}

// TestRepairWholeTableNeedsTriggersOff: a table without a primary key
// with more differing rows than a row-by-row repair takes is deleted and
// copied whole only when triggers are off. A target user who may not
// switch them off gets a row-by-row repair, so the ON DELETE CASCADE of a
// foreign key that references the table does not empty its child table.
func TestRepairWholeTableNeedsTriggersOff(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `
CREATE TABLE np (u INT NOT NULL UNIQUE, v INT);
INSERT INTO np SELECT seq, seq FROM seq_1_to_3000;
`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst)
	pg := openPG(t, dst)
	pgExec(t, pg,
		`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferry_nosuper') THEN CREATE ROLE ferry_nosuper LOGIN PASSWORD 'pw' NOSUPERUSER; END IF; END $$`,
		`GRANT ALL ON ALL TABLES IN SCHEMA public TO ferry_nosuper`,
		`GRANT ALL ON SCHEMA public TO ferry_nosuper`,
		`CREATE TABLE child (id int PRIMARY KEY, u int REFERENCES np (u) ON DELETE CASCADE)`,
		`INSERT INTO child SELECT g, g FROM generate_series(2001, 2100) g`,
		`GRANT ALL ON child TO ferry_nosuper`,
		`UPDATE np SET v = -v WHERE u <= 1500`, // 1500 extra + 1500 missing rows
	)
	nosuper := "postgres://ferry_nosuper:pw@" + env.Postgres.Addr() + "/" + name + "?sslmode=disable"
	args := []string{"--source", src, "--target", nosuper}
	rep := runVerify(t, 1, args...)
	if r := tableResult(t, rep.Tables, "np"); r.Missing != 1500 || r.Extra != 1500 {
		t.Fatalf("np: missing %d, extra %d; want 1500 each", r.Missing, r.Extra)
	}
	assertAllOK(t, runVerify(t, 0, append(args, "--repair")...))
	assertAllOK(t, runVerify(t, 0, append(args, "--level", "row")...))
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM child`); n != 100 {
		t.Errorf("child has %d rows after the repair, want 100 (a whole-table delete cascaded)", n)
	}
}
