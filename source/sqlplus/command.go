package sqlplus

import (
	"fmt"
	"io"
	"strings"
)

// commands are SQL*Plus commands with the shortest abbreviation SQL*Plus
// accepts.
var commands = []struct {
	name string
	min  int
}{
	{"ACCEPT", 3}, {"ARCHIVE", 7}, {"ATTRIBUTE", 4}, {"BREAK", 3}, {"BTITLE", 3},
	{"CLEAR", 2}, {"COLUMN", 3}, {"COMPUTE", 4}, {"CONNECT", 4}, {"DEFINE", 3},
	{"DESCRIBE", 4}, {"DISCONNECT", 4}, {"EDIT", 2}, {"EXECUTE", 4}, {"EXIT", 4},
	{"GET", 3}, {"HELP", 4}, {"HOST", 2}, {"PASSWORD", 5}, {"PAUSE", 3},
	{"PRINT", 3}, {"PROMPT", 3}, {"QUIT", 4}, {"REMARK", 3}, {"REPFOOTER", 4},
	{"REPHEADER", 4}, {"SAVE", 3}, {"SET", 3}, {"SHOW", 3}, {"SHUTDOWN", 8},
	{"SPOOL", 3}, {"START", 3}, {"STARTUP", 7}, {"STORE", 5}, {"TIMING", 4},
	{"TTITLE", 3}, {"UNDEFINE", 5}, {"VARIABLE", 3}, {"WHENEVER", 5},
}

// SET followed by one of these is SQL, not the SQL*Plus command.
var sqlSet = map[string]bool{"TRANSACTION": true, "ROLE": true, "CONSTRAINT": true, "CONSTRAINTS": true}

// commandWord reports whether the line t (trimmed, not empty) starts a
// SQL*Plus command, and which.
func commandWord(t string) (string, bool) {
	if t[0] == '!' {
		return "HOST", true
	}
	w, rest := firstWord(t)
	// "REM****" and "PROMPT--" are commands; "PROMPTS" is not.
	if w == "" || (rest != "" && nameChar(rest[0])) {
		return "", false
	}
	for _, c := range commands {
		if len(w) >= c.min && strings.HasPrefix(c.name, w) {
			if c.name == "SET" {
				if w2, _ := firstWord(strings.TrimSpace(rest)); sqlSet[w2] {
					return "", false
				}
			}
			return c.name, true
		}
	}
	return "", false
}

// firstWord returns the leading run of letters of s in upper case and
// what follows it.
func firstWord(s string) (string, string) {
	i := 0
	for i < len(s) && (s[i]|0x20 >= 'a' && s[i]|0x20 <= 'z') {
		i++
	}
	return strings.ToUpper(s[:i]), s[i:]
}

// command reads a SQL*Plus command starting at l (with its continuation
// lines) and applies what it changes in the reader. skip is true for
// commands that are not returned (REMARK, START).
func (r *Reader) command(l line, cmd string) (st Statement, skip bool, err error) {
	if cmd == "REMARK" {
		return st, true, nil
	}
	st = Statement{File: l.fr.name, Line: l.no, EndLine: l.no, Kind: Command, Command: cmd}
	text, err := r.substitute(strings.TrimSpace(l.text), l)
	if err != nil {
		return st, false, err
	}
	parts := []string{}
	// A trailing " -" continues a command on the next line; EXECUTE calls
	// are also written "proc(-" with the hyphen against the text (a "--"
	// comment is not a continuation).
	continues := func(text string) bool {
		return strings.HasSuffix(text, " -") || strings.HasSuffix(text, "\t-") ||
			(cmd == "EXECUTE" && strings.HasSuffix(text, "-") && !strings.HasSuffix(text, "--"))
	}
	for continues(text) {
		parts = append(parts, strings.TrimSpace(strings.TrimSuffix(text, "-")))
		next, err := r.readLine()
		if err == io.EOF || (err == nil && next.no < 0) {
			text = ""
			if err == nil {
				r.pending = &next // let Next see the file boundary
			}
			break
		}
		if err != nil {
			return st, false, err
		}
		st.EndLine = next.no
		if text, err = r.substitute(strings.TrimSpace(next.text), next); err != nil {
			return st, false, err
		}
	}
	if text != "" {
		parts = append(parts, text)
	}
	st.Text = strings.Join(parts, "\n")
	_, args := firstWord(strings.TrimPrefix(st.Text, "!"))
	args = strings.TrimSpace(args)
	switch cmd {
	case "SET":
		r.set(args)
	case "DEFINE":
		r.define(args)
	case "UNDEFINE":
		for _, n := range strings.Fields(strings.TrimSuffix(args, ";")) {
			delete(r.defs, strings.ToUpper(n))
		}
	case "ACCEPT":
		r.accept(args)
	case "START":
		return st, true, r.includeFile(l, args, false)
	case "EXECUTE":
		call := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(args), ";"))
		st.Kind = PLSQL
		st.Command = ""
		if strings.Contains(call, "--") {
			call += "\n" // a trailing comment must not swallow the end of the block
		}
		st.Text = "BEGIN " + call + "; END;"
	}
	return st, false, nil
}

// set applies the SET options the reader cares about: DEFINE,
// SQLBLANKLINES, CONCAT.
func (r *Reader) set(args string) {
	f := strings.Fields(strings.TrimSuffix(strings.TrimSpace(args), ";"))
	for i := 0; i+1 < len(f); i++ {
		opt, val := strings.ToUpper(f[i]), f[i+1]
		uval := strings.ToUpper(strings.Trim(val, `'"`))
		switch {
		case abbrev(opt, "DEFINE", 3):
			switch {
			case uval == "OFF":
				r.defineChar = 0
			case uval == "ON":
				r.defineChar = '&'
			case len(uval) == 1:
				r.defineChar = strings.Trim(val, `'"`)[0]
			}
			i++
		case abbrev(opt, "SQLBLANKLINES", 5):
			r.blankLines = uval == "ON"
			i++
		case abbrev(opt, "CONCAT", 3):
			switch {
			case uval == "OFF":
				r.concat = 0
			case uval == "ON":
				r.concat = '.'
			case len(uval) == 1:
				r.concat = strings.Trim(val, `'"`)[0]
			}
			i++
		}
	}
}

func abbrev(w, name string, min int) bool {
	return len(w) >= min && strings.HasPrefix(name, w)
}

// define handles DEFINE name = value (value quoted or not).
func (r *Reader) define(args string) {
	eq := strings.IndexByte(args, '=')
	if eq < 0 {
		return // DEFINE or DEFINE name: lists, changes nothing
	}
	name := strings.ToUpper(strings.TrimSpace(args[:eq]))
	val := strings.TrimSpace(args[eq+1:])
	if len(val) >= 2 && (val[0] == '\'' || val[0] == '"') && val[len(val)-1] == val[0] {
		val = val[1 : len(val)-1]
	} else if f := strings.Fields(val); len(f) > 0 {
		val = f[0]
	}
	if name != "" {
		r.defs[name] = val
	}
}

// accept handles ACCEPT name ... DEFAULT value: the default defines an
// undefined variable (nobody answers the prompt).
func (r *Reader) accept(args string) {
	f := splitArgs(args)
	if len(f) == 0 {
		return
	}
	name := strings.ToUpper(f[0])
	for i := 1; i+1 < len(f); i++ {
		if abbrev(strings.ToUpper(f[i]), "DEFAULT", 3) {
			if _, ok := r.defs[name]; !ok {
				r.defs[name] = f[i+1]
			}
			return
		}
	}
}

// substitute replaces substitution variables in s (a line read at l).
func (r *Reader) substitute(s string, l line) (string, error) {
	c := r.defineChar
	if c == 0 || strings.IndexByte(s, c) < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != c {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		double := j < len(s) && s[j] == c
		if double {
			j++
		}
		k := j
		for k < len(s) && nameChar(s[k]) {
			k++
		}
		if k == j {
			b.WriteString(s[i:j])
			i = j
			continue
		}
		name := strings.ToUpper(s[j:k])
		end := k
		if r.concat != 0 && k < len(s) && s[k] == r.concat {
			end++
		}
		v, ok := r.defs[name]
		if !ok {
			switch r.opt.Undefined {
			case UndefinedKeep:
				b.WriteString(s[i:end])
				i = end
				continue
			case UndefinedEmpty:
			default:
				return "", fmt.Errorf("%s:%d: substitution variable %s is not defined: define it before the run (ferry: --define %s=VALUE), or put SET DEFINE OFF in the script if the %q is meant literally",
					l.fr.name, l.no, s[i:k], strings.ToLower(name), string(c))
			}
			if double {
				r.defs[name] = v
			}
		}
		b.WriteString(v)
		i = end
	}
	return b.String(), nil
}

func nameChar(c byte) bool {
	return c == '_' || c == '$' || c == '#' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}
