package mysqltrigger

import (
	"strings"
	"testing"

	"github.com/ferrydb/ferry/catalog"
)

// fnBody returns the statements between BEGIN and RETURN of the function.
func fnBody(t *testing.T, stmts []string) string {
	t.Helper()
	if len(stmts) != 2 {
		t.Fatalf("got %d statements, want 2", len(stmts))
	}
	_, body, ok := strings.Cut(stmts[0], "\nBEGIN\n")
	if !ok {
		t.Fatalf("no BEGIN in %s", stmts[0])
	}
	i := strings.LastIndex("\n"+body, "\n  RETURN ")
	if i < 0 {
		t.Fatalf("no RETURN in %s", stmts[0])
	}
	return strings.TrimSuffix(body[:i], "\n")
}

func TestBodies(t *testing.T) {
	cases := []struct {
		name, timing, event, def, want string
	}{
		{"several assignments", "BEFORE", "UPDATE",
			"SET new.a = new.a + 1, NEW.`b c` := CONCAT(old.x, '-', NEW.y)",
			`  NEW."a" := NEW."a" + 1;
  NEW."b c" := OLD."x"::text || '-' || NEW."y"::text;`},
		{"elseif and else", "BEFORE", "INSERT", `BEGIN
  IF NEW.qty < 0 THEN
    SET NEW.qty = 0;
  ELSEIF NEW.qty > 100 THEN SET NEW.qty = 100; SET NEW.capped = 1;
  ELSE
    SET NEW.capped = 0;
  END IF;
END`,
			`  IF NEW."qty" < 0 THEN
    NEW."qty" := 0;
  ELSIF NEW."qty" > 100 THEN
    NEW."qty" := 100;
    NEW."capped" := TRUE;
  ELSE
    NEW."capped" := FALSE;
  END IF;`},
		{"nested if, labelled and nested blocks", "AFTER", "UPDATE", `main: BEGIN
  BEGIN
    IF OLD.a <> NEW.a THEN
      IF NEW.b IS NULL THEN
        DELETE FROM log WHERE id = OLD.id;
      END IF;
    END IF;
  END;
END main`,
			`  IF OLD."a" <> NEW."a" THEN
    IF NEW."b" IS NULL THEN
      DELETE FROM "log" WHERE "id" = OLD."id";
    END IF;
  END IF;`},
		{"quotes and comments", "AFTER", "INSERT", `BEGIN
  -- a comment; END IF
  # another one; END
  /* and ; END */
  INSERT INTO log (msg, n) VALUES ('it''s; END \'x\'', "a;b");
END`,
			`  INSERT INTO "log" ("msg", "n") VALUES ('it''s; END ''x''', 'a;b');`},
		{"case in condition", "AFTER", "INSERT",
			"IF CASE WHEN NEW.a > 1 THEN 1 ELSE 0 END THEN INSERT INTO t (x) VALUES (1); END IF",
			`  IF (CASE WHEN NEW."a" > 1 THEN 1 ELSE 0 END <> 0) THEN
    INSERT INTO "t" ("x") VALUES (1);
  END IF;`},
		{"number as condition, boolean columns", "AFTER", "UPDATE",
			"BEGIN IF NEW.amount THEN UPDATE customer SET active = 1, score = NEW.active WHERE customer_id = NEW.customer_id AND active = 0; END IF; END",
			`  IF NEW."amount" <> 0 THEN
    UPDATE "customer" SET "active" = TRUE, "score" = NEW."active"::int WHERE "customer_id" = NEW."customer_id" AND NOT "active";
  END IF;`},
		{"insert set form and select", "AFTER", "DELETE",
			"BEGIN INSERT INTO audit SET id = OLD.id, at = NOW(); INSERT INTO audit2 (id, n) SELECT OLD.id, COUNT(*) FROM t WHERE t.x = OLD.x; END",
			`  INSERT INTO "audit" ("id", "at") VALUES (OLD."id", LOCALTIMESTAMP(0));
  INSERT INTO "audit2" ("id", "n") SELECT OLD."id", count(*) FROM "t" WHERE "t"."x" = OLD."x";`},
		{"empty block", "AFTER", "DELETE", "BEGIN END", ""},
		{"trailing semicolon", "BEFORE", "INSERT", "SET NEW.a = 1;", `  NEW."a" := 1;`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &catalog.Trigger{Name: "trg", Table: "orders", Timing: c.timing, Event: c.event, Definition: c.def}
			bools := map[string]bool{"orders.capped": true, "orders.active": true, "customer.active": true}
			stmts, err := Translate(tr, Options{BoolColumns: bools})
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			got := fnBody(t, stmts)
			if got != c.want {
				t.Errorf("body\n got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestReturnAndNames(t *testing.T) {
	cases := []struct{ timing, event, ret string }{
		{"BEFORE", "INSERT", "RETURN NEW;"},
		{"BEFORE", "UPDATE", "RETURN NEW;"},
		{"BEFORE", "DELETE", "RETURN OLD;"},
		{"after", "insert", "RETURN NULL;"},
		{"AFTER", "UPDATE", "RETURN NULL;"},
		{"AFTER", "DELETE", "RETURN NULL;"},
	}
	for _, c := range cases {
		tr := &catalog.Trigger{Name: "Trg", Table: "My Table", Timing: c.timing, Event: c.event, Definition: "DELETE FROM t WHERE id = 1"}
		stmts, err := Translate(tr, Options{
			TargetSchema: "app",
			Ident:        func(s string) string { return `"` + strings.ToLower(s) + `"` },
			Table:        func(name string) string { return `"app"."tbl_` + name + `"` },
		})
		if err != nil {
			t.Fatalf("%s %s: %v", c.timing, c.event, err)
		}
		if !strings.Contains(stmts[0], "\n  "+c.ret+"\nEND\n") {
			t.Errorf("%s %s: want %s in\n%s", c.timing, c.event, c.ret, stmts[0])
		}
		if !strings.HasPrefix(stmts[0], `CREATE OR REPLACE FUNCTION "app"."my table_trg_fn"() RETURNS trigger LANGUAGE plpgsql AS $ferry$`) {
			t.Errorf("function header: %s", stmts[0])
		}
		if !strings.Contains(stmts[0], `DELETE FROM "app"."tbl_t" WHERE "id" = 1;`) {
			t.Errorf("table mapping: %s", stmts[0])
		}
		want := `CREATE OR REPLACE TRIGGER "trg" ` + strings.ToUpper(c.timing+" "+c.event) + ` ON "app"."tbl_My Table" FOR EACH ROW EXECUTE FUNCTION "app"."my table_trg_fn"()`
		if stmts[1] != want {
			t.Errorf("trigger\n got: %s\nwant: %s", stmts[1], want)
		}
	}
}

func TestFunctionNameAndDollarTag(t *testing.T) {
	tr := &catalog.Trigger{Name: strings.Repeat("t", 40), Table: strings.Repeat("é", 20), Timing: "AFTER", Event: "INSERT",
		Definition: "INSERT INTO log (m) VALUES ('$ferry$')"}
	stmts, err := Translate(tr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("é", 20) + "_" + strings.Repeat("t", 22) // 63 bytes
	if !strings.HasPrefix(stmts[0], `CREATE OR REPLACE FUNCTION "`+name+`"() RETURNS trigger LANGUAGE plpgsql AS $ferry1$`) ||
		!strings.HasSuffix(stmts[0], "\n$ferry1$") {
		t.Errorf("got %s", stmts[0])
	}
}

func TestUnsupported(t *testing.T) {
	cases := []struct{ name, timing, event, def, want string }{
		{"declare", "BEFORE", "INSERT", "BEGIN DECLARE n INT DEFAULT 0; SET NEW.a = n; END",
			"unsupported statement in trigger body: DECLARE n INT DEFAULT 0"},
		{"signal", "BEFORE", "INSERT", "BEGIN IF NEW.a < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative'; END IF; END",
			"unsupported statement in trigger body: SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative'"},
		{"call", "AFTER", "INSERT", "CALL audit(NEW.id)", "unsupported statement in trigger body: CALL audit(NEW.id)"},
		{"select into", "BEFORE", "INSERT", "BEGIN SELECT MAX(id) INTO @m FROM t; END", "unsupported statement in trigger body: SELECT MAX(id) INTO @m FROM t"},
		{"user variable set", "BEFORE", "INSERT", "SET @n = @n + 1", "unsupported statement in trigger body: SET @n = @n + 1"},
		{"local variable set", "BEFORE", "INSERT", "SET n = 1", "unsupported statement in trigger body: SET n = 1"},
		{"mixed set", "BEFORE", "INSERT", "SET NEW.a = 1, @n = 2", "unsupported statement in trigger body: SET NEW.a = 1, @n = 2"},
		{"user variable in expression", "BEFORE", "INSERT", "SET NEW.a = @n", "SET NEW.a = @n: unsupported user variable @n"},
		{"loop", "AFTER", "INSERT", "BEGIN l: LOOP LEAVE l; END LOOP; END", "unsupported statement in trigger body: l: LOOP LEAVE l"},
		{"while", "AFTER", "INSERT", "BEGIN WHILE 1 DO INSERT INTO t VALUES (1); END WHILE; END", "unsupported statement in trigger body: WHILE 1 DO INSERT INTO t VALUES (1)"},
		{"case statement", "AFTER", "INSERT", "BEGIN CASE NEW.a WHEN 1 THEN DELETE FROM t; END CASE; END", "unsupported statement in trigger body: CASE NEW.a WHEN 1 THEN DELETE FROM t"},
		{"set new in after trigger", "AFTER", "INSERT", "SET NEW.a = 1", "SET NEW.a in a AFTER INSERT trigger"},
		{"set old", "BEFORE", "UPDATE", "SET OLD.a = 1", "unsupported statement in trigger body: SET OLD.a = 1"},
		{"replace", "AFTER", "INSERT", "REPLACE INTO t VALUES (NEW.a)", "unsupported REPLACE"},
		{"on duplicate key", "AFTER", "INSERT", "INSERT INTO t (a) VALUES (NEW.a) ON DUPLICATE KEY UPDATE a = a + 1", "unsupported INSERT ... ON DUPLICATE KEY UPDATE"},
		{"multi-table update", "AFTER", "INSERT", "UPDATE t JOIN u ON t.id = u.id SET t.a = NEW.a", "unsupported multiple-table UPDATE"},
		{"update reads new value", "AFTER", "INSERT", "UPDATE t SET a = a + 1, b = a WHERE id = NEW.id", "unsupported UPDATE that reads column a after setting it"},
		{"delete limit", "AFTER", "INSERT", "DELETE FROM t WHERE a = NEW.a LIMIT 1", "unsupported ORDER BY or LIMIT in DELETE"},
		{"executable comment", "AFTER", "INSERT", "BEGIN /*!50000 DELETE FROM t */; END", "unsupported executable comment /*!50000"},
		{"missing end if", "AFTER", "INSERT", "BEGIN IF NEW.a THEN DELETE FROM t; END; END", "expected END IF"},
		{"missing semicolon", "AFTER", "INSERT", "BEGIN IF NEW.a THEN DELETE FROM t; END IF END", "expected ;"},
		{"unknown event", "AFTER", "TRUNCATE", "DELETE FROM t", "unsupported trigger event"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &catalog.Trigger{Name: "trg", Table: "orders", Timing: c.timing, Event: c.event, Definition: c.def}
			_, err := Translate(tr, Options{})
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}
