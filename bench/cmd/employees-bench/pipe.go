package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ferrydb/ferry/bench/employees"
)

// pipeDDL is the hand-written PostgreSQL schema of the six tables, created
// without keys so the copy goes at full speed.
const pipeDDL = `CREATE TYPE employees_gender AS ENUM ('M', 'F');
CREATE TABLE employees (
    emp_no     integer NOT NULL,
    birth_date date NOT NULL,
    first_name varchar(14) NOT NULL,
    last_name  varchar(16) NOT NULL,
    gender     employees_gender NOT NULL,
    hire_date  date NOT NULL
);
CREATE TABLE departments (
    dept_no   char(4) NOT NULL,
    dept_name varchar(40) NOT NULL
);
CREATE TABLE dept_manager (
    emp_no    integer NOT NULL,
    dept_no   char(4) NOT NULL,
    from_date date NOT NULL,
    to_date   date NOT NULL
);
CREATE TABLE dept_emp (
    emp_no    integer NOT NULL,
    dept_no   char(4) NOT NULL,
    from_date date NOT NULL,
    to_date   date NOT NULL
);
CREATE TABLE titles (
    emp_no    integer NOT NULL,
    title     varchar(50) NOT NULL,
    from_date date NOT NULL,
    to_date   date
);
CREATE TABLE salaries (
    emp_no    integer NOT NULL,
    salary    integer NOT NULL,
    from_date date NOT NULL,
    to_date   date NOT NULL
);
`

// pipeKeys are run right after each table's COPY, in the same psql: the
// primary key, unique key and the secondary indexes MySQL has on the
// tables (InnoDB's implicit index on dept_no for the foreign key).
var pipeKeys = map[string][]string{
	"employees":    {"ALTER TABLE employees ADD PRIMARY KEY (emp_no)"},
	"departments":  {"ALTER TABLE departments ADD PRIMARY KEY (dept_no), ADD UNIQUE (dept_name)"},
	"dept_manager": {"ALTER TABLE dept_manager ADD PRIMARY KEY (emp_no, dept_no)", "CREATE INDEX ON dept_manager (dept_no)"},
	"dept_emp":     {"ALTER TABLE dept_emp ADD PRIMARY KEY (emp_no, dept_no)", "CREATE INDEX ON dept_emp (dept_no)"},
	"titles":       {"ALTER TABLE titles ADD PRIMARY KEY (emp_no, title, from_date)"},
	"salaries":     {"ALTER TABLE salaries ADD PRIMARY KEY (emp_no, from_date)"},
}

// pipeFinal runs once every table is loaded and keyed: the foreign keys
// (one session: they lock the referenced tables) and the two views.
const pipeFinal = `ALTER TABLE dept_manager
    ADD FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE,
    ADD FOREIGN KEY (dept_no) REFERENCES departments (dept_no) ON DELETE CASCADE;
ALTER TABLE dept_emp
    ADD FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE,
    ADD FOREIGN KEY (dept_no) REFERENCES departments (dept_no) ON DELETE CASCADE;
ALTER TABLE titles ADD FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE;
ALTER TABLE salaries ADD FOREIGN KEY (emp_no) REFERENCES employees (emp_no) ON DELETE CASCADE;
CREATE VIEW dept_emp_latest_date AS
    SELECT emp_no, MAX(from_date) AS from_date, MAX(to_date) AS to_date
    FROM dept_emp
    GROUP BY emp_no;
CREATE VIEW current_dept_emp AS
    SELECT l.emp_no, dept_no, l.from_date, l.to_date
    FROM dept_emp d
        INNER JOIN dept_emp_latest_date l
        ON d.emp_no = l.emp_no AND d.from_date = l.from_date AND l.to_date = d.to_date;
`

// pipeTool is what a DBA would type: create the tables, then per table
// `mariadb -B -N --quick -e 'SELECT ...' | psql -c 'COPY t FROM STDIN' -c
// 'ALTER TABLE t ADD PRIMARY KEY ...'` (-pipe-jobs tables at a time,
// largest first), then the foreign keys and views. The clients use the
// servers' unix sockets when the servers are sandboxes.
func (b *bench) pipeTool() tool {
	jobs := max(1, min(b.o.pipeJobs, len(employees.Tables)))
	return tool{
		name: "pipe",
		note: fmt.Sprintf("mariadb -B --quick | psql COPY, %d tables at a time, keys per table after its COPY, then FKs", jobs),
		run: func(ctx context.Context, runDir string) (measurement, string, error) {
			var procs procSet
			start := time.Now()
			err := b.pipe(ctx, jobs, &procs)
			m := measurement{Seconds: since(start), PeakRSSKiB: procs.max}
			if err != nil {
				return m, "", err
			}
			return m, "public", nil
		},
	}
}

func (b *bench) pipe(ctx context.Context, jobs int, procs *procSet) error {
	db := b.o.db
	if err := runLogged(b.pg.Client(ctx, db, "-c", pipeDDL), "create tables", procs); err != nil {
		return err
	}
	// Largest tables first.
	order := []string{"salaries", "titles", "dept_emp", "employees", "dept_manager", "departments"}
	cols := map[string][]string{}
	for _, t := range employees.Tables {
		cols[t.Name] = t.Columns
	}
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	errs := make([]error, len(order))
	for i, t := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			errs[i] = b.pipeTable(ctx, t, cols[t], procs)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return runLogged(b.pg.Client(ctx, db, "-c", pipeFinal), "foreign keys and views", procs)
}

// pipeTable runs mariadb | psql for one table, the two processes joined by
// an OS pipe.
func (b *bench) pipeTable(ctx context.Context, table string, cols []string, procs *procSet) error {
	list := strings.Join(cols, ", ")
	src := b.my.Client(ctx, b.o.db, "-B", "-N", "--quick", "-e", "SELECT "+list+" FROM "+table)
	args := []string{"-c", "COPY " + table + " (" + list + ") FROM STDIN"}
	for _, k := range pipeKeys[table] {
		args = append(args, "-c", k)
	}
	dst := b.pg.Client(ctx, b.o.db, args...)
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	var srcErr, dstErr bytes.Buffer
	src.Stdout, src.Stderr = w, &srcErr
	dst.Stdin, dst.Stdout, dst.Stderr = r, &dstErr, &dstErr
	if err := src.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("%s: %w", table, err)
	}
	if err := dst.Start(); err != nil {
		r.Close()
		w.Close()
		_ = src.Process.Kill()
		_ = src.Wait()
		return fmt.Errorf("%s: %w", table, err)
	}
	// The children hold their own copies of the pipe ends.
	r.Close()
	w.Close()
	sErr, dErr := src.Wait(), dst.Wait()
	procs.add(src, dst)
	if sErr != nil {
		sErr = fmt.Errorf("%s: mariadb: %w: %s", table, sErr, lastLines(srcErr.String(), 5))
	}
	if dErr != nil {
		dErr = fmt.Errorf("%s: psql: %w: %s", table, dErr, lastLines(dstErr.String(), 5))
	}
	return errors.Join(sErr, dErr)
}
