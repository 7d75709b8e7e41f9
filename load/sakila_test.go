package load_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSakila migrates MySQL's sakila sample end to end and checks data,
// keys, defaults, identities, views and the action items.
func TestSakila(t *testing.T) {
	dir := sharedDir(t)
	ctx := context.Background()
	for _, f := range []string{"sakila-mv-schema.sql", "sakila-mv-data.sql"} {
		if err := env.MariaDB.ExecFile(ctx, "", filepath.Join(dir, "mysql", "sakila", f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.Postgres.CreateDatabase(ctx, "sakila"); err != nil {
		t.Fatal(err)
	}
	src, dst := env.MariaDB.DSN("sakila"), env.Postgres.DSN("sakila")
	out := mustMigrate(t, "--source", src, "--target", dst, "--parallel", "3", "--chunk-rows", "2000")
	t.Log(out)

	sc := assertSameData(t, src, dst, "public")
	pg := openPG(t, dst)

	if n := len(sc.Tables); n != 16 {
		t.Errorf("source has %d tables, want 16", n)
	}
	// Every table got its primary key.
	pks := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND contype = 'p'`)
	if pks != 16 {
		t.Errorf("primary keys: %d, want 16", pks)
	}
	var fks, idx int64
	for _, tb := range sc.Tables {
		fks += int64(len(tb.ForeignKeys))
		idx += int64(len(tb.Indexes))
	}
	if got := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND contype = 'f'`); got != fks {
		t.Errorf("foreign keys: %d, want %d", got, fks)
	}
	if got := pgScalar[int64](t, pg, `SELECT count(*) FROM pg_indexes i WHERE schemaname = 'public' AND indexname NOT LIKE '%\_pkey'`); got != idx {
		t.Errorf("secondary indexes: %d, want %d", got, idx)
	}
	// NOT NULL DEFAULT CURRENT_TIMESTAMP survives (pgloader loses it).
	var def, nullable string
	if err := pg.QueryRow(ctx, `SELECT column_default, is_nullable FROM information_schema.columns WHERE table_schema='public' AND table_name='actor' AND column_name='last_update'`).Scan(&def, &nullable); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToUpper(def), "CURRENT_TIMESTAMP") || nullable != "NO" {
		t.Errorf("actor.last_update: default %q nullable %s; want CURRENT_TIMESTAMP, NOT NULL", def, nullable)
	}
	// film.rental_rate DEFAULT 4.99, film.rating DEFAULT 'G'.
	if got := pgScalar[string](t, pg, `SELECT column_default FROM information_schema.columns WHERE table_schema='public' AND table_name='film' AND column_name='rental_rate'`); got != "4.99" {
		t.Errorf("film.rental_rate default %q, want 4.99", got)
	}
	// Inserting without an id works and continues past the maximum.
	id := pgScalar[int32](t, pg, `INSERT INTO actor (first_name, last_name) VALUES ('NEW', 'ACTOR') RETURNING actor_id`)
	if id != 201 {
		t.Errorf("new actor_id = %d, want 201", id)
	}
	// ON UPDATE CURRENT_TIMESTAMP became a trigger.
	before := pgScalar[string](t, pg, `SELECT last_update::text FROM actor WHERE actor_id = 1`)
	pg.Exec(ctx, `UPDATE actor SET first_name = 'CHANGED' WHERE actor_id = 1`)
	after := pgScalar[string](t, pg, `SELECT last_update::text FROM actor WHERE actor_id = 1`)
	if before == after {
		t.Errorf("actor.last_update did not change on update (%s)", before)
	}
	// Enum and set constraints hold.
	if _, err := pg.Exec(ctx, `UPDATE film SET rating = 'XXX' WHERE film_id = 1`); err == nil {
		t.Error("film.rating accepted a value outside the enum")
	}
	// Views: each is created or reported.
	views := pgScalar[int64](t, pg, `SELECT count(*) FROM information_schema.views WHERE table_schema = 'public'`)
	reported := strings.Count(out, "[view]")
	if int(views)+reported != len(sc.Views) || views < 5 {
		t.Errorf("views: %d created + %d reported, source has %d (want >= 5 created)", views, reported, len(sc.Views))
	}
	for _, v := range []string{"customer_list", "film_list", "staff_list"} {
		if n := pgScalar[int64](t, pg, `SELECT count(*) FROM `+v); n == 0 {
			t.Errorf("view %s returns no rows", v)
		}
	}
	// Sakila's triggers are converted and behave as in MySQL.
	if !strings.Contains(out, "triggers converted: 6") {
		t.Errorf("summary does not report 6 converted triggers:\n%s", out)
	}
	if _, err := pg.Exec(ctx, `INSERT INTO film (title, description, language_id) VALUES ('NEW FILM', 'A test', 1)`); err != nil {
		t.Fatal(err)
	}
	if got := pgScalar[string](t, pg, `SELECT ft.description FROM film_text ft JOIN film f USING (film_id) WHERE f.title = 'NEW FILM'`); got != "A test" {
		t.Errorf("ins_film trigger: film_text description %q", got)
	}
	pg.Exec(ctx, `UPDATE film SET title = 'RENAMED' WHERE title = 'NEW FILM'`)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM film_text WHERE title = 'RENAMED'`); n != 1 {
		t.Errorf("upd_film trigger: %d renamed film_text rows", n)
	}
	pg.Exec(ctx, `DELETE FROM film WHERE title = 'RENAMED'`)
	if n := pgScalar[int64](t, pg, `SELECT count(*) FROM film_text WHERE title = 'RENAMED'`); n != 0 {
		t.Errorf("del_film trigger: film_text row left behind")
	}
	if got := pgScalar[bool](t, pg, `INSERT INTO customer (store_id, first_name, last_name, address_id) VALUES (1, 'A', 'B', 1) RETURNING create_date IS NOT NULL`); !got {
		t.Error("customer_create_date trigger did not set create_date")
	}
	// Routines are action items with their reason, never dropped silently.
	for _, name := range []string{"rewards_report", "get_customer_balance", "film_in_stock", "film_not_in_stock", "inventory_held_by_customer", "inventory_in_stock"} {
		if !strings.Contains(out, "."+name+":") {
			t.Errorf("action items do not mention %s", name)
		}
	}
}
