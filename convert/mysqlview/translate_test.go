package mysqlview

import (
	"errors"
	"strings"
	"testing"
)

type stmtCase struct {
	name string
	in   string
	opt  Options
	want string
}

func runStmtCases(t *testing.T, cases []stmtCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Translate(c.in, c.opt)
			if err != nil {
				t.Fatalf("Translate(%s): %v", c.in, err)
			}
			if got != c.want {
				t.Errorf("Translate(%s)\n got:\n%s\nwant:\n%s", c.in, got, c.want)
			}
		})
	}
}

func TestStatements(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{"union", "SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 DESC LIMIT 5", Options{},
			"SELECT \"a\"\nFROM \"t\"\nUNION ALL\nSELECT \"b\"\nFROM \"u\"\nORDER BY 1 DESC NULLS LAST\nLIMIT 5"},
		{"union members in parentheses", "(SELECT a FROM t ORDER BY a LIMIT 1) UNION (SELECT b FROM u) EXCEPT SELECT c FROM v", Options{},
			"(SELECT \"a\" FROM \"t\" ORDER BY \"a\" NULLS FIRST LIMIT 1)\nUNION\n(SELECT \"b\" FROM \"u\")\nEXCEPT\nSELECT \"c\"\nFROM \"v\""},
		{"cte is not schema-qualified", "WITH c (x) AS (SELECT a FROM t) SELECT x FROM c JOIN t ON t.a = c.x", Options{TargetSchema: "public"},
			"WITH \"c\" (\"x\") AS (SELECT \"a\" FROM \"public\".\"t\")\nSELECT \"x\"\nFROM \"c\"\n  JOIN \"public\".\"t\" ON \"t\".\"a\" = \"c\".\"x\""},
		{"recursive cte", "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r", Options{TargetSchema: "public"},
			"WITH RECURSIVE \"r\" AS (SELECT 1 AS \"n\" UNION ALL SELECT \"n\" + 1 AS \"n + 1\" FROM \"r\" WHERE \"n\" < 5)\nSELECT \"n\"\nFROM \"r\""},
		{"derived table", "SELECT x.a FROM (SELECT a FROM t) AS x", Options{TargetSchema: "public"},
			"SELECT \"x\".\"a\"\nFROM (SELECT \"a\" FROM \"public\".\"t\") AS \"x\""},
		{"having uses select alias", "SELECT a, COUNT(*) AS n FROM t GROUP BY a HAVING n > 1", Options{},
			"SELECT\n  \"a\",\n  count(*) AS \"n\"\nFROM \"t\"\nGROUP BY \"a\"\nHAVING count(*) > 1"},
		{"having prefers grouped column", "SELECT COUNT(b) AS a FROM t GROUP BY a HAVING a > 1", Options{},
			"SELECT count(\"b\") AS \"a\"\nFROM \"t\"\nGROUP BY \"a\"\nHAVING \"a\" > 1"},
		{"order by alias", "SELECT a + 1 AS x FROM t ORDER BY x * 2, x DESC", Options{},
			"SELECT \"a\" + 1 AS \"x\"\nFROM \"t\"\nORDER BY (\"a\" + 1) * 2 NULLS FIRST, \"x\" DESC NULLS LAST"},
		{"order by null", "SELECT a FROM t ORDER BY NULL", Options{},
			"SELECT \"a\"\nFROM \"t\""},
		{"distinct and limit offset", "SELECT DISTINCT a FROM t LIMIT 5, 10", Options{},
			"SELECT DISTINCT \"a\"\nFROM \"t\"\nLIMIT 10 OFFSET 5"},
		{"joins", "SELECT * FROM t1 LEFT JOIN t2 ON t1.a = t2.a RIGHT JOIN t3 USING (b) CROSS JOIN t4 NATURAL JOIN t5", Options{},
			"SELECT *\nFROM \"t1\"\n  LEFT JOIN \"t2\" ON \"t1\".\"a\" = \"t2\".\"a\"\n  RIGHT JOIN \"t3\" USING (\"b\")\n  CROSS JOIN \"t4\"\n  NATURAL JOIN \"t5\""},
		{"comma join", "SELECT t1.* FROM t1, t2 WHERE t1.a = t2.a", Options{},
			"SELECT \"t1\".*\nFROM \"t1\"\n  CROSS JOIN \"t2\"\nWHERE \"t1\".\"a\" = \"t2\".\"a\""},
		{"nested join", "SELECT t1.a FROM t1 LEFT JOIN (t2 JOIN t3 ON t2.b = t3.b) ON t1.a = t2.a", Options{},
			"SELECT \"t1\".\"a\"\nFROM \"t1\"\n  LEFT JOIN (\"t2\" JOIN \"t3\" ON \"t2\".\"b\" = \"t3\".\"b\") ON \"t1\".\"a\" = \"t2\".\"a\""},
		{"named window", "SELECT SUM(a) OVER w AS s, RANK() OVER (w ORDER BY b) AS r FROM t WINDOW w AS (PARTITION BY c)", Options{},
			"SELECT\n  sum(\"a\") OVER \"w\" AS \"s\",\n  rank() OVER (\"w\" ORDER BY \"b\" NULLS FIRST) AS \"r\"\nFROM \"t\"\nWINDOW \"w\" AS (PARTITION BY \"c\")"},
		{"unaliased expressions are named like MySQL does", "SELECT 1 + 1, 'abc', a FROM t", Options{},
			"SELECT\n  1 + 1 AS \"1 + 1\",\n  'abc' AS \"abc\",\n  \"a\"\nFROM \"t\""},
		{"create view statement", "CREATE VIEW v AS SELECT a FROM t", Options{},
			"SELECT \"a\"\nFROM \"t\""},
		{"rollup", "SELECT a, SUM(b) AS s FROM t GROUP BY a WITH ROLLUP", Options{},
			"SELECT\n  \"a\",\n  sum(\"b\") AS \"s\"\nFROM \"t\"\nGROUP BY ROLLUP (\"a\")"},
		{"where 1", "SELECT a FROM t WHERE 1", Options{},
			"SELECT \"a\"\nFROM \"t\"\nWHERE TRUE"},
		{"correlated subquery", "SELECT a FROM t WHERE a IN (SELECT b FROM u WHERE u.c = t.c)", Options{},
			"SELECT \"a\"\nFROM \"t\"\nWHERE \"a\" IN (SELECT \"b\" FROM \"u\" WHERE \"u\".\"c\" = \"t\".\"c\")"},
		{"from dual", "SELECT 1 FROM dual", Options{},
			"SELECT 1 AS \"1\""},
		{"unknown collation and introducer", "SELECT a FROM t WHERE b = _cp1251'x' COLLATE utf8mb4_uca1400_ai_ci", Options{},
			"SELECT \"a\"\nFROM \"t\"\nWHERE \"b\" = 'x'"},
	})
}

func TestIdentifiers(t *testing.T) {
	lower := func(s string) string { return QuoteIdent(strings.ToLower(s)) }
	runStmtCases(t, []stmtCase{
		{"reserved, mixed case and quotes", "SELECT `t`.`select` AS `from`, `t`.`Mixed Case` AS `Odd \"Name\"`, `t`.`we\"ird` FROM `db`.`t`", Options{SourceSchema: "db"},
			"SELECT\n  \"t\".\"select\" AS \"from\",\n  \"t\".\"Mixed Case\" AS \"Odd \"\"Name\"\"\",\n  \"t\".\"we\"\"ird\"\nFROM \"t\""},
		{"odd table and alias names", "SELECT `o\"k`.`user` FROM `db`.`Order Items` `o\"k`", Options{SourceSchema: "db", TargetSchema: "public"},
			"SELECT \"o\"\"k\".\"user\"\nFROM \"public\".\"Order Items\" AS \"o\"\"k\""},
		{"source schema mapped to target schema", "SELECT `db`.`u`.`b` FROM `db`.`u`", Options{SourceSchema: "db", TargetSchema: `My"Schema`},
			"SELECT \"u\".\"b\"\nFROM \"My\"\"Schema\".\"u\""},
		{"other database keeps its name", "SELECT `other`.`t`.`a`, `db`.`u`.`b` FROM `other`.`t` JOIN `db`.`u` ON `other`.`t`.`id` = `db`.`u`.`id`", Options{SourceSchema: "db", TargetSchema: "public"},
			"SELECT\n  \"other\".\"t\".\"a\",\n  \"u\".\"b\"\nFROM \"other\".\"t\"\n  JOIN \"public\".\"u\" ON \"other\".\"t\".\"id\" = \"u\".\"id\""},
		{"no source schema: every qualifier is the source", "SELECT `x`.`t`.`a` FROM `x`.`t`", Options{},
			"SELECT \"t\".\"a\"\nFROM \"t\""},
		{"custom Ident", "SELECT `Tbl`.`ColA` AS `Alias` FROM `DB`.`Tbl`", Options{SourceSchema: "DB", TargetSchema: "public", Ident: lower},
			"SELECT \"tbl\".\"cola\" AS \"alias\"\nFROM \"public\".\"tbl\""},
		{"string literals", `SELECT 'it''s', 'it\'s', 'C:\\dir\\', "say ""hi""", '%\_' FROM t`, Options{},
			"SELECT\n  'it''s' AS \"it's\",\n  'it''s' AS \"it's\",\n  'C:\\dir\\' AS \"C:\\dir\\\",\n  'say \"hi\"' AS \"say \"\"hi\"\"\",\n  '%\\_' AS \"%\\_\"\nFROM \"t\""},
	})
}

func TestBoolColumns(t *testing.T) {
	bools := Options{BoolColumns: map[string]bool{"t.flag": true}}
	runStmtCases(t, []stmtCase{
		{"comparisons and arithmetic",
			"SELECT flag = 1 AS a, flag <> 0 AS b, flag = 0 AS c, NOT flag AS d, flag + 1 AS e, SUM(flag) AS f, MAX(flag) AS g, IF(id, 'y', 'n') AS h, flag = id AS i, CONCAT(flag, '') AS j, IFNULL(flag, 0) AS k FROM t WHERE flag AND id",
			bools,
			"SELECT\n  \"flag\" AS \"a\",\n  \"flag\" AS \"b\",\n  NOT \"flag\" AS \"c\",\n  NOT \"flag\" AS \"d\",\n  \"flag\"::int + 1 AS \"e\",\n  sum(\"flag\"::int) AS \"f\",\n  bool_or(\"flag\") AS \"g\",\n  CASE WHEN \"id\" <> 0 THEN 'y' ELSE 'n' END AS \"h\",\n  \"flag\"::int = \"id\" AS \"i\",\n  \"flag\"::int::text || '' AS \"j\",\n  COALESCE(\"flag\", FALSE) AS \"k\"\nFROM \"t\"\nWHERE \"flag\" AND \"id\" <> 0"},
		{"aliases and correlated subqueries",
			"SELECT `a`.`flag` FROM `t` `a` WHERE `a`.`flag` = 1 AND EXISTS (SELECT 1 FROM u WHERE u.x = a.flag)",
			bools,
			"SELECT \"a\".\"flag\"\nFROM \"t\" AS \"a\"\nWHERE \"a\".\"flag\" AND EXISTS (SELECT 1 FROM \"u\" WHERE \"u\".\"x\" = \"a\".\"flag\"::int)"},
		{"derived table columns",
			"SELECT d.flag FROM (SELECT flag FROM t) d WHERE d.flag = 1",
			bools,
			"SELECT \"d\".\"flag\"\nFROM (SELECT \"flag\" FROM \"t\") AS \"d\"\nWHERE \"d\".\"flag\""},
		{"cte columns",
			"WITH c (f) AS (SELECT flag FROM t) SELECT f FROM c WHERE f <> 0",
			bools,
			"WITH \"c\" (\"f\") AS (SELECT \"flag\" FROM \"t\")\nSELECT \"f\"\nFROM \"c\"\nWHERE \"f\""},
		{"without BoolColumns nothing is rewritten",
			"SELECT flag FROM t WHERE flag <> 0",
			Options{},
			"SELECT \"flag\"\nFROM \"t\"\nWHERE \"flag\" <> 0"},
	})
}

func TestErrors(t *testing.T) {
	cases := []struct {
		in, err     string
		unsupported bool
	}{
		{"SELECT GET_LOCK('x', 1) FROM t", "unsupported function GET_LOCK", true},
		{"SELECT @v", "unsupported user variable @v", true},
		{"SELECT `db`.`balance`(1)", "unsupported call to stored function db.balance", true},
		{"SELECT a FROM t FOR UPDATE", "unsupported locking clause for update", true},
		{"SELECT a FROM t PARTITION (p1)", "unsupported PARTITION selection on table t", true},
		{"SELECT GROUP_CONCAT(DISTINCT a ORDER BY b) FROM t", "unsupported GROUP_CONCAT(DISTINCT ...) with ORDER BY an expression that is not the aggregated value", true},
		{"SELECT LEFT(a) FROM t", "function LEFT expects 2 arguments", false},
		{"DELETE FROM t", "view definition is not a SELECT statement (*ast.DeleteStmt)", false},
		{"SELECT FROM", `cannot parse view definition: line 1 column 11 near "FROM" `, false},
	}
	for _, c := range cases {
		_, err := Translate(c.in, Options{})
		if err == nil || err.Error() != c.err {
			t.Errorf("%s: got error %v, want %q", c.in, err, c.err)
			continue
		}
		if got := errors.Is(err, ErrUnsupported); got != c.unsupported {
			t.Errorf("%s: errors.Is(err, ErrUnsupported) = %v", c.in, got)
		}
		var ue *UnsupportedError
		if errors.As(err, &ue) != c.unsupported {
			t.Errorf("%s: errors.As(*UnsupportedError) mismatch", c.in)
		}
	}
}

func TestNormalizeCharsets(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT _cp1251'x', _utf8mb4'y'", "SELECT 'x', _utf8mb4'y'"},
		{"SELECT a COLLATE latin2_general_ci = 'b'", "SELECT a  = 'b'"},
		{"SELECT CONVERT(a USING cp1251), CAST(a AS CHAR CHARACTER SET latin2)", "SELECT CONVERT(a USING utf8mb4), CAST(a AS CHAR CHARACTER SET utf8mb4)"},
		// Quoted text and identifiers are left alone.
		{"SELECT 'collate _latin2''x' \\' collate', `collate`, \"_cp1251\" FROM t", "SELECT 'collate _latin2''x' \\' collate', `collate`, \"_cp1251\" FROM t"},
		{"SELECT _latin2 FROM t", "SELECT _latin2 FROM t"},
	}
	for _, c := range cases {
		got, _ := normalizeCharsets(c.in)
		if got != c.want {
			t.Errorf("normalizeCharsets(%s)\n got: %s\nwant: %s", c.in, got, c.want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{"a": `"a"`, "Order": `"Order"`, `a"b`: `"a""b"`, "": `""`} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}
