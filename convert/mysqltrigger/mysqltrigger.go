// Package mysqltrigger translates MySQL and MariaDB triggers into
// PostgreSQL trigger functions (PL/pgSQL) and triggers.
//
// The input is the trigger body as information_schema.TRIGGERS stores it
// (ACTION_STATEMENT): one statement or a BEGIN ... END block. The body is
// split into statements by a small tokenizer that respects strings, quoted
// identifiers and comments; each statement of the supported subset is
// translated, its SQL and expressions with the view translator
// (convert/mysqlview), so functions, operators and boolean columns are
// handled the same way as in views. The subset:
//
//   - BEGIN ... END blocks (optionally labelled, nested blocks are merged);
//   - SET NEW.col = expr [, NEW.col2 = expr2 ...] in BEFORE INSERT/UPDATE
//     triggers, which becomes NEW."col" := expr;
//   - INSERT (VALUES, SET and SELECT forms), single-table UPDATE and DELETE,
//     whose expressions may use NEW.col and OLD.col;
//   - IF cond THEN ... [ELSEIF cond THEN ...] [ELSE ...] END IF.
//
// The trigger function returns NEW in BEFORE INSERT/UPDATE triggers, OLD
// in BEFORE DELETE triggers and NULL in AFTER triggers, so rows are
// written as in MySQL.
//
// Anything else (DECLARE, cursors, loops, CASE statements, SIGNAL, CALL,
// SELECT ... INTO, user variables, LEAVE, ...) makes Translate return an
// error naming the statement or construct, for example "unsupported
// statement in trigger body: SIGNAL SQLSTATE '45000' ...".
//
// Differences that remain: PostgreSQL fires several triggers of one table,
// timing and event in the alphabetical order of their names, MySQL in
// creation order (ACTION_ORDER); PostgreSQL also fires triggers for rows
// changed by foreign key cascades, MySQL does not; the translated
// expressions differ from MySQL as documented in convert/mysqlview.
package mysqltrigger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferrydb/ferry/catalog"
	"github.com/ferrydb/ferry/convert/mysqlview"
)

// Options controls name mapping.
type Options struct {
	// TargetSchema is the PostgreSQL schema of the table and of the trigger
	// function.
	TargetSchema string
	// Ident maps a MySQL identifier to PostgreSQL identifier text, already
	// quoted (as mysqlview.Options.Ident). If nil, mysqlview.QuoteIdent is
	// used.
	Ident func(string) string
	// Table returns the quoted target table reference for a MySQL table of
	// the trigger's database, e.g. "public"."film". If nil, tables are
	// TargetSchema-qualified names mapped with Ident.
	Table func(name string) string
	// BoolColumns lists the tinyint(1) columns that became boolean, as in
	// mysqlview.Options ("table.column", lowercase).
	BoolColumns map[string]bool
}

// Translate returns the statements that create the trigger in PostgreSQL:
// CREATE OR REPLACE FUNCTION ... RETURNS trigger, then CREATE OR REPLACE
// TRIGGER (PostgreSQL 14 or later). The function is called
// <table>_<trigger>_fn (cut to 63 bytes) and lives in TargetSchema; the
// trigger keeps the MySQL name. Bodies outside the supported subset give an
// error that names the unsupported statement or construct.
func Translate(t *catalog.Trigger, opt Options) ([]string, error) {
	timing := strings.ToUpper(strings.TrimSpace(t.Timing))
	event := strings.ToUpper(strings.TrimSpace(t.Event))
	if timing != "BEFORE" && timing != "AFTER" {
		return nil, fmt.Errorf("unsupported trigger timing %q", t.Timing)
	}
	if event != "INSERT" && event != "UPDATE" && event != "DELETE" {
		return nil, fmt.Errorf("unsupported trigger event %q", t.Event)
	}
	ident := opt.Ident
	if ident == nil {
		ident = mysqlview.QuoteIdent
	}
	table := opt.Table
	if table == nil {
		table = func(name string) string {
			if opt.TargetSchema != "" {
				return mysqlview.QuoteIdent(opt.TargetSchema) + "." + ident(name)
			}
			return ident(name)
		}
	}
	toks, err := lex(t.Definition)
	if err != nil {
		return nil, err
	}
	p := &parser{
		src: t.Definition, toks: toks, timing: timing, event: event, table: t.Table,
		vopt: mysqlview.Options{
			SourceSchema: t.Schema, TargetSchema: opt.TargetSchema, Ident: ident,
			BoolColumns: opt.BoolColumns, Table: table, TriggerTable: t.Table,
		},
	}
	body, err := p.body()
	if err != nil {
		return nil, err
	}
	switch {
	case timing == "AFTER":
		body = append(body, "  RETURN NULL;")
	case event == "DELETE":
		body = append(body, "  RETURN OLD;")
	default:
		body = append(body, "  RETURN NEW;")
	}
	text := strings.Join(body, "\n")
	tag := "$ferry$"
	for n := 1; strings.Contains(text, tag); n++ {
		tag = fmt.Sprintf("$ferry%d$", n)
	}
	fn := ident(truncIdent(t.Table + "_" + t.Name + "_fn"))
	if opt.TargetSchema != "" {
		fn = mysqlview.QuoteIdent(opt.TargetSchema) + "." + fn
	}
	return []string{
		// use_column: a column that has the name of a PL/pgSQL variable
		// (FOUND, TG_OP, ...) means the column, as in MySQL.
		fmt.Sprintf("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %s\n#variable_conflict use_column\nBEGIN\n%s\nEND\n%s",
			fn, tag, text, tag),
		fmt.Sprintf("CREATE OR REPLACE TRIGGER %s %s %s ON %s FOR EACH ROW EXECUTE FUNCTION %s()",
			ident(t.Name), timing, event, table(t.Table), fn),
	}, nil
}

// truncIdent cuts a name to PostgreSQL's 63 bytes without splitting a UTF-8
// sequence.
func truncIdent(s string) string {
	if len(s) <= 63 {
		return s
	}
	cut := 63
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}

// parser walks the tokens of a trigger body and emits PL/pgSQL lines.
type parser struct {
	src           string
	toks          []token
	pos           int
	timing, event string
	table         string // MySQL table of the trigger
	vopt          mysqlview.Options
}

func (p *parser) eof() bool { return p.pos >= len(p.toks) }

// cur returns the current token, or a zero token at the end.
func (p *parser) cur() token {
	if p.eof() {
		return token{kind: tPunct}
	}
	return p.toks[p.pos]
}

// peek returns the token n places ahead.
func (p *parser) peek(n int) token {
	if p.pos+n >= len(p.toks) {
		return token{kind: tPunct}
	}
	return p.toks[p.pos+n]
}

// body parses the whole trigger body: one statement, usually BEGIN ... END.
func (p *parser) body() ([]string, error) {
	if p.eof() {
		return nil, errors.New("empty trigger body")
	}
	lines, err := p.statement(1)
	if err != nil {
		return nil, err
	}
	if p.cur().isPunct(";") {
		p.pos++
	}
	if !p.eof() {
		return nil, fmt.Errorf("unexpected text after the trigger body: %s", shorten(p.src[p.cur().start:]))
	}
	return lines, nil
}

// list parses statements, each ending with a semicolon, up to END, ELSE,
// ELSEIF or the end of the body.
func (p *parser) list(depth int) ([]string, error) {
	var lines []string
	for !p.eof() {
		t := p.cur()
		if t.is("end") || t.is("else") || t.is("elseif") {
			break
		}
		l, err := p.statement(depth)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l...)
		if !p.cur().isPunct(";") {
			if p.eof() {
				return nil, errors.New("trigger body ends inside a block")
			}
			return nil, fmt.Errorf("expected ; in trigger body before: %s", shorten(p.src[p.cur().start:]))
		}
		p.pos++
	}
	return lines, nil
}

// statement parses one statement, without its terminating semicolon.
func (p *parser) statement(depth int) ([]string, error) {
	start := p.pos
	t := p.cur()
	if (t.kind == tWord || t.kind == tIdent) && p.peek(1).isPunct(":") && p.peek(2).is("begin") {
		p.pos += 2 // a label; LEAVE and ITERATE are not supported, so it is not needed
		t = p.cur()
	}
	if t.kind != tWord {
		return nil, p.unsupported(start)
	}
	switch t.low {
	case "begin":
		return p.block(depth, start)
	case "if":
		return p.ifStmt(depth)
	case "set":
		return p.set(depth, start)
	case "insert", "update", "delete", "replace":
		end := p.stmtEnd()
		text := p.src[t.start:p.toks[end-1].end]
		sql, err := mysqlview.TranslateDML(text, p.vopt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shorten(text), err)
		}
		p.pos = end
		return []string{indent(depth) + sql + ";"}, nil
	}
	return nil, p.unsupported(start)
}

// block parses BEGIN ... END [label]. A nested block without declarations
// only groups statements, so its statements join the enclosing list.
func (p *parser) block(depth, start int) ([]string, error) {
	p.pos++ // BEGIN
	if p.cur().is("not") && p.peek(1).is("atomic") {
		p.pos += 2 // MariaDB's BEGIN NOT ATOMIC
	}
	lines, err := p.list(depth)
	if err != nil {
		return nil, err
	}
	if !p.cur().is("end") {
		return nil, p.unexpected("END")
	}
	p.pos++
	if t := p.cur(); (t.kind == tWord || t.kind == tIdent) && (p.peek(1).isPunct(";") || p.pos+1 == len(p.toks)) {
		p.pos++ // END label
	}
	return lines, nil
}

// ifStmt parses IF ... END IF.
func (p *parser) ifStmt(depth int) ([]string, error) {
	var lines []string
	kw := "IF"
	for {
		p.pos++ // IF or ELSEIF
		cond, err := p.condition()
		if err != nil {
			return nil, err
		}
		lines = append(lines, indent(depth)+kw+" "+cond+" THEN")
		l, err := p.list(depth + 1)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l...)
		if !p.cur().is("elseif") {
			break
		}
		kw = "ELSIF"
	}
	if p.cur().is("else") {
		p.pos++
		lines = append(lines, indent(depth)+"ELSE")
		l, err := p.list(depth + 1)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l...)
	}
	if !p.cur().is("end") || !p.peek(1).is("if") {
		return nil, p.unexpected("END IF")
	}
	p.pos += 2
	return append(lines, indent(depth)+"END IF;"), nil
}

// condition translates the condition of IF or ELSEIF, up to THEN. THEN
// inside parentheses or a CASE expression belongs to the expression.
func (p *parser) condition() (string, error) {
	start := p.pos
	parens, cases := 0, 0
	for ; !p.eof(); p.pos++ {
		t := p.cur()
		switch {
		case t.isPunct("("):
			parens++
		case t.isPunct(")"):
			parens--
		case t.isPunct(";"):
			return "", p.unexpected("THEN")
		case t.is("case"):
			cases++
		case t.is("end") && cases > 0:
			cases--
		case t.is("then") && parens == 0 && cases == 0:
			if p.pos == start {
				return "", errors.New("IF without a condition in trigger body")
			}
			text := p.src[p.toks[start].start:p.toks[p.pos-1].end]
			p.pos++
			c, err := mysqlview.TranslateCond(text, p.vopt)
			if err != nil {
				return "", fmt.Errorf("IF %s: %w", shorten(text), err)
			}
			if strings.Contains(strings.ToUpper(c), "THEN") {
				// PL/pgSQL ends the condition at the first THEN outside
				// parentheses, even one of a CASE expression.
				c = "(" + c + ")"
			}
			return c, nil
		}
	}
	return "", p.unexpected("THEN")
}

// set parses SET NEW.col = expr [, NEW.col = expr ...].
func (p *parser) set(depth, start int) ([]string, error) {
	end := p.stmtEnd()
	var lines []string
	i := p.pos + 1
	for i < end {
		// One assignment: NEW . col (= | :=) expr, up to a comma outside
		// parentheses.
		j, parens := i, 0
		for ; j < end; j++ {
			t := p.toks[j]
			if t.isPunct("(") {
				parens++
			} else if t.isPunct(")") {
				parens--
			} else if t.isPunct(",") && parens == 0 {
				break
			}
		}
		if j-i < 5 || !p.toks[i].is("new") || !p.toks[i+1].isPunct(".") ||
			(p.toks[i+2].kind != tWord && p.toks[i+2].kind != tIdent) ||
			!(p.toks[i+3].isPunct("=") || p.toks[i+3].isPunct(":=")) {
			return nil, p.unsupported(start)
		}
		col := p.toks[i+2].name()
		if p.timing != "BEFORE" || p.event == "DELETE" {
			return nil, fmt.Errorf("SET NEW.%s in a %s %s trigger: NEW can only be set in BEFORE INSERT and BEFORE UPDATE triggers", col, p.timing, p.event)
		}
		text := p.src[p.toks[i+4].start:p.toks[j-1].end]
		e, err := mysqlview.TranslateAssigned(text, p.table, col, p.vopt)
		if err != nil {
			return nil, fmt.Errorf("SET NEW.%s = %s: %w", col, shorten(text), err)
		}
		lines = append(lines, indent(depth)+"NEW."+p.vopt.Ident(col)+" := "+e+";")
		i = j + 1
	}
	if len(lines) == 0 {
		return nil, p.unsupported(start)
	}
	p.pos = end
	return lines, nil
}

// stmtEnd returns the index of the semicolon that ends the statement at
// the current token (outside parentheses), or the number of tokens.
func (p *parser) stmtEnd() int {
	parens := 0
	for i := p.pos; i < len(p.toks); i++ {
		t := p.toks[i]
		switch {
		case t.isPunct("("):
			parens++
		case t.isPunct(")"):
			parens--
		case t.isPunct(";") && parens <= 0:
			return i
		}
	}
	return len(p.toks)
}

// unsupported reports the statement starting at token start.
func (p *parser) unsupported(start int) error {
	save := p.pos
	p.pos = start
	end := p.stmtEnd()
	p.pos = save
	text := ""
	if end > start {
		text = p.src[p.toks[start].start:p.toks[end-1].end]
	}
	return fmt.Errorf("unsupported statement in trigger body: %s", shorten(text))
}

func (p *parser) unexpected(want string) error {
	if p.eof() {
		return fmt.Errorf("expected %s, trigger body ends", want)
	}
	return fmt.Errorf("expected %s in trigger body before: %s", want, shorten(p.src[p.cur().start:]))
}

func indent(depth int) string { return strings.Repeat("  ", depth) }
