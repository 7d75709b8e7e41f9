package mysql

import (
	"strings"
	"testing"

	"github.com/ferrydb/ferry/catalog"
)

func TestCovers(t *testing.T) {
	maria := func(g string) catalog.Position {
		return catalog.Position{Dialect: "mysql", Flavor: "mariadb", GTID: g, File: "b.000001", Pos: 4}
	}
	my := func(g string) catalog.Position { return catalog.Position{Dialect: "mysql", Flavor: "mysql", GTID: g} }
	file := func(f string, p uint64) catalog.Position { return catalog.Position{Dialect: "mysql", File: f, Pos: p} }
	for _, c := range []struct {
		have, want catalog.Position
		covers     bool
	}{
		{maria("0-1-100"), maria("0-1-100"), true},
		{maria("0-1-101"), maria("0-1-100"), true},
		{maria("0-1-99"), maria("0-1-100"), false},
		{maria("0-1-500"), maria("0-1-100,1-1-3"), false}, // a domain the target has not seen
		{maria("0-1-500,1-1-3"), maria("0-1-100,1-1-3"), true},
		{my("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-50"), my("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-49"), true},
		{my("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-50"), my("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-51"), false},
		{file("mysql-bin.000009", 900), file("mysql-bin.000010", 4), false},
		{file("mysql-bin.000010", 4), file("mysql-bin.000009", 900), true},
		{file("mysql-bin.000010", 400), file("mysql-bin.000010", 400), true},
		{file("mysql-bin.000010", 399), file("mysql-bin.000010", 400), false},
	} {
		got, err := Covers(c.have, c.want)
		if err != nil {
			t.Fatalf("Covers(%s, %s): %v", c.have, c.want, err)
		}
		if got != c.covers {
			t.Errorf("Covers(%s, %s) = %v, want %v", c.have, c.want, got, c.covers)
		}
	}
	if _, err := Covers(maria("zz"), maria("0-1-1")); err == nil {
		t.Error("a malformed GTID set compared without error")
	}
}

func TestParsePosition(t *testing.T) {
	for _, c := range []struct {
		in      string
		mariadb bool
		want    catalog.Position
		err     string
	}{
		{in: "mysql-bin.000003:4", mariadb: true, want: catalog.Position{Dialect: "mysql", Flavor: "mariadb", File: "mysql-bin.000003", Pos: 4}},
		{in: "binlog.000012:157", want: catalog.Position{Dialect: "mysql", Flavor: "mysql", File: "binlog.000012", Pos: 157}},
		{in: "0-1-42", mariadb: true, want: catalog.Position{Dialect: "mysql", Flavor: "mariadb", GTID: "0-1-42"}},
		{in: " 0-1-42,1-2-7 ", mariadb: true, want: catalog.Position{Dialect: "mysql", Flavor: "mariadb", GTID: "0-1-42,1-2-7"}},
		{in: "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-77", want: catalog.Position{Dialect: "mysql", Flavor: "mysql", GTID: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77"}},
		{in: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:1", want: catalog.Position{Dialect: "mysql", Flavor: "mysql", GTID: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:1"}},
		{in: "0-1-42", err: "neither a binlog file:pos"},                                          // MariaDB form on MySQL
		{in: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77", mariadb: true, err: "mariadb GTID set"}, // MySQL form on MariaDB
		{in: "garbage", mariadb: true, err: "0-1-42 (domain-server-sequence)"},
		{in: "mysql-bin:12", err: "neither"},
		{in: "", mariadb: true, err: "empty start position"},
	} {
		got, err := ParsePosition(c.in, c.mariadb)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q (mariadb %v): error %v, want one containing %q", c.in, c.mariadb, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%q: got %+v, want %+v", c.in, got, c.want)
		}
	}
}
