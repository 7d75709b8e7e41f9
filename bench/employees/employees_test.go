package employees

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/internal/sandbox"
)

func TestFullCounts(t *testing.T) {
	if got := FullCounts.Total(); got != 3_919_015 {
		t.Fatalf("FullCounts.Total() = %d, want 3919015", got)
	}
	c, err := CountsFor(1)
	if err != nil || c != FullCounts {
		t.Fatalf("CountsFor(1) = %+v, %v; want %+v", c, err, FullCounts)
	}
	if _, err := CountsFor(0.00001); err == nil {
		t.Fatal("CountsFor(0.00001): want error (too few employees)")
	}
}

func TestDates(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(1952, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		dt := mkdate(d.Year(), int(d.Month()), d.Day())
		if want := d.Unix() / 86400; int64(dt) != want {
			t.Errorf("mkdate(%s) = %d, want %d", d.Format(time.DateOnly), dt, want)
		}
		if got := string(appendDate(nil, dt)); got != d.Format(time.DateOnly) {
			t.Errorf("appendDate = %s, want %s", got, d.Format(time.DateOnly))
		}
	}
	if got := string(appendDate(nil, mkdate(2000, 2, 29).addYears(1))); got != "2001-02-28" {
		t.Errorf("2000-02-29 + 1y = %s", got)
	}
}

// lineCounter counts lines and hashes what it is given.
type lineCounter struct {
	n int64
	h hash.Hash
}

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += int64(bytes.Count(p, []byte{'\n'}))
	return l.h.Write(p)
}

func writeAll(t *testing.T, c Counts) map[string]*lineCounter {
	t.Helper()
	w := map[string]*lineCounter{}
	for _, tb := range Tables {
		w[tb.Name] = &lineCounter{h: sha256.New()}
	}
	err := WriteTSV(c, Writers{w["employees"], w["departments"], w["dept_manager"], w["dept_emp"], w["titles"], w["salaries"]})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWriteTSVFull generates the full data set in memory: exact counts,
// and the same bytes twice.
func TestWriteTSVFull(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	a, b := writeAll(t, FullCounts), writeAll(t, FullCounts)
	for _, tb := range Tables {
		if got, want := a[tb.Name].n, FullCounts.Of(tb.Name); got != want {
			t.Errorf("%s: %d rows, want %d", tb.Name, got, want)
		}
		if !bytes.Equal(a[tb.Name].h.Sum(nil), b[tb.Name].h.Sum(nil)) {
			t.Errorf("%s: output differs between two runs", tb.Name)
		}
	}
}

func TestWriteTSVKeysUnique(t *testing.T) {
	c, err := CountsFor(0.02)
	if err != nil {
		t.Fatal(err)
	}
	var bufs [6]bytes.Buffer
	if err := WriteTSV(c, Writers{&bufs[0], &bufs[1], &bufs[2], &bufs[3], &bufs[4], &bufs[5]}); err != nil {
		t.Fatal(err)
	}
	// primary key column counts: employees 1, departments 1, dept_manager 2,
	// dept_emp 2, titles 3, salaries 2 (emp_no, from_date = columns 0, 2).
	keys := []func([]string) string{
		func(f []string) string { return f[0] },
		func(f []string) string { return f[0] },
		func(f []string) string { return f[0] + "|" + f[1] },
		func(f []string) string { return f[0] + "|" + f[1] },
		func(f []string) string { return f[0] + "|" + f[1] + "|" + f[2] },
		func(f []string) string { return f[0] + "|" + f[2] },
	}
	for i, name := range []string{"employees", "departments", "dept_manager", "dept_emp", "titles", "salaries"} {
		seen := map[string]bool{}
		for line := range strings.Lines(bufs[i].String()) {
			f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			k := keys[i](f)
			if seen[k] {
				t.Errorf("%s: duplicate key %s", name, k)
			}
			seen[k] = true
			if name == "salaries" || name == "titles" {
				if f[2] >= f[3] {
					t.Errorf("%s: from_date %s not before to_date %s", name, f[2], f[3])
				}
			}
		}
		if int64(len(seen)) != c.Of(name) {
			t.Errorf("%s: %d rows, want %d", name, len(seen), c.Of(name))
		}
	}
}

// TestGenerateSandbox loads scale 0.001 into a throwaway MariaDB.
func TestGenerateSandbox(t *testing.T) {
	path, err := FindSchema()
	if errors.Is(err, ErrNoSchema) {
		t.Skipf("employees schema not available (%v); it is read from ../shared beside the repository", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sandbox.EnsureInstalled(ctx); err != nil {
		t.Skipf("sandbox unavailable: %v", err)
	}
	srv, err := sandbox.StartMariaDB(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("start MariaDB: %v", err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	}()
	counts, err := GenerateFrom(ctx, srv, "employees", 0.001, path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := CountsFor(0.001)
	if counts != want {
		t.Fatalf("counts %+v, want %+v", counts, want)
	}
	// CheckCounts ran inside GenerateFrom; check the views work too.
	out, err := srv.Query(ctx, "employees", "SELECT COUNT(*) FROM current_dept_emp;")
	if err != nil {
		t.Fatal(err)
	}
	if out != fmt.Sprint(want.Employees) {
		t.Errorf("current_dept_emp: %s rows, want %d", out, want.Employees)
	}
}
