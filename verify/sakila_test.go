package verify_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/verify"
)

// TestSakilaClean migrates sakila and verifies it at every level: every
// table matches, with the migration's conversions (tinyint(1) → boolean,
// enums, sets → text[], spatial → EWKT, timestamps → timestamptz) taken
// into account.
func TestSakilaClean(t *testing.T) {
	src := sakila(t)
	dst := freshPG(t, "sakila_clean")
	mustMigrate(t, "--source", src, "--target", dst, "--chunk-rows", "2000")
	for _, level := range []string{"count", "checksum", "row"} {
		t.Run(level, func(t *testing.T) {
			rep := runVerify(t, 0, "--source", src, "--target", dst, "--level", level, "--chunk-rows", "2000")
			if len(rep.Tables) != 16 {
				t.Errorf("%d tables verified, want 16", len(rep.Tables))
			}
			assertAllOK(t, rep)
			payment := tableResult(t, rep.Tables, "payment")
			if payment.SourceRows != 16049 || payment.TargetRows != 16049 {
				t.Errorf("payment rows %d/%d, want 16049", payment.SourceRows, payment.TargetRows)
			}
			if level != "count" && payment.Chunks < 2 {
				t.Errorf("payment was compared in %d chunk(s); --chunk-rows 2000 should split it", payment.Chunks)
			}
			if level == "checksum" {
				for _, r := range rep.Tables {
					if r.RowChunks != 0 {
						t.Errorf("%s: %d chunks compared row by row on a clean target; the checksums should match", r.Source, r.RowChunks)
					}
				}
			}
		})
	}
	// The text summary and the table selection flags.
	code, out, errs := ferry(t, "verify", "--source", src, "--target", dst, "--tables", "actor,film*")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "sakila.actor") || !strings.Contains(out, "sakila.film_text") || strings.Contains(out, "sakila.payment") {
		t.Errorf("--tables actor,film* printed:\n%s", out)
	}
	if !strings.Contains(out, "all 5 tables match") {
		t.Errorf("summary:\n%s", out)
	}
	// A task file, as for migrate.
	taskFile := filepath.Join(t.TempDir(), "task.yaml")
	if err := os.WriteFile(taskFile, []byte("source: "+src+"\ntarget: "+dst+"\ntables: [sakila.actor, sakila.language]\nparallel: 1\nif-exists: drop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep := runVerify(t, 0, "-f", taskFile)
	if len(rep.Tables) != 2 {
		t.Errorf("task file: %d tables verified, want 2", len(rep.Tables))
	}
	assertAllOK(t, rep)
}

// TestSakilaCorrupted corrupts a migrated sakila in known ways, checks
// that verify lists exactly those rows, repairs them and verifies clean.
func TestSakilaCorrupted(t *testing.T) {
	src := sakila(t)
	dst := freshPG(t, "sakila_corrupt")
	mustMigrate(t, "--source", src, "--target", dst, "--chunk-rows", "2000")
	pg := openPG(t, dst)
	nullAddr := pgScalar[[]int32](t, pg, `SELECT array_agg(address_id ORDER BY address_id) FROM (SELECT address_id FROM address WHERE address2 IS NULL ORDER BY address_id LIMIT 2) a`)
	if len(nullAddr) != 2 {
		t.Fatalf("sakila has %d addresses with a NULL address2, want 2", len(nullAddr))
	}
	pgExec(t, pg,
		`DELETE FROM payment WHERE payment_id IN (5, 6, 16049)`,
		`INSERT INTO actor (actor_id, first_name, last_name, last_update) VALUES (9001, 'EXTRA', 'ONE', now()), (9002, 'EXTRA', 'TWO', now())`,
		`UPDATE film SET rental_rate = rental_rate + 1 WHERE film_id IN (10, 500, 1000)`,
		`UPDATE customer SET first_name = lower(first_name) WHERE customer_id = 42`,
		`UPDATE rental SET return_date = return_date + interval '1 second' WHERE rental_id = 7777`,
		`UPDATE address SET address2 = '' WHERE address_id = ANY($$`+pgIntArray(nullAddr)+`$$::int[])`,
	)
	args := []string{"--source", src, "--target", dst, "--chunk-rows", "2000"}
	reportJSON := filepath.Join(t.TempDir(), "diff.json")
	reportHTML := filepath.Join(t.TempDir(), "diff.html")

	for _, level := range []string{"checksum", "row"} {
		rep := runVerify(t, 1, append(args, "--level", level, "--report", reportJSON)...)
		if rep.OK {
			t.Fatalf("%s: report says OK", level)
		}
		want := map[string]struct {
			missing, extra []string
			changed        map[string]string
		}{
			"payment":  {missing: []string{"5", "6", "16049"}},
			"actor":    {extra: []string{"9001", "9002"}},
			"film":     {changed: map[string]string{"10": "rental_rate", "500": "rental_rate", "1000": "rental_rate"}},
			"customer": {changed: map[string]string{"42": "first_name"}},
			"rental":   {changed: map[string]string{"7777": "return_date"}},
			"address":  {changed: map[string]string{itoa(nullAddr[0]): "address2", itoa(nullAddr[1]): "address2"}},
		}
		for _, r := range rep.Tables {
			name := strings.TrimPrefix(r.Source, "sakila.")
			w, ok := want[name]
			if !ok {
				if r.Status != verify.StatusOK {
					t.Errorf("%s %s: %s, want OK (missing %v extra %v changed %v)", level, name, r.Status, r.MissingKeys, r.ExtraKeys, r.ChangedRows)
				}
				continue
			}
			if r.Status != verify.StatusDiff {
				t.Errorf("%s %s: %s, want DIFF", level, name, r.Status)
			}
			if got := keys(r.MissingKeys); !equalStrings(got, w.missing) || r.Missing != int64(len(w.missing)) {
				t.Errorf("%s %s: missing %d %v, want %v", level, name, r.Missing, got, w.missing)
			}
			if got := keys(r.ExtraKeys); !equalStrings(got, w.extra) || r.Extra != int64(len(w.extra)) {
				t.Errorf("%s %s: extra %d %v, want %v", level, name, r.Extra, got, w.extra)
			}
			got := changedKeys(r.ChangedRows)
			if len(got) != len(w.changed) || r.Changed != int64(len(w.changed)) {
				t.Errorf("%s %s: changed %d %v, want %v", level, name, r.Changed, got, w.changed)
			}
			for k, cols := range w.changed {
				if got[k] != cols {
					t.Errorf("%s %s: changed row %s: columns %q, want %q", level, name, k, got[k], cols)
				}
			}
		}
	}
	// The JSON report on disk lists the keys; --max-rows caps the lists and says so.
	raw, err := os.ReadFile(reportJSON)
	if err != nil {
		t.Fatal(err)
	}
	var fromFile verify.Report
	if err := json.Unmarshal(raw, &fromFile); err != nil {
		t.Fatal(err)
	}
	if p := tableResult(t, fromFile.Tables, "payment"); p.Missing != 3 || strings.Contains(string(raw), "ferry@") {
		t.Errorf("report file: payment missing %d; password in report: %v", p.Missing, strings.Contains(string(raw), ":ferry@"))
	}
	capped := runVerify(t, 1, append(args, "--max-rows", "1", "--report", reportHTML)...)
	if p := tableResult(t, capped.Tables, "payment"); len(p.MissingKeys) != 1 || !p.Truncated || p.Missing != 3 {
		t.Errorf("--max-rows 1: payment lists %v (truncated %v), missing %d", p.MissingKeys, p.Truncated, p.Missing)
	}
	html, err := os.ReadFile(reportHTML)
	if err != nil {
		t.Fatal(err)
	}
	// Which of the three keys is listed depends on which chunk finished
	// first (chunks are compared in parallel).
	listed := keys(tableResult(t, capped.Tables, "payment").MissingKeys)
	if len(listed) != 1 || !strings.Contains(" 5 6 16049 ", " "+listed[0]+" ") || !strings.Contains(string(html), "<code>"+listed[0]+"</code>") || !strings.Contains(string(html), "truncated") {
		t.Errorf("HTML report lacks the listed missing key %v or the truncation note:\n%s", listed, html)
	}

	// Repair, which verifies again by itself; then a fresh verification.
	rep := runVerify(t, 0, append(args, "--repair")...)
	if len(rep.Repairs) != 6 {
		t.Errorf("%d tables repaired, want 6: %+v", len(rep.Repairs), rep.Repairs)
	}
	for _, r := range rep.Repairs {
		if r.Error != "" || r.TriggersFired {
			t.Errorf("repair of %s: %+v", r.Source, r)
		}
	}
	assertAllOK(t, rep)
	assertAllOK(t, runVerify(t, 0, append(args, "--level", "row")...))
	// Repaired rows did not fire ON UPDATE triggers, and identities still continue.
	if id := pgScalar[int32](t, pg, `INSERT INTO payment (customer_id, staff_id, amount, payment_date) VALUES (1, 1, 1.00, now()) RETURNING payment_id`); id != 16050 {
		t.Errorf("next payment_id %d, want 16050", id)
	}
}

func pgIntArray(a []int32) string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = itoa(v)
	}
	return "{" + strings.Join(s, ",") + "}"
}

func itoa(v int32) string {
	b, _ := json.Marshal(v)
	return string(b)
}
