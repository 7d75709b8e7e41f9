package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ferrydb/ferry/catalog"
)

// LongLatWKT reports whether spatial values are read longitude first
// (MySQL 8 and later follow the SRS axis order otherwise).
func (s *Source) LongLatWKT() bool { return s.axisOrderMatters() }

// Query streams the rows of a query outside any snapshot, each value in
// the text form ReadChunk hands over (nil is NULL, distinct from an empty
// string). args are bound to the query's ? placeholders. The row and its
// values are only valid during the call to fn.
func (s *Source) Query(ctx context.Context, q string, args []any, fn func(row [][]byte) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return connectError(s.cfg, err)
	}
	defer conn.Close()
	err = rawQuery(ctx, conn, q, args, fn)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("source: %w", err)
	}
	return nil
}

// rawQuery runs q on conn straight through the driver (sql.Conn.Raw),
// skipping database/sql's per-row locking and conversions, and hands each
// row to fn in text form: the driver parses the text protocol's numbers,
// which are turned back into text in reused buffers; NULL is nil and an
// empty string a non-nil empty slice.
func rawQuery(ctx context.Context, conn *sql.Conn, q string, args []any, fn func(row [][]byte) error) error {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("the MySQL driver cannot query directly")
		}
		rows, err := qc.QueryContext(ctx, q, named)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := len(rows.Columns())
		dest := make([]driver.Value, n)
		row := make([][]byte, n)
		scratch := make([][]byte, n)
		for {
			if err := rows.Next(dest); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			for i, v := range dest {
				switch x := v.(type) {
				case nil:
					row[i] = nil
				case []byte:
					if x == nil {
						x = []byte{}
					}
					row[i] = x
				case string:
					row[i] = append(scratch[i][:0], x...)
					scratch[i] = row[i]
				case int64:
					scratch[i] = strconv.AppendInt(scratch[i][:0], x, 10)
					row[i] = scratch[i]
				case uint64:
					scratch[i] = strconv.AppendUint(scratch[i][:0], x, 10)
					row[i] = scratch[i]
				case float32:
					scratch[i] = strconv.AppendFloat(scratch[i][:0], float64(x), 'g', -1, 32)
					row[i] = scratch[i]
				case float64:
					scratch[i] = strconv.AppendFloat(scratch[i][:0], x, 'g', -1, 64)
					row[i] = scratch[i]
				default:
					return fmt.Errorf("column %d: unexpected %T from the driver", i+1, v)
				}
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	})
}

// ReadRows streams the rows of t that satisfy where (SQL with ?
// placeholders for args; "" reads every row): first the values of the
// expressions lead, then cols read exactly as ReadChunk reads them.
func (s *Source) ReadRows(ctx context.Context, t *catalog.Table, lead []string, cols []*catalog.Column, where string, args []any, fn func(row [][]byte) error) error {
	items := append([]string{}, lead...)
	for _, c := range cols {
		items = append(items, ReadExpr(c, s.axisOrderMatters()))
	}
	q := "SELECT " + strings.Join(items, ", ") + " FROM " + qualified(t)
	if where != "" {
		q += " WHERE " + where
	}
	if err := s.Query(ctx, q, args, fn); err != nil {
		return fmt.Errorf("read %s: %w", t.QualifiedName(), err)
	}
	return nil
}
