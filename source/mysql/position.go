package mysql

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/ferrydb/ferry/catalog"
)

// CurrentPosition reads the server's binlog position now: the end of the
// binary log and the GTID set of every transaction written to it. A
// change committed before the call is inside it.
func (s *Source) CurrentPosition(ctx context.Context) (catalog.Position, error) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return catalog.Position{}, fmt.Errorf("source: connect: %w", err)
	}
	defer c.Close()
	p, err := s.masterPosition(ctx, c)
	if err != nil {
		return p, err
	}
	if p.File == "" {
		return p, fmt.Errorf("source: the binary log is off (log_bin=0), so there is no position to follow")
	}
	return p, nil
}

// filePosRe matches binlog "file.000123:4567" (a GTID set never has a
// dot-number before its colon).
var filePosRe = regexp.MustCompile(`^(.+\.\d+):(\d+)$`)

// ParsePosition reads a start position a user gives: binlog file:pos
// (mysql-bin.000003:4), or a GTID set in the source's form (MariaDB:
// domain-server-sequence, comma-separated, 0-1-42; MySQL:
// source_uuid:interval[:interval], comma-separated,
// 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77). A malformed set is refused
// here, with the form the source expects.
func ParsePosition(s string, mariadb bool) (catalog.Position, error) {
	p := catalog.Position{Dialect: "mysql", Flavor: gomysql.MySQLFlavor}
	example := "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77, as gtid_executed shows it"
	if mariadb {
		p.Flavor = gomysql.MariaDBFlavor
		example = "0-1-42 (domain-server-sequence), as gtid_binlog_pos shows it"
	}
	s = strings.TrimSpace(s)
	if m := filePosRe.FindStringSubmatch(s); m != nil {
		pos, err := strconv.ParseUint(m[2], 10, 64)
		if err != nil {
			return p, fmt.Errorf("start position %q: the offset is not a number", s)
		}
		p.File, p.Pos = m[1], pos
		return p, nil
	}
	if s == "" {
		return p, fmt.Errorf("empty start position: give a binlog file:pos (mysql-bin.000003:4) or a GTID set (%s)", example)
	}
	set, err := gomysql.ParseGTIDSet(p.Flavor, s)
	if err != nil || set.String() == "" {
		return p, fmt.Errorf("start position %q is neither a binlog file:pos (mysql-bin.000003:4) nor a %s GTID set (%s)", s, p.Flavor, example)
	}
	p.GTID = set.String()
	return p, nil
}

// Covers reports whether position have is at or past want: every
// transaction before want is also before have. GTID sets are compared
// when both carry one (per domain on MariaDB, as sets on MySQL), else
// binlog file and offset.
func Covers(have, want catalog.Position) (bool, error) {
	if have.GTID != "" && want.GTID != "" {
		flavor := gomysql.MySQLFlavor
		if have.Flavor == "mariadb" || want.Flavor == "mariadb" {
			flavor = gomysql.MariaDBFlavor
		}
		h, err := gomysql.ParseGTIDSet(flavor, have.GTID)
		if err != nil {
			return false, fmt.Errorf("malformed GTID set %q: %w", have.GTID, err)
		}
		w, err := gomysql.ParseGTIDSet(flavor, want.GTID)
		if err != nil {
			return false, fmt.Errorf("malformed GTID set %q: %w", want.GTID, err)
		}
		return h.Contain(w), nil
	}
	if have.File == "" || want.File == "" {
		return false, fmt.Errorf("cannot compare positions %s and %s: one has neither a GTID set nor a binlog file", have, want)
	}
	hs, hok := binlogSeq(have.File)
	ws, wok := binlogSeq(want.File)
	if !hok || !wok {
		return false, fmt.Errorf("cannot compare binlog files %q and %q", have.File, want.File)
	}
	if hs != ws {
		return hs > ws, nil
	}
	return have.Pos >= want.Pos, nil
}

// binlogSeq is the number in a binlog file name (mysql-bin.000042 → 42).
func binlogSeq(file string) (uint64, bool) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(file[i+1:], 10, 64)
	return n, err == nil
}
