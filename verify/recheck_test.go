package verify_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ferrydb/ferry/source/mysql"
	"github.com/ferrydb/ferry/target/postgres"
	"github.com/ferrydb/ferry/task"
	"github.com/ferrydb/ferry/verify"
)

// TestRecheckHook drives verify.Run with the hook the CDC-aware mode will
// use: a chunk that differs is handed to Recheck, which here plays the
// change stream catching up (it applies the source's change to the target)
// and asks for a second comparison, which is clean.
func TestRecheckHook(t *testing.T) {
	ctx := context.Background()
	src, dst, name := freshDBs(t)
	if err := env.MariaDB.Exec(ctx, name, `CREATE TABLE items (id INT PRIMARY KEY, qty INT NOT NULL);
		INSERT INTO items SELECT seq, seq FROM seq_1_to_1000;
		CREATE TABLE other (id INT PRIMARY KEY);
		INSERT INTO other VALUES (1);`); err != nil {
		t.Fatal(err)
	}
	mustMigrate(t, "--source", src, "--target", dst)
	// The source changes after the copy; CDC has not applied it yet.
	if err := env.MariaDB.Exec(ctx, name, `UPDATE items SET qty = 0 WHERE id = 500`); err != nil {
		t.Fatal(err)
	}
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

	var mu sync.Mutex
	var calls []verify.ChunkInfo
	opt := verify.Options{Level: verify.LevelChecksum, Parallel: 2, MaxRechecks: 3,
		Recheck: func(ctx context.Context, c verify.ChunkInfo, attempt int) (bool, error) {
			mu.Lock()
			calls = append(calls, c)
			mu.Unlock()
			if _, err := d.Pool().Exec(ctx, `UPDATE items SET qty = 0 WHERE id = 500`); err != nil {
				return false, err
			}
			return true, nil
		}}
	rep, err := verify.Run(ctx, s, d, plan, opt)
	if err != nil {
		t.Fatal(err)
	}
	assertAllOK(t, rep)
	if len(calls) != 1 || !strings.HasSuffix(calls[0].Table, ".items") || calls[0].Changed != 1 || calls[0].KeyColumn != "id" {
		t.Errorf("Recheck calls: %+v; want one for items with 1 changed row", calls)
	}

	// Without a hook, or when it gives up, the difference stands.
	if err := env.MariaDB.Exec(ctx, name, `DELETE FROM items WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	opt.Recheck = func(context.Context, verify.ChunkInfo, int) (bool, error) { return false, nil }
	rep, err = verify.Run(ctx, s, d, plan, opt)
	if err != nil {
		t.Fatal(err)
	}
	if r := tableResult(t, rep.Tables, "items"); rep.OK || r.Extra != 1 || keys(r.ExtraKeys)[0] != "7" {
		t.Errorf("items after a source delete: %+v", r)
	}
}
