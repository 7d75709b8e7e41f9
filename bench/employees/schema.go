// Package employees generates the MySQL "employees" sample database
// deterministically at its original row counts (3,919,015 rows) or a
// fraction of them, for benchmarks.
//
// The schema (six tables, two views) is read at run time from the
// data set's employees.sql (CC BY-SA 3.0, see the file's header); the rows
// are synthetic, from a fixed-seed PCG generator, with the original
// per-table counts, keys and plausible dates.
package employees

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Table is one table of the employees schema.
type Table struct {
	Name    string
	Columns []string
}

// Tables lists the six tables in load order (referenced tables first) with
// the column order of the generated TSV.
var Tables = []Table{
	{"departments", []string{"dept_no", "dept_name"}},
	{"employees", []string{"emp_no", "birth_date", "first_name", "last_name", "gender", "hire_date"}},
	{"dept_manager", []string{"emp_no", "dept_no", "from_date", "to_date"}},
	{"dept_emp", []string{"emp_no", "dept_no", "from_date", "to_date"}},
	{"titles", []string{"emp_no", "title", "from_date", "to_date"}},
	{"salaries", []string{"emp_no", "salary", "from_date", "to_date"}},
}

// SchemaRelPath is where employees.sql lives relative to the directory
// that holds the repository checkout (shared/ sits beside it).
const SchemaRelPath = "shared/datasets/mysql/employees/employees.sql"

// ErrNoSchema is returned by [FindSchema] when employees.sql is not found.
var ErrNoSchema = errors.New("employees: " + SchemaRelPath + " not found in the working directory or any parent")

// FindSchema looks for SchemaRelPath in the working directory and each of
// its parents (the repository's ../shared) and returns its path.
func FindSchema() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("employees: %w", err)
	}
	for {
		p := filepath.Join(dir, SchemaRelPath)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoSchema
		}
		dir = parent
	}
}

var (
	createTableRe = regexp.MustCompile(`(?is)^CREATE\s+TABLE\s+` + "`?" + `(\w+)`)
	createViewRe  = regexp.MustCompile(`(?is)^CREATE\s+(OR\s+REPLACE\s+)?VIEW\s+`)
)

// ReadSchema reads employees.sql and returns its CREATE TABLE and CREATE
// VIEW statements in file order (without the trailing semicolon). It fails
// unless all six [Tables] are among them.
func ReadSchema(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("employees: read schema: %w", err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "--") || strings.HasPrefix(t, "#") {
			continue
		}
		lines = append(lines, l)
	}
	var stmts, tables []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";") {
		s = strings.TrimSpace(s)
		if m := createTableRe.FindStringSubmatch(s); m != nil {
			stmts = append(stmts, s)
			tables = append(tables, strings.ToLower(m[1]))
		} else if createViewRe.MatchString(s) {
			stmts = append(stmts, s)
		}
	}
	for _, t := range Tables {
		if !slices.Contains(tables, t.Name) {
			return nil, fmt.Errorf("employees: %s: no CREATE TABLE %s (found %v)", path, t.Name, tables)
		}
	}
	return stmts, nil
}
