package mysql

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ferrydb/ferry/catalog"
)

// isSpatial tells the geometry types.
func isSpatial(t catalog.Type) bool {
	switch t.Name {
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		return true
	}
	return false
}

// spatialText turns a geometry value from the binlog (the server's
// internal form: a 4-byte little-endian SRID, then WKB) into the EWKT
// text the full load reads (ReadExpr). The server itself prints it, so
// the load and the change stream agree to the last digit. Geometry
// changes are rare enough for the round trip.
func (s *Source) spatialText(b []byte) (string, error) {
	if len(b) < 5 {
		return "", fmt.Errorf("a geometry value of %d bytes is too short", len(b))
	}
	srid := binary.LittleEndian.Uint32(b[:4])
	q := "SELECT CONCAT('SRID=', ?, ';', ST_AsText(ST_GeomFromWKB(?, ?)))"
	if s.axisOrderMatters() {
		q = "SELECT CONCAT('SRID=', ?, ';', ST_AsText(ST_GeomFromWKB(?, ?, 'axis-order=long-lat'), 'axis-order=long-lat'))"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out string
	if err := s.db.QueryRowContext(ctx, q, srid, b[4:], srid).Scan(&out); err != nil {
		return "", fmt.Errorf("source: print a geometry from the binlog as text: %w", err)
	}
	return out, nil
}

// spatialToText replaces the geometry values of a row image by their
// EWKT text.
func (s *Source) spatialToText(cols []*catalog.Column, img map[string]any) error {
	for _, c := range cols {
		if !isSpatial(c.Type) {
			continue
		}
		b, ok := img[c.Name].([]byte)
		if !ok {
			continue
		}
		txt, err := s.spatialText(b)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		img[c.Name] = txt
	}
	return nil
}
