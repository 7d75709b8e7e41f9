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
	sub    string // SUBPARTITION BY ... as written
	// The subpartitioning: method, key, SUBPARTITIONS n, SUBPARTITION
	// TEMPLATE (...).
	subMethod   string
	subCols     []string
	subN        int
	subTemplate []*partitionDesc
	extra       string // INTERVAL (...) / AUTOMATIC
	before      string // physical clauses before PARTITION BY
	after       string // clauses after the partition list (ENABLE ROW MOVEMENT, ...)
	err         error
}

type partitionDesc struct {
	name   string
	values []string         // the bound values as written (VALUES LESS THAN (...) / VALUES (...))
	attrs  string           // physical attributes of the partition
	subs   []*partitionDesc // its own subpartition list
	subN   int              // SUBPARTITIONS n of this partition
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
			if err := p.parseSub(runes, toks, i, j); err != nil {
				p.err = err
				return p, true
			}
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
			d, err := partitionDescOf(runes, toks, se[0], se[1], "PARTITION")
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
func partitionDescOf(runes []rune, toks []oraclesql.Token, lo, hi int, keyword string) (*partitionDesc, error) {
	if toks[lo].Upper() != keyword {
		return nil, fmt.Errorf("partition description %q does not start with %s", Slice(runes, toks, lo, hi), keyword)
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
			for _, se := range oraclesql.SplitTop(toks, k+1, hi-1) {
				sd, err := partitionDescOf(runes, toks, se[0], se[1], "SUBPARTITION")
				if err != nil {
					return nil, err
				}
				d.subs = append(d.subs, sd)
			}
			attrEnd = k - 1
			break
		}
	}
	for k := i; k < attrEnd; k++ {
		if toks[k].Upper() == "SUBPARTITIONS" {
			n, err := strconv.Atoi(toks[k+1].Text)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("partition %s: SUBPARTITIONS %s is not a count", d.name, toks[k+1].Text)
			}
			d.subN = n
		}
	}
	d.attrs = Slice(runes, toks, i, attrEnd)
	return d, nil
}

// parseSub reads SUBPARTITION BY m (cols) [SUBPARTITIONS n]
// [SUBPARTITION TEMPLATE (descs)] in tokens lo..hi.
func (p *partitioning) parseSub(runes []rune, toks []oraclesql.Token, lo, hi int) error {
	i := lo + 2
	if i > hi {
		return fmt.Errorf("SUBPARTITION BY without a method")
	}
	p.subMethod = toks[i].Upper()
	i++
	if i <= hi && toks[i].Text == "(" {
		end := oraclesql.Matching(toks, i)
		for _, se := range oraclesql.SplitTop(toks, i+1, end-1) {
			p.subCols = append(p.subCols, oraclesql.Name(Slice(runes, toks, se[0], se[1])))
		}
		i = end + 1
	}
	for ; i <= hi; i++ {
		switch toks[i].Upper() {
		case "SUBPARTITIONS":
			n, err := strconv.Atoi(toks[i+1].Text)
			if err != nil || n < 1 {
				return fmt.Errorf("SUBPARTITIONS %s is not a count", toks[i+1].Text)
			}
			p.subN = n
			i++
		case "TEMPLATE":
			if i+1 <= hi && toks[i+1].Text == "(" {
				end := oraclesql.Matching(toks, i+1)
				for _, se := range oraclesql.SplitTop(toks, i+2, end-1) {
					d, err := partitionDescOf(runes, toks, se[0], se[1], "SUBPARTITION")
					if err != nil {
						return err
					}
					p.subTemplate = append(p.subTemplate, d)
				}
				i = end
			}
		}
	}
	return nil
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
	for _, m := range []string{p.method, p.subMethod} {
		switch m {
		case "RANGE", "LIST", "HASH", "":
		default:
			return manual("PARTITION BY " + m + " has no PostgreSQL equivalent; partition it by hand (RANGE, LIST or HASH) or leave it unpartitioned")
		}
	}
	if len(p.cols) == 0 || (p.subMethod != "" && len(p.subCols) == 0) {
		return manual("no partition key columns")
	}
	allCols := append(append([]string{}, p.cols...), p.subCols...)
	for _, k := range keys {
		if missing := missingCols(allCols, k); missing != "" {
			return manual(fmt.Sprintf("PostgreSQL requires every primary key and unique constraint of a partitioned table to include the partition key, and the key (%s) lacks %s; add the partition columns to the key (Oracle enforced it globally) or partition by the key", strings.Join(k, ", "), missing))
		}
	}
	if (p.method == "LIST" && len(p.cols) > 1) || (p.subMethod == "LIST" && len(p.subCols) > 1) {
		return manual("multi-column LIST partitioning: PostgreSQL lists one column; partition by an expression of the columns by hand")
	}
	by := func(method string, cols []string) string {
		var q []string
		for _, col := range cols {
			q = append(q, oraclesql.Quote(col))
		}
		return " PARTITION BY " + method + " (" + strings.Join(q, ", ") + ")"
	}
	out.clause = by(p.method, p.cols)
	if p.extra != "" {
		out.notes = append(out.notes, "partitioning "+oneLine(p.extra)+": PostgreSQL creates no partitions automatically; the listed partitions are created, create later ones ahead of the data (or use pg_partman), an insert no partition accepts fails")
	}
	owner := nameParts[:len(nameParts)-1]
	partTable := func(pname string) string {
		n := pname
		if c.partNames[n] || (c.tables[n] != nil && n != name) || c.views[n] {
			n = name + "_" + pname
		}
		c.partNames[n] = true
		return c.qname(append(append([]string{}, owner...), n)...)
	}
	var dropped []string
	// level creates the partitions descs (or n hash partitions) of parent
	// by method: sub, when set, gives the PARTITION BY clause and the
	// subpartitions of each partition.
	level := func(method string, ncols, n int, descs []*partitionDesc, parent, prefix string, sub func(d *partitionDesc, pname, q string) (string, error)) error {
		emit := func(d *partitionDesc, pname, bound string) error {
			q := partTable(pname)
			stmt := "CREATE TABLE " + q + " PARTITION OF " + parent + " " + bound
			out.tables = append(out.tables, "")
			at := len(out.tables) - 1
			if sub != nil {
				clause, err := sub(d, pname, q)
				if err != nil {
					return err
				}
				stmt += clause
			}
			out.tables[at] = stmt
			if d != nil {
				if a := strings.TrimSpace(d.attrs); a != "" {
					dropped = append(dropped, d.name+": "+a)
				}
			}
			return nil
		}
		switch method {
		case "HASH":
			if len(descs) > 0 {
				n = len(descs)
			}
			if n == 0 {
				return fmt.Errorf("HASH partitioning without a partition count")
			}
			for k := 0; k < n; k++ {
				var d *partitionDesc
				pname := fmt.Sprintf("%s_p%d", prefix, k+1)
				if k < len(descs) {
					d = descs[k]
					if d.name != "" {
						pname = d.name
					}
				}
				if err := emit(d, pname, fmt.Sprintf("FOR VALUES WITH (MODULUS %d, REMAINDER %d)", n, k)); err != nil {
					return err
				}
			}
			out.notes = appendUnique(out.notes, "HASH partitions: PostgreSQL's hash function places rows differently from Oracle's")
		case "RANGE":
			from := make([]string, ncols)
			for k := range from {
				from[k] = "MINVALUE"
			}
			for _, d := range descs {
				if len(d.values) != ncols {
					return fmt.Errorf("partition %s has %d bound values for %d key columns", d.name, len(d.values), ncols)
				}
				to := make([]string, len(d.values))
				for k, v := range d.values {
					b, err := c.boundValue(v, tr)
					if err != nil {
						return fmt.Errorf("partition %s: bound %s: %v", d.name, oneLine(v), err)
					}
					to[k] = b
				}
				if err := emit(d, d.name, "FOR VALUES FROM ("+strings.Join(from, ", ")+") TO ("+strings.Join(to, ", ")+")"); err != nil {
					return err
				}
				from = to
			}
		case "LIST":
			for _, d := range descs {
				bound := "DEFAULT"
				if !(len(d.values) == 1 && strings.EqualFold(strings.TrimSpace(d.values[0]), "DEFAULT")) {
					var vals []string
					for _, v := range d.values {
						if strings.HasPrefix(strings.TrimSpace(v), "(") {
							return fmt.Errorf("partition %s: multi-column value lists have no PostgreSQL equivalent", d.name)
						}
						b, err := c.boundValue(v, tr)
						if err != nil {
							return fmt.Errorf("partition %s: value %s: %v", d.name, oneLine(v), err)
						}
						vals = append(vals, b)
					}
					bound = "FOR VALUES IN (" + strings.Join(vals, ", ") + ")"
				}
				if err := emit(d, d.name, bound); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var sub func(d *partitionDesc, pname, q string) (string, error)
	if p.subMethod != "" {
		sub = func(d *partitionDesc, pname, q string) (string, error) {
			// Oracle names template subpartitions <partition>_<subpartition>.
			descs, n := p.subTemplate, p.subN
			if d != nil && len(d.subs) > 0 {
				descs = d.subs
			} else if len(descs) > 0 {
				named := make([]*partitionDesc, len(descs))
				for k, sd := range descs {
					cp := *sd
					if cp.name != "" {
						cp.name = pname + "_" + cp.name
					}
					named[k] = &cp
				}
				descs = named
			}
			if d != nil && d.subN > 0 {
				descs, n = nil, d.subN
			}
			if len(descs) == 0 && (p.subMethod != "HASH" || n == 0) {
				if p.subMethod == "HASH" {
					n = 1 // Oracle's default: one subpartition
				} else {
					out.notes = appendUnique(out.notes, "partition "+pname+" has no subpartitions listed: a DEFAULT subpartition is created")
					descs = []*partitionDesc{{name: pname + "_default", values: []string{"DEFAULT"}}}
					if p.subMethod == "RANGE" {
						descs[0].values = nil
						for range p.subCols {
							descs[0].values = append(descs[0].values, "MAXVALUE")
						}
					}
				}
			}
			return by(p.subMethod, p.subCols), level(p.subMethod, len(p.subCols), n, descs, q, pname, nil)
		}
	}
	if err := level(p.method, len(p.cols), p.hashN, p.parts, c.qname(nameParts...), name, sub); err != nil {
		return manual(err.Error())
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
