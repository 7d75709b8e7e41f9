package employees

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Generate creates the employees schema in MariaDB/MySQL database db
// (dropped first if it exists) from the employees.sql found by
// [FindSchema], fills it with the deterministic data set at scale (1 = the
// original 3,919,015 rows) and checks the row counts.
func Generate(ctx context.Context, srv Server, db string, scale float64) error {
	path, err := FindSchema()
	if err != nil {
		return err
	}
	_, err = GenerateFrom(ctx, srv, db, scale, path)
	return err
}

// GenerateFrom is [Generate] with the path of employees.sql given; it
// returns the row counts loaded.
//
// Rows are written to tab-separated files in a temporary directory and
// loaded with LOAD DATA LOCAL INFILE (foreign key and unique checks and the
// binary log off for the session), salaries in parallel with the other
// tables, then the tables are analyzed.
func GenerateFrom(ctx context.Context, srv Server, db string, scale float64, schemaPath string) (Counts, error) {
	counts, err := CountsFor(scale)
	if err != nil {
		return Counts{}, err
	}
	stmts, err := ReadSchema(schemaPath)
	if err != nil {
		return Counts{}, err
	}
	start := time.Now()
	if err := srv.CreateDatabase(ctx, db); err != nil {
		return Counts{}, err
	}
	ddl := "SET SESSION sql_log_bin = 0;\n" + strings.Join(stmts, ";\n") + ";\n"
	if err := srv.Exec(ctx, db, ddl); err != nil {
		return Counts{}, fmt.Errorf("employees: create schema: %w", err)
	}

	dir, err := os.MkdirTemp("", "ferry-employees-")
	if err != nil {
		return Counts{}, fmt.Errorf("employees: %w", err)
	}
	defer os.RemoveAll(dir)
	files := map[string]*os.File{}
	var errs []error
	for _, t := range Tables {
		f, err := os.Create(filepath.Join(dir, t.Name+".tsv"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files[t.Name] = f
	}
	if err := errors.Join(errs...); err != nil {
		closeAll(files)
		return Counts{}, fmt.Errorf("employees: %w", err)
	}
	err = WriteTSV(counts, Writers{
		Employees:   files["employees"],
		Departments: files["departments"],
		DeptManager: files["dept_manager"],
		DeptEmp:     files["dept_emp"],
		Titles:      files["titles"],
		Salaries:    files["salaries"],
	})
	if cerr := closeAll(files); err == nil {
		err = cerr
	}
	if err != nil {
		return Counts{}, fmt.Errorf("employees: write rows: %w", err)
	}
	slog.Info("employees: rows written", "rows", counts.Total(), "dir", dir, "elapsed", time.Since(start).Round(time.Millisecond))

	// salaries holds 73% of the rows: load it beside the rest.
	groups := [][]Table{{}, {}}
	for _, t := range Tables {
		if t.Name == "salaries" {
			groups[0] = append(groups[0], t)
		} else {
			groups[1] = append(groups[1], t)
		}
	}
	var wg sync.WaitGroup
	loadErrs := make([]error, len(groups))
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loadErrs[i] = loadTables(ctx, srv, db, dir, g)
		}()
	}
	wg.Wait()
	if err := errors.Join(loadErrs...); err != nil {
		return Counts{}, err
	}
	var names []string
	for _, t := range Tables {
		names = append(names, "`"+t.Name+"`")
	}
	if _, err := srv.Query(ctx, db, "ANALYZE TABLE "+strings.Join(names, ", ")+";"); err != nil {
		return Counts{}, fmt.Errorf("employees: analyze: %w", err)
	}
	if err := CheckCounts(ctx, srv, db, "", counts); err != nil {
		return Counts{}, err
	}
	slog.Info("employees: generated", "db", db, "scale", scale, "rows", counts.Total(), "elapsed", time.Since(start).Round(time.Millisecond))
	return counts, nil
}

func closeAll(files map[string]*os.File) error {
	var errs []error
	for _, f := range files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

func loadTables(ctx context.Context, srv Server, db, dir string, tables []Table) error {
	var sb strings.Builder
	sb.WriteString("SET SESSION sql_log_bin = 0;\nSET SESSION foreign_key_checks = 0;\nSET SESSION unique_checks = 0;\n")
	for _, t := range tables {
		path := filepath.Join(dir, t.Name+".tsv")
		fmt.Fprintf(&sb, "LOAD DATA LOCAL INFILE '%s' INTO TABLE `%s` CHARACTER SET utf8mb4 (%s);\nSHOW WARNINGS LIMIT 5;\n",
			strings.ReplaceAll(strings.ReplaceAll(path, `\`, `\\`), "'", `\'`), t.Name, strings.Join(t.Columns, ", "))
	}
	out, err := srv.Query(ctx, db, sb.String())
	if err != nil {
		return fmt.Errorf("employees: load: %w", err)
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("employees: load: warnings: %s", tail(out, 1024))
	}
	return nil
}

// CheckCounts compares the row count of each table in database db with
// counts. For PostgreSQL, schema is where the tables are ("" = the
// search_path); for MariaDB schema must be "".
func CheckCounts(ctx context.Context, srv Server, db, schema string, counts Counts) error {
	prefix := ""
	if schema != "" {
		prefix = `"` + strings.ReplaceAll(schema, `"`, `""`) + `".`
	}
	var parts []string
	for _, t := range Tables {
		parts = append(parts, "(SELECT COUNT(*) FROM "+prefix+t.Name+")")
	}
	out, err := srv.Query(ctx, db, "SELECT "+strings.Join(parts, ", ")+";")
	if err != nil {
		return fmt.Errorf("employees: count rows: %w", err)
	}
	got := strings.Split(strings.TrimSpace(out), "\t")
	if len(got) != len(Tables) {
		return fmt.Errorf("employees: count rows: unexpected output %q", out)
	}
	var bad []string
	for i, t := range Tables {
		n, err := strconv.ParseInt(got[i], 10, 64)
		if err != nil {
			return fmt.Errorf("employees: count rows: %w", err)
		}
		if want := counts.Of(t.Name); n != want {
			bad = append(bad, fmt.Sprintf("%s: %d rows, want %d", t.Name, n, want))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("employees: database %s: wrong row counts: %s", db, strings.Join(bad, "; "))
	}
	return nil
}
