// Package sqlplus reads SQL*Plus scripts one statement at a time.
//
// A Reader splits a script the way SQL*Plus runs it: SQL statements end at
// ';' (outside quotes, q'[...]' quotes and comments) or at a line holding
// only '/'; PL/SQL blocks (CREATE [OR REPLACE] PROCEDURE, FUNCTION,
// PACKAGE [BODY], TRIGGER, TYPE [BODY], LIBRARY, JAVA, and anonymous
// DECLARE/BEGIN blocks) end at a line holding only '/'. SQL*Plus commands
// (SET, PROMPT, DEFINE, SPOOL, WHENEVER, ...) are one line (continued by a
// trailing '-') and come back as Kind Command; REM lines and whole-line
// comments between statements are dropped, comments inside a statement
// are kept in its text. @file, @@file and START include other scripts
// (@@ relative to the including file, @ relative to the current
// directory, then to the including file; ".sql" appended when the name
// has no extension); include cycles are errors. Substitution variables
// (&var, &&var, &1, with '.' ending a name) are replaced in every line of
// a statement or command, SET DEFINE OFF/ON/<char> and DEFINE/UNDEFINE/
// ACCEPT ... DEFAULT are honoured.
//
// Deliberate differences from SQL*Plus, chosen for a converter:
//   - ';' ends a statement anywhere on a line, so "a; b;" is two
//     statements (SQL*Plus only looks at the end of the line).
//   - EXEC[UTE] call comes back as Kind PLSQL with the text
//     "BEGIN call; END;" (what SQL*Plus sends to the server).
//   - A PL/SQL block at the end of a file without its '/' is still
//     returned (SQL*Plus would drop it silently).
//   - With SET SQLBLANKLINES OFF (the default), a blank line inside a SQL
//     statement ends it without running it, like SQL*Plus; a following '/'
//     runs it. A statement dropped that way is logged as a warning.
//
// Memory is bounded by one statement: lines are read as needed.
package sqlplus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Kind says what a Statement is.
type Kind int

// Statement kinds.
const (
	SQL     Kind = iota // a SQL statement, ended by ';' or '/'
	PLSQL               // a PL/SQL block or stored unit, ended by '/'
	Command             // a SQL*Plus command (SET, PROMPT, ...)
)

func (k Kind) String() string {
	switch k {
	case SQL:
		return "SQL"
	case PLSQL:
		return "PL/SQL"
	case Command:
		return "command"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Statement is one statement of a script.
type Statement struct {
	// Text is the statement without its terminator (';' for SQL, the '/'
	// line for PL/SQL blocks), substitutions applied. For a Command it is
	// the whole command (continuation lines joined with "\n").
	Text    string
	File    string // path of the file it came from (includes resolved)
	Line    int    // 1-based line of its first token
	EndLine int    // line of its last text (the terminator's line for ';')
	Kind    Kind
	// Command is, for Kind == Command, the upper-case command word with
	// abbreviations expanded (PROMPT, SET, DEFINE, SPOOL, WHENEVER, ...).
	Command string
}

// Pos is "file:line" for messages.
func (s Statement) Pos() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// UndefinedPolicy says what to do with a reference to an undefined
// substitution variable.
type UndefinedPolicy int

// Undefined policies.
const (
	UndefinedError UndefinedPolicy = iota // fail, naming file:line and the variable (default)
	UndefinedKeep                         // leave "&var" in the text
	UndefinedEmpty                        // replace with the empty string
)

// Options tune a Reader.
type Options struct {
	// Defines are substitution variables (&var, &&var, &1); names are
	// case-insensitive. DEFINE and ACCEPT ... DEFAULT in a script add to
	// them (in the Reader's own copy).
	Defines map[string]string
	// Undefined is what to do with an undefined &var (error by default).
	Undefined UndefinedPolicy
	// NoSubstitution starts as if the script began with SET DEFINE OFF.
	NoSubstitution bool
	// Logger receives warnings (dropped statements); nil means
	// slog.Default().
	Logger *slog.Logger
}

// Reader reads the statements of a script and the scripts it includes.
type Reader struct {
	opt    Options
	log    *slog.Logger
	defs   map[string]string
	frames []*frame
	// defineChar is the substitution prefix, 0 when SET DEFINE OFF.
	defineChar byte
	concat     byte
	blankLines bool // SET SQLBLANKLINES ON
	// pending is the rest of a line after a ';' to read again.
	pending *line
	// buffered is a SQL statement ended by a blank line: a following '/'
	// runs it.
	buffered *Statement
	done     bool
}

type frame struct {
	name string // as shown in positions
	abs  string // absolute path, for cycle detection ("" for NewReader)
	dir  string
	br   *bufio.Reader
	c    io.Closer
	line int
	eof  bool
}

type line struct {
	text string
	fr   *frame
	no   int
	// col is the byte offset of text in the physical line (for a line
	// continued after a ';').
	col int
}

// Open opens a script file. Directories are the caller's business (see
// ReadAll).
func Open(path string, opt Options) (*Reader, error) {
	r := newReader(opt)
	if err := r.push(path, ""); err != nil {
		return nil, err
	}
	return r, nil
}

// NewReader reads a script from rd; name is used in positions and to
// resolve @@ includes (relative to its directory).
func NewReader(rd io.Reader, name string, opt Options) *Reader {
	r := newReader(opt)
	r.frames = append(r.frames, &frame{name: name, dir: filepath.Dir(name), br: bufio.NewReaderSize(rd, 64<<10)})
	return r
}

func newReader(opt Options) *Reader {
	r := &Reader{opt: opt, defs: map[string]string{}, defineChar: '&', concat: '.'}
	for k, v := range opt.Defines {
		r.defs[strings.ToUpper(k)] = v
	}
	if opt.NoSubstitution {
		r.defineChar = 0
	}
	r.log = opt.Logger
	if r.log == nil {
		r.log = slog.Default()
	}
	return r
}

// Close closes every open file.
func (r *Reader) Close() error {
	var errs []error
	for _, f := range r.frames {
		if f.c != nil {
			errs = append(errs, f.c.Close())
		}
	}
	r.frames = nil
	r.done = true
	return errors.Join(errs...)
}

// ReadAll reads every statement of the scripts at paths (a directory
// stands for its *.sql files in name order). For small scripts; use a
// Reader to stream big ones. Every path gets a fresh Reader: DEFINEs do
// not carry over from one path to the next.
func ReadAll(paths []string, opt Options) ([]Statement, error) {
	var out []Statement
	files, err := ExpandPaths(paths)
	if err != nil {
		return nil, err
	}
	for _, p := range files {
		r, err := Open(p, opt)
		if err != nil {
			return out, err
		}
		for {
			st, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				r.Close()
				return out, err
			}
			out = append(out, st)
		}
		if err := r.Close(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ExpandPaths replaces each directory in paths by its *.sql files (case
// insensitive suffix) in name order.
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("sqlplus: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("sqlplus: %w", err)
		}
		var names []string
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(strings.ToLower(e.Name()), ".sql") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, filepath.Join(p, n))
		}
	}
	return out, nil
}

// push opens path and makes it the current file. from is the position of
// the include, for messages.
func (r *Reader) push(path, from string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlplus: %w", err)
	}
	for _, f := range r.frames {
		if f.abs == abs {
			chain := make([]string, 0, len(r.frames)+1)
			for _, g := range r.frames {
				chain = append(chain, g.name)
			}
			chain = append(chain, path)
			return fmt.Errorf("%s: include cycle: %s", from, strings.Join(chain, " -> "))
		}
	}
	fh, err := os.Open(path)
	if err != nil {
		if from != "" {
			return fmt.Errorf("%s: include: %w", from, err)
		}
		return fmt.Errorf("sqlplus: %w", err)
	}
	r.frames = append(r.frames, &frame{name: path, abs: abs, dir: filepath.Dir(path), br: bufio.NewReaderSize(fh, 64<<10), c: fh})
	return nil
}

// readLine returns the next physical line (without its end of line) of
// the innermost open file, popping finished includes; io.EOF at the end.
func (r *Reader) readLine() (line, error) {
	if r.pending != nil {
		l := *r.pending
		r.pending = nil
		return l, nil
	}
	for len(r.frames) > 0 {
		f := r.frames[len(r.frames)-1]
		if !f.eof {
			s, err := f.br.ReadString('\n')
			if err != nil && err != io.EOF {
				return line{}, fmt.Errorf("%s:%d: read: %w", f.name, f.line+1, err)
			}
			if err == io.EOF {
				f.eof = true
				if s == "" {
					continue
				}
			}
			f.line++
			s = strings.TrimSuffix(s, "\n")
			s = strings.TrimSuffix(s, "\r")
			return line{text: s, fr: f, no: f.line}, nil
		}
		if f.c != nil {
			_ = f.c.Close()
		}
		r.frames = r.frames[:len(r.frames)-1]
		// A file boundary ends whatever was buffered.
		return line{fr: f, no: -1}, nil
	}
	return line{}, io.EOF
}

// Next returns the next statement, io.EOF at the end.
func (r *Reader) Next() (Statement, error) {
	if r.done {
		return Statement{}, io.EOF
	}
	for {
		l, err := r.readLine()
		if err == io.EOF {
			r.dropBuffered()
			r.done = true
			return Statement{}, io.EOF
		}
		if err != nil {
			return Statement{}, err
		}
		if l.no < 0 { // end of an included file
			r.dropBuffered()
			continue
		}
		t := strings.TrimSpace(l.text)
		switch {
		case t == "":
			continue
		case t == "/":
			// Runs the buffer: a statement ended by a blank line, else a
			// re-run of the previous one (not returned twice).
			if r.buffered != nil {
				st := *r.buffered
				r.buffered = nil
				return st, nil
			}
			continue
		case strings.HasPrefix(t, "--"):
			continue
		case strings.HasPrefix(t, "/*"):
			if err := r.skipComment(l); err != nil {
				return Statement{}, err
			}
			continue
		}
		r.dropBuffered()
		if t[0] == '@' {
			if err := r.include(l, t); err != nil {
				return Statement{}, err
			}
			continue
		}
		if cmd, ok := commandWord(t); ok {
			st, skip, err := r.command(l, cmd)
			if err != nil {
				return Statement{}, err
			}
			if skip {
				continue
			}
			return st, nil
		}
		st, ok, err := r.statement(l)
		if err != nil {
			return Statement{}, err
		}
		if ok {
			return st, nil
		}
	}
}

func (r *Reader) dropBuffered() {
	if r.buffered != nil {
		r.log.Warn("SQL statement ended by a blank line and never run (SQL*Plus drops it; SET SQLBLANKLINES ON keeps blank lines in statements)",
			"at", r.buffered.Pos())
		r.buffered = nil
	}
}

// skipComment drops a /* ... */ comment that starts a line between
// statements; text after its end is read again.
func (r *Reader) skipComment(l line) error {
	start := l
	i := strings.Index(l.text, "/*") + 2
	for {
		if j := strings.Index(l.text[i:], "*/"); j >= 0 {
			rest := l.text[i+j+2:]
			if strings.TrimSpace(rest) != "" {
				r.pending = &line{text: rest, fr: l.fr, no: l.no, col: l.col + i + j + 2}
			}
			return nil
		}
		var err error
		l, err = r.readLine()
		if err == io.EOF || (err == nil && l.no < 0) {
			return fmt.Errorf("%s:%d: comment /* never closed", start.fr.name, start.no)
		}
		if err != nil {
			return err
		}
		i = 0
	}
}

// include runs @file, @@file.
func (r *Reader) include(l line, t string) error {
	rel := strings.HasPrefix(t, "@@")
	arg := strings.TrimLeft(t, "@")
	return r.includeFile(l, arg, rel)
}

func (r *Reader) includeFile(l line, arg string, rel bool) error {
	pos := fmt.Sprintf("%s:%d", l.fr.name, l.no)
	arg = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(arg), ";"))
	sub, err := r.substitute(arg, l)
	if err != nil {
		return err
	}
	fields := splitArgs(sub)
	if len(fields) == 0 {
		return fmt.Errorf("%s: @ without a file name", pos)
	}
	name := fields[0]
	if filepath.Ext(name) == "" {
		name += ".sql"
	}
	for i, a := range fields[1:] {
		r.defs[fmt.Sprint(i+1)] = a
	}
	path := name
	if !filepath.IsAbs(name) {
		if rel {
			path = filepath.Join(l.fr.dir, name)
		} else if _, err := os.Stat(name); err != nil {
			path = filepath.Join(l.fr.dir, name)
		}
	}
	return r.push(path, pos)
}

// splitArgs splits on blanks, keeping quoted ('...' or "...") words whole
// without their quotes.
func splitArgs(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out
		}
		if s[0] == '\'' || s[0] == '"' {
			if j := strings.IndexByte(s[1:], s[0]); j >= 0 {
				out = append(out, s[1:1+j])
				s = s[j+2:]
				continue
			}
		}
		j := strings.IndexAny(s, " \t")
		if j < 0 {
			return append(out, s)
		}
		out = append(out, s[:j])
		s = s[j:]
	}
}
