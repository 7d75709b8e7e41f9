// Package event is ferry's change-event model: one row change in a
// Debezium-compatible envelope (op, before, after, source, ts_ms,
// transaction). Sources produce events (source/mysql's binlog streamer);
// later the transport and the applier consume them. docs/events.md
// describes the envelope and how column values are represented.
package event

import (
	"fmt"
	"strconv"

	"github.com/ferrydb/ferry/catalog"
)

// Operation codes, as Debezium spells them.
const (
	OpCreate   = "c" // insert
	OpUpdate   = "u" // update
	OpDelete   = "d" // delete
	OpRead     = "r" // snapshot read
	OpTruncate = "t" // truncate
	// OpDDL marks a schema change event: DDL and TableChanges describe it
	// (docs/events.md). It is a transaction of its own.
	OpDDL = "ddl"
)

// Version is the ferry version written to Source.Version. The CLI may set
// it at startup; it defaults to "dev".
var Version = "dev"

// Event is one row change.
type Event struct {
	Op          string       `json:"op"` // "c" insert, "u" update, "d" delete, "r" snapshot read, "t" truncate
	Before      Row          `json:"before,omitempty"`
	After       Row          `json:"after,omitempty"`
	Source      Source       `json:"source"`
	TsMs        int64        `json:"ts_ms"` // when ferry processed it
	Transaction *Transaction `json:"transaction,omitempty"`
	// Schema change events (Op == OpDDL) only, named as in Debezium's
	// schema change events.
	DDL          string        `json:"ddl,omitempty"` // the statement as the source logged it
	TableChanges []TableChange `json:"tableChanges,omitempty"`
}

// TableChange is what one DDL statement did to one selected table.
type TableChange struct {
	Type string `json:"type"` // "CREATE", "ALTER", "DROP" or "RENAME"
	ID   string `json:"id"`   // "db.table"
	// From is the table's name before a RENAME ("db.table"); ID is the
	// new name.
	From string `json:"from,omitempty"`
	// Table is the table's definition after the change (nil for DROP):
	// the stream decodes the table's later rows with it and the applier
	// plans the target table from it.
	Table *catalog.Table `json:"table,omitempty"`
	// Columns are the statement's column changes, in order (ALTER).
	Columns []ColumnChange `json:"columnChanges,omitempty"`
	// Indexes are the statement's index changes, in order (ALTER).
	Indexes []IndexChange `json:"indexChanges,omitempty"`
	// Unsupported says which parts of the statement ferry cannot follow;
	// the applier pauses there unless the user skips the statement.
	Unsupported []string `json:"unsupported,omitempty"`
}

// Column change operations.
const (
	ColumnAdd    = "add"
	ColumnDrop   = "drop"
	ColumnRename = "rename" // From is the old name; the type may change too
	ColumnModify = "modify" // type, default, nullability
)

// IndexChange adds or drops one index (not the primary key): Op is
// "add" or "drop", Name the source index name.
type IndexChange struct {
	Op   string `json:"op"`
	Name string `json:"name"`
}

// ColumnChange is one column operation of an ALTER TABLE.
type ColumnChange struct {
	Op     string `json:"op"`
	Column string `json:"column"`         // the column (after a rename: its new name)
	From   string `json:"from,omitempty"` // rename: the old name
}

// Where names the source position of the event's transaction for people:
// the GTID when the source has them, else binlog file:pos of the event.
// --skip-ddl-at takes it.
func (e *Event) Where() string {
	if e.Source.GTID != "" {
		return e.Source.GTID
	}
	return fmt.Sprintf("%s:%d", e.Source.File, e.Source.Pos)
}

// Source says where an event comes from.
type Source struct {
	Version   string `json:"version"`   // ferry version
	Connector string `json:"connector"` // "mysql" (MySQL and MariaDB)
	Name      string `json:"name"`      // logical server name
	TsMs      int64  `json:"ts_ms"`     // source commit time, milliseconds since the epoch
	Db        string `json:"db"`
	Table     string `json:"table"`
	ServerID  uint32 `json:"server_id"`
	GTID      string `json:"gtid,omitempty"` // the transaction's GTID, when the source has GTIDs
	File      string `json:"file"`           // binlog file of the rows event
	Pos       uint64 `json:"pos"`            // start offset of the rows event in File
	Row       int    `json:"row"`            // 0-based index of the row within the rows event
	Snapshot  string `json:"snapshot,omitempty"`
}

// Transaction places an event within its source transaction.
type Transaction struct {
	ID                  string `json:"id"`                    // the GTID, or file:pos of the transaction's start
	TotalOrder          int64  `json:"total_order"`           // 1-based index of the event within the transaction
	DataCollectionOrder int64  `json:"data_collection_order"` // 1-based index among the transaction's events of the same table
}

// ID returns a deterministic id for deduplication, derived from the source
// position only, so re-reading the same binlog range yields the same ids:
//
//   - with a GTID: "<gtid>#<total_order>" (stable across servers that
//     replicate the same GTIDs);
//   - otherwise: "<file>:<pos>#<row>" (the rows event's position and the
//     row's index within it).
func (e *Event) ID() string {
	if e.Source.GTID != "" && e.Transaction != nil {
		return e.Source.GTID + "#" + strconv.FormatInt(e.Transaction.TotalOrder, 10)
	}
	return fmt.Sprintf("%s:%d#%d", e.Source.File, e.Source.Pos, e.Source.Row)
}

// Key is the "db.table" the event belongs to.
func (e *Event) Key() string { return e.Source.Db + "." + e.Source.Table }

// Chunk is a piece of one source transaction, as a change stream hands it
// on: a transaction of any size arrives as one or more chunks in order, so
// nobody has to hold a whole transaction in memory. First marks the
// transaction's first chunk, Commit its last (the transaction committed;
// the stream's position then stands after it). A small transaction is one
// chunk with both set; an empty one (only the position moves) has no
// events.
type Chunk struct {
	Events []Event
	First  bool
	Commit bool
}

// Tally counts applied changes for monitoring without holding them: the
// source transactions, the events per table (Key) and the latest source
// commit time.
type Tally struct {
	Txs    int64
	Events int64
	Tables map[string]int64
	// LastMs is the latest Source.TsMs seen (0 when none).
	LastMs int64
}

// Add counts events.
func (t *Tally) Add(events []Event) {
	if len(events) == 0 {
		return
	}
	if t.Tables == nil {
		t.Tables = map[string]int64{}
	}
	for i := range events {
		t.Tables[events[i].Key()]++
		t.LastMs = max(t.LastMs, events[i].Source.TsMs)
	}
	t.Events += int64(len(events))
}

// TallyOf counts whole transactions.
func TallyOf(txs [][]Event) Tally {
	var t Tally
	for _, tx := range txs {
		t.Add(tx)
	}
	t.Txs = int64(len(txs))
	return t
}
