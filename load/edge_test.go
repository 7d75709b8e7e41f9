package load_test

import (
	"context"
	"strings"
	"testing"
)

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
