package verify_test

import (
	"strings"
	"testing"
)

// TestUsage checks that bad flags exit 2 before connecting, with a message
// that says what to use.
func TestUsage(t *testing.T) {
	conn := []string{"--source", "mysql://u:secret@127.0.0.1:1/db", "--target", "postgres://u:secret@127.0.0.1:1/db"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--level", "full"}, "use count, checksum or row"},
		{[]string{"--report", "out.txt"}, "must end in .json or .html"},
		{[]string{"--repair", "--level", "count"}, "--repair needs --level checksum or row"},
		{[]string{"--max-rows", "0"}, "positive"},
		{[]string{"--tables", "db."}, "malformed"},
	} {
		code, out, errs := ferry(t, append(append([]string{"verify"}, conn...), c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
		if strings.Contains(out+errs, "secret") {
			t.Errorf("%v: the password was printed", c.args)
		}
	}
	// A refused connection is an error (exit 1) that does not print the password.
	code, out, errs := ferry(t, append([]string{"verify"}, conn...)...)
	if code != 1 || strings.Contains(out+errs, "secret") {
		t.Errorf("unreachable source: exit %d\n%s%s", code, out, errs)
	}
}

// TestBadURL checks that a malformed URL is a usage error that does not
// echo the URL.
func TestBadURL(t *testing.T) {
	code, out, errs := ferry(t, "verify", "--source", "mysql://u:se/cret@h:x/db", "--target", "postgres://u@127.0.0.1:1/db")
	if code != 2 || strings.Contains(out+errs, "cret") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}
