package convert

import (
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	// want is the COPY text the value becomes, in Go raw strings so the
	// backslashes read as they are written to PostgreSQL.
	cases := []struct {
		name     string
		enc      Encoding
		in       string
		want     string
		wantWarn int
	}{
		{"text as is", EncText, "plain text", "plain text", WarnNone},
		{"text empty", EncText, "", "", WarnNone},
		{"text utf-8", EncText, "héllo 🐘", "héllo 🐘", WarnNone},
		{"text backslash", EncText, `a\b`, `a\\b`, WarnNone},
		{"text newline", EncText, "l1\nl2", `l1\nl2`, WarnNone},
		{"text carriage return", EncText, "a\rb", `a\rb`, WarnNone},
		{"text tab", EncText, "a\tb", `a\tb`, WarnNone},
		{"text all escapes", EncText, "\\\n\r\t", `\\\n\r\t`, WarnNone},
		{"text looks like NULL", EncText, `\N`, `\\N`, WarnNone},
		{"geometry is text", EncGeometry, "SRID=4326;POINT(1 2)", "SRID=4326;POINT(1 2)", WarnNone},

		{"bool 0", EncBool, "0", "f", WarnNone},
		{"bool 1", EncBool, "1", "t", WarnNone},
		{"bool 127", EncBool, "127", "t", WarnNone},
		{"bool -1", EncBool, "-1", "t", WarnNone},

		{"bytea", EncBytea, "AB", `\\x4142`, WarnNone},
		{"bytea binary", EncBytea, "\x00\xff\n", `\\x00ff0a`, WarnNone},
		{"bytea empty", EncBytea, "", `\\x`, WarnNone},

		{"date", EncDate, "2024-02-29", "2024-02-29", WarnNone},
		{"datetime", EncDate, "2024-02-29 13:14:15.123456", "2024-02-29 13:14:15.123456", WarnNone},
		{"zero date", EncDate, "0000-00-00", `\N`, WarnZeroDate},
		{"zero datetime", EncDate, "0000-00-00 00:00:00", `\N`, WarnZeroDate},
		{"zero month and day", EncDate, "2020-00-00", `\N`, WarnZeroDate},
		{"zero day", EncDate, "2020-05-00", `\N`, WarnZeroDate},
		{"zero month", EncDate, "2020-00-05", `\N`, WarnZeroDate},
		{"zero year", EncDate, "0000-01-01", `\N`, WarnZeroDate},
		{"year 2000 is not zero", EncDate, "2000-10-10", "2000-10-10", WarnNone},

		{"timestamptz", EncTimestampTZ, "2024-01-02 03:04:05", "2024-01-02 03:04:05+00", WarnNone},
		{"timestamptz fraction", EncTimestampTZ, "2024-01-02 03:04:05.250", "2024-01-02 03:04:05.250+00", WarnNone},
		{"timestamptz zero", EncTimestampTZ, "0000-00-00 00:00:00", `\N`, WarnZeroDate},

		{"set two members", EncSet, "a,b", `{"a","b"}`, WarnNone},
		{"set one member", EncSet, "a", `{"a"}`, WarnNone},
		{"empty set", EncSet, "", "{}", WarnNone},
		{"set member with space", EncSet, "a b,c", `{"a b","c"}`, WarnNone},
		{"set member NULL is a string", EncSet, "NULL", `{"NULL"}`, WarnNone},
		{"set member with quote", EncSet, `x"y`, `{"x\\"y"}`, WarnNone},
		{"set member with backslash", EncSet, `a\b`, `{"a\\\\b"}`, WarnNone},
		{"set member with braces", EncSet, "{a},b", `{"{a}","b"}`, WarnNone},
		{"set member with tab", EncSet, "a\tb", `{"a\tb"}`, WarnNone},

		{"time", EncTime, "12:34:56", "12:34:56", WarnNone},
		{"time midnight", EncTime, "00:00:00", "00:00:00", WarnNone},
		{"time 24:00:00", EncTime, "24:00:00", "24:00:00", WarnNone},
		{"time 24:00:00 with fraction zero", EncTime, "24:00:00.000000", "24:00:00.000000", WarnNone},
		{"time fraction", EncTime, "23:59:59.99", "23:59:59.99", WarnNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, warn, err := c.enc.Encode(nil, []byte(c.in))
			if err != nil {
				t.Fatalf("Encode(%q): %v", c.in, err)
			}
			if string(got) != c.want || warn != c.wantWarn {
				t.Errorf("Encode(%q) = %s, warn %d; want %s, warn %d", c.in, got, warn, c.want, c.wantWarn)
			}
		})
	}
}

func TestEncodeAppends(t *testing.T) {
	for _, enc := range []Encoding{EncText, EncBool, EncBytea, EncDate, EncTimestampTZ, EncSet, EncTime, EncGeometry} {
		dst := []byte("prev\t")
		got, _, err := enc.Encode(dst, []byte("10:00:00"))
		if err != nil {
			t.Fatalf("encoding %d: %v", enc, err)
		}
		if !strings.HasPrefix(string(got), "prev\t") || len(got) == len("prev\t") {
			t.Errorf("encoding %d: Encode(%q, ...) = %q, want the value appended", enc, dst, got)
		}
	}
}

func TestEncodeTimeOutOfRange(t *testing.T) {
	for _, in := range []string{
		"838:59:59",  // MySQL's maximum
		"-01:00:00",  // negative
		"-838:59:59", // MySQL's minimum
		"24:00:01",
		"24:00:00.5",
		"24:01:00",
		"25:00:00",
		"99:59:59",
		"1:00:00", // too short for hh:mm:ss
		"",
	} {
		t.Run(in, func(t *testing.T) {
			got, _, err := EncTime.Encode([]byte("keep"), []byte(in))
			if err == nil {
				t.Fatalf("Encode(%q) = %q, want an error", in, got)
			}
			if !strings.Contains(err.Error(), "interval") {
				t.Errorf("error %q does not suggest a cast to interval", err)
			}
			if string(got) != "keep" {
				t.Errorf("Encode(%q) changed dst to %q", in, got)
			}
		})
	}
}
