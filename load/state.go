package load

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/ferrydb/ferry/catalog"
)

// Chunk states in the checkpoint.
const (
	ChunkPending = "pending"
	ChunkStarted = "started" // may have partly landed: cleared before a retry
	ChunkDone    = "done"
)

// State is the checkpoint of one task, kept as JSON in the state dir. It is
// rewritten atomically (write, fsync, rename) at every chunk transition.
type State struct {
	Version int    `json:"version"`
	TaskID  string `json:"task_id"`
	// Snapshot is the source position of the first snapshot. A resumed load
	// reads later chunks from a later snapshot; CDC starts from this, the
	// earliest, position and re-applies idempotently, so nothing is missed.
	Snapshot   *catalog.Position      `json:"snapshot,omitempty"`
	Consistent bool                   `json:"snapshot_consistent"`
	SchemaDone bool                   `json:"schema_done"`
	DataDone   bool                   `json:"data_done"`
	Completed  bool                   `json:"completed"`
	Tables     map[string]*TableState `json:"tables"`
	// PostDone records which post-load statements (by hash) have run.
	PostDone  map[string]bool `json:"post_done"`
	StartedAt time.Time       `json:"started_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// Mode records how the task loads (if-exists policy, schema/data
	// only); a resume with other settings is refused.
	Mode string `json:"mode,omitempty"`

	path string
	mu   sync.Mutex
	lock *os.File
}

// TableState tracks one table's chunks.
type TableState struct {
	KeyColumn string           `json:"key_column,omitempty"`
	Chunks    []*ChunkState    `json:"chunks"`
	ZeroDates map[string]int64 `json:"zero_dates,omitempty"`
	// CopiedAt is the snapshot position a table copied whole (one chunk)
	// was read at; CDC skips its changes up to there (see overlap.go).
	CopiedAt *catalog.Position `json:"copied_at,omitempty"`
}

// ChunkState is one key range.
type ChunkState struct {
	Lo     *int64 `json:"lo,omitempty"`
	Hi     *int64 `json:"hi,omitempty"`
	Status string `json:"status"`
	Rows   int64  `json:"rows"`
}

// TaskID identifies a task by its source, target and table selection, so
// a rerun of the same command finds its checkpoint.
func TaskID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// OpenState loads the checkpoint for taskID from dir, or starts a new one.
// It locks the task: a second run of the same task while one is alive
// fails instead of copying the same chunks twice. Close releases the lock.
func OpenState(dir, taskID string) (*State, bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("state dir %s: %w", dir, err)
	}
	p := filepath.Join(dir, "task-"+taskID+".json")
	lf, err := os.OpenFile(p+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("lock checkpoint %s: %w", p, err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		return nil, false, fmt.Errorf("another ferry run of this task is still running (checkpoint %s is locked): wait for it or stop it, then rerun", p)
	}
	st := &State{Version: 1, TaskID: taskID, Tables: map[string]*TableState{}, PostDone: map[string]bool{}, path: p, lock: lf}
	raw, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		st.StartedAt = time.Now().UTC()
		return st, false, nil
	}
	if err != nil {
		st.Close()
		return nil, false, fmt.Errorf("read checkpoint %s: %w", p, err)
	}
	if err := json.Unmarshal(raw, st); err != nil {
		st.Close()
		return nil, false, fmt.Errorf("checkpoint %s is corrupt (%v): remove it to start over", p, err)
	}
	if st.Tables == nil {
		st.Tables = map[string]*TableState{}
	}
	if st.PostDone == nil {
		st.PostDone = map[string]bool{}
	}
	st.path = p
	return st, true, nil
}

// Close releases the task lock.
func (s *State) Close() {
	if s.lock != nil {
		_ = syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		s.lock.Close()
		s.lock = nil
	}
}

// Path is where the checkpoint lives.
func (s *State) Path() string { return s.path }

// Update changes the state under its lock and saves it.
func (s *State) Update(fn func(*State)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
	return s.saveLocked()
}

// Read runs fn under the lock.
func (s *State) Read(fn func(*State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *State) saveLocked() error {
	s.UpdatedAt = time.Now().UTC()
	raw, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	// Make the rename itself durable: after a power loss an older
	// checkpoint could otherwise come back with a committed chunk pending.
	d, err := os.Open(filepath.Dir(s.path))
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}
