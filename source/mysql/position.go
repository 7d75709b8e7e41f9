package mysql

import (
	"context"
	"fmt"
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
