package mysqlview

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden translates the view definitions in testdata and compares the
// result with the golden *.pg.sql files.
//
// mariadb_*.sql are VIEW_DEFINITION values read from information_schema on
// MariaDB 10.11 after loading the sakila and employees sample databases;
// mysql8_*.sql are the same views in MySQL 8.0's canonical form (charset
// introducers, doubled parentheses, ORDER BY on a select alias). The goldens
// were checked by hand and by creating the views in PostgreSQL 15.
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
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			opt := Options{SourceSchema: "sakila", TargetSchema: "public",
				BoolColumns: map[string]bool{"customer.active": true, "staff.active": true}}
			if strings.Contains(name, "employees") {
				opt = Options{SourceSchema: "employees", TargetSchema: "public", BoolColumns: map[string]bool{}}
			}
			got, err := Translate(string(in), opt)
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			got += "\n"
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
		t.Fatal("no view definitions in testdata")
	}
}
