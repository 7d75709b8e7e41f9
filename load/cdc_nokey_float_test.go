package load_test

import (
	"context"
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
	out := startMigrate(t, "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", t.TempDir())
	waitStreaming(t, out)
	pg := openPG(t, dst)
	rows := `SELECT string_agg(coalesce(x::text, 'null') || '/' || tag, ',' ORDER BY tag) FROM public.f`
	if got, want := pgScalar[string](t, pg, rows), "1.2345678/a,1.2345678/b,null/c"; got != want {
		t.Errorf("the full load changed FLOAT values: %s, want %s", got, want)
	}
	if err := env.MariaDB.Exec(ctx, name, `DELETE FROM f WHERE tag = 'a'; UPDATE f SET tag = 'B' WHERE tag = 'b'; UPDATE f SET tag = 'C' WHERE tag = 'c';
		INSERT INTO f VALUES (9.87654321, 'z', 1);`); err != nil {
		t.Fatal(err)
	}
	waitConvergedLog(t, src, dst, 30*time.Second, out)
	if got, want := pgScalar[string](t, pg, rows), "1.2345678/B,null/C,9.876543/z"; got != want {
		t.Errorf("target rows %s, want %s (the delete and the updates of loaded rows applied)", got, want)
	}
}
