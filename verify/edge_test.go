package verify_test

import (
	"context"
	"testing"

	"github.com/ferrydb/ferry/internal/fixtures"
)

const edgeSchema = fixtures.EdgeSchema

// TestEdgeCases verifies the edge-case tables after a migration: no false
// positives (zero dates became NULL by design; decimal(65,30), unsigned
// bigint max, 4-byte UTF-8, latin1, binary data, bit, year, set, enum,
// JSON whose key order jsonb changes, a table without a primary key),
// then a deliberately wrong value in each table is found.
func TestEdgeCases(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, edgeSchema); err != nil {
		t.Fatal(err)
	}
	if err := env.MariaDB.Exec(ctx, name, `INSERT INTO blobs SELECT 1, UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR '')), REPEAT('0123456789', 1048576) FROM seq_0_to_255;
		INSERT INTO blobs VALUES (2, '', NULL);`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst)
	args := []string{"--source", src, "--target", dst}
	for _, level := range []string{"count", "checksum", "row"} {
		rep := runVerify(t, 0, append(args, "--level", level)...)
		assertAllOK(t, rep)
		if len(rep.Tables) != 6 {
			t.Errorf("%s: %d tables, want 6", level, len(rep.Tables))
		}
	}

	pg := openPG(t, dst)
	pgExec(t, pg,
		// f: the next float up from 3.14159, equal to 6 digits.
		`UPDATE edge_types SET vc = '😀🎉 naïve 𝄞 日x', d = d + 0.000000000000000000000000000001, f = 3.1415904 WHERE id = 2`,
		`UPDATE edge_types SET ti = 0 WHERE id = 1`,
		`UPDATE edge_types SET st = '{x}', b1 = true WHERE id = 3`,
		`UPDATE edge_types SET biu = 1, dtm = '2020-02-01 10:00:00' WHERE id = 4`,
		`UPDATE blobs SET bl = set_byte(bl, 100, 0) WHERE id = 1`,
		`DELETE FROM nopk WHERE ctid IN (SELECT ctid FROM nopk WHERE a = 1 LIMIT 1)`,
		`UPDATE "order" SET "from" = 'z' WHERE "select" = 2`,
		`UPDATE "MixedTable" SET "Name" = 'ONE' WHERE "Id" = 1`,
		`UPDATE zd SET d = '2001-01-02' WHERE id = 1`,
	)
	want := map[string]map[string]string{
		"edge_types": {"1": "ti", "2": "d,f,vc", "3": "b1,st", "4": "biu,dtm"},
		"blobs":      {"1": "bl"},
		"order":      {"2": "from"},
		"MixedTable": {"1": "Name"},
		"zd":         {"1": "d"},
	}
	for _, level := range []string{"checksum", "row"} {
		rep := runVerify(t, 1, append(args, "--level", level)...)
		for table, rows := range want {
			r := tableResult(t, rep.Tables, table)
			got := changedKeys(r.ChangedRows)
			if r.Status != "DIFF" || len(got) != len(rows) || r.Missing != 0 || r.Extra != 0 {
				t.Errorf("%s %s: %s, changed %v, missing %d, extra %d; want changed %v", level, table, r.Status, got, r.Missing, r.Extra, rows)
				continue
			}
			for k, cols := range rows {
				if got[k] != cols {
					t.Errorf("%s %s row %s: changed columns %q, want %q", level, table, k, got[k], cols)
				}
			}
		}
		if n := tableResult(t, rep.Tables, "nopk"); n.Missing != 1 || n.Extra != 0 || n.SourceRows != 4 || n.TargetRows != 3 {
			t.Errorf("%s nopk: %+v, want 1 missing", level, n)
		}
	}
	rep := runVerify(t, 0, append(args, "--repair")...)
	assertAllOK(t, rep)
	assertAllOK(t, runVerify(t, 0, append(args, "--level", "row")...))
}
