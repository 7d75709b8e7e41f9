// Package catalog is ferry's dialect-neutral model of a database schema:
// tables, columns with their source types, keys, indexes, views and code
// objects. Sources fill it in (source/mysql), the converter reads it
// (convert), and the loader and targets use it to move rows.
package catalog

import (
	"fmt"
	"strings"
)

// Schema is everything ferry read from one source database.
type Schema struct {
	Dialect  string // "mysql" (MySQL and MariaDB), later "postgres", "oracle"
	Name     string // source database/schema name
	Tables   []*Table
	Views    []*View
	Routines []*Routine
	Triggers []*Trigger
}

// Table looks a table up by name (exact match).
func (s *Schema) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Table is a base table.
type Table struct {
	Schema       string
	Name         string
	Columns      []*Column
	PrimaryKey   *Index // nil when the table has no primary key
	Indexes      []*Index
	ForeignKeys  []*ForeignKey
	Checks       []*Check
	Comment      string
	RowsEstimate int64 // from the source's statistics; only a hint
	DataBytes    int64 // estimated data size; only a hint
}

// QualifiedName is "schema.table", the form used in --tables patterns and logs.
func (t *Table) QualifiedName() string { return t.Schema + "." + t.Name }

// Column looks a column up by name (exact match).
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Column is one table column with its source type.
type Column struct {
	Name     string
	Position int // 1-based ordinal in the source table
	Type     Type
	Nullable bool
	// Default is the default as the source reports it; nil when there is none.
	Default *Default
	// OnUpdateCurrentTimestamp is MySQL's ON UPDATE CURRENT_TIMESTAMP.
	OnUpdateCurrentTimestamp bool
	AutoIncrement            bool
	// Generated is set for generated (computed) columns.
	Generated *Generated
	Comment   string
	Charset   string
	Collation string
}

// DefaultKind says how to read Default.Value.
type DefaultKind int

const (
	// DefaultLiteral is a constant such as 0, 'abc' or 1.5 (Value holds it unquoted).
	DefaultLiteral DefaultKind = iota
	// DefaultNull is an explicit DEFAULT NULL.
	DefaultNull
	// DefaultCurrentTimestamp is CURRENT_TIMESTAMP / NOW(), with an optional precision.
	DefaultCurrentTimestamp
	// DefaultExpression is any other expression, in the source dialect.
	DefaultExpression
)

// Default is a column default.
type Default struct {
	Kind  DefaultKind
	Value string
}

// Generated describes a generated column.
type Generated struct {
	Expr   string // source-dialect expression
	Stored bool   // STORED (true) or VIRTUAL (false)
}

// Type is a parsed source column type.
type Type struct {
	// Name is the lower-case base type name in the source dialect, e.g.
	// "int", "tinyint", "varchar", "decimal", "enum", "geometry".
	Name      string
	Unsigned  bool
	Length    int64 // character length, display width, binary length or bit count; 0 if none
	Precision int   // decimal precision, or fractional seconds for time types
	Scale     int
	Values    []string // enum and set members, in order
	Raw       string   // the full type as the source prints it, e.g. "int(10) unsigned"
}

func (t Type) String() string {
	if t.Raw != "" {
		return t.Raw
	}
	return t.Name
}

// Index is an index or a key constraint.
type Index struct {
	Name     string
	Columns  []IndexColumn
	Unique   bool
	Primary  bool
	Kind     string // "", "FULLTEXT", "SPATIAL"; "" is an ordinary btree/hash index
	Comment  string
	Nullable bool // true when any key column is nullable
	// Target is the name of the index on the target when it exists there
	// already (CDC keeps the names it created across schema changes);
	// "" lets the planner choose one.
	Target string `json:",omitempty"`
}

// ColumnNames returns the names of the indexed columns (expressions excluded).
func (i *Index) ColumnNames() []string {
	out := make([]string, 0, len(i.Columns))
	for _, c := range i.Columns {
		out = append(out, c.Name)
	}
	return out
}

// IndexColumn is one key part.
type IndexColumn struct {
	Name       string
	PrefixLen  int    // MySQL prefix index length; 0 when the whole column is indexed
	Descending bool   // DESC key part
	Expr       string // functional key part (source dialect); Name is empty then
}

// ForeignKey is a foreign key constraint.
type ForeignKey struct {
	Name       string
	Columns    []string
	RefSchema  string
	RefTable   string
	RefColumns []string
	OnDelete   string // "NO ACTION", "CASCADE", "SET NULL", "RESTRICT", "SET DEFAULT"
	OnUpdate   string
}

// Check is a CHECK constraint in the source dialect.
type Check struct {
	Name string
	Expr string
}

// View is a view with its source-dialect definition (the SELECT).
type View struct {
	Schema     string
	Name       string
	Definition string
}

// Routine is a stored procedure or function.
type Routine struct {
	Schema     string
	Name       string
	Kind       string // "PROCEDURE" or "FUNCTION"
	Definition string
}

// Trigger is a table trigger.
type Trigger struct {
	Schema     string
	Name       string
	Table      string
	Timing     string // BEFORE / AFTER
	Event      string // INSERT / UPDATE / DELETE
	Definition string // the trigger body, source dialect
}

// Position is a point in the source's change log (binlog file:pos and GTID
// set for MySQL, an LSN for PostgreSQL, an SCN for Oracle). CDC starts there.
type Position struct {
	Dialect string `json:"dialect"`
	File    string `json:"file,omitempty"`
	Pos     uint64 `json:"pos,omitempty"`
	GTID    string `json:"gtid,omitempty"`
	Flavor  string `json:"flavor,omitempty"` // "mysql" or "mariadb"
	// LogSeq is the event-log sequence of the transaction that ends here,
	// when changes travel through the event log (0 otherwise).
	LogSeq uint64 `json:"log_seq,omitempty"`
}

func (p Position) String() string {
	var b strings.Builder
	if p.File != "" {
		fmt.Fprintf(&b, "%s:%d", p.File, p.Pos)
	}
	if p.GTID != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "gtid=%s", p.GTID)
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

// Clone copies a table deeply enough that changing the copy's columns
// and keys leaves the original alone.
func (t *Table) Clone() *Table {
	n := *t
	n.Columns = make([]*Column, len(t.Columns))
	for i, c := range t.Columns {
		cc := *c
		n.Columns[i] = &cc
	}
	cloneIndex := func(ix *Index) *Index {
		if ix == nil {
			return nil
		}
		c := *ix
		c.Columns = append([]IndexColumn(nil), ix.Columns...)
		return &c
	}
	n.PrimaryKey = cloneIndex(t.PrimaryKey)
	n.Indexes = make([]*Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		n.Indexes[i] = cloneIndex(ix)
	}
	n.ForeignKeys = append([]*ForeignKey(nil), t.ForeignKeys...)
	n.Checks = append([]*Check(nil), t.Checks...)
	return &n
}
