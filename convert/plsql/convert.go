// Package plsql converts Oracle PL/SQL code (procedures, functions,
// triggers, packages and anonymous blocks, as found in SQL*Plus scripts)
// into PostgreSQL PL/pgSQL, one convert.Object per source object.
//
// Each statement is parsed with the ANTLR PL/SQL grammar
// (github.com/bytebase/parser/plsql) and walked at the PL/SQL level:
// declarations, control flow, cursors, exceptions, triggers and packages
// are translated here; every expression and embedded SQL statement goes
// through one SQLTranslator, so SQL translation is shared with the schema
// converter. Whatever is not converted becomes an action item with the
// original text and the reason (and, in the generated code, a comment and
// a RAISE EXCEPTION so that a path reaching it fails loudly instead of
// silently doing nothing); the object's Status says so. docs/oracle.md
// ("PL/SQL conversion") lists the mappings and their limits.
package plsql

import (
	"fmt"
	"sort"
	"strings"

	"github.com/antlr4-go/antlr/v4"
	"github.com/bytebase/parser/plsql"

	"github.com/ferrydb/ferry/convert"
)

// Options configure a Converter.
type Options struct {
	// SQL translates expressions and SQL statements; nil means
	// SharedTranslator (convert/oraclesql), so that code converted on its
	// own gets the same SQL as `ferry convert` gives it.
	SQL SQLTranslator
}

// Converter converts the PL/SQL statements of one or more scripts. It
// keeps what later statements need: package specifications (variables,
// types, routines) for their bodies, and triggers' tables for ALTER
// TRIGGER. Not safe for concurrent use.
type Converter struct {
	sql      SQLTranslator
	objects  []*convert.Object
	triggers map[string]*convert.Object // trigger name -> object
	trigTab  map[string]string          // trigger name -> PG table
	packages map[string]*pkgInfo
}

// New returns a Converter.
func New(opt Options) *Converter {
	tr := opt.SQL
	if tr == nil {
		tr = SharedTranslator{}
	}
	return &Converter{sql: tr, triggers: map[string]*convert.Object{}, trigTab: map[string]string{}, packages: map[string]*pkgInfo{}}
}

// Objects returns the objects converted so far, in source order.
func (c *Converter) Objects() []*convert.Object { return c.objects }

// IsCode reports whether a script statement is PL/SQL code this package
// converts: CREATE [OR REPLACE] PROCEDURE/FUNCTION/TRIGGER/PACKAGE
// [BODY], ALTER TRIGGER, or an anonymous block (BEGIN/DECLARE).
func IsCode(text string) bool {
	w := strings.Fields(strings.ToUpper(stripLeadingComments(text)))
	if len(w) == 0 {
		return false
	}
	if w[0] == "BEGIN" || w[0] == "DECLARE" {
		return true
	}
	if w[0] == "ALTER" && len(w) > 1 && w[1] == "TRIGGER" {
		return true
	}
	if w[0] != "CREATE" {
		return false
	}
	i := 1
	if len(w) > 3 && w[1] == "OR" && w[2] == "REPLACE" {
		i = 3
	}
	for i < len(w) && (w[i] == "EDITIONABLE" || w[i] == "NONEDITIONABLE" || w[i] == "EDITIONING") {
		i++
	}
	if i >= len(w) {
		return false
	}
	switch w[i] {
	case "PROCEDURE", "FUNCTION", "TRIGGER", "PACKAGE":
		return true
	}
	return false
}

func stripLeadingComments(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"):
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
				continue
			}
			return ""
		case strings.HasPrefix(s, "/*"):
			if i := strings.Index(s, "*/"); i >= 0 {
				s = s[i+2:]
				continue
			}
			return ""
		}
		return s
	}
}

// Add converts one script statement (its text without the SQL*Plus
// terminator "/"), found at file:line. It returns the objects the
// statement produced (none for ALTER TRIGGER, which amends its trigger).
// A statement that does not parse becomes an object needing manual work.
func (c *Converter) Add(text, file string, line int) []*convert.Object {
	text = strings.TrimRight(strings.TrimSpace(text), "/ \t\r\n")
	if !strings.HasSuffix(text, ";") {
		text += ";"
	}
	p, err := parse(text)
	if err != nil {
		o := &convert.Object{Kind: guessKind(text), Name: guessName(text), File: file, Line: line, Status: convert.StatusManual, Source: text}
		o.Items = append(o.Items, convert.ActionItem{Object: o.Name, Kind: o.Kind, Reason: "the statement does not parse as Oracle PL/SQL: " + err.Error(), Source: text})
		c.objects = append(c.objects, o)
		return []*convert.Object{o}
	}
	var out []*convert.Object
	for _, us := range p.tree.AllUnit_statement() {
		for _, o := range c.unitStatement(p, us, text) {
			o.File, o.Line = file, line
			if o.Source == "" {
				o.Source = text
			}
			grade(o)
			c.objects = append(c.objects, o)
			out = append(out, o)
		}
	}
	return out
}

func (c *Converter) unitStatement(p *parsed, us plsql.IUnit_statementContext, text string) []*convert.Object {
	switch {
	case us.Create_procedure_body() != nil:
		return []*convert.Object{c.procedure(p, us.Create_procedure_body())}
	case us.Create_function_body() != nil:
		return []*convert.Object{c.function(p, us.Create_function_body())}
	case us.Create_trigger() != nil:
		return []*convert.Object{c.trigger(p, us.Create_trigger())}
	case us.Create_package() != nil:
		return []*convert.Object{c.packageSpec(p, us.Create_package())}
	case us.Create_package_body() != nil:
		return []*convert.Object{c.packageBody(p, us.Create_package_body())}
	case us.Anonymous_block() != nil:
		return []*convert.Object{c.anonymous(p, us.Anonymous_block())}
	case us.Alter_trigger() != nil:
		c.alterTrigger(p, us.Alter_trigger())
		return nil
	}
	o := &convert.Object{Kind: guessKind(text), Name: guessName(text), Status: convert.StatusManual}
	o.Items = append(o.Items, convert.ActionItem{Object: o.Name, Kind: o.Kind, Reason: "not a PL/SQL unit the converter handles", Source: text})
	return []*convert.Object{o}
}

func guessKind(text string) string {
	w := strings.Fields(strings.ToUpper(stripLeadingComments(text)))
	for i, x := range w {
		switch x {
		case "PROCEDURE", "FUNCTION", "TRIGGER":
			return strings.ToLower(x)
		case "PACKAGE":
			if i+1 < len(w) && w[i+1] == "BODY" {
				return "package body"
			}
			return "package"
		case "BEGIN", "DECLARE":
			return "anonymous block"
		}
		if i > 4 {
			break
		}
	}
	return "code"
}

func guessName(text string) string {
	w := strings.Fields(stripLeadingComments(text))
	for i, x := range w {
		switch strings.ToUpper(x) {
		case "PROCEDURE", "FUNCTION", "TRIGGER", "BODY":
			if i+1 < len(w) {
				n := w[i+1]
				if j := strings.IndexAny(n, "( ;"); j > 0 {
					n = n[:j]
				}
				return identPath(n)
			}
		case "PACKAGE":
			if i+1 < len(w) && !strings.EqualFold(w[i+1], "BODY") {
				return identPath(strings.TrimRight(w[i+1], ";"))
			}
		}
	}
	return ""
}

// grade sets the Status from the items and notes.
func grade(o *convert.Object) {
	suppliedRefs(o)
	switch {
	case len(o.Items) > 0:
		o.Status = convert.StatusManual
	case len(o.Notes) > 0:
		o.Status = convert.StatusWarnings
	default:
		o.Status = convert.StatusAuto
	}
	o.Depends = uniqSorted(o.Depends)
}

func uniqSorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	sort.Strings(s)
	out := s[:1]
	for _, x := range s[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// alterTrigger handles ALTER TRIGGER t ENABLE|DISABLE by amending the
// converted trigger.
func (c *Converter) alterTrigger(p *parsed, at plsql.IAlter_triggerContext) {
	name := identPath(p.text(at.GetAlter_trigger_name()))
	o, ok := c.triggers[name]
	if !ok {
		o = &convert.Object{Kind: "trigger", Name: name, Status: convert.StatusManual}
		o.Items = append(o.Items, convert.ActionItem{Object: name, Kind: "trigger", Reason: "ALTER TRIGGER of a trigger not created in these scripts", Source: p.text(at)})
		c.objects = append(c.objects, o)
		return
	}
	tab := c.trigTab[name]
	switch {
	case at.DISABLE() != nil:
		o.SQL = append(o.SQL, fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", tab, lastPart(name)))
		o.Notes = append(o.Notes, "the trigger is created disabled (ALTER TRIGGER ... DISABLE in the script), as in Oracle")
	case at.ENABLE() != nil:
		o.SQL = append(o.SQL, fmt.Sprintf("ALTER TABLE %s ENABLE TRIGGER %s", tab, lastPart(name)))
	default:
		o.Notes = append(o.Notes, "ALTER TRIGGER "+p.text(at)+" ignored (compilation or rename)")
	}
	grade(o)
}

func lastPart(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// text returns the original text of a parse node.
func (p *parsed) text(n antlr.ParserRuleContext) string {
	if n == nil || n.GetStart() == nil || n.GetStop() == nil {
		return ""
	}
	return p.tokens.GetTextFromInterval(antlr.NewInterval(n.GetStart().GetTokenIndex(), n.GetStop().GetTokenIndex()))
}

// suppliedRefs adds an action item for each member of an Oracle-supplied
// package (DBMS_*, UTL_*) the generated SQL still names, outside comments
// and string literals: no rule converted it (a function call in an
// expression, say), so PostgreSQL would fail where it is reached.
func suppliedRefs(o *convert.Object) {
	seen := map[string]bool{}
	for _, it := range o.Items {
		seen[strings.ToLower(it.Reason)] = true
	}
	mentioned := func(ref string) bool {
		for r := range seen {
			if strings.Contains(r, ref) {
				return true
			}
		}
		return false
	}
	for _, sql := range o.SQL {
		for _, ref := range suppliedNames(sql) {
			if mentioned(ref) {
				continue
			}
			pkg := ref[:strings.IndexByte(ref, '.')]
			reason := "uses " + ref + " of the Oracle-supplied package " + pkg + ": no PostgreSQL equivalent converted; rewrite it (PostgreSQL fails where it is reached)"
			seen[strings.ToLower(reason)] = true
			o.Items = append(o.Items, convert.ActionItem{Object: o.Name, Kind: o.Kind, Reason: reason, Source: ref})
		}
	}
}

// suppliedNames returns the dbms_x.y / utl_x.y names of sql (lower case,
// quoted or not, in order, once each), skipping comments and string
// literals.
func suppliedNames(sql string) []string {
	low := strings.ToLower(sql)
	// Tokens: identifiers (unquoted), "." and anything else as "".
	var toks []string
	for i := 0; i < len(low); i++ {
		switch c := low[i]; {
		case strings.HasPrefix(low[i:], "--"):
			for i < len(low) && low[i] != '\n' {
				i++
			}
		case c == '\'':
			for i++; i < len(low) && low[i] != '\''; i++ {
			}
			toks = append(toks, "")
		case c == '"':
			j := i + 1
			for j < len(low) && low[j] != '"' {
				j++
			}
			toks = append(toks, low[i+1:min(j, len(low))])
			i = j
		case c == '.':
			toks = append(toks, ".")
		case isIdentByte(c):
			j := i
			for j < len(low) && isIdentByte(low[j]) {
				j++
			}
			toks = append(toks, low[i:j])
			i = j - 1
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			toks = append(toks, "")
		}
	}
	var out []string
	seen := map[string]bool{}
	for k := 0; k+2 < len(toks); k++ {
		if (strings.HasPrefix(toks[k], "dbms_") || strings.HasPrefix(toks[k], "utl_")) && toks[k+1] == "." && toks[k+2] != "" && toks[k+2] != "." &&
			(k == 0 || toks[k-1] != ".") {
			ref := toks[k] + "." + toks[k+2]
			if !seen[ref] {
				seen[ref] = true
				out = append(out, ref)
			}
		}
	}
	return out
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c == '#' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}
