// Package oraclescript reads the data of Oracle INSERT scripts: the
// statements of a sqlplus.Reader become rows of typed values.
//
// It understands INSERT INTO t [(cols)] VALUES (...), INSERT ALL ...
// SELECT ... FROM dual, and anonymous PL/SQL blocks made of such INSERTs
// with variables assigned literal expressions (the Oracle sample schemas
// wrap their INSERTs in BEGIN ... END; blocks). Values are Oracle
// literals and constant expressions: strings (” inside, q'[...]',
// N'...'; ” is NULL as in Oracle), numbers (1e3, .5, -2, 1.5D/F), NULL,
// DATE '...', TIMESTAMP '...', TO_DATE/TO_TIMESTAMP[_TZ] with format
// masks (convert/oramask), TO_NUMBER, TO_CHAR, UTL_RAW.CAST_TO_RAW,
// HEXTORAW, CHR, NVL, EMPTY_[BC]LOB(), SYSDATE/SYSTIMESTAMP ± days,
// || concatenation and arithmetic on numbers. ALTER SESSION SET
// NLS_DATE_FORMAT / NLS_TIMESTAMP_FORMAT / NLS_TIMESTAMP_TZ_FORMAT set
// the masks used for TO_DATE without a mask.
//
// Anything else is classified, not run: SQL*Plus commands, COMMIT, SET
// TRANSACTION, ALTER SESSION and queries are Ignored, CREATE/ALTER/DROP/
// TRUNCATE/GRANT/COMMENT are DDL, and UPDATE, DELETE, MERGE or PL/SQL
// beyond the above are errors naming file:line.
package oraclescript

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferrydb/ferry/convert/oramask"
	"github.com/ferrydb/ferry/source/sqlplus"
)

// Kind is the type of a Value.
type Kind int

// Value kinds.
const (
	Null      Kind = iota
	String         // Str holds the text
	Number         // Str holds a decimal literal ("-1.5", "1e3")
	Date           // Time; an Oracle DATE (second precision)
	Timestamp      // Time; Zone says whether it carries a time zone
	Raw            // Bytes
)

func (k Kind) String() string {
	return [...]string{"NULL", "string", "number", "date", "timestamp", "raw"}[k]
}

// Value is one constant.
type Value struct {
	Kind  Kind
	Str   string
	Bytes []byte
	Time  time.Time
	Zone  bool
}

// Ident is an identifier as written: unquoted ones are upper-case
// (Oracle folds them), quoted ones keep their case.
type Ident struct {
	Name   string
	Quoted bool
}

// PG is the PostgreSQL name: unquoted Oracle names fold to lower case
// (the converter's convention), quoted ones stay as they are.
func (i Ident) PG() string {
	if i.Quoted {
		return i.Name
	}
	return strings.ToLower(i.Name)
}

// Insert is one row to insert.
type Insert struct {
	Schema  Ident // empty Name when unqualified
	Table   Ident
	Columns []Ident // nil: all columns in table order
	Values  []Value
	File    string
	Line    int
}

// Pos is "file:line".
func (in *Insert) Pos() string { return fmt.Sprintf("%s:%d", in.File, in.Line) }

// Action says what a statement was.
type Action int

// Actions.
const (
	Data    Action = iota // rows were emitted
	Ignored               // nothing to load (COMMIT, SET, ALTER SESSION, SQL*Plus commands, queries)
	DDL                   // schema change, not run by a data load
)

// Session holds what earlier statements set: NLS masks, and the time
// SYSDATE stands for.
type Session struct {
	Now               time.Time
	DateFormat        string // NLS_DATE_FORMAT
	TimestampFormat   string // NLS_TIMESTAMP_FORMAT
	TimestampTZFormat string // NLS_TIMESTAMP_TZ_FORMAT
	masks             map[string][]oramask.Token
}

// NewSession returns Oracle's default (AMERICA) NLS settings; SYSDATE is
// now (in UTC, to the second).
func NewSession(now time.Time) *Session {
	return &Session{
		Now:               now.UTC().Truncate(time.Second),
		DateFormat:        "DD-MON-RR",
		TimestampFormat:   "DD-MON-RR HH.MI.SSXFF AM",
		TimestampTZFormat: "DD-MON-RR HH.MI.SSXFF AM TZR",
	}
}

var ddlWords = map[string]bool{
	"CREATE": true, "ALTER": true, "DROP": true, "TRUNCATE": true, "GRANT": true, "REVOKE": true,
	"COMMENT": true, "RENAME": true, "PURGE": true, "ANALYZE": true, "AUDIT": true, "NOAUDIT": true, "FLASHBACK": true, "ASSOCIATE": true, "DISASSOCIATE": true,
}

// Statement reads st and calls emit for each row it inserts.
func (s *Session) Statement(st sqlplus.Statement, emit func(*Insert) error) (Action, error) {
	if st.Kind == sqlplus.Command {
		return Ignored, nil
	}
	toks, err := lex(st.Text)
	if err != nil {
		return Ignored, s.posErr(st, err)
	}
	p := &parser{toks: toks, st: st, s: s, vars: map[string]Value{}, emit: emit}
	act, err := p.statement()
	if err != nil {
		return act, s.posErr(st, err)
	}
	return act, nil
}

// emitError is an error of the emit callback, returned as it is (it
// names its row's position itself).
type emitError struct{ error }

func (e emitError) Unwrap() error { return e.error }

func (s *Session) posErr(st sqlplus.Statement, err error) error {
	var ee emitError
	if errors.As(err, &ee) {
		return ee.error
	}
	var pe *posError
	if errors.As(err, &pe) {
		line := st.Line + strings.Count(st.Text[:min(pe.pos, len(st.Text))], "\n")
		return fmt.Errorf("%s:%d: %s", st.File, line, pe.msg)
	}
	return fmt.Errorf("%s: %w", st.Pos(), err)
}

type parser struct {
	toks []token
	i    int
	st   sqlplus.Statement
	s    *Session
	vars map[string]Value
	emit func(*Insert) error
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) is(kind tokKind, text string) bool {
	t := p.peek()
	return t.kind == kind && t.text == text
}

func (p *parser) accept(kind tokKind, text string) bool {
	if p.is(kind, text) {
		p.i++
		return true
	}
	return false
}

func (p *parser) errf(t token, format string, args ...any) error {
	return &posError{pos: t.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(kind tokKind, text string) error {
	if !p.accept(kind, text) {
		t := p.peek()
		return p.errf(t, "expected %q, found %s", text, describe(t))
	}
	return nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the statement"
	case tString:
		return fmt.Sprintf("string '%s'", short(t.text))
	}
	return fmt.Sprintf("%q", short(t.text))
}

func short(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

func (p *parser) line(t token) int {
	return p.st.Line + strings.Count(p.st.Text[:min(t.pos, len(p.st.Text))], "\n")
}

func (p *parser) statement() (Action, error) {
	t := p.peek()
	if t.kind != tIdent {
		return Ignored, p.errf(t, "cannot read a statement starting with %s", describe(t))
	}
	switch t.text {
	case "INSERT":
		return Data, p.insert()
	case "DECLARE", "BEGIN":
		return Data, p.block()
	case "COMMIT", "ROLLBACK", "SAVEPOINT", "SELECT", "WITH", "SET", "LOCK", "EXPLAIN", "CALL":
		if t.text == "ROLLBACK" {
			return Ignored, p.errf(t, "ROLLBACK in a data script: the rows before it would not be in Oracle; remove the rows or the ROLLBACK")
		}
		return Ignored, nil
	case "ALTER":
		if len(p.toks) > 2 && p.toks[1].text == "SESSION" {
			return Ignored, p.alterSession()
		}
		return DDL, nil
	case "UPDATE", "DELETE", "MERGE", "UPSERT":
		return Ignored, p.errf(t, "%s cannot be loaded: only INSERT statements are (apply it after the load)", t.text)
	}
	if ddlWords[t.text] {
		return DDL, nil
	}
	return Ignored, p.errf(t, "unsupported statement %s in a data script", t.text)
}

// alterSession picks up NLS_*_FORMAT settings.
func (p *parser) alterSession() error {
	for p.peek().kind != tEOF {
		t := p.next()
		if t.kind != tIdent || !p.accept(tOp, "=") {
			continue
		}
		v := p.next()
		if v.kind != tString {
			continue
		}
		switch t.text {
		case "NLS_DATE_FORMAT":
			p.s.DateFormat = v.text
		case "NLS_TIMESTAMP_FORMAT":
			p.s.TimestampFormat = v.text
		case "NLS_TIMESTAMP_TZ_FORMAT":
			p.s.TimestampTZFormat = v.text
		}
	}
	return nil
}

// block reads an anonymous block of INSERTs and assignments.
func (p *parser) block() error {
	if p.accept(tIdent, "DECLARE") {
		for !p.is(tIdent, "BEGIN") {
			if err := p.declaration(); err != nil {
				return err
			}
		}
	}
	if err := p.expect(tIdent, "BEGIN"); err != nil {
		return err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return p.errf(t, "block has no END")
		case p.accept(tIdent, "END"):
			if p.peek().kind == tIdent { // END label
				p.next()
			}
			p.accept(tOp, ";")
			if t := p.peek(); t.kind != tEOF {
				return p.errf(t, "unexpected %s after the END of the block", describe(t))
			}
			return nil
		case p.accept(tOp, ";"):
		case t.kind == tIdent && t.text == "INSERT":
			if err := p.insert(); err != nil {
				return err
			}
			if err := p.expect(tOp, ";"); err != nil {
				return err
			}
		case t.kind == tIdent && (t.text == "NULL" || t.text == "COMMIT"):
			p.next()
			if err := p.expect(tOp, ";"); err != nil {
				return err
			}
		case t.kind == tIdent && t.text == "DBMS_OUTPUT":
			for !p.accept(tOp, ";") {
				if p.next().kind == tEOF {
					return p.errf(t, "DBMS_OUTPUT call never ends")
				}
			}
		case t.kind == tIdent && p.toks[p.i+1].text == ":=":
			p.i += 2
			v, err := p.expr()
			if err != nil {
				return err
			}
			if _, ok := p.vars[t.text]; !ok {
				return p.errf(t, "assignment to %s, which is not declared", t.text)
			}
			p.vars[t.text] = v
			if err := p.expect(tOp, ";"); err != nil {
				return err
			}
		default:
			return p.errf(t, "unsupported PL/SQL in a data script at %s: only INSERT, assignments of constant expressions, NULL and COMMIT can be loaded", describe(t))
		}
	}
}

// declaration reads "name [CONSTANT] type [NOT NULL] [:= | DEFAULT expr];".
func (p *parser) declaration() error {
	t := p.next()
	if t.kind != tIdent {
		return p.errf(t, "expected a variable declaration, found %s", describe(t))
	}
	v := Value{}
	for {
		u := p.peek()
		switch {
		case u.kind == tEOF:
			return p.errf(t, "declaration of %s never ends", t.text)
		case p.accept(tOp, ";"):
			p.vars[t.text] = v
			return nil
		case u.kind == tOp && u.text == ":=" || u.kind == tIdent && u.text == "DEFAULT":
			p.next()
			var err error
			if v, err = p.expr(); err != nil {
				return err
			}
		case u.kind == tIdent && (u.text == "CURSOR" || u.text == "PROCEDURE" || u.text == "FUNCTION" || u.text == "TYPE"):
			return p.errf(u, "unsupported declaration %s in a data script", u.text)
		default:
			p.next()
		}
	}
}

func (p *parser) name() (Ident, error) {
	t := p.next()
	switch t.kind {
	case tIdent:
		return Ident{Name: t.text}, nil
	case tQIdent:
		return Ident{Name: t.text, Quoted: true}, nil
	}
	return Ident{}, p.errf(t, "expected a name, found %s", describe(t))
}

// insert reads INSERT INTO ... VALUES (...) or INSERT ALL.
func (p *parser) insert() error {
	start := p.next() // INSERT
	if p.accept(tIdent, "ALL") {
		var rows []*Insert
		for p.is(tIdent, "INTO") {
			in, err := p.into(start)
			if err != nil {
				return err
			}
			rows = append(rows, in)
		}
		if len(rows) == 0 {
			return p.errf(p.peek(), "INSERT ALL without INTO")
		}
		if err := p.expect(tIdent, "SELECT"); err != nil {
			return err
		}
		// Only a SELECT from DUAL yields exactly one row per INTO.
		dual := false
		for p.peek().kind != tEOF && !p.is(tOp, ";") {
			if t := p.next(); t.kind == tIdent && t.text == "DUAL" {
				dual = true
			} else if t.kind == tIdent && (t.text == "WHERE" || t.text == "UNION" || t.text == "CONNECT") {
				dual = false
				break
			}
		}
		if !dual {
			return p.errf(start, "INSERT ALL ... SELECT must select from DUAL to be loaded from a script")
		}
		for _, in := range rows {
			if err := p.emit(in); err != nil {
				return emitError{err}
			}
		}
		return nil
	}
	if p.is(tIdent, "FIRST") {
		return p.errf(start, "INSERT FIRST cannot be loaded from a script")
	}
	in, err := p.into(start)
	if err != nil {
		return err
	}
	if err := p.emit(in); err != nil {
		return emitError{err}
	}
	return nil
}

// into reads INTO [schema.]table [alias] [(cols)] VALUES (exprs).
func (p *parser) into(start token) (*Insert, error) {
	if err := p.expect(tIdent, "INTO"); err != nil {
		return nil, err
	}
	in := &Insert{File: p.st.File, Line: p.line(start)}
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	in.Table = n
	if p.accept(tOp, ".") {
		in.Schema = n
		if in.Table, err = p.name(); err != nil {
			return nil, err
		}
	}
	if p.is(tOp, "@") {
		return nil, p.errf(p.peek(), "INSERT into a database link cannot be loaded")
	}
	if t := p.peek(); (t.kind == tIdent && t.text != "VALUES" && t.text != "SELECT") || t.kind == tQIdent {
		p.next() // alias
	}
	if p.accept(tOp, "(") {
		for {
			c, err := p.name()
			if err != nil {
				return nil, err
			}
			for p.accept(tOp, ".") { // t.col
				if c, err = p.name(); err != nil {
					return nil, err
				}
			}
			in.Columns = append(in.Columns, c)
			if p.accept(tOp, ")") {
				break
			}
			if err := p.expect(tOp, ","); err != nil {
				return nil, err
			}
		}
	}
	if p.is(tIdent, "SELECT") || p.is(tIdent, "WITH") {
		return nil, p.errf(p.peek(), "INSERT ... SELECT cannot be loaded from a script: only VALUES rows can")
	}
	if err := p.expect(tIdent, "VALUES"); err != nil {
		return nil, err
	}
	if err := p.expect(tOp, "("); err != nil {
		return nil, err
	}
	for {
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		in.Values = append(in.Values, v)
		if p.accept(tOp, ")") {
			break
		}
		if err := p.expect(tOp, ","); err != nil {
			return nil, err
		}
	}
	if in.Columns != nil && len(in.Columns) != len(in.Values) {
		return nil, p.errf(start, "%d columns but %d values", len(in.Columns), len(in.Values))
	}
	return in, nil
}
