package scriptload_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/internal/cli"
	"github.com/ferrydb/ferry/load/scriptload"
)

// TestCLILoad runs `ferry load --from oracle-script` end to end on a
// generated script of plain INSERT statements and reports the rate.
func TestCLILoad(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 2000
	}
	pg := scriptload.PGServer()
	ctx := context.Background()
	db := fmt.Sprintf("cli_%d", time.Now().UnixNano()%1e9)
	if err := pg.CreateDatabase(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := pg.Exec(ctx, db, `CREATE SCHEMA app; CREATE TABLE app.events (id bigint PRIMARY KEY, at timestamp(0), amount numeric(12,2), label text, payload bytea)`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "events.sql")
	f, err := os.Create(script)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "SET DEFINE OFF\nALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS';")
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var sum int64
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "INSERT INTO events (id, at, amount, label, payload) VALUES (%d, '%s', %d.%02d, 'event ''%d'' & more', HEXTORAW('%04x'));\n",
			i, base.Add(time.Duration(i)*time.Minute).Format("2006-01-02 15:04:05"), i%1000, i%100, i, i%65536)
		sum += int64(i%1000)*100 + int64(i%100)
	}
	fmt.Fprintln(w, "COMMIT;")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(script)

	var out, errb bytes.Buffer
	start := time.Now()
	code := cli.Main([]string{"load", "--from", "oracle-script", script, "--target", pg.DSN(db), "--schema", "app"}, strings.NewReader(""), &out, &errb)
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("app.events  %d", n)) && !strings.Contains(out.String(), fmt.Sprintf("app.events %d", n)) {
		t.Errorf("summary does not report %d rows for app.events:\n%s", n, out.String())
	}
	got, err := pg.Query(ctx, db, "SELECT count(*) || ' ' || sum(amount * 100)::bigint || ' ' || max(at) || ' ' || (SELECT label FROM app.events WHERE id = 7) FROM app.events")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d %d %s event '7' & more", n, sum, base.Add(time.Duration(n)*time.Minute).Format("2006-01-02 15:04:05"))
	if strings.TrimSpace(got) != want {
		t.Errorf("got %q want %q", strings.TrimSpace(got), want)
	}
	t.Logf("%d rows, %.1f MB script, %v: %.0f rows/s", n, float64(fi.Size())/1e6, took.Round(time.Millisecond), float64(n)/took.Seconds())

	// A bad statement: exit 1, file:line in the message, nothing loaded.
	bad := filepath.Join(dir, "bad.sql")
	if err := os.WriteFile(bad, []byte("INSERT INTO events (id) VALUES (-1);\n\nINSERT INTO events (id, at) VALUES (-2, 'not a date');\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code = cli.Main([]string{"load", "--from", "oracle-script", bad, "--target", pg.DSN(db), "--schema", "app"}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "bad.sql:3:") || !strings.Contains(errb.String(), "nothing was loaded") {
		t.Errorf("bad script: exit %d, stderr %s", code, errb.String())
	}
	if got, _ := pg.Query(ctx, db, "SELECT count(*) FROM app.events WHERE id < 0"); strings.TrimSpace(got) != "0" {
		t.Errorf("a failed load left rows: %s", got)
	}
	code = cli.Main([]string{"load", "--from", "csv", bad, "--target", pg.DSN(db)}, strings.NewReader(""), &out, &errb)
	if code != 2 {
		t.Errorf("--from csv: exit %d, want 2", code)
	}
}
