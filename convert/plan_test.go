package convert

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/task"
)

// col builds a NOT NULL column unless nullable is set by the caller.
func col(name string, t catalog.Type) *catalog.Column { return &catalog.Column{Name: name, Type: t} }

func nullable(c *catalog.Column) *catalog.Column { c.Nullable = true; return c }

func withDefault(c *catalog.Column, kind catalog.DefaultKind, v string) *catalog.Column {
	c.Default = &catalog.Default{Kind: kind, Value: v}
	return c
}

func pk(cols ...string) *catalog.Index {
	ix := &catalog.Index{Name: "PRIMARY", Primary: true, Unique: true}
	for _, c := range cols {
		ix.Columns = append(ix.Columns, catalog.IndexColumn{Name: c})
	}
	return ix
}

func enumType(kind string, vals ...string) catalog.Type {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return catalog.Type{Name: kind, Raw: kind + "(" + strings.Join(quoted, ",") + ")", Values: vals}
}

// shopSchema is a hand-made catalog covering most conversion rules.
func shopSchema() *catalog.Schema {
	orders := &catalog.Table{
		Schema: "shop", Name: "orders", Comment: "all orders",
		Columns: []*catalog.Column{
			{Name: "id", Type: typ("int", "int"), AutoIncrement: true},
			withDefault(col("status", enumType("enum", "new", "it's")), catalog.DefaultLiteral, "new"),
			withDefault(nullable(col("tags", enumType("set", "a", "b"))), catalog.DefaultLiteral, "a,b"),
			withDefault(nullable(col("note", withLen(typ("varchar", "varchar(100)"), 100))), catalog.DefaultNull, ""),
			withDefault(col("price", withPrec(typ("decimal", "decimal(10,2)"), 10, 2)), catalog.DefaultLiteral, "4.99"),
			withDefault(col("title", withLen(typ("varchar", "varchar(50)"), 50)), catalog.DefaultLiteral, "it's"),
			withDefault(col("created", typ("timestamp", "timestamp")), catalog.DefaultCurrentTimestamp, ""),
			{Name: "updated", Type: withPrec(typ("datetime", "datetime(3)"), 3, 0), Nullable: true,
				Default: &catalog.Default{Kind: catalog.DefaultCurrentTimestamp, Value: "3"}, OnUpdateCurrentTimestamp: true},
			withDefault(col("shipped", typ("date", "date")), catalog.DefaultLiteral, "0000-00-00"),
			withDefault(col("flags", withLen(typ("bit", "bit(3)"), 3)), catalog.DefaultLiteral, "101"),
			withDefault(col("active", withLen(typ("tinyint", "tinyint(1)"), 1)), catalog.DefaultLiteral, "1"),
			{Name: "customer_id", Type: typ("bigint", "bigint unsigned"), Comment: "who's buying"},
		},
		PrimaryKey: pk("id"),
		Indexes: []*catalog.Index{
			{Name: "idx_status", Columns: []catalog.IndexColumn{{Name: "status"}}},
			{Name: "note_prefix", Unique: true, Columns: []catalog.IndexColumn{{Name: "note", PrefixLen: 10}, {Name: "price", Descending: true}}},
			{Name: "ft_title", Kind: "FULLTEXT", Columns: []catalog.IndexColumn{{Name: "title"}, {Name: "note"}}},
		},
		ForeignKeys: []*catalog.ForeignKey{{
			Name: "fk_customer", Columns: []string{"customer_id"}, RefSchema: "shop", RefTable: "customers",
			RefColumns: []string{"id"}, OnDelete: "CASCADE", OnUpdate: "NO ACTION",
		}},
	}
	customers := &catalog.Table{
		Schema: "shop", Name: "customers",
		Columns: []*catalog.Column{
			{Name: "id", Type: typ("bigint", "bigint unsigned"), AutoIncrement: true},
			nullable(col("status", withLen(typ("varchar", "varchar(10)"), 10))),
			withDefault(nullable(col("data", withLen(typ("varbinary", "varbinary(4)"), 4))), catalog.DefaultLiteral, "ab"),
		},
		PrimaryKey: pk("id"),
		Indexes: []*catalog.Index{
			{Name: "idx_status", Columns: []catalog.IndexColumn{{Name: "status"}}},
			{Name: "data_prefix", Columns: []catalog.IndexColumn{{Name: "data", PrefixLen: 2}}},
		},
	}
	odd := &catalog.Table{
		Schema: "shop", Name: `Select "Me"`,
		Columns: []*catalog.Column{
			col("user", withLen(typ("varchar", "varchar(5)"), 5)),
			nullable(col("MixedCase", typ("int", "int"))),
			nullable(col(`we"ird`, typ("text", "text"))),
		},
		PrimaryKey: pk("user"),
		Indexes:    []*catalog.Index{{Name: "Order", Columns: []catalog.IndexColumn{{Name: "MixedCase"}}}},
	}
	return &catalog.Schema{
		Dialect: "mysql", Name: "shop",
		Tables: []*catalog.Table{orders, customers, odd},
		Views: []*catalog.View{
			{Schema: "shop", Name: "open_orders", Definition: "select `shop`.`orders`.`id` AS `id` from `shop`.`orders` where `shop`.`orders`.`active` = 1"},
			{Schema: "shop", Name: "broken", Definition: "select from where"},
		},
		Routines: []*catalog.Routine{{Schema: "shop", Name: "add_order", Kind: "PROCEDURE", Definition: "BEGIN INSERT INTO orders () VALUES (); END"}},
	}
}

func TestBuildShop(t *testing.T) {
	p, err := Build(shopSchema(), Options{TinyintBoolean: true})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if !reflect.DeepEqual(p.Schemas, []string{"shop"}) {
		t.Errorf("Schemas = %q, want [shop]", p.Schemas)
	}
	if len(p.Tables) != 3 {
		t.Fatalf("%d tables, want 3", len(p.Tables))
	}
	orders, customers, odd := p.Tables[0], p.Tables[1], p.Tables[2]

	wantCreate := map[*TablePlan]string{
		orders: `CREATE TABLE "shop"."orders" (
  "id" integer GENERATED BY DEFAULT AS IDENTITY NOT NULL,
  "status" text DEFAULT 'new' NOT NULL CHECK ("status" IN ('new', 'it''s')),
  "tags" text[] DEFAULT ARRAY['a', 'b']::text[] CHECK ("tags" <@ ARRAY['a', 'b']::text[]),
  "note" varchar(100),
  "price" numeric(10,2) DEFAULT 4.99 NOT NULL,
  "title" varchar(50) DEFAULT 'it''s' NOT NULL,
  "created" timestamptz(0) DEFAULT CURRENT_TIMESTAMP,
  "updated" timestamp(3) DEFAULT LOCALTIMESTAMP(3),
  "shipped" date,
  "flags" bit(3) DEFAULT B'101' NOT NULL,
  "active" boolean DEFAULT true NOT NULL,
  "customer_id" numeric(20) NOT NULL
)`,
		customers: `CREATE TABLE "shop"."customers" (
  "id" numeric(20) DEFAULT nextval('"shop"."customers_id_seq"') NOT NULL,
  "status" varchar(10),
  "data" bytea DEFAULT '\x6162'::bytea
)`,
		odd: `CREATE TABLE "shop"."Select ""Me""" (
  "user" varchar(5) NOT NULL,
  "MixedCase" integer,
  "we""ird" text
)`,
	}
	for tp, want := range wantCreate {
		if tp.Create != want {
			t.Errorf("%s.Create:\n%s\nwant:\n%s", tp.Name, tp.Create, want)
		}
	}

	checks := []struct {
		name string
		got  any
		want any
	}{
		{"orders key column", orders.KeyColumn, "id"},
		{"customers key column (bigint unsigned)", customers.KeyColumn, ""},
		{"odd key column (varchar)", odd.KeyColumn, ""},
		{"orders deferred NOT NULL", orders.DeferredNotNull, []string{"created", "shipped"}},
		{"orders primary key", orders.PrimaryKey, `ALTER TABLE "shop"."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY ("id")`},
		{"odd primary key", odd.PrimaryKey, `ALTER TABLE "shop"."Select ""Me""" ADD CONSTRAINT "Select ""Me""_pkey" PRIMARY KEY ("user")`},
		{"orders indexes", orders.Indexes, []string{
			`CREATE INDEX "idx_status" ON "shop"."orders" ("status")`,
			`CREATE UNIQUE INDEX "note_prefix" ON "shop"."orders" ((left("note", 10)), "price" DESC)`,
			`CREATE INDEX "ft_title" ON "shop"."orders" USING gin (to_tsvector('simple'::regconfig, coalesce("title", '') || ' ' || coalesce("note", '')))`,
		}},
		{"customers indexes: clashing name prefixed, bytea prefix", customers.Indexes, []string{
			`CREATE INDEX "customers_idx_status" ON "shop"."customers" ("status")`,
			`CREATE INDEX "data_prefix" ON "shop"."customers" ((substring("data" from 1 for 2)))`,
		}},
		{"odd indexes", odd.Indexes, []string{`CREATE INDEX "Order" ON "shop"."Select ""Me""" ("MixedCase")`}},
		{"orders foreign keys", orders.ForeignKeys, []string{
			`ALTER TABLE "shop"."orders" ADD CONSTRAINT "fk_customer" FOREIGN KEY ("customer_id") REFERENCES "shop"."customers" ("id") ON DELETE CASCADE`,
		}},
		{"customers sequence", customers.Before, []string{`CREATE SEQUENCE IF NOT EXISTS "shop"."customers_id_seq"`}},
		{"customers sequence owner", customers.AfterCreate, []string{`ALTER SEQUENCE "shop"."customers_id_seq" OWNED BY "shop"."customers"."id"`}},
		{"customers restart", customers.After, []string{
			`SELECT setval(pg_get_serial_sequence('"shop"."customers"', 'id'), (COALESCE(MAX("id"), 0) + 1)::bigint, false) FROM "shop"."customers"`,
		}},
		{"orders has no sequence", orders.Before, []string(nil)},
		{"orders encodings", encodings(orders), []Encoding{EncText, EncText, EncSet, EncText, EncText, EncText, EncTimestampTZ, EncDate, EncDate, EncText, EncBool, EncText}},
		{"customers encodings", encodings(customers), []Encoding{EncText, EncText, EncBytea}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, c.got, c.want)
		}
	}

	// orders.After: identity restart, ON UPDATE function and trigger, comments.
	if len(orders.After) != 5 {
		t.Fatalf("orders.After has %d statements, want 5:\n%s", len(orders.After), strings.Join(orders.After, "\n---\n"))
	}
	afterWant := []struct {
		idx   int
		parts []string
	}{
		{0, []string{`SELECT setval(pg_get_serial_sequence('"shop"."orders"', 'id'), (COALESCE(MAX("id"), 0) + 1)::bigint, false) FROM "shop"."orders"`}},
		{1, []string{`CREATE OR REPLACE FUNCTION "shop"."orders_updated_on_update"() RETURNS trigger LANGUAGE plpgsql`,
			`IF NEW IS DISTINCT FROM OLD AND NEW."updated" IS NOT DISTINCT FROM OLD."updated" THEN`,
			`NEW."updated" := LOCALTIMESTAMP;`, "RETURN NEW;"}},
		{2, []string{`CREATE OR REPLACE TRIGGER "orders_updated_on_update" BEFORE UPDATE ON "shop"."orders" FOR EACH ROW EXECUTE FUNCTION "shop"."orders_updated_on_update"()`}},
		{3, []string{`COMMENT ON COLUMN "shop"."orders"."customer_id" IS 'who''s buying'`}},
		{4, []string{`COMMENT ON TABLE "shop"."orders" IS 'all orders'`}},
	}
	for _, w := range afterWant {
		for _, part := range w.parts {
			if !strings.Contains(orders.After[w.idx], part) {
				t.Errorf("orders.After[%d] = %q\nwant it to contain %q", w.idx, orders.After[w.idx], part)
			}
		}
	}

	if len(p.Views) != 1 || !strings.HasPrefix(p.Views[0].SQL, `CREATE VIEW "shop"."open_orders" AS SELECT`) {
		t.Errorf("views = %+v, want open_orders only", p.Views)
	} else if !strings.Contains(p.Views[0].SQL, `WHERE "orders"."active"`) {
		t.Errorf("view compares a boolean column with 1: %s", p.Views[0].SQL)
	}

	wantItems := []struct{ object, kind, reason string }{
		{"shop.orders.shipped", "default", "zero-date default dropped"},
		{"shop.orders index note_prefix", "index", "left(column, n)"},
		{"shop.orders index ft_title", "index", "FULLTEXT index became a GIN index"},
		{"shop.customers index data_prefix", "index", "prefix key part"},
		{"shop.broken", "view", "not translated"},
		{"shop.add_order", "procedure", "rewrite it in PL/pgSQL"},
	}
	if len(p.ActionItems) != len(wantItems) {
		t.Errorf("%d action items, want %d: %+v", len(p.ActionItems), len(wantItems), p.ActionItems)
	}
	for i, w := range wantItems {
		if i >= len(p.ActionItems) {
			break
		}
		a := p.ActionItems[i]
		if a.Object != w.object || a.Kind != w.kind || !strings.Contains(a.Reason, w.reason) {
			t.Errorf("action item %d = %+v, want object %q kind %q reason containing %q", i, a, w.object, w.kind, w.reason)
		}
	}
	if a := p.ActionItems[len(p.ActionItems)-1]; a.Source != "BEGIN INSERT INTO orders () VALUES (); END" {
		t.Errorf("routine action item lost its source text: %+v", a)
	}
}

func encodings(tp *TablePlan) []Encoding {
	var out []Encoding
	for _, c := range tp.Columns {
		out = append(out, c.Encoding)
	}
	return out
}

// buildOne plans a single-table schema.
func buildOne(t *testing.T, tbl *catalog.Table, opt Options) (*TablePlan, []ActionItem) {
	t.Helper()
	if tbl.Schema == "" {
		tbl.Schema = "db"
	}
	if tbl.Name == "" {
		tbl.Name = "t"
	}
	p, err := Build(&catalog.Schema{Dialect: "mysql", Name: tbl.Schema, Tables: []*catalog.Table{tbl}}, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return p.Tables[0], p.ActionItems
}

func TestBuildKeyColumn(t *testing.T) {
	id := func(ty catalog.Type) *catalog.Column { return col("id", ty) }
	name := col("name", withLen(typ("varchar", "varchar(20)"), 20))
	cases := []struct {
		name string
		cols []*catalog.Column
		pk   *catalog.Index
		want string
	}{
		{"int", []*catalog.Column{id(typ("int", "int")), name}, pk("id"), "id"},
		{"int unsigned", []*catalog.Column{id(typ("int", "int unsigned")), name}, pk("id"), "id"},
		{"tinyint", []*catalog.Column{id(withLen(typ("tinyint", "tinyint(4)"), 4)), name}, pk("id"), "id"},
		{"smallint unsigned", []*catalog.Column{id(typ("smallint", "smallint unsigned")), name}, pk("id"), "id"},
		{"mediumint", []*catalog.Column{id(typ("mediumint", "mediumint")), name}, pk("id"), "id"},
		{"bigint", []*catalog.Column{id(typ("bigint", "bigint")), name}, pk("id"), "id"},
		{"bigint unsigned", []*catalog.Column{id(typ("bigint", "bigint unsigned")), name}, pk("id"), ""},
		{"decimal", []*catalog.Column{id(withPrec(typ("decimal", "decimal(10,0)"), 10, 0)), name}, pk("id"), ""},
		{"varchar", []*catalog.Column{id(typ("int", "int")), name}, pk("name"), ""},
		{"date", []*catalog.Column{id(typ("date", "date")), name}, pk("id"), ""},
		{"composite, integer first", []*catalog.Column{id(typ("int", "int")), name}, pk("id", "name"), "id"},
		{"composite, integer second", []*catalog.Column{id(typ("int", "int")), name}, pk("name", "id"), ""},
		{"no primary key", []*catalog.Column{id(typ("int", "int")), name}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp, _ := buildOne(t, &catalog.Table{Columns: c.cols, PrimaryKey: c.pk}, Options{TinyintBoolean: true})
			if tp.KeyColumn != c.want {
				t.Errorf("KeyColumn = %q, want %q", tp.KeyColumn, c.want)
			}
			if c.pk == nil && tp.PrimaryKey != "" {
				t.Errorf("PrimaryKey = %q for a table without one", tp.PrimaryKey)
			}
		})
	}
}

// TestBuildColumn checks one column definition of CREATE TABLE, with the
// defaults, NOT NULL and CHECK rules.
func TestBuildColumn(t *testing.T) {
	lit := catalog.DefaultLiteral
	ct := catalog.DefaultCurrentTimestamp
	expr := catalog.DefaultExpression
	cases := []struct {
		name     string
		col      *catalog.Column
		opt      Options
		want     string // the column's line in CREATE TABLE
		deferred bool   // NOT NULL deferred to after the load
		item     string // substring of an action item reason; "" means none
	}{
		{"int literal", withDefault(col("c", typ("int", "int")), lit, "0"), Options{}, `"c" integer DEFAULT 0 NOT NULL`, false, ""},
		{"negative literal", withDefault(col("c", typ("int", "int")), lit, "-5"), Options{}, `"c" integer DEFAULT -5 NOT NULL`, false, ""},
		{"double exponent", withDefault(nullable(col("c", typ("double", "double"))), lit, "1e3"), Options{}, `"c" double precision DEFAULT 1e3`, false, ""},
		{"string literal", withDefault(nullable(col("c", withLen(typ("varchar", "varchar(9)"), 9))), lit, "abc"), Options{}, `"c" varchar(9) DEFAULT 'abc'`, false, ""},
		{"empty string", withDefault(col("c", withLen(typ("char", "char(2)"), 2)), lit, ""), Options{}, `"c" char(2) DEFAULT '' NOT NULL`, false, ""},
		{"number in a text column stays quoted", withDefault(col("c", typ("text", "text")), lit, "42"), Options{}, `"c" text DEFAULT '42' NOT NULL`, false, ""},
		{"explicit NULL", withDefault(nullable(col("c", typ("int", "int"))), catalog.DefaultNull, ""), Options{}, `"c" integer`, false, ""},
		{"boolean false", withDefault(col("c", withLen(typ("tinyint", "tinyint(1)"), 1)), lit, "0"), Options{TinyintBoolean: true}, `"c" boolean DEFAULT false NOT NULL`, false, ""},
		{"boolean off keeps the number", withDefault(col("c", withLen(typ("tinyint", "tinyint(1)"), 1)), lit, "1"), Options{}, `"c" smallint DEFAULT 1 NOT NULL`, false, ""},
		{"bit literal", withDefault(col("c", withLen(typ("bit", "bit(8)"), 8)), lit, "00000101"), Options{}, `"c" bit(8) DEFAULT B'00000101' NOT NULL`, false, ""},
		{"bytea literal", withDefault(nullable(col("c", typ("blob", "blob"))), lit, "\x01A"), Options{}, `"c" bytea DEFAULT '\x0141'::bytea`, false, ""},
		{"empty set", withDefault(col("c", enumType("set", "x", "y")), lit, ""), Options{},
			`"c" text[] DEFAULT ARRAY[]::text[] NOT NULL CHECK ("c" <@ ARRAY['x', 'y']::text[])`, false, ""},
		{"enum without default", nullable(col("c", enumType("enum", "a", "b,c"))), Options{}, `"c" text CHECK ("c" IN ('a', 'b,c'))`, false, ""},
		{"enum cast to varchar drops CHECK", nullable(col("c", enumType("enum", "a"))), Options{Casts: castTo("enum", "varchar(5)")}, `"c" varchar(5)`, false, ""},
		{"enum cast to int drops CHECK", nullable(col("c", enumType("enum", "a"))), Options{Casts: castTo("enum", "smallint")}, `"c" smallint`, false, ""},
		{"set cast to text drops CHECK", nullable(col("c", enumType("set", "a"))), Options{Casts: castTo("set", "text")}, `"c" text`, false, ""},
		{"timestamp CURRENT_TIMESTAMP(6)", withDefault(nullable(col("c", withPrec(typ("timestamp", "timestamp(6)"), 6, 0))), ct, "6"), Options{},
			`"c" timestamptz(6) DEFAULT CURRENT_TIMESTAMP(6)`, false, ""},
		{"datetime CURRENT_TIMESTAMP", withDefault(nullable(col("c", typ("datetime", "datetime"))), ct, ""), Options{}, `"c" timestamp(0) DEFAULT LOCALTIMESTAMP`, false, ""},
		{"date CURRENT_TIMESTAMP", withDefault(nullable(col("c", typ("date", "date"))), ct, ""), Options{}, `"c" date DEFAULT CURRENT_DATE`, false, ""},
		{"timestamp literal is UTC", withDefault(nullable(col("c", typ("timestamp", "timestamp"))), lit, "2020-01-02 03:04:05"), Options{},
			`"c" timestamptz(0) DEFAULT '2020-01-02 03:04:05+00'`, false, ""},
		{"datetime literal", withDefault(nullable(col("c", typ("datetime", "datetime"))), lit, "2020-01-02 03:04:05"), Options{},
			`"c" timestamp(0) DEFAULT '2020-01-02 03:04:05'`, false, ""},
		{"zero datetime default dropped", withDefault(col("c", typ("datetime", "datetime")), lit, "0000-00-00 00:00:00"), Options{},
			`"c" timestamp(0)`, true, "zero-date default dropped"},
		{"zero timestamp default dropped", withDefault(nullable(col("c", typ("timestamp", "timestamp"))), lit, "0000-00-00 00:00:00"), Options{},
			`"c" timestamptz(0)`, false, "zero-date default dropped"},
		{"date NOT NULL deferred", col("c", typ("date", "date")), Options{}, `"c" date`, true, ""},
		{"date cast to text keeps the deferral", col("c", typ("date", "date")), Options{Casts: castTo("date", "text")}, `"c" text`, true, ""},
		{"time NOT NULL not deferred", col("c", typ("time", "time")), Options{}, `"c" time(0) NOT NULL`, false, ""},
		{"expression default", withDefault(nullable(col("c", typ("date", "date"))), expr, "curdate()"), Options{}, `"c" date DEFAULT (CURRENT_DATE)`, false, ""},
		{"untranslatable expression default", withDefault(nullable(col("c", typ("int", "int"))), expr, "nosuchfn(1)"), Options{},
			`"c" integer`, false, "default expression not translated"},
		{"geometry without PostGIS", nullable(col("c", typ("point", "point"))), Options{}, `"c" text`, false, "PostGIS is not installed"},
		{"geometry with PostGIS", nullable(col("c", typ("point", "point"))), Options{PostGIS: true}, `"c" geometry`, false, ""},
		{"geometry cast to text has no item", nullable(col("c", typ("point", "point"))), Options{Casts: castTo("point", "text")}, `"c" text`, false, ""},
		{"auto_increment with cast to bigint", &catalog.Column{Name: "c", Type: typ("int", "int"), AutoIncrement: true}, Options{Casts: castTo("int", "bigint")},
			`"c" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL`, false, ""},
		{"stored generated column", &catalog.Column{Name: "c", Type: typ("int", "int"), Nullable: true, Generated: &catalog.Generated{Expr: "`k` * 2", Stored: true}}, Options{},
			`"c" integer GENERATED ALWAYS AS ("k" * 2) STORED`, false, ""},
		{"virtual generated column", &catalog.Column{Name: "c", Type: typ("int", "int"), Nullable: true, Generated: &catalog.Generated{Expr: "`k` * 2"}}, Options{},
			`"c" integer GENERATED ALWAYS AS ("k" * 2) STORED`, false, "VIRTUAL generated column became STORED"},
		{"untranslatable generated column", &catalog.Column{Name: "c", Type: typ("int", "int"), Nullable: true, Generated: &catalog.Generated{Expr: "nosuchfn(`k`)", Stored: true}}, Options{},
			`"c" integer`, false, "generated column expression not translated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := col("k", typ("int", "int"))
			tp, items := buildOne(t, &catalog.Table{Columns: []*catalog.Column{k, c.col}, PrimaryKey: pk("k")}, c.opt)
			lines := strings.Split(tp.Create, "\n")
			if len(lines) != 4 {
				t.Fatalf("CREATE TABLE has %d lines, want 4:\n%s", len(lines), tp.Create)
			}
			if got := strings.TrimSuffix(strings.TrimSpace(lines[2]), ","); got != c.want {
				t.Errorf("column definition:\n got %s\nwant %s", got, c.want)
			}
			if deferred := reflect.DeepEqual(tp.DeferredNotNull, []string{"c"}); deferred != c.deferred {
				t.Errorf("DeferredNotNull = %q, want deferred %v", tp.DeferredNotNull, c.deferred)
			}
			var reasons []string
			for _, a := range items {
				reasons = append(reasons, a.Reason)
			}
			switch {
			case c.item == "" && len(items) > 0:
				t.Errorf("unexpected action items: %q", reasons)
			case c.item != "" && (len(items) != 1 || !strings.Contains(items[0].Reason, c.item) || items[0].Object != "db.t.c"):
				t.Errorf("action items %+v, want one for db.t.c containing %q", items, c.item)
			}
			// Generated columns are not loaded; everything else is.
			loaded := len(tp.Load) == 2
			if want := c.col.Generated == nil || strings.Contains(c.item, "not translated"); loaded != want {
				t.Errorf("column loaded = %v, want %v", loaded, want)
			}
		})
	}
}

func castTo(typ, to string) []task.CastRule { return []task.CastRule{{Type: typ, To: to}} }

func TestBuildIndexes(t *testing.T) {
	cols := []*catalog.Column{
		col("id", typ("int", "int")),
		nullable(col("g", typ("geometry", "geometry"))),
		nullable(col("s", typ("text", "text"))),
	}
	cases := []struct {
		name string
		ix   *catalog.Index
		opt  Options
		want string // "" means no index
		item string
	}{
		{"plain", &catalog.Index{Name: "i", Columns: []catalog.IndexColumn{{Name: "s"}}}, Options{}, `CREATE INDEX "i" ON "db"."t" ("s")`, ""},
		{"unique descending", &catalog.Index{Name: "i", Unique: true, Columns: []catalog.IndexColumn{{Name: "id", Descending: true}}}, Options{},
			`CREATE UNIQUE INDEX "i" ON "db"."t" ("id" DESC)`, ""},
		{"prefix", &catalog.Index{Name: "i", Columns: []catalog.IndexColumn{{Name: "s", PrefixLen: 20}}}, Options{},
			`CREATE INDEX "i" ON "db"."t" ((left("s", 20)))`, "prefix key part"},
		{"fulltext", &catalog.Index{Name: "i", Kind: "FULLTEXT", Columns: []catalog.IndexColumn{{Name: "s"}}}, Options{},
			`CREATE INDEX "i" ON "db"."t" USING gin (to_tsvector('simple'::regconfig, coalesce("s", '')))`, "MATCH ... AGAINST"},
		{"spatial with PostGIS", &catalog.Index{Name: "i", Kind: "SPATIAL", Columns: []catalog.IndexColumn{{Name: "g"}}}, Options{PostGIS: true},
			`CREATE INDEX "i" ON "db"."t" USING gist ("g")`, ""},
		{"spatial without PostGIS", &catalog.Index{Name: "i", Kind: "SPATIAL", Columns: []catalog.IndexColumn{{Name: "g"}}}, Options{}, "", "SPATIAL index not created"},
		{"functional", &catalog.Index{Name: "i", Columns: []catalog.IndexColumn{{Expr: "lower(`s`)"}}}, Options{}, "", "functional index not converted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp, items := buildOne(t, &catalog.Table{Columns: cols, PrimaryKey: pk("id"), Indexes: []*catalog.Index{c.ix}}, c.opt)
			var want []string
			if c.want != "" {
				want = []string{c.want}
			}
			if !reflect.DeepEqual(tp.Indexes, want) {
				t.Errorf("Indexes = %q, want %q", tp.Indexes, want)
			}
			var found bool
			for _, a := range items {
				if a.Kind == "index" {
					found = c.item != "" && strings.Contains(a.Reason, c.item) && a.Object == "db.t index i"
					if !found {
						t.Errorf("unexpected action item %+v", a)
					}
				}
			}
			if c.item != "" && !found {
				t.Errorf("no index action item containing %q in %+v", c.item, items)
			}
		})
	}
}

func TestIndexName(t *testing.T) {
	used := map[string]bool{}
	a := &TablePlan{Schema: "s", Name: "a"}
	b := &TablePlan{Schema: "s", Name: "b"}
	other := &TablePlan{Schema: "s2", Name: "b"}
	long := &TablePlan{Schema: "s", Name: strings.Repeat("t", 60)}
	cases := []struct {
		tp   *TablePlan
		name string
		want string
	}{
		{a, "x", "x"},
		{a, "b_x", "b_x"},
		{b, "x", "b_x_2"}, // "x" and "b_x" are taken
		{b, "y", "y"},
		{other, "x", "x"}, // index names are per schema
		{a, "y", "a_y"},
		{long, "y", strings.Repeat("t", 60) + "_y"},
		{long, "y", strings.Repeat("t", 60) + "__2"}, // the number survives the 63-byte cut
		{a, strings.Repeat("n", 70), strings.Repeat("n", 63)},
	}
	for i, c := range cases {
		if got := indexName(c.tp, c.name, used); got != c.want {
			t.Errorf("%d: indexName(%s.%s, %q) = %q, want %q", i, c.tp.Schema, c.tp.Name, c.name, got, c.want)
		}
	}
}

func TestBuildTargetSchema(t *testing.T) {
	mk := func(db, name string) *catalog.Table {
		return &catalog.Table{Schema: db, Name: name, Columns: []*catalog.Column{col("id", typ("int", "int"))}, PrimaryKey: pk("id")}
	}
	child := mk("a", "child")
	child.ForeignKeys = []*catalog.ForeignKey{{Name: "fk", Columns: []string{"id"}, RefSchema: "b", RefTable: "parent", RefColumns: []string{"id"}, OnDelete: "SET NULL", OnUpdate: "cascade"}}
	sc := &catalog.Schema{Tables: []*catalog.Table{child, mk("b", "parent")},
		Views: []*catalog.View{{Schema: "b", Name: "v", Definition: "select `b`.`parent`.`id` AS `id` from `b`.`parent`"}}}

	cases := []struct {
		name        string
		target      string
		wantSchemas []string
		wantFK      string
		wantView    string
	}{
		{"one schema per database", "", []string{"a", "b"},
			`ALTER TABLE "a"."child" ADD CONSTRAINT "fk" FOREIGN KEY ("id") REFERENCES "b"."parent" ("id") ON DELETE SET NULL ON UPDATE CASCADE`,
			`CREATE VIEW "b"."v" AS SELECT "parent"."id" AS "id"` + "\n" + `FROM "b"."parent"`},
		{"one target schema", "public", []string{"public"},
			`ALTER TABLE "public"."child" ADD CONSTRAINT "fk" FOREIGN KEY ("id") REFERENCES "public"."parent" ("id") ON DELETE SET NULL ON UPDATE CASCADE`,
			`CREATE VIEW "public"."v" AS SELECT "parent"."id" AS "id"` + "\n" + `FROM "public"."parent"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(sc, Options{TargetSchema: c.target})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if !reflect.DeepEqual(p.Schemas, c.wantSchemas) {
				t.Errorf("Schemas = %q, want %q", p.Schemas, c.wantSchemas)
			}
			if got := p.Tables[0].ForeignKeys; len(got) != 1 || got[0] != c.wantFK {
				t.Errorf("ForeignKeys = %q, want %q", got, c.wantFK)
			}
			if len(p.Views) != 1 || p.Views[0].SQL != c.wantView {
				t.Errorf("Views = %+v, want %q", p.Views, c.wantView)
			}
		})
	}

	clash := &catalog.Schema{Tables: []*catalog.Table{mk("a", "t"), mk("b", "t")}}
	if _, err := Build(clash, Options{TargetSchema: "public"}); err == nil || !strings.Contains(err.Error(), "two source tables map to public.t") {
		t.Errorf("Build of a.t and b.t into one schema: err = %v, want a clash error", err)
	}
	if _, err := Build(clash, Options{}); err != nil {
		t.Errorf("Build of a.t and b.t into two schemas: %v", err)
	}
}

func TestBuildTriggers(t *testing.T) {
	tbl := &catalog.Table{Schema: "db", Name: "t", Columns: []*catalog.Column{col("id", typ("int", "int"))}, PrimaryKey: pk("id")}
	cases := []struct {
		name      string
		trigger   *catalog.Trigger
		converted bool
		reason    string
	}{
		{"translated", &catalog.Trigger{Schema: "db", Name: "tr", Table: "t", Timing: "BEFORE", Event: "INSERT", Definition: "SET NEW.id = NEW.id + 1"}, true, ""},
		{"table not migrated", &catalog.Trigger{Schema: "db", Name: "tr", Table: "gone", Timing: "AFTER", Event: "DELETE", Definition: "SET @x = 1"}, false,
			"MySQL AFTER DELETE trigger is not converted: rewrite it"},
		{"untranslatable body", &catalog.Trigger{Schema: "db", Name: "tr", Table: "t", Timing: "BEFORE", Event: "UPDATE", Definition: "SET NEW.id = nosuchfn("}, false,
			"MySQL BEFORE UPDATE trigger is not converted ("},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(&catalog.Schema{Tables: []*catalog.Table{tbl}, Triggers: []*catalog.Trigger{c.trigger}}, Options{})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			after := strings.Join(p.Tables[0].After, "\n")
			if c.converted {
				if !reflect.DeepEqual(p.Triggers, []string{"db.t.tr"}) || len(p.ActionItems) != 0 {
					t.Errorf("Triggers = %q, items %+v; want the trigger converted", p.Triggers, p.ActionItems)
				}
				if !strings.Contains(after, `CREATE OR REPLACE TRIGGER "tr" BEFORE INSERT ON "db"."t"`) {
					t.Errorf("trigger not in After:\n%s", after)
				}
				return
			}
			if len(p.Triggers) != 0 || strings.Contains(after, "TRIGGER") {
				t.Errorf("trigger converted: %q\n%s", p.Triggers, after)
			}
			if len(p.ActionItems) != 1 || p.ActionItems[0].Kind != "trigger" || !strings.Contains(p.ActionItems[0].Reason, c.reason) ||
				p.ActionItems[0].Source != c.trigger.Definition || p.ActionItems[0].Object != "db."+c.trigger.Table+".tr" {
				t.Errorf("action items = %+v, want one trigger item containing %q", p.ActionItems, c.reason)
			}
		})
	}
}

func TestQuoting(t *testing.T) {
	cases := []struct{ in, ident, literal string }{
		{"plain", `"plain"`, `'plain'`},
		{"Mixed Case", `"Mixed Case"`, `'Mixed Case'`},
		{"select", `"select"`, `'select'`},
		{`a"b`, `"a""b"`, `'a"b'`},
		{"it's", `"it's"`, `'it''s'`},
		{`back\slash`, `"back\slash"`, `'back\slash'`},
		{"", `""`, `''`},
	}
	for _, c := range cases {
		if got := QuoteIdent(c.in); got != c.ident {
			t.Errorf("QuoteIdent(%q) = %s, want %s", c.in, got, c.ident)
		}
		if got := QuoteLiteral(c.in); got != c.literal {
			t.Errorf("QuoteLiteral(%q) = %s, want %s", c.in, got, c.literal)
		}
	}
}

func TestIndexNameLongCollisionTerminates(t *testing.T) {
	// When the table-prefixed name is 63 bytes or more, every numbered
	// candidate truncates to the same string, so indexName loops forever.
	n1 := "index_orders_on_customer_id_and_created_at_and_status_and_a"
	n2 := "index_orders_on_customer_id_and_created_at_and_status_and_b"
	mk := func(name string) *catalog.Table {
		return &catalog.Table{Schema: "shop", Name: name, Columns: []*catalog.Column{col("c", typ("int", "int"))},
			Indexes: []*catalog.Index{{Name: n1, Columns: []catalog.IndexColumn{{Name: "c"}}}, {Name: n2, Columns: []catalog.IndexColumn{{Name: "c"}}}}}
	}
	done := make(chan error, 1)
	go func() {
		_, err := Build(&catalog.Schema{Tables: []*catalog.Table{mk("orders"), mk("orders_archive")}}, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Build did not return")
	}
}

func TestIndexNameAvoidsTableNames(t *testing.T) {
	// PostgreSQL indexes share the relation namespace with tables, so an
	// index named like another table of the schema fails to build.
	tags := &catalog.Table{Schema: "db", Name: "tags", Columns: []*catalog.Column{col("id", typ("int", "int"))}}
	postTags := &catalog.Table{Schema: "db", Name: "post_tags", Columns: []*catalog.Column{col("tag_id", typ("int", "int"))},
		Indexes: []*catalog.Index{{Name: "tags", Columns: []catalog.IndexColumn{{Name: "tag_id"}}}}}
	p, err := Build(&catalog.Schema{Tables: []*catalog.Table{tags, postTags}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Tables[1].Indexes[0]; strings.HasPrefix(got, `CREATE INDEX "tags" `) {
		t.Errorf("index named like table db.tags: %s", got)
	}
}
