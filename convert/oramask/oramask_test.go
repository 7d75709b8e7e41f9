package oramask

import (
	"strings"
	"testing"
	"time"
)

func TestTokenize(t *testing.T) {
	toks, err := Tokenize(`FMMonth DD, YYYY "at" HH12:MI:SS.FF3 AM TZH:TZM`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		if tk.Elem != "" {
			got = append(got, tk.Elem+"="+tk.Text)
		} else if tk.Quoted {
			got = append(got, `"`+tk.Text+`"`)
		} else {
			got = append(got, "'"+tk.Text+"'")
		}
	}
	want := `FM=FM MONTH=Month ' ' DD=DD ',' ' ' YYYY=YYYY ' ' "at" ' ' HH12=HH12 ':' MI=MI ':' SS=SS '.' FF3=FF3 ' ' AM=AM ' ' TZH=TZH ':' TZM=TZM`
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	for _, m := range []string{"IW", "DS", "Y,YYY", "RRRR", "SSSSS", "ddd", "dy"} {
		toks, err := Tokenize(m)
		if err != nil || len(toks) != 1 || toks[0].Elem != strings.ToUpper(m) {
			t.Errorf("%s: %v %v", m, toks, err)
		}
	}
	if _, err := Tokenize("YYYY-QQQ-ZZ"); err == nil || !strings.Contains(err.Error(), `"ZZ"`) {
		t.Errorf("unknown element: %v", err)
	}
	if _, err := Tokenize(`YYYY"x`); err == nil {
		t.Error("open quote accepted")
	}
}

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	cases := []struct{ v, mask, want string }{
		{"17-06-2013", "dd-MM-yyyy", "2013-06-17T00:00:00Z"},
		{"04-FEB-2021 13.20.22.245676861", "DD-MON-YYYY HH24.MI.SS.FF", "2021-02-04T13:20:22.245676861Z"},
		{"2021/2/4", "YYYY-MM-DD", "2021-02-04T00:00:00Z"}, // any separator, fewer digits
		{"20210204", "YYYYMMDD", "2021-02-04T00:00:00Z"},   // packed digits
		{"4 february 21", "DD MONTH RR", "2021-02-04T00:00:00Z"},
		{"01-JAN-98", "DD-MON-RR", "1998-01-01T00:00:00Z"},
		{"01-JAN-98", "DD-MON-YY", "2098-01-01T00:00:00Z"},
		{"12:30:01 AM", "HH:MI:SS AM", "2026-11-01T00:30:01Z"}, // defaults: this year and month, day 1
		{"03.15 p.m.", "HH12.MI P.M.", "2026-11-01T15:15:00Z"},
		{"2021-02-04T10:11:12+05:30", `YYYY-MM-DD"T"HH24:MI:SSTZH:TZM`, "2021-02-04T10:11:12+05:30"},
		{"2021-02-04 10:11:12 -03:00", "YYYY-MM-DD HH24:MI:SS TZR", "2021-02-04T10:11:12-03:00"},
		{"2021-032", "YYYY-DDD", "2021-02-01T00:00:00Z"},
		{"Tue 2021-02-02 3600", "DY YYYY-MM-DD SSSSS", "2021-02-02T01:00:00Z"},
		{"2021-XII-31", "YYYY-RM-DD", "2021-12-31T00:00:00Z"},
		{"1.5", "SS.FF3", "2026-11-01T00:00:01.5Z"},
	}
	for _, c := range cases {
		v, err := Parse(c.v, c.mask, now)
		if err != nil {
			t.Errorf("%q %q: %v", c.v, c.mask, err)
			continue
		}
		if got := v.Time.Format(time.RFC3339Nano); got != c.want {
			t.Errorf("%q %q: got %s want %s", c.v, c.mask, got, c.want)
		}
	}
	for _, c := range []struct{ v, mask, msg string }{
		{"31-02-2021", "DD-MM-YYYY", "not in month"},
		{"13-13-2021", "DD-MM-YYYY", "month"},
		{"2021-01-01 extra", "YYYY-MM-DD", "at the end"},
		{"2021-01-01", "FXYYYY/MM/DD", "expected"},
		{"25:00", "HH24:MI", "hour"},
		{"xx", "MON", "month name"},
	} {
		_, err := Parse(c.v, c.mask, now)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q %q: got %v, want an error about %s", c.v, c.mask, err, c.msg)
		}
	}
}
