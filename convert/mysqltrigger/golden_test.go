package mysqltrigger

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// readFixture reads a trigger from testdata: header lines "-- table: ...",
// "-- timing: ...", "-- event: ..." followed by the body exactly as
// information_schema.TRIGGERS.ACTION_STATEMENT returns it.
func readFixture(t *testing.T, path string) *catalog.Trigger {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSuffix(filepath.Base(path), ".sql")
	name = strings.TrimPrefix(name, "mariadb_sakila_")
	tr := &catalog.Trigger{Schema: "sakila", Name: name}
	rest := strings.TrimSuffix(string(b), "\n")
	for {
		line, after, ok := strings.Cut(rest, "\n")
		key, val, isHeader := strings.Cut(line, ": ")
		if !ok || !strings.HasPrefix(key, "-- ") || !isHeader {
			break
		}
		switch strings.TrimPrefix(key, "-- ") {
		case "table":
			tr.Table = val
		case "timing":
			tr.Timing = val
		case "event":
			tr.Event = val
		default:
			t.Fatalf("%s: unknown header %q", path, line)
		}
		rest = after
	}
	tr.Definition = rest
	if tr.Table == "" || tr.Timing == "" || tr.Event == "" {
		t.Fatalf("%s: missing header", path)
	}
	return tr
}

// TestGolden translates the triggers in testdata and compares the result
// with the golden *.pg.sql files.
//
// mariadb_sakila_*.sql are the six sakila triggers as MariaDB 10.11 stores
// them. The goldens were checked by creating them in PostgreSQL 15 on
// minimal film, film_text, customer, payment and rental tables and
// inserting, updating and deleting rows.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".pg.sql") {
			continue
		}
		n++
		t.Run(strings.TrimSuffix(filepath.Base(f), ".sql"), func(t *testing.T) {
			tr := readFixture(t, f)
			stmts, err := Translate(tr, Options{TargetSchema: "public", BoolColumns: map[string]bool{"customer.active": true, "staff.active": true}})
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			got := strings.Join(stmts, ";\n\n") + ";\n"
			golden := strings.TrimSuffix(f, ".sql") + ".pg.sql"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("translation differs from %s\n--- got:\n%s\n--- want:\n%s", golden, got, want)
			}
		})
	}
	if n == 0 {
		t.Fatal("no triggers in testdata")
	}
}
