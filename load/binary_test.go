package load_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestBinaryCopy loads the edge-case schema with COPY binary, checks it
// against the source, and checks that COPY text stores the very same
// values (a second migration into another database, compared table by
// table).
func TestBinaryCopy(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, edgeSchema); err != nil {
		t.Fatal(err)
	}
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO blobs SELECT 1, UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR '')), REPEAT('0123456789', 1048576) FROM seq_0_to_255;
		INSERT INTO blobs VALUES (2, '', NULL);`); err != nil {
		t.Fatal(err)
	}
	// The server log shows which COPY format each table got.
	if err := env.Postgres.Exec(ctx, "postgres", `ALTER DATABASE "`+name+`" SET log_statement = 'all'`); err != nil {
		t.Fatal(err)
	}
	out := mustMigrate(t, "--source", src, "--target", dst, "--copy-format", "binary")
	t.Log(out)
	assertSameData(t, src, dst, "public")
	if !strings.Contains(out, "zero dates") {
		t.Errorf("summary does not warn about zero dates:\n%s", out)
	}
	if log, err := os.ReadFile(env.Postgres.LogPath()); err != nil {
		t.Error(err)
	} else {
		for _, tb := range []string{"edge_types", "blobs", "zd", "order", "MixedTable"} {
			re := regexp.MustCompile(`COPY "public"."` + tb + `" \([^)]*\) FROM STDIN \(FORMAT binary\)`)
			if !re.Match(log) {
				t.Errorf("table %s was not copied in the binary format", tb)
			}
		}
	}

	textDB := name + "_text"
	if err := env.Postgres.CreateDatabase(ctx, textDB); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", env.Postgres.DSN(textDB), "--copy-format", "text")
	bin, text := openPG(t, dst), openPG(t, env.Postgres.DSN(textDB))
	tables := 0
	for _, tb := range inspect(t, src).Tables {
		q := `SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM "public"."` + tb.Name + `" t`
		a, b := pgScalar[string](t, bin, q), pgScalar[string](t, text, q)
		if a != b {
			t.Errorf("table %s: binary COPY stored %s, text COPY %s", tb.Name, a, b)
		}
		tables++
	}
	if tables < 6 {
		t.Errorf("compared %d tables", tables)
	}
}
