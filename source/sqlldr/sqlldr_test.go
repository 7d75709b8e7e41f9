package sqlldr

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydb/ferry/source/oraclescript"
)

func TestDelimited(t *testing.T) {
	comma := &Delim{Str: ","}
	ws := &Delim{Whitespace: true}
	opt := &Encl{Optional: true, Open: `"`, Shut: `"`}
	must := &Encl{Open: `"`, Shut: `"`}
	brackets := &Encl{Optional: true, Open: "[", Shut: "]"}
	for _, c := range []struct {
		line string
		term *Delim
		encl *Encl
		want string // fields joined by |, missing ones as <none>
		err  string
	}{
		{`a,b,c`, comma, nil, "a|b|c", ""},
		{`a , b ,`, comma, nil, "a| b|", ""}, // trailing blanks go, a final empty field is present
		{`"x, y",  "he said ""hi""" ,z`, comma, opt, `x, y|he said "hi"|z`, ""},
		{`"x"y,z`, comma, opt, "", "unexpected"},
		{`"open,z`, comma, opt, "", "never closed"},
		{`x,"y"`, comma, must, "", "expected a value enclosed"},
		{`[a,b],c`, comma, brackets, "a,b|c", ""},
		{"  a   b\tc ", ws, nil, "a|b|c", ""},
		{`a`, comma, nil, "a|<none>|<none>", ""},
		{"a\tb", &Delim{Str: "\t"}, nil, "a|b|<none>", ""},
	} {
		var got []string
		pos := 0
		var err error
		for i := 0; i < 3 && err == nil; i++ {
			if pos > len(c.line) {
				got = append(got, "<none>")
				continue
			}
			var v string
			v, pos, err = delimited(c.line, pos, c.term, c.encl)
			got = append(got, v)
		}
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: got %v, want error %q", c.line, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.line, err)
			continue
		}
		if g := strings.Join(got[:strings.Count(c.want, "|")+1], "|"); g != c.want {
			t.Errorf("%q: got %q want %q", c.line, g, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ ctl, msg string }{
		{"LOAD DATA INFILE 'x' INTO TABLE t\nWHEN (a = '1')\n(a)", "t.ctl:2: WHEN is not supported"},
		{"LOAD DATA INFILE 'x' INTO TABLE t (a INTEGER)", "binary INTEGER"},
		{"LOAD DATA INFILE 'x' \"fix 10\" INTO TABLE t (a)", `record format "fix 10"`},
		{"LOAD DATA CHARACTERSET WE8ISO8859P1 INFILE 'x' INTO TABLE t (a)", "CHARACTERSET WE8ISO8859P1"},
		{"LOAD DATA INFILE 'x' INTO TABLE t (a) INTO TABLE u (b)", "a second INTO TABLE"},
		{"LOAD DATA INFILE 'x' INTO TABLE t FIELDS TERMINATED BY ',' (a DEFAULTIF a=BLANKS)", `"DEFAULTIF" in field A`},
		{"LOAD DATA INFILE 'x' INTO TABLE t (a NULLIF a='x' AND a='y')", "several conditions"},
		{"INTO TABLE t (a)", "expected LOAD DATA"},
		{"LOAD DATA INFILE 'x'", "no INTO TABLE"},
	} {
		_, err := Parse(c.ctl, "t.ctl")
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: got %v, want %q", c.ctl, err, c.msg)
		}
	}
	c, err := Parse(`-- comment
OPTIONS (SKIP=2, DIRECT=TRUE)
LOAD DATA INFILE 'a.dat' INFILE "b.dat" BADFILE 'x.bad' REPLACE
INTO TABLE hr."Emp" FIELDS TERMINATED BY X'09' OPTIONALLY ENCLOSED BY '<' AND '>' TRAILING NULLCOLS
("Id" POSITION(1:4) INTEGER EXTERNAL(4), d DATE(11) "DD-MON-YYYY" NULLIF d=BLANKS, f FILLER, s SEQUENCE(10, 5), k CONSTANT 'v')`, "t.ctl")
	if err != nil {
		t.Fatal(err)
	}
	if c.Skip != 2 || len(c.Infiles) != 2 || c.Method != Replace || c.Schema != "HR" || c.Table != "Emp" || !c.TQuoted ||
		c.Term.Str != "\t" || c.Encl.Open != "<" || c.Encl.Shut != ">" || !c.Trailing || len(c.Fields) != 5 || len(c.Notes) != 1 {
		t.Errorf("parsed %+v", c)
	}
	f := c.Fields
	if f[0].Name != "Id" || !f[0].Quoted || f[0].Start != 1 || f[0].End != 4 || f[0].Type != IntegerExternal ||
		f[1].Mask != "DD-MON-YYYY" || f[1].Length != 11 || f[1].NullIf == nil || !f[1].NullIf.Blanks ||
		!f[2].Filler || f[3].Seq == nil || f[3].Seq[0] != 10 || f[3].Seq[1] != 5 || *f[4].Constant != "v" {
		t.Errorf("fields %+v %+v %+v %+v %+v", f[0], f[1], f[2], f[3], f[4])
	}
	if len(c.Columns()) != 4 {
		t.Errorf("columns %d, want 4 (FILLER excluded)", len(c.Columns()))
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	ctl := filepath.Join(dir, "t.ctl")
	if err := os.WriteFile(ctl, []byte(`LOAD DATA
INFILE *
INTO TABLE t
FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"'
TRAILING NULLCOLS
(a CHAR(3), n DECIMAL EXTERNAL, d DATE "YYYY-MM-DD", x FILLER, s SEQUENCE(100, 2), r RECNUM, c CONSTANT 'k', z CHAR NULLIF z = 'none')
BEGINDATA
abc,+1.50,2020-02-29,ignored,none

"x,y", 2 ,,,zz
`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ParseFile(ctl)
	if err != nil {
		t.Fatal(err)
	}
	s := oraclescript.NewSession(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var rows []string
	err = c.Read(context.Background(), s, func(vals []oraclescript.Value, pos string) error {
		var parts []string
		for _, v := range vals {
			switch v.Kind {
			case oraclescript.Null:
				parts = append(parts, "NULL")
			case oraclescript.Date:
				parts = append(parts, v.Time.Format("2006-01-02"))
			default:
				parts = append(parts, v.Str)
			}
		}
		rows = append(rows, filepath.Base(pos)+" "+strings.Join(parts, "|"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "t.ctl:8 abc|1.50|2020-02-29|100|1|k|NULL\nt.ctl:10 x,y|2|NULL|102|3|k|zz"
	if strings.Join(rows, "\n") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(rows, "\n"), want)
	}

	// CHAR(n) overflow and a bad number name the record and the field.
	for _, c2 := range []struct{ data, msg string }{
		{"abcd,1,2020-01-01\n", "t.ctl:8: field A: 4 bytes exceed CHAR(3)"},
		{"abc,1x,2020-01-01\n", "t.ctl:8: field N: \"1x\" is not a number"},
	} {
		src, _ := os.ReadFile(ctl)
		i := strings.Index(string(src), "BEGINDATA\n") + len("BEGINDATA\n")
		if err := os.WriteFile(ctl, append(src[:i:i], c2.data...), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := ParseFile(ctl)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Read(context.Background(), s, func([]oraclescript.Value, string) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c2.msg) {
			t.Errorf("got %v, want %q", err, c2.msg)
		}
	}
}
