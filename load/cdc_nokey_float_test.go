package load_test

import (
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FLOAT column in a table without a key: the full load must copy the
// exact float (the server prints FLOAT to 6 digits: 1.2345678 → 1.23457),
// or CDC's before-image match, which uses the binlog's exact float, misses
// the loaded rows and their updates and deletes are lost.
func TestCDCNoKeyFloat(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE f (x FLOAT, tag VARCHAR(10), d DOUBLE);
		INSERT INTO f VALUES (1.2345678, 'a', 0.1), (1.2345678, 'b', 0.1), (NULL, 'c', NULL);`); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	bin := buildFerry(t)
	cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", state)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	pg := openPG(t, dst)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "streaming changes") {
		if time.Now().After(deadline) {
			t.Fatalf("cdc did not start:\n%s", out.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
	if loaded := pgScalar[string](t, pg, `SELECT string_agg(coalesce(x::text,'null')||'/'||tag, ',' ORDER BY tag) FROM public.f`); loaded != "1.2345678/a,1.2345678/b,null/c" {
		t.Errorf("the full load changed FLOAT values: %s, want 1.2345678/a,1.2345678/b,null/c", loaded)
	}
	if err := env.MariaDB.Exec(ctx, name, `DELETE FROM f WHERE tag = 'a'; UPDATE f SET tag = 'B' WHERE tag = 'b'; UPDATE f SET tag='C' WHERE tag='c';
		INSERT INTO f VALUES (9.87654321, 'z', 1);`); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for pgScalar[int64](t, pg, `SELECT count(*) FROM public.f WHERE tag = 'z'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("insert not applied:\n%s", out.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	got := pgScalar[string](t, pg, `SELECT string_agg(coalesce(x::text,'null')||'/'||tag, ',' ORDER BY tag) FROM public.f`)
	t.Logf("target after CDC: %s", got)
	if got != "null/C,1.2345678/B,9.876543/z" && got != "1.2345678/B,null/C,9.876543/z" {
		t.Errorf("target rows differ from source (expected rows B, C, z only): %s", got)
	}
}
