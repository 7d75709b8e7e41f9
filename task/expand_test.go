package task

import (
	"reflect"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	t.Setenv("FERRY_X", "secret")
	cases := []struct {
		in, want string
		missing  []string
		err      bool
	}{
		{"pw: ${FERRY_X}", "pw: secret", nil, false},
		{"pa$word", "pa$word", nil, false},
		{"# costs $5", "# costs $5", nil, false},
		{"a$$b", "a$b", nil, false},
		{"end$", "end$", nil, false},
		{"${FERRY_UNSET_Y}", "", []string{"FERRY_UNSET_Y"}, false},
		{"ab${cd", "", nil, true},
	}
	for _, c := range cases {
		got, missing, err := expandEnv(c.in)
		if (err != nil) != c.err || (err == nil && (got != c.want || !reflect.DeepEqual(missing, c.missing))) {
			t.Errorf("expandEnv(%q) = %q, %v, %v; want %q, %v, err %v", c.in, got, missing, err, c.want, c.missing, c.err)
		}
	}
}
