package load_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ferrydb/ferry/internal/fixtures"
)

const edgeSchema = fixtures.EdgeSchema

// TestEdgeCases checks that every value round-trips exactly (or, for zero
// dates, becomes NULL with a warning).
func TestEdgeCases(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, edgeSchema); err != nil {
		t.Fatal(err)
	}
	// Every byte value, and a 10 MB text.
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO blobs SELECT 1, UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR '')), REPEAT('0123456789', 1048576) FROM seq_0_to_255;
		INSERT INTO blobs VALUES (2, '', NULL);`); err != nil {
		t.Fatal(err)
	}
	out := mustMigrate(t, "--source", src, "--target", dst)
	t.Log(out)
	assertSameData(t, src, dst, "public")

	pg := openPG(t, dst)
	if got := pgScalar[int64](t, pg, `SELECT length(bl) FROM blobs WHERE id = 1`); got != 256 {
		t.Errorf("blob length %d, want 256", got)
	}
	if got := pgScalar[int64](t, pg, `SELECT length(big) FROM blobs WHERE id = 1`); got != 10485760 {
		t.Errorf("10 MB text length %d", got)
	}
	if got := pgScalar[string](t, pg, `SELECT biu::text FROM edge_types WHERE id = 2`); got != "18446744073709551615" {
		t.Errorf("unsigned bigint max became %s", got)
	}
	if got := pgScalar[string](t, pg, `SELECT d::text FROM edge_types WHERE id = 2`); got != "12345678901234567890123456789012345.123456789012345678901234567890" {
		t.Errorf("decimal(65,30) became %s", got)
	}
	if got := pgScalar[string](t, pg, `SELECT vc FROM edge_types WHERE id = 2`); got != "😀🎉 naïve 𝄞 日本" {
		t.Errorf("4-byte UTF-8 became %q", got)
	}
	// NULL stays distinct from ''.
	if got := pgScalar[int64](t, pg, `SELECT count(*) FROM edge_types WHERE vc = '' AND tx = ''`); got != 1 {
		t.Errorf("empty strings: %d rows, want 1", got)
	}
	if got := pgScalar[int64](t, pg, `SELECT count(*) FROM edge_types WHERE vc IS NULL`); got != 2 {
		t.Errorf("NULL strings: %d rows, want 2", got)
	}
	// Types.
	for col, want := range map[string]string{"b1": "boolean", "biu": "numeric", "tiu": "smallint", "iu": "bigint", "j": "jsonb", "st": "ARRAY", "ts": "timestamp with time zone", "dtm": "timestamp without time zone", "bl": "bytea"} {
		if got := pgScalar[string](t, pg, `SELECT data_type FROM information_schema.columns WHERE table_name = 'edge_types' AND column_name = $1`, col); got != want {
			t.Errorf("edge_types.%s is %s, want %s", col, got, want)
		}
	}
	// Zero dates: NULL, counted, and NOT NULL not applied where they were found.
	if !strings.Contains(out, "zero dates") {
		t.Errorf("summary does not warn about zero dates:\n%s", out)
	}
	if got := pgScalar[string](t, pg, `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'zd' AND column_name = 'd'`); got != "YES" {
		t.Errorf("zd.d with a zero date: is_nullable %s, want YES (reported as action item)", got)
	}
	if got := pgScalar[string](t, pg, `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'zd' AND column_name = 'ok'`); got != "NO" {
		t.Errorf("zd.ok without zero dates: is_nullable %s, want NO", got)
	}
	// Reserved words and mixed case keep their names.
	if got := pgScalar[string](t, pg, `SELECT "MixedCase" FROM "order" WHERE "select" = 1`); got != "Hello" {
		t.Errorf(`"order"."MixedCase" = %q`, got)
	}
	if got := pgScalar[string](t, pg, `SELECT column_default FROM information_schema.columns WHERE table_name = 'order' AND column_name = 'from'`); got != "'it''s'::character varying" {
		t.Errorf(`"order"."from" default %q`, got)
	}
	if id := pgScalar[int32](t, pg, `INSERT INTO "MixedTable" ("Name") VALUES ('three') RETURNING "Id"`); id != 3 {
		t.Errorf(`MixedTable new Id %d, want 3`, id)
	}
	// The no-PK table is copied with its duplicate rows.
	if got := pgScalar[int64](t, pg, `SELECT count(*) FROM nopk`); got != 4 {
		t.Errorf("nopk rows %d, want 4", got)
	}
}
