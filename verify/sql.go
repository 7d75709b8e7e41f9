package verify

import (
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert"
)

// nullMark stands for NULL in a canonical row text. No canonical value
// renders as "~" alone: free text is framed as "<length>:<text>", other
// values are numbers, dates, hex or binary digits.
const nullMark = "~"

// table is one table to compare, with the SQL of both sides.
type table struct {
	tp   *convert.TablePlan
	name string // source "db.table"
	// canon has one entry per column of tp.Load.
	canon []convert.Canon
	// keyIdx are the positions in tp.Load of the primary key columns, nil
	// when the table has none (rows are then compared as a multiset).
	keyIdx []int
	// valIdx are the positions of the other columns.
	valIdx []int
	// rangeCol is the integer key column chunks split on ("" for none).
	rangeCol string
	// ordered: chunk checksums digest the rows in key order (see
	// digestSQL) rather than summing row hashes.
	ordered bool
	my, pg  sideSQL
}

// tableOptions describe the source server.
type tableOptions struct {
	canon convert.CanonOptions
	// digestHint raises group_concat_max_len for one statement: "SET
	// STATEMENT" (MariaDB), "SET_VAR" (MySQL 8), "" (neither: no ordered
	// digests).
	digestHint string
}

// maxDigestBytes bounds the source data of a chunk checksummed as an
// ordered digest, which each database holds in memory as one string.
const maxDigestBytes = 32 << 20

// sideSQL holds one side's expressions for a table.
type sideSQL struct {
	mysql    bool
	from     string   // quoted table
	rangeCol string   // quoted range column, "" for none
	rowText  string   // canonical row text
	keys     []string // canonical primary key values
	vals     []string // canonical values of the other columns
	order    []string // ORDER BY items matching convert.CompareCanonical
	hint     string   // tableOptions.digestHint (source)
}

func newTable(tp *convert.TablePlan, opt tableOptions) *table {
	t := &table{tp: tp, name: tp.Source.QualifiedName()}
	pos := map[string]int{}
	for i, cp := range tp.Load {
		t.canon = append(t.canon, convert.Canonical(cp, opt.canon))
		pos[cp.Source.Name] = i
	}
	if pk := tp.Source.PrimaryKey; pk != nil {
		for _, c := range pk.Columns {
			i, ok := pos[c.Name]
			if !ok || c.Name == "" {
				t.keyIdx = nil // a generated key column: compare as a multiset
				break
			}
			t.keyIdx = append(t.keyIdx, i)
		}
	}
	isKey := map[int]bool{}
	for _, i := range t.keyIdx {
		isKey[i] = true
	}
	for i := range tp.Load {
		if !isKey[i] {
			t.valIdx = append(t.valIdx, i)
		}
	}
	if tp.KeyColumn != "" && t.keyIdx != nil {
		if cp := tp.Load[t.keyIdx[0]]; cp.Source.Name == tp.KeyColumn && integerTarget(cp.Type) {
			t.rangeCol = tp.KeyColumn
		}
	}
	// Keys both databases sort alike, in an index the scan follows; and
	// chunks whose text fits in memory.
	t.ordered = t.keyIdx != nil && opt.digestHint != "" && (t.rangeCol != "" || tp.Source.DataBytes <= maxDigestBytes)
	for _, k := range t.keyIdx {
		t.ordered = t.ordered && t.canon[k].Natural
	}
	t.my = t.side(true)
	t.my.hint = opt.digestHint
	t.pg = t.side(false)
	return t
}

func integerTarget(typ string) bool {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "smallint", "integer", "bigint", "int2", "int4", "int8", "int":
		return true
	}
	return false
}

func (t *table) side(mysql bool) sideSQL {
	s := sideSQL{mysql: mysql}
	if mysql {
		s.from = convert.MySQLIdent(t.tp.Source.Schema) + "." + convert.MySQLIdent(t.tp.Source.Name)
	} else {
		s.from = t.tp.Ident()
	}
	ident := func(i int) string {
		if mysql {
			return convert.MySQLIdent(t.tp.Load[i].Source.Name)
		}
		return convert.QuoteIdent(t.tp.Load[i].Name)
	}
	if t.rangeCol != "" {
		s.rangeCol = ident(t.keyIdx[0])
	}
	expr := func(i int) string {
		if mysql {
			return t.canon[i].MySQL
		}
		return t.canon[i].Postgres
	}
	var pieces []string
	for i, c := range t.canon {
		e := expr(i)
		if c.Text {
			if mysql {
				e = "CONCAT(LENGTH(" + e + "), ':', " + e + ")"
			} else {
				e = "octet_length(" + e + ")::text || ':' || " + e
			}
		}
		if c.Nullable {
			if mysql {
				e = "COALESCE(" + e + ", '" + nullMark + "')"
			} else {
				e = "coalesce(" + e + ", '" + nullMark + "')"
			}
		} else if !mysql && c.Text {
			e = "(" + e + ")"
		}
		pieces = append(pieces, e)
	}
	if mysql {
		s.rowText = "CONCAT_WS('|', " + strings.Join(pieces, ", ") + ")"
	} else {
		s.rowText = strings.Join(pieces, " || '|' || ")
	}
	for _, i := range t.keyIdx {
		s.keys = append(s.keys, expr(i))
		switch {
		case t.canon[i].Natural:
			// Qualified: a bare name would sort by the output column of
			// the same name, which is the canonical text.
			s.order = append(s.order, s.from+"."+ident(i))
		case t.canon[i].Kind == convert.CanonNumber && mysql:
			// A number that is not the column itself (a cast): sort it
			// as a number, as the merge compares it.
			s.order = append(s.order, "CAST("+expr(i)+" AS DECIMAL(65,30))")
		case t.canon[i].Kind == convert.CanonNumber:
			s.order = append(s.order, "("+expr(i)+")::numeric")
		case (t.canon[i].Kind == convert.CanonFloat32 || t.canon[i].Kind == convert.CanonFloat64) && mysql:
			s.order = append(s.order, "CAST("+expr(i)+" AS DOUBLE)")
		case t.canon[i].Kind == convert.CanonFloat32 || t.canon[i].Kind == convert.CanonFloat64:
			s.order = append(s.order, "("+expr(i)+")::float8")
		case mysql:
			s.order = append(s.order, "CAST("+expr(i)+" AS BINARY)")
		default:
			s.order = append(s.order, "("+expr(i)+") COLLATE \"C\"")
		}
	}
	for _, i := range t.valIdx {
		s.vals = append(s.vals, expr(i))
	}
	return s
}

// hash is a row's 60-bit hash: the first 15 hex digits of the MD5 of its
// canonical text, as an integer; chunk checksums sum it (as DECIMAL and
// numeric, so sums never overflow).
func (s sideSQL) hash() string {
	if s.mysql {
		return "CAST(CONV(LEFT(MD5(" + s.rowText + "), 15), 16, 10) AS UNSIGNED)"
	}
	return "('x' || left(md5(" + s.rowText + "), 15))::bit(60)::bigint"
}

// where restricts a query to a chunk's key range; the arguments follow
// the first placeholder number n (PostgreSQL).
func (s sideSQL) where(c Chunk, n int) (string, []any) {
	if s.rangeCol == "" || (c.Lo == nil && c.Hi == nil) {
		return "", nil
	}
	var conds []string
	var args []any
	add := func(op string, v int64) {
		args = append(args, v)
		if s.mysql {
			conds = append(conds, s.rangeCol+" "+op+" ?")
		} else {
			conds = append(conds, fmt.Sprintf("%s %s $%d::bigint", s.rangeCol, op, n+len(args)-1))
		}
	}
	if c.Lo != nil {
		add(">=", *c.Lo)
	}
	if c.Hi != nil {
		add("<", *c.Hi)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// digestSQL is an ordered chunk checksum: the row count and the MD5 of
// the rows' canonical texts joined in key order. One MD5 per chunk instead
// of one per row makes it about twice as fast; it needs keys that both
// databases sort alike and read in that order from the primary key (the
// MySQL side relies on the clustered primary key's scan order; were the
// order ever different, the digests would differ and the rows be compared
// one by one, which is slower but still exact).
func (s sideSQL) digestSQL(c Chunk) (string, []any) {
	w, args := s.where(c, 1)
	if s.mysql {
		q := "SELECT COUNT(*), COALESCE(MD5(GROUP_CONCAT(" + s.rowText + " SEPARATOR ';')), '') FROM " + s.from + " FORCE INDEX (PRIMARY)" + w
		const maxLen = "268435456" // beyond, a truncated digest only sends the chunk to row comparison
		if s.hint == "SET_VAR" {
			return "SELECT /*+ SET_VAR(group_concat_max_len = " + maxLen + ") */" + strings.TrimPrefix(q, "SELECT"), args
		}
		return "SET STATEMENT group_concat_max_len = " + maxLen + " FOR " + q, args
	}
	return "SELECT count(*), coalesce(md5(string_agg(r, ';')), '') FROM (SELECT " + s.rowText + " AS r FROM " + s.from + w +
		" ORDER BY " + strings.Join(s.order, ", ") + ") s", args
}

func (s sideSQL) countSQL() string {
	return "SELECT COUNT(*) FROM " + s.from
}

func (s sideSQL) checksumSQL(c Chunk) (string, []any) {
	w, args := s.where(c, 1)
	if s.mysql {
		return "SELECT COUNT(*), COALESCE(SUM(" + s.hash() + "), 0) FROM " + s.from + w, args
	}
	return "SELECT count(*), coalesce(sum(" + s.hash() + "), 0)::text FROM " + s.from + w, args
}

// rowsSQL reads a chunk's canonical keys and values, ordered by key.
func (s sideSQL) rowsSQL(c Chunk) (string, []any) {
	w, args := s.where(c, 1)
	cols := append(append([]string{}, s.keys...), s.vals...)
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + s.from + w + " ORDER BY " + strings.Join(s.order, ", "), args
}

// hashesSQL reads the row hashes of a table without a primary key, sorted.
func (s sideSQL) hashesSQL() string {
	if s.mysql {
		// MD5 is lower-case hex: its collation sorts it byte-wise.
		return "SELECT MD5(" + s.rowText + ") AS h FROM " + s.from + " ORDER BY h"
	}
	return "SELECT h FROM (SELECT " + s.rowHashExpr() + " AS h FROM " + s.from + ") s ORDER BY h COLLATE \"C\""
}

// rowHashExpr is the expression hashesSQL sorts on (for repairs). On the
// target, a NULL in a column the source declares NOT NULL makes the row
// text NULL; it then hashes as the NULL mark, which no source row text is.
func (s sideSQL) rowHashExpr() string {
	if s.mysql {
		return "MD5(" + s.rowText + ")"
	}
	return "md5(coalesce(" + s.rowText + ", '" + nullMark + "'))"
}

// boundsSQL reads the range column's minimum and maximum on the source.
func (s sideSQL) boundsSQL() string {
	return fmt.Sprintf("SELECT MIN(%[1]s), MAX(%[1]s) FROM %[2]s", s.rangeCol, s.from)
}

// keyNames returns the primary key's target column names.
func (t *table) keyNames() []string {
	out := make([]string, len(t.keyIdx))
	for i, k := range t.keyIdx {
		out[i] = t.tp.Load[k].Name
	}
	return out
}

// valNames returns the target names of the compared non-key columns.
func (t *table) valNames() []string {
	out := make([]string, len(t.valIdx))
	for i, k := range t.valIdx {
		out[i] = t.tp.Load[k].Name
	}
	return out
}

func (t *table) loadColumns() []*catalog.Column {
	out := make([]*catalog.Column, len(t.tp.Load))
	for i, cp := range t.tp.Load {
		out[i] = cp.Source
	}
	return out
}
