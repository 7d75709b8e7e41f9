package load_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	driver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/internal/cli"
	"github.com/ferrydb/ferry/internal/sandbox"
	"github.com/ferrydb/ferry/source/mysql"
)

var env *sandbox.Env

func TestMain(m *testing.M) { sandbox.RunTests(m, &env) }

func sharedDir(t *testing.T) string { return sandbox.SharedDir(t) }

func freshDBs(t *testing.T) (src, dst, name string) { return env.FreshDBs(t) }

// ferry runs the CLI in-process.
func ferry(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustMigrate(t *testing.T, args ...string) string {
	t.Helper()
	return mustMigrateIn(t, t.TempDir(), args...)
}

func mustMigrateIn(t *testing.T, stateDir string, args ...string) string {
	t.Helper()
	code, out, errs := ferry(t, append([]string{"migrate", "--state-dir", stateDir}, args...)...)
	if code != 0 {
		t.Fatalf("ferry migrate exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	return out
}

func openMySQL(t *testing.T, url string) *sql.DB {
	t.Helper()
	cfg, err := mysql.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := driver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func openPG(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(context.Background(), "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func inspect(t *testing.T, url string) *catalog.Schema {
	t.Helper()
	ctx := context.Background()
	s, err := mysql.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc, err := s.Inspect(ctx, func(string, string) bool { return true }, []string{s.Database()})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// digest is an order-independent fingerprint of a table: the row count and
// the sum of per-row hashes (a sum, not a xor, so duplicates count).
type digest struct {
	Rows int64
	Sum  uint64
}

func rowHash(vals []string) uint64 {
	h := sha256.New()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}

const null = "\x00NULL"

// mysqlExpr and pgExpr read a column as text on each side; normalize maps
// both to one canonical form, written here independently of ferry's own
// conversion code.
func mysqlExpr(c *catalog.Column) string {
	q := "`" + strings.ReplaceAll(c.Name, "`", "``") + "`"
	switch c.Type.Name {
	case "bit":
		return fmt.Sprintf("LPAD(BIN(%s), %d, '0')", q, c.Type.Length)
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection":
		return "ST_AsText(" + q + ")"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "LOWER(HEX(" + q + "))"
	}
	return q
}

func pgExpr(c *catalog.Column) string {
	q := `"` + strings.ReplaceAll(c.Name, `"`, `""`) + `"`
	switch c.Type.Name {
	case "bit":
		return q + "::text"
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection":
		return "regexp_replace(" + q + "::text, '^SRID=[0-9]+;', '')"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "encode(" + q + ", 'hex')"
	case "set":
		return "array_to_string(" + q + ", ',')"
	}
	return q + "::text"
}

func normalize(c *catalog.Column, v string, fromMySQL bool) string {
	if v == null {
		return v
	}
	switch c.Type.Name {
	case "tinyint":
		if c.Type.Length == 1 && !c.Type.Unsigned {
			if fromMySQL {
				if v == "0" {
					return "false"
				}
				return "true"
			}
			if v == "false" {
				return "false"
			}
			return "true"
		}
	case "date", "datetime", "timestamp":
		if fromMySQL && (strings.HasPrefix(v, "0000") || strings.Contains(v, "-00")) {
			return null // zero dates load as NULL, by design
		}
		return trimFraction(strings.TrimSuffix(v, "+00"))
	case "time":
		return trimFraction(v)
	case "float":
		f, _ := strconv.ParseFloat(v, 32)
		return strconv.FormatFloat(f, 'g', 6, 32)
	case "double":
		f, _ := strconv.ParseFloat(v, 64)
		return strconv.FormatFloat(f, 'g', -1, 64)
	case "json":
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			return "badjson:" + v
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return v
}

// trimFraction drops trailing zeros of fractional seconds: MySQL prints
// the declared precision, PostgreSQL only the significant digits.
func trimFraction(v string) string {
	if i := strings.LastIndexByte(v, '.'); i >= 0 && !strings.ContainsAny(v[i:], " -+") {
		v = strings.TrimRight(v, "0")
		v = strings.TrimSuffix(v, ".")
	}
	return v
}

func mysqlDigest(t *testing.T, db *sql.DB, tb *catalog.Table) digest {
	t.Helper()
	var exprs []string
	for _, c := range tb.Columns {
		exprs = append(exprs, mysqlExpr(c))
	}
	q := fmt.Sprintf("SELECT %s FROM `%s`", strings.Join(exprs, ", "), tb.Name)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var d digest
	raw := make([]sql.RawBytes, len(tb.Columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	vals := make([]string, len(raw))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, r := range raw {
			if r == nil {
				vals[i] = null
			} else {
				vals[i] = normalize(tb.Columns[i], string(r), true)
			}
		}
		d.Rows++
		d.Sum += rowHash(vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

func pgDigest(t *testing.T, c *pgx.Conn, schema string, tb *catalog.Table) digest {
	t.Helper()
	var exprs []string
	for _, col := range tb.Columns {
		exprs = append(exprs, pgExpr(col))
	}
	q := fmt.Sprintf(`SELECT %s FROM %q.%q`, strings.Join(exprs, ", "), schema, tb.Name)
	rows, err := c.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var d digest
	vals := make([]string, len(tb.Columns))
	for rows.Next() {
		for i, r := range rows.RawValues() {
			if r == nil {
				vals[i] = null
			} else {
				vals[i] = normalize(tb.Columns[i], string(r), false)
			}
		}
		d.Rows++
		d.Sum += rowHash(vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

// assertSameData compares every table's count and digest on both sides.
func assertSameData(t *testing.T, srcURL, dstURL, schema string) *catalog.Schema {
	t.Helper()
	sc, diffs := compareData(t, srcURL, dstURL, schema)
	for _, d := range diffs {
		t.Error(d)
	}
	return sc
}

// compareData returns the tables whose count or digest differ.
func compareData(t *testing.T, srcURL, dstURL, schema string) (*catalog.Schema, []string) {
	t.Helper()
	sc := inspect(t, srcURL)
	my := openMySQL(t, srcURL)
	pg := openPG(t, dstURL)
	// Polling loops call this many times: close now, not at the test's end
	// (the connections would pile up past max_connections).
	defer my.Close()
	defer pg.Close(context.Background())
	if len(sc.Tables) == 0 {
		t.Fatal("no source tables")
	}
	var diffs []string
	for _, tb := range sc.Tables {
		a := mysqlDigest(t, my, tb)
		b := pgDigest(t, pg, schema, tb)
		if a != b {
			d := fmt.Sprintf("table %s: source %d rows (sum %x), target %d rows (sum %x)", tb.Name, a.Rows, a.Sum, b.Rows, b.Sum)
			if a.Rows < 100 {
				for _, c := range tb.Columns {
					one := *tb
					one.Columns = []*catalog.Column{c}
					if x, y := mysqlValues(t, my, &one), pgValues(t, pg, schema, &one); x != y {
						d += fmt.Sprintf("\n  column %s differs:\n    source %q\n    target %q", c.Name, x, y)
					}
				}
			}
			diffs = append(diffs, d)
		}
	}
	return sc, diffs
}

// mysqlValues and pgValues list a one-column table's normalized values,
// sorted, to show which column differs.
func mysqlValues(t *testing.T, db *sql.DB, tb *catalog.Table) string {
	q := fmt.Sprintf("SELECT %s FROM `%s`", mysqlExpr(tb.Columns[0]), tb.Name)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r sql.RawBytes
		rows.Scan(&r)
		v := null
		if r != nil {
			v = normalize(tb.Columns[0], string(r), true)
		}
		if len(v) > 80 {
			v = v[:80] + "..."
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}

func pgValues(t *testing.T, c *pgx.Conn, schema string, tb *catalog.Table) string {
	q := fmt.Sprintf(`SELECT %s FROM %q.%q`, pgExpr(tb.Columns[0]), schema, tb.Name)
	rows, err := c.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		r := rows.RawValues()[0]
		v := null
		if r != nil {
			v = normalize(tb.Columns[0], string(r), false)
		}
		if len(v) > 80 {
			v = v[:80] + "..."
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}

func pgScalar[T any](t *testing.T, c *pgx.Conn, q string, args ...any) T {
	t.Helper()
	var v T
	if err := c.QueryRow(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}
