package load_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCDCSakilaAndEdgeTables runs --mode full+cdc on sakila and on the
// edge-case tables while write loads run on both: inserts, updates with
// NULLs, deletes, primary-key changes, multi-row and multi-table
// transactions, source triggers writing other tables, and every edge
// type (extreme integers and decimals, 4-byte UTF-8, binary data, JSON,
// sets, zero dates, reserved and mixed-case names, a table without a key).
// After the writes stop and the lag is 0, every table has the same count
// and checksum on both sides.
func TestCDCSakilaAndEdgeTables(t *testing.T) {
	if testing.Short() {
		t.Skip("CDC end to end; skipped with -short")
	}
	dir := sharedDir(t)
	ctx := context.Background()
	for _, f := range []string{"sakila-mv-schema.sql", "sakila-mv-data.sql"} {
		if err := env.MariaDB.ExecFile(ctx, "", filepath.Join(dir, "mysql", "sakila", f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.Postgres.CreateDatabase(ctx, "sakila_cdc"); err != nil {
		t.Fatal(err)
	}
	sakSrc, sakDst := env.MariaDB.DSN("sakila"), env.Postgres.DSN("sakila_cdc")
	edgeSrc, edgeDst, edgeName := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, edgeName, edgeSchema); err != nil {
		t.Fatal(err)
	}
	if err := env.MariaDB.Exec(ctx, edgeName, `INSERT INTO blobs SELECT 1, UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR '')), 'x' FROM seq_0_to_255`); err != nil {
		t.Fatal(err)
	}

	bin := buildFerry(t)
	start := func(src, dst string) (*exec.Cmd, *lockedBuffer) {
		cmd := exec.Command(bin, "migrate", "--mode", "full+cdc", "--source", src, "--target", dst, "--state-dir", t.TempDir(), "--chunk-rows", "3000")
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	sak, edge := openMySQL(t, sakSrc), openMySQL(t, edgeSrc)
	for _, db := range []*sql.DB{sak, edge} {
		// Zero dates and the like, as the edge schema writes them.
		db.SetMaxOpenConns(1)
		if _, err := db.Exec("SET SESSION sql_mode = ''"); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sakN, edgeN int
	wg.Add(2)
	go func() { defer wg.Done(); sakN = sakilaWrites(t, sak, stop) }()
	go func() { defer wg.Done(); edgeN = edgeWrites(t, edge, stop) }()
	time.Sleep(300 * time.Millisecond) // writes before, during and after the snapshot
	sakCmd, sakOut := start(sakSrc, sakDst)
	edgeCmd, edgeOut := start(edgeSrc, edgeDst)
	defer func() {
		for _, c := range []*exec.Cmd{sakCmd, edgeCmd} {
			c.Process.Signal(syscall.SIGINT)
			c.Wait()
		}
	}()
	time.Sleep(6 * time.Second)
	close(stop)
	wg.Wait()
	t.Logf("write load: %d sakila and %d edge statements or transactions", sakN, edgeN)
	if sakN < 50 || edgeN < 50 {
		t.Fatalf("the write load hardly ran (%d, %d)", sakN, edgeN)
	}
	for _, c := range []struct {
		src, dst string
		out      *lockedBuffer
	}{{sakSrc, sakDst, sakOut}, {edgeSrc, edgeDst, edgeOut}} {
		deadline := time.Now().Add(90 * time.Second)
		for {
			_, diffs := compareData(t, c.src, c.dst, "public")
			if len(diffs) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not converge:\n%s\nferry:\n%s", c.dst, strings.Join(diffs, "\n"), c.out)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	// The source's triggers wrote film_text; the target's did not fire for
	// replicated rows (they would have written it twice).
	pg := openPG(t, sakDst)
	if n := pgScalar[int64](t, pg, `SELECT count(*) - count(DISTINCT film_id) FROM film_text`); n != 0 {
		t.Errorf("film_text has %d duplicate film ids", n)
	}
}

// sakilaWrites writes to sakila until stop closes and returns how many
// statements or transactions committed.
func sakilaWrites(t *testing.T, db *sql.DB, stop <-chan struct{}) int {
	r := rand.New(rand.NewPCG(21, 3))
	n := 0
	for i := 0; ; i++ {
		select {
		case <-stop:
			return n
		default:
		}
		var err error
		pay := 1 + r.IntN(16049)
		switch r.IntN(8) {
		case 6:
			// A parent of customer, staff and store (ON UPDATE CASCADE).
			_, err = db.Exec("UPDATE address SET phone = ?, address2 = IF(address2 IS NULL, '', NULL) WHERE address_id = ?", fmt.Sprint(i), 1+r.IntN(603))
		case 0:
			_, err = db.Exec("INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (?, ?, NULL, ?, NOW()), (?, 1, NULL, 0.01, '2006-02-14 15:16:03')",
				1+r.IntN(599), 1+r.IntN(2), fmt.Sprintf("%d.%02d", r.IntN(20), r.IntN(100)), 1+r.IntN(599))
		case 1:
			_, err = db.Exec("UPDATE customer SET email = IF(email IS NULL, ?, NULL), active = 1 - active WHERE customer_id = ?", fmt.Sprintf("ü%d@example.com", i), 1+r.IntN(599))
		case 2:
			_, err = db.Exec("DELETE FROM payment WHERE payment_id = ?", pay)
		case 3:
			_, err = db.Exec("UPDATE payment SET payment_id = payment_id + 30000, rental_id = NULL WHERE payment_id = ? AND payment_id < 30000", pay) // primary-key change
		case 4:
			// The source's upd_film trigger writes film_text too.
			_, err = db.Exec("UPDATE film SET rental_rate = rental_rate + 0.01, title = CONCAT(LEFT(title, 100), '') WHERE film_id = ?", 1+r.IntN(1000))
		default:
			var tx *sql.Tx
			if tx, err = db.Begin(); err != nil {
				break
			}
			var res sql.Result
			res, err = tx.Exec("INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) VALUES (NOW(6) + INTERVAL ? SECOND, ?, ?, 1)", i, 1+r.IntN(4581), 1+r.IntN(599))
			if err == nil {
				id, _ := res.LastInsertId()
				_, err = tx.Exec("INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (?, 2, ?, 4.99, NOW())", 1+r.IntN(599), id)
			}
			if err == nil {
				_, err = tx.Exec("UPDATE inventory SET store_id = 3 - store_id WHERE inventory_id = ?", 1+r.IntN(4581))
			}
			if err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
		}
		if err != nil {
			if strings.Contains(err.Error(), "Duplicate entry") {
				continue
			}
			t.Errorf("sakila write load: %v", err)
			return n
		}
		n++
	}
}

// edgeWrites writes every edge type until stop closes.
func edgeWrites(t *testing.T, db *sql.DB, stop <-chan struct{}) int {
	const cols = "ti, tiu, b1, si, siu, mi, miu, i, iu, bi, biu, d, f, dbl, bt, c, vc, tx, lt, l1, bin, vb, bl, lb, e, st, y, dt, dtm, ts, tm, j"
	r := rand.New(rand.NewPCG(22, 4))
	n := 0
	for i := 0; ; i++ {
		select {
		case <-stop:
			return n
		default:
		}
		var err error
		id := 5 + r.IntN(i+1)
		switch r.IntN(8) {
		case 0:
			// A copy of one of the four edge rows (NULLs, extremes, zero dates).
			_, err = db.Exec("INSERT INTO edge_types ("+cols+") SELECT "+cols+" FROM edge_types WHERE id = ?", 1+r.IntN(4))
		case 1:
			_, err = db.Exec(`UPDATE edge_types SET vc = CONCAT(IFNULL(vc, ''), '😀'), d = IFNULL(d, 0) - 0.000000000000000000000000000001,
				biu = IF(biu IS NULL, 18446744073709551615, NULL), bl = UNHEX(MD5(?)), st = IF(st = 'x,z', 'y', 'x,z'),
				j = JSON_SET(IFNULL(j, '{}'), '$.k', ?), tm = IF(tm IS NULL, '12:34:56.78', NULL) WHERE id = ?`, i, i, id)
		case 2:
			_, err = db.Exec("DELETE FROM edge_types WHERE id = ? AND id > 4", id)
		case 3:
			_, err = db.Exec("UPDATE edge_types SET id = id + 100000 WHERE id = ? AND id > 4", id) // primary-key change
		case 4:
			_, err = db.Exec("INSERT INTO nopk VALUES (?, NULL), (NULL, ''), (1, 'x')", i)
		case 5:
			_, err = db.Exec("DELETE FROM nopk WHERE a <=> ? LIMIT 1", []any{1, nil, i - 1}[r.IntN(3)])
		case 6:
			// Zero dates in the before and after images.
			_, err = db.Exec("UPDATE zd SET ok = ok + INTERVAL 1 DAY, dt = IF(dt = '0000-00-00 00:00:00', '2001-01-01', '0000-00-00 00:00:00') WHERE id = ?", 1+r.IntN(2))
		default:
			var tx *sql.Tx
			if tx, err = db.Begin(); err != nil {
				break
			}
			_, err = tx.Exec("UPDATE `order` SET `from` = ?, `User` = IF(`User` IS NULL, ?, NULL) WHERE `select` = ?", fmt.Sprintf("it's %d", i), i, 1+r.IntN(2))
			if err == nil {
				_, err = tx.Exec("INSERT INTO `MixedTable` (`Name`) VALUES (?)", fmt.Sprintf("Ñ%d", i))
			}
			if err == nil {
				_, err = tx.Exec("INSERT INTO blobs VALUES (?, UNHEX(REPEAT(LPAD(HEX(?), 2, '0'), 300)), NULL)", 10+i, i%256)
			}
			if err == nil {
				err = tx.Commit()
			} else {
				tx.Rollback()
			}
		}
		if err != nil {
			if strings.Contains(err.Error(), "Duplicate entry") {
				continue
			}
			t.Errorf("edge write load: %v", err)
			return n
		}
		n++
	}
}
