package load_test

import (
	"context"
	"testing"
	"time"
)

// TestCDCForeignKeyCascades: MariaDB does not write the rows its foreign
// key cascades change to the binlog; the target must still end equal.
func TestCDCForeignKeyCascades(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE parent (id INT PRIMARY KEY, v INT);
		CREATE TABLE child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES parent (id) ON DELETE CASCADE ON UPDATE CASCADE);
		CREATE TABLE grandchild (id INT PRIMARY KEY, cid INT, FOREIGN KEY (cid) REFERENCES child (id) ON DELETE CASCADE);
		CREATE TABLE nullable (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES parent (id) ON DELETE SET NULL ON UPDATE SET NULL);
		INSERT INTO parent SELECT seq, seq FROM seq_1_to_100;
		INSERT INTO child SELECT seq, 1 + seq % 100 FROM seq_1_to_500;
		INSERT INTO grandchild SELECT seq, 1 + seq % 500 FROM seq_1_to_1000;
		INSERT INTO nullable SELECT seq, 1 + seq % 100 FROM seq_1_to_300;`); err != nil {
		t.Fatal(err)
	}
	out := startMigrate(t, "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", t.TempDir())
	waitStreaming(t, out)
	waitConvergedLog(t, src, dst, 60*time.Second, out)
	if err := env.MariaDB.Exec(ctx, name, `DELETE FROM parent WHERE id <= 10;
		UPDATE parent SET id = id + 1000 WHERE id BETWEEN 11 AND 20;
		DELETE FROM child WHERE id > 450;`); err != nil {
		t.Fatal(err)
	}
	waitConvergedLog(t, src, dst, 30*time.Second, out)
}
