package oracle

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferrydb/ferry/convert"
	"github.com/ferrydb/ferry/convert/oraclesql"
	"github.com/ferrydb/ferry/convert/oramask"
)

// partitioning is the PARTITION BY clause of a CREATE TABLE, taken apart
// on tokens: PostgreSQL's declarative partitioning has RANGE, LIST and
// HASH too, with each partition a table of its own (CREATE TABLE p
// PARTITION OF t FOR VALUES ...).
type partitioning struct {
	method string   // RANGE, LIST, HASH, or another Oracle method
	cols   []string // partition key columns (lower case)
	parts  []*partitionDesc
	hashN  int    // PARTITIONS n (hash partitioning without a list)
	sub    string // SUBPARTITION BY ... (not converted)
	extra  string // INTERVAL (...) / AUTOMATIC
	before string // physical clauses before PARTITION BY
	after  string // clauses after the partition list (ENABLE ROW MOVEMENT, ...)
	err    error
}

type partitionDesc struct {
	name   string
	values []string // the bound values as written (VALUES LESS THAN (...) / VALUES (...))
	attrs  string   // physical attributes of the partition
	subs   bool     // has its own subpartition list
}

// splitPartitioning finds PARTITION BY at the top level of a CREATE
// TABLE's tail; ok is false when there is none.
func splitPartitioning(tail string) (*partitioning, bool) {
	runes := []rune(tail)
	toks := oraclesql.Lex(tail)
	start := -1
	depth := 0
	for i, t := range toks {
		switch t.Text {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 0 && t.Upper() == "PARTITION" && i+1 < len(toks) && toks[i+1].Upper() == "BY" {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, false
	}
	p := &partitioning{before: Slice(runes, toks, 0, start-1)}
	i := start + 2
	if i >= len(toks) {
		p.err = fmt.Errorf("PARTITION BY without a method")
		return p, true
	}
	p.method = toks[i].Upper()
	i++
	if i < len(toks) && toks[i].Text == "(" {
		end := oraclesql.Matching(toks, i)
		if end < 0 {
			p.err = fmt.Errorf("unbalanced parentheses in PARTITION BY")
			return p, true
		}
		for _, se := range oraclesql.SplitTop(toks, i+1, end-1) {
			p.cols = append(p.cols, oraclesql.Name(Slice(runes, toks, se[0], se[1])))
		}
		i = end + 1
	}
	// Options between the key and the partition list.
	for i < len(toks) && toks[i].Text != "(" {
		switch toks[i].Upper() {
		case "INTERVAL":
			j := i + 1
			if j < len(toks) && toks[j].Text == "(" {
				end := oraclesql.Matching(toks, j)
				if end < 0 {
					p.err = fmt.Errorf("unbalanced parentheses in INTERVAL")
					return p, true
				}
				p.extra = Slice(runes, toks, i, end)
				i = end + 1
				if i < len(toks) && toks[i].Upper() == "STORE" {
					i += 2
					if i < len(toks) && toks[i].Text == "(" {
						i = oraclesql.Matching(toks, i) + 1
					}
				}
				continue
			}
		case "AUTOMATIC":
			p.extra = "AUTOMATIC"
		case "SUBPARTITION":
			// SUBPARTITION BY m (cols) [SUBPARTITIONS n] [SUBPARTITION TEMPLATE (...)]
			j := i
			for j < len(toks) && toks[j].Text != "(" {
				j++
			}
			if j < len(toks) {
				j = oraclesql.Matching(toks, j)
			}
			for j+1 < len(toks) && (toks[j+1].Upper() == "SUBPARTITIONS" || toks[j+1].Upper() == "SUBPARTITION" || toks[j+1].Upper() == "TEMPLATE" || isNumber(toks[j+1].Text)) {
				j++
			}
			if j+1 < len(toks) && toks[j].Upper() == "TEMPLATE" && toks[j+1].Text == "(" {
				j = oraclesql.Matching(toks, j+1)
			}
			if j < 0 || j >= len(toks) {
				p.err = fmt.Errorf("unbalanced parentheses in SUBPARTITION BY")
				return p, true
			}
			p.sub = Slice(runes, toks, i, j)
			i = j + 1
			continue
		case "PARTITIONS":
			if i+1 < len(toks) {
				n, err := strconv.Atoi(toks[i+1].Text)
				if err != nil || n < 1 {
					p.err = fmt.Errorf("PARTITIONS %s is not a partition count", toks[i+1].Text)
					return p, true
				}
				p.hashN = n
				i += 2
				continue
			}
		case "STORE":
			// STORE IN (tablespaces): storage only.
			if i+2 < len(toks) && toks[i+2].Text == "(" {
				i = oraclesql.Matching(toks, i+2) + 1
				continue
			}
		}
		if toks[i].Upper() == "ENABLE" || toks[i].Upper() == "DISABLE" {
			break
		}
		i++
	}
	if i < len(toks) && toks[i].Text == "(" {
		end := oraclesql.Matching(toks, i)
		if end < 0 {
			p.err = fmt.Errorf("unbalanced parentheses in the partition list")
			return p, true
		}
		for _, se := range oraclesql.SplitTop(toks, i+1, end-1) {
			d, err := partitionDescOf(runes, toks, se[0], se[1])
			if err != nil {
				p.err = err
				return p, true
			}
			p.parts = append(p.parts, d)
		}
		i = end + 1
	}
	last := len(toks) - 1
	if last >= 0 && toks[last].Text == ";" {
		last--
	}
	p.after = Slice(runes, toks, i, last)
	return p, true
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// partitionDescOf reads PARTITION name [VALUES LESS THAN (...) | VALUES
// (...)] [attributes] [(subpartitions)].
func partitionDescOf(runes []rune, toks []oraclesql.Token, lo, hi int) (*partitionDesc, error) {
	if toks[lo].Upper() != "PARTITION" {
		return nil, fmt.Errorf("partition description %q does not start with PARTITION", Slice(runes, toks, lo, hi))
	}
	d := &partitionDesc{}
	i := lo + 1
	if i <= hi && toks[i].Upper() != "VALUES" && toks[i].Text != "(" {
		d.name = oraclesql.Name(toks[i].Text)
		i++
	}
	if i <= hi && toks[i].Upper() == "VALUES" {
		i++
		if i+1 <= hi && toks[i].Upper() == "LESS" && toks[i+1].Upper() == "THAN" {
			i += 2
		}
		if i > hi || toks[i].Text != "(" {
			return nil, fmt.Errorf("partition %s: VALUES without a parenthesized list", d.name)
		}
		end := oraclesql.Matching(toks, i)
		if end < 0 || end > hi {
			return nil, fmt.Errorf("partition %s: unbalanced parentheses", d.name)
		}
		for _, se := range oraclesql.SplitTop(toks, i+1, end-1) {
			d.values = append(d.values, Slice(runes, toks, se[0], se[1]))
		}
		i = end + 1
	}
	// A trailing parenthesized list is the partition's subpartitions.
	attrEnd := hi
	for k := i; k < hi; k++ {
		if toks[k].Text == "(" && !isStorageParen(toks, k) && toks[k+1].Upper() == "SUBPARTITION" && oraclesql.Matching(toks, k) == hi {
			d.subs = true
			attrEnd = k - 1
			break
		}
	}
	d.attrs = Slice(runes, toks, i, attrEnd)
	return d, nil
}

// isStorageParen reports whether the parenthesis at k opens a STORAGE (...)
// or similar attribute list.
func isStorageParen(toks []oraclesql.Token, k int) bool {
	if k == 0 {
		return false
	}
	switch toks[k-1].Upper() {
	case "STORAGE", "IN", "LOB", "AS":
		return true
	}
	return false
}

// partitionTarget is what partitionSQL produces for a table.
type partitionTarget struct {
	clause string   // " PARTITION BY RANGE (...)"
	tables []string // CREATE TABLE ... PARTITION OF ...
	notes  []string
	items  []convert.ActionItem
}

// partitionSQL converts the partitioning of table name (quoted qt, name
// parts nameParts). A method or form PostgreSQL lacks yields an action
// item and no clause: the table is then created unpartitioned.
func (c *converter) partitionSQL(p *partitioning, name string, nameParts []string, keys [][]string, tr *oraclesql.Translator) partitionTarget {
	var out partitionTarget
	manual := func(reason string) partitionTarget {
		return partitionTarget{items: []convert.ActionItem{{Object: name, Kind: "table", Source: "PARTITION BY " + p.method + " ...",
			Reason: "partitioning: the table is created unpartitioned: " + reason}}}
	}
	if p.err != nil {
		return manual(p.err.Error() + "; partition it by hand with PARTITION BY RANGE/LIST/HASH and CREATE TABLE ... PARTITION OF")
	}
	switch p.method {
	case "RANGE", "LIST", "HASH":
	default:
		return manual("PARTITION BY " + p.method + " has no PostgreSQL equivalent; partition it by hand (RANGE, LIST or HASH) or leave it unpartitioned")
	}
	if len(p.cols) == 0 {
		return manual("no partition key columns")
	}
	for _, k := range keys {
		if missing := missingCols(p.cols, k); missing != "" {
			return manual(fmt.Sprintf("PostgreSQL requires every primary key and unique constraint of a partitioned table to include the partition key, and the key (%s) lacks %s; add the partition columns to the key (Oracle enforced it globally) or partition by the key", strings.Join(k, ", "), missing))
		}
	}
	if p.method == "LIST" && len(p.cols) > 1 {
		return manual("multi-column LIST partitioning: PostgreSQL lists one column; partition by an expression of the columns by hand")
	}
	var qcols []string
	for _, col := range p.cols {
		qcols = append(qcols, oraclesql.Quote(col))
	}
	out.clause = " PARTITION BY " + p.method + " (" + strings.Join(qcols, ", ") + ")"
	if p.extra != "" {
		out.notes = append(out.notes, "partitioning "+oneLine(p.extra)+": PostgreSQL creates no partitions automatically; the listed partitions are created, create later ones ahead of the data (or use pg_partman), an insert no partition accepts fails")
	}
	if p.sub != "" {
		out.items = append(out.items, convert.ActionItem{Object: name, Kind: "table", Source: p.sub,
			Reason: "subpartitioning (" + oneLine(p.sub) + "): the partitions are created without subpartitions; to subpartition, create each partition with its own PARTITION BY and its subpartitions as PARTITION OF it"})
	}
	owner := nameParts[:len(nameParts)-1]
	partTable := func(pname string) string {
		n := pname
		if n == "" || c.partNames[n] || (c.tables[n] != nil && n != name) || c.views[n] {
			n = name + "_" + pname
		}
		c.partNames[n] = true
		return c.qname(append(append([]string{}, owner...), n)...)
	}
	head := func(pname string) string {
		return "CREATE TABLE " + partTable(pname) + " PARTITION OF " + c.qname(nameParts...) + " "
	}
	var dropped []string
	switch p.method {
	case "HASH":
		n := len(p.parts)
		if n == 0 {
			n = p.hashN
		}
		if n == 0 {
			return manual("HASH partitioning without a partition count")
		}
		for k := 0; k < n; k++ {
			pname := fmt.Sprintf("p%d", k+1)
			if k < len(p.parts) && p.parts[k].name != "" {
				pname = p.parts[k].name
				if a := strings.TrimSpace(p.parts[k].attrs); a != "" {
					dropped = append(dropped, pname+": "+a)
				}
			} else {
				pname = name + "_" + pname
			}
			out.tables = append(out.tables, head(pname)+fmt.Sprintf("FOR VALUES WITH (MODULUS %d, REMAINDER %d)", n, k))
		}
		out.notes = append(out.notes, "HASH partitions: PostgreSQL's hash function places rows differently from Oracle's")
	case "RANGE":
		from := make([]string, len(p.cols))
		for k := range from {
			from[k] = "MINVALUE"
		}
		for _, d := range p.parts {
			if len(d.values) != len(p.cols) {
				return manual(fmt.Sprintf("partition %s has %d bound values for %d key columns", d.name, len(d.values), len(p.cols)))
			}
			to := make([]string, len(d.values))
			for k, v := range d.values {
				b, err := c.boundValue(v, tr)
				if err != nil {
					return manual(fmt.Sprintf("partition %s: bound %s: %v", d.name, oneLine(v), err))
				}
				to[k] = b
			}
			out.tables = append(out.tables, head(d.name)+"FOR VALUES FROM ("+strings.Join(from, ", ")+") TO ("+strings.Join(to, ", ")+")")
			from = to
			if a := strings.TrimSpace(d.attrs); a != "" {
				dropped = append(dropped, d.name+": "+a)
			}
			if d.subs {
				out.items = append(out.items, convert.ActionItem{Object: name + "." + d.name, Kind: "table", Source: d.name, Reason: "the subpartitions of partition " + d.name + " are not created (see subpartitioning)"})
			}
		}
	case "LIST":
		for _, d := range p.parts {
			if len(d.values) == 1 && strings.EqualFold(strings.TrimSpace(d.values[0]), "DEFAULT") {
				out.tables = append(out.tables, head(d.name)+"DEFAULT")
			} else {
				var vals []string
				for _, v := range d.values {
					if strings.HasPrefix(strings.TrimSpace(v), "(") {
						return manual("partition " + d.name + ": multi-column value lists have no PostgreSQL equivalent")
					}
					b, err := c.boundValue(v, tr)
					if err != nil {
						return manual(fmt.Sprintf("partition %s: value %s: %v", d.name, oneLine(v), err))
					}
					vals = append(vals, b)
				}
				out.tables = append(out.tables, head(d.name)+"FOR VALUES IN ("+strings.Join(vals, ", ")+")")
			}
			if a := strings.TrimSpace(d.attrs); a != "" {
				dropped = append(dropped, d.name+": "+a)
			}
		}
	}
	if len(out.tables) == 0 {
		out.notes = append(out.notes, "the partitioned table has no partitions: every insert fails until one is created (CREATE TABLE ... PARTITION OF)")
	}
	if len(dropped) > 0 {
		out.notes = append(out.notes, "dropped partition attributes: "+oneLine(strings.Join(dropped, "; ")))
	}
	if a := strings.TrimSpace(p.after); a != "" {
		out.notes = append(out.notes, "dropped clauses after the partitions: "+oneLine(a))
	}
	return out
}

// missingCols returns the partition columns a key lacks, or "".
func missingCols(partCols, key []string) string {
	var missing []string
	for _, pc := range partCols {
		found := false
		for _, k := range key {
			if k == pc {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, pc)
		}
	}
	return strings.Join(missing, ", ")
}

// boundValue converts a partition bound: MAXVALUE, literals, and the
// constant date forms (TO_DATE('...', 'mask'[, 'nls']), DATE '...',
// TIMESTAMP '...') evaluated to a timestamp literal; anything else goes
// through the SQL translator (PostgreSQL evaluates a bound expression
// once, when the partition is created).
func (c *converter) boundValue(v string, tr *oraclesql.Translator) (string, error) {
	toks := oraclesql.Lex(v)
	if len(toks) == 0 {
		return "", fmt.Errorf("empty bound")
	}
	up := toks[0].Upper()
	if len(toks) == 1 {
		switch {
		case up == "MAXVALUE", up == "NULL":
			return up, nil
		case isNumeric(toks[0].Text):
			return toks[0].Text, nil
		case strings.HasPrefix(toks[0].Text, "'"):
			if s, ok := oraclesql.StringValue(toks[0].Text); ok {
				return oraclesql.QuoteString(s), nil
			}
		}
	}
	if len(toks) == 2 && (up == "DATE" || up == "TIMESTAMP") && strings.HasPrefix(toks[1].Text, "'") {
		return toks[1].Text, nil
	}
	if (up == "TO_DATE" || up == "TO_TIMESTAMP") && len(toks) >= 6 && toks[1].Text == "(" && toks[3].Text == "," && toks[len(toks)-1].Text == ")" {
		s, ok1 := oraclesql.StringValue(toks[2].Text)
		mask, ok2 := oraclesql.StringValue(toks[4].Text)
		if ok1 && ok2 && (toks[5].Text == ")" || toks[5].Text == ",") {
			val, err := oramask.Parse(s, mask, time.Now())
			if err == nil {
				layout := "2006-01-02 15:04:05"
				if up == "TO_TIMESTAMP" {
					layout = "2006-01-02 15:04:05.999999"
				}
				return oraclesql.QuoteString(val.Time.Format(layout)), nil
			}
		}
	}
	tr.Reset()
	e, err := tr.TranslateExpr(v)
	if err != nil {
		return "", err
	}
	c.noteHelpers(tr)
	return e, nil
}

func isNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
