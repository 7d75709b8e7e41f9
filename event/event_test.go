package event

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestID(t *testing.T) {
	withGTID := Event{Source: Source{GTID: "0-1-42", File: "binlog.000001", Pos: 900, Row: 3}, Transaction: &Transaction{ID: "0-1-42", TotalOrder: 2}}
	if got := withGTID.ID(); got != "0-1-42#2" {
		t.Errorf("ID with GTID = %q", got)
	}
	noGTID := Event{Source: Source{File: "binlog.000001", Pos: 900, Row: 3}, Transaction: &Transaction{ID: "binlog.000001:800", TotalOrder: 2}}
	if got := noGTID.ID(); got != "binlog.000001:900#3" {
		t.Errorf("ID without GTID = %q", got)
	}
}

func TestJSON(t *testing.T) {
	e := Event{Op: OpCreate, After: map[string]any{"b": []byte{0, 1, 2}, "u": uint64(18446744073709551615)}}
	b, err := json.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"op":"c"`, `"b":"AAEC"`, `"u":18446744073709551615`, `"server_id":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), `"before"`) || strings.Contains(string(b), `"transaction"`) {
		t.Errorf("JSON %s has empty before/transaction", b)
	}
}
