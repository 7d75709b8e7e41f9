package verify_test

import (
	"context"
	"testing"
)

// edgeSchema is load/edge_test.go's edge-case schema (copied: it lives in
// another package).
const edgeSchema = `
SET SESSION sql_mode = '';
CREATE TABLE edge_types (
  id INT PRIMARY KEY AUTO_INCREMENT,
  ti TINYINT, tiu TINYINT UNSIGNED, b1 TINYINT(1), si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d DECIMAL(65,30), f FLOAT, dbl DOUBLE, bt BIT(10),
  c CHAR(10), vc VARCHAR(100) CHARACTER SET utf8mb4, tx TEXT, lt LONGTEXT, l1 VARCHAR(20) CHARACTER SET latin1,
  bin BINARY(4), vb VARBINARY(300), bl BLOB, lb LONGBLOB,
  e ENUM('a','b c','it''s'), st SET('x','y','z'),
  y YEAR, dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL DEFAULT NULL, tm TIME(2),
  j JSON
);
INSERT INTO edge_types (id) VALUES (1);
INSERT INTO edge_types VALUES (2, -128, 255, 1, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
  -9223372036854775808, 18446744073709551615,
  '12345678901234567890123456789012345.123456789012345678901234567890', 3.14159, 2.718281828459045, b'1010101010',
  'abc', '😀🎉 naïve 𝄞 日本', 'tab\there\nnewline\\backslash "quote" ''single''', '', 'café',
  X'00FF0A5C', X'000102', NULL, NULL,
  'it''s', 'x,z', 2155, '1000-01-01', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.499', '23:59:59.99',
  '{"a": [1, 2, {"b": null}], "u": "😀", "n": 1.5}');
INSERT INTO edge_types (id, ti, b1, vc, tx, dt, dtm, e, st, tm, bin, vb)
  VALUES (3, 0, 0, '', '', '0000-00-00', '0000-00-00 00:00:00', 'a', '', '00:00:00', X'00000000', X'');
INSERT INTO edge_types (id, bi, biu, d, b1, dt, dtm, y) VALUES (4, 9223372036854775807, 0, '-0.000000000000000000000000000001', 0, '2020-02-29', '2020-02-00 10:00:00', 1901);
CREATE TABLE blobs (id INT PRIMARY KEY, bl LONGBLOB, big LONGTEXT);
CREATE TABLE nopk (a INT, b VARCHAR(10));
INSERT INTO nopk VALUES (1,'x'),(1,'x'),(NULL,NULL),(2,'');
CREATE TABLE ` + "`order`" + ` (` + "`select`" + ` INT PRIMARY KEY, ` + "`from`" + ` VARCHAR(10) NOT NULL DEFAULT 'it''s', ` + "`User`" + ` INT, ` + "`MixedCase`" + ` TEXT);
INSERT INTO ` + "`order`" + ` VALUES (1, 'a', 2, 'Hello'), (2, 'b', NULL, NULL);
CREATE TABLE ` + "`MixedTable`" + ` (` + "`Id`" + ` INT PRIMARY KEY AUTO_INCREMENT, ` + "`Name`" + ` VARCHAR(20), KEY ` + "`IdxName`" + ` (` + "`Name`" + `));
INSERT INTO ` + "`MixedTable`" + ` (` + "`Name`" + `) VALUES ('one'), ('two');
CREATE TABLE zd (id INT PRIMARY KEY, d DATE NOT NULL, dt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', ok DATE NOT NULL);
INSERT INTO zd VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '2000-01-01'), (2, '2001-01-01', '2001-01-01 00:00:00', '2001-01-01');
`

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
		`UPDATE edge_types SET vc = '😀🎉 naïve 𝄞 日x', d = d + 0.000000000000000000000000000001 WHERE id = 2`,
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
		"edge_types": {"1": "ti", "2": "d,vc", "3": "b1,st", "4": "biu,dtm"},
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
