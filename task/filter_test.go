package task

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFilterErrors(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
	}{
		{"no database before the dot", ".x"},
		{"excluded, no database", "!.x"},
		{"no table after the dot", "db."},
		{"empty pattern", ""},
		{"bare exclamation mark", "!"},
		{"unclosed class in table", "["},
		{"unclosed class in qualified table", "db.t["},
		{"unclosed class in database", "d[b.t"},
		{"trailing backslash", `db.t\`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseFilter([]string{"ok.*", c.pattern})
			if err == nil {
				t.Fatalf("ParseFilter(%q) = %+v, want an error", c.pattern, f)
			}
			if !strings.Contains(err.Error(), "malformed") {
				t.Errorf("ParseFilter(%q) error %q does not say the pattern is malformed", c.pattern, err)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	type probe struct {
		db, table string
		want      bool
	}
	cases := []struct {
		name     string
		patterns []string
		probes   []probe
	}{
		{"no patterns select the DSN database", nil, []probe{
			{"shop", "orders", true},
			{"other", "orders", false},
		}},
		{"db.* selects one database", []string{"db.*"}, []probe{
			{"db", "a", true},
			{"db", "big_log", true},
			{"shop", "a", false},
		}},
		{"exclusion wins over inclusion", []string{"db.*", "!db.big_log"}, []probe{
			{"db", "a", true},
			{"db", "big_log", false},
			{"db", "big_log2", true},
		}},
		{"bare table name resolves against the DSN database", []string{"orders"}, []probe{
			{"shop", "orders", true},
			{"other", "orders", false},
			{"shop", "customers", false},
		}},
		{"only exclusions keep the DSN database", []string{"!big_log"}, []probe{
			{"shop", "orders", true},
			{"shop", "big_log", false},
			{"other", "orders", false},
		}},
		{"star in the table", []string{"shop.order_*"}, []probe{
			{"shop", "order_items", true},
			{"shop", "order_", true},
			{"shop", "orders", false},
		}},
		{"question mark and class", []string{"s?op.t[0-9]"}, []probe{
			{"shop", "t1", true},
			{"stop", "t9", true},
			{"shop", "tx", false},
			{"shop", "t10", false},
		}},
		{"glob in the database", []string{"*.users"}, []probe{
			{"a", "users", true},
			{"b", "users", true},
			{"b", "users_old", false},
		}},
		{"several includes", []string{"orders", "crm.*"}, []probe{
			{"shop", "orders", true},
			{"crm", "contacts", true},
			{"shop", "contacts", false},
		}},
		{"names are case-sensitive", []string{"shop.Orders"}, []probe{
			{"shop", "Orders", true},
			{"shop", "orders", false},
		}},
		{"excluded glob", []string{"shop.*", "!shop.tmp_*"}, []probe{
			{"shop", "tmp_1", false},
			{"shop", "tmp", true},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseFilter(c.patterns)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", c.patterns, err)
			}
			for _, p := range c.probes {
				if got := f.Match("shop", p.db, p.table); got != p.want {
					t.Errorf("patterns %q: Match(shop, %s, %s) = %v, want %v", c.patterns, p.db, p.table, got, p.want)
				}
			}
		})
	}
}

func TestFilterDatabases(t *testing.T) {
	cases := []struct {
		name      string
		patterns  []string
		defaultDB string
		want      []string
	}{
		{"no patterns", nil, "shop", []string{"shop"}},
		{"only exclusions", []string{"!shop.big_log"}, "shop", []string{"shop"}},
		{"explicit database", []string{"db.*"}, "shop", []string{"db"}},
		{"bare table adds the DSN database", []string{"orders", "crm.*"}, "shop", []string{"shop", "crm"}},
		{"duplicates removed, order kept", []string{"a.*", "a.x", "orders", "shop.y", "b.z"}, "shop", []string{"a", "shop", "b"}},
		{"database glob passed through", []string{"sales_*.*"}, "shop", []string{"sales_*"}},
		{"excluded database not listed", []string{"a.*", "!b.*"}, "shop", []string{"a"}},
		{"no DSN database", []string{"orders"}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseFilter(c.patterns)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", c.patterns, err)
			}
			if got := f.Databases(c.defaultDB); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Databases(%q) with %q = %q, want %q", c.defaultDB, c.patterns, got, c.want)
			}
		})
	}
}
