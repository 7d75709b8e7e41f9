// Package event is ferry's change-event model: one row change in a
// Debezium-compatible envelope (op, before, after, source, ts_ms,
// transaction). Sources produce events (source/mysql's binlog streamer);
// later the transport and the applier consume them. docs/events.md
// describes the envelope and how column values are represented.
package event

import (
	"fmt"
	"strconv"
)

// Operation codes, as Debezium spells them.
const (
	OpCreate   = "c" // insert
	OpUpdate   = "u" // update
	OpDelete   = "d" // delete
	OpRead     = "r" // snapshot read
	OpTruncate = "t" // truncate
)

// Version is the ferry version written to Source.Version. The CLI may set
// it at startup; it defaults to "dev".
var Version = "dev"

// Event is one row change.
type Event struct {
	Op          string         `json:"op"` // "c" insert, "u" update, "d" delete, "r" snapshot read, "t" truncate
	Before      map[string]any `json:"before,omitempty"`
	After       map[string]any `json:"after,omitempty"`
	Source      Source         `json:"source"`
	TsMs        int64          `json:"ts_ms"` // when ferry processed it
	Transaction *Transaction   `json:"transaction,omitempty"`
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
