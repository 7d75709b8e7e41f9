package load_test

import (
	"context"
	"testing"
	"time"
)

// TestCDCSpatial: geometry values arrive from the binlog in MySQL's
// internal form (SRID + WKB); the target must get the same value the full
// load writes.
func TestCDCSpatial(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE places (id INT PRIMARY KEY, note VARCHAR(20), g GEOMETRY, p POINT NOT NULL);
		INSERT INTO places VALUES (1, 'a', ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(3 4)')),
		  (2, 'b', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0.5)'), ST_GeomFromText('POINT(-1.5 2.25)')),
		  (3, 'c', NULL, ST_GeomFromText('POINT(0 0)'));`); err != nil {
		t.Fatal(err)
	}
	out := startMigrate(t, "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", t.TempDir())
	waitStreaming(t, out)
	if err := env.MariaDB.Exec(ctx, name, `UPDATE places SET note = 'moved' WHERE id = 1;
		UPDATE places SET g = ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))'), p = ST_GeomFromText('POINT(10 20)') WHERE id = 2;
		INSERT INTO places VALUES (4, 'd', ST_GeomFromText('MULTIPOINT((1 1), (2 2))'), ST_GeomFromText('POINT(5 6)')),
		  (5, 'e', ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 1 1))'), ST_GeomFromText('POINT(7 8)'));
		DELETE FROM places WHERE id = 3;`); err != nil {
		t.Fatal(err)
	}
	waitConvergedLog(t, src, dst, 30*time.Second, out)
}
