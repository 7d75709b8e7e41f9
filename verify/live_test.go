package verify_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/source/mysql"
	"github.com/ferrydb/ferry/target/postgres"
	"github.com/ferrydb/ferry/task"
	"github.com/ferrydb/ferry/verify"
)

// streamStandIn plays a change stream that lags the source: changes made
// on the source are pending until WaitApplied applies them to the target.
// (The real stream is tested end to end in load's TestVerifyLiveDuringCDC.)
type streamStandIn struct {
	t       *testing.T
	dst     *postgres.Target
	mu      sync.Mutex
	pending []string
	waits   int
}

func (s *streamStandIn) SourcePosition(context.Context) (catalog.Position, error) {
	return catalog.Position{Dialect: "mysql", File: "b.000001", Pos: 4}, nil
}

func (s *streamStandIn) WaitApplied(ctx context.Context, _ catalog.Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits++
	for _, q := range s.pending {
		if _, err := s.dst.Pool().Exec(ctx, q); err != nil {
			return err
		}
	}
	s.pending = nil
	return nil
}

// TestLiveRecheck: changes in flight (made on the source, not yet applied
// to the target) are not reported in live mode at any level, in tables
// with and without a primary key; a real difference on the target is
// reported with its key.
func TestLiveRecheck(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE items (id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(20));
		INSERT INTO items SELECT seq, seq, NULL FROM seq_1_to_3000;
		CREATE TABLE logs (a INT, b VARCHAR(10));
		INSERT INTO logs SELECT seq, 'x' FROM seq_1_to_200;`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst)
	s, err := mysql.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := postgres.OpenWithSettings(ctx, dst, verify.TargetSettings)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tk := &task.Task{Source: src, Target: dst, TargetSchema: "public"}
	tk.ApplyDefaults()
	plan, err := verify.BuildPlan(ctx, s, false, tk)
	if err != nil {
		t.Fatal(err)
	}
	stream := &streamStandIn{t: t, dst: d}
	inFlight := func() {
		t.Helper()
		if err := env.MariaDB.Exec(ctx, name, `UPDATE items SET qty = 0, note = '' WHERE id = 500;
			DELETE FROM items WHERE id = 7;
			INSERT INTO items VALUES (5000, 1, 'new');
			INSERT INTO logs VALUES (1, 'y');`); err != nil {
			t.Fatal(err)
		}
		stream.mu.Lock()
		stream.pending = []string{`UPDATE items SET qty = 0, note = '' WHERE id = 500`, `DELETE FROM items WHERE id = 7`,
			`INSERT INTO items VALUES (5000, 1, 'new')`, `INSERT INTO logs VALUES (1, 'y')`}
		stream.mu.Unlock()
	}
	for _, level := range []verify.Level{verify.LevelCount, verify.LevelChecksum, verify.LevelRow} {
		inFlight()
		rep, err := verify.Run(ctx, s, d, plan, verify.Options{Level: level, Parallel: 2, ChunkRows: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK {
			t.Fatalf("%s: a plain verification found no difference while changes were in flight", level)
		}
		stream.mu.Lock()
		stream.waits = 0
		stream.mu.Unlock()
		rep, err = verify.Run(ctx, s, d, plan, verify.Options{Level: level, Parallel: 2, ChunkRows: 1000, Live: stream})
		if err != nil {
			t.Fatal(err)
		}
		assertAllOK(t, rep)
		if stream.waits == 0 {
			t.Errorf("%s: live verification never waited for the stream", level)
		}
		// Reset both sides for the next level.
		if err := env.MariaDB.Exec(ctx, name, `UPDATE items SET qty = 500, note = NULL WHERE id = 500; INSERT INTO items VALUES (7, 7, NULL);
			DELETE FROM items WHERE id = 5000; DELETE FROM logs WHERE b = 'y'`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Pool().Exec(ctx, `UPDATE items SET qty = 500, note = NULL WHERE id = 500; INSERT INTO items VALUES (7, 7, NULL);
			DELETE FROM items WHERE id = 5000; DELETE FROM logs WHERE b = 'y'`); err != nil {
			t.Fatal(err)
		}
	}

	// A real difference stays, with its key, next to changes in flight.
	inFlight()
	if _, err := d.Pool().Exec(ctx, `UPDATE items SET qty = -1 WHERE id = 42; DELETE FROM items WHERE id = 43`); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Run(ctx, s, d, plan, verify.Options{Level: verify.LevelChecksum, Parallel: 2, ChunkRows: 1000, Live: stream})
	if err != nil {
		t.Fatal(err)
	}
	r := tableResult(t, rep.Tables, "items")
	if rep.OK || r.Changed != 1 || r.Missing != 1 || r.Extra != 0 || changedKeys(r.ChangedRows)["42"] != "qty" || keys(r.MissingKeys)[0] != "43" {
		t.Errorf("items with a real difference in live mode: %+v", r)
	}
	if r := tableResult(t, rep.Tables, "logs"); r.Status != verify.StatusOK {
		t.Errorf("logs: %+v", r)
	}
}
