package verify_test

import (
	"context"
	"testing"
)

// TestCorruptedValues covers corruptions sakila cannot show: one
// microsecond in a DATETIME(6), one byte of a blob, NULL turned into an empty string,
// a duplicate row of a table without a primary key, and a composite key
// whose text part sorts differently under MySQL's collation. The big
// table is one chunk that checksums narrow down by splitting.
func TestCorruptedValues(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `
CREATE TABLE events (id INT PRIMARY KEY, at DATETIME(6) NOT NULL, payload BLOB, note VARCHAR(20) NULL);
INSERT INTO events SELECT seq, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq * 1000001 MICROSECOND,
  UNHEX(SHA2(seq, 256)), IF(seq % 3 = 0, NULL, CONCAT('note ', seq)) FROM seq_1_to_30000;
CREATE TABLE members (grp VARCHAR(10) NOT NULL, id INT NOT NULL, val INT, PRIMARY KEY (grp, id));
INSERT INTO members VALUES ('a', 1, 1), ('B', 1, 2), ('c', 1, 3), ('ß', 1, 4), ('b2', 1, 5), ('_', 1, 6);
CREATE TABLE log (msg VARCHAR(20), n INT);
INSERT INTO log VALUES ('x', 1), ('x', 1), ('y', NULL), (NULL, 2), ('', 3);
`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst)
	args := []string{"--source", src, "--target", dst}
	assertAllOK(t, runVerify(t, 0, args...))
	assertAllOK(t, runVerify(t, 0, append(args, "--level", "row")...))

	pg := openPG(t, dst)
	pgExec(t, pg,
		`UPDATE events SET at = at + interval '1 microsecond' WHERE id = 12345`,
		`UPDATE events SET payload = set_byte(payload, 7, get_byte(payload, 7) # 1) WHERE id = 20000`,
		`UPDATE events SET note = '' WHERE id = 29997`,
		`UPDATE events SET note = NULL WHERE id = 1`,
		`UPDATE members SET val = 40 WHERE grp = 'ß'`,
		`DELETE FROM members WHERE grp = 'B'`,
		`INSERT INTO members VALUES ('b', 1, 2)`,
		`DELETE FROM log WHERE ctid IN (SELECT ctid FROM log WHERE msg = 'x' LIMIT 1)`,
		`INSERT INTO log VALUES ('z', 9)`,
	)
	for _, level := range []string{"checksum", "row"} {
		rep := runVerify(t, 1, append(args, "--level", level)...)
		ev := tableResult(t, rep.Tables, "events")
		want := map[string]string{"12345": "at", "20000": "payload", "29997": "note", "1": "note"}
		got := changedKeys(ev.ChangedRows)
		if ev.Changed != 4 || len(got) != 4 || ev.Missing != 0 || ev.Extra != 0 {
			t.Errorf("%s events: changed %d %v, missing %d, extra %d; want %v", level, ev.Changed, got, ev.Missing, ev.Extra, want)
		}
		for k, c := range want {
			if got[k] != c {
				t.Errorf("%s events row %s: changed columns %q, want %q", level, k, got[k], c)
			}
		}
		if level == "checksum" && (ev.RowChunks < 4 || ev.RowChunks > 8) {
			t.Errorf("events: %d ranges compared row by row; splitting should narrow 30000 rows down to the 4 differing ranges", ev.RowChunks)
		}
		m := tableResult(t, rep.Tables, "members")
		if got := keys(m.MissingKeys); !equalStrings(got, []string{"B,1"}) {
			t.Errorf("%s members: missing %v, want [B,1]", level, got)
		}
		if got := keys(m.ExtraKeys); !equalStrings(got, []string{"b,1"}) {
			t.Errorf("%s members: extra %v, want [b,1]", level, got)
		}
		if got := changedKeys(m.ChangedRows); len(got) != 1 || got["ß,1"] != "val" {
			t.Errorf("%s members: changed %v, want ß,1 val", level, got)
		}
		l := tableResult(t, rep.Tables, "log")
		if l.Missing != 1 || l.Extra != 1 || l.Status != "DIFF" || l.SourceRows != 5 || l.TargetRows != 5 {
			t.Errorf("%s log (no primary key): %+v; want 1 missing, 1 extra", level, l)
		}
	}
	rep := runVerify(t, 0, append(args, "--repair")...)
	if len(rep.Repairs) != 3 {
		t.Errorf("%d tables repaired, want 3", len(rep.Repairs))
	}
	assertAllOK(t, rep)
	assertAllOK(t, runVerify(t, 0, append(args, "--level", "row")...))
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM log WHERE msg = 'x'`); n != 2 {
		t.Errorf("log has %d 'x' rows after the repair, want 2", n)
	}
}
