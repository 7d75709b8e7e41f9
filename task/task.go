// Package task holds the settings of one migration task: where the data
// comes from and goes to, which tables, how, and where progress is kept.
// Settings come from flags or a YAML task file whose keys are named like the
// long flags; secrets can come from the environment.
package task

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Modes of a migration.
const (
	ModeFull    = "full"     // schema + data + keys (the default)
	ModeFullCDC = "full+cdc" // the full load, then streaming changes until stopped
	ModeCDC     = "cdc"      // streaming changes only, from --start-position or the applied position
)

// If-exists policies for non-empty target tables.
const (
	IfExistsError    = "error"
	IfExistsDrop     = "drop"
	IfExistsTruncate = "truncate"
	IfExistsAppend   = "append"
)

// Task is one migration task. The YAML keys are the long flag names.
type Task struct {
	Source       string     `yaml:"source"`
	Target       string     `yaml:"target"`
	Mode         string     `yaml:"mode"`
	Tables       StringList `yaml:"tables"`
	Parallel     int        `yaml:"parallel"`
	SchemaOnly   bool       `yaml:"schema-only"`
	DataOnly     bool       `yaml:"data-only"`
	TargetSchema string     `yaml:"target-schema"`
	// TargetSchemaSet is true when the task file names target-schema (""
	// included, which means one schema per source database).
	TargetSchemaSet bool   `yaml:"-"`
	StateDir        string `yaml:"state-dir"`
	DryRun          bool   `yaml:"dry-run"`
	IfExists        string `yaml:"if-exists"`
	JSON            bool   `yaml:"json"`
	ChunkRows       int64  `yaml:"chunk-rows"`
	// NATS is an external NATS server URL for the event log; "" runs an
	// embedded server with its storage in the state dir.
	NATS string `yaml:"nats"`
	// StartPosition is where --mode cdc starts: a GTID set or file:pos.
	StartPosition string `yaml:"start-position"`
	// SkipDDLAt lists schema changes (GTID or binlog file:pos, as the
	// pause message names them) that CDC moves past without changing the
	// target: the user made the equivalent change.
	SkipDDLAt []string `yaml:"skip-ddl-at"`
	// KeepEventLog keeps applied messages in the event log (by default
	// CDC trims what the target applied, so the log does not grow).
	KeepEventLog bool `yaml:"keep-event-log"`
	// CopyFormat is the PostgreSQL COPY format: "text" or "binary".
	CopyFormat string `yaml:"copy-format"`
	// TinyintBoolean maps tinyint(1) to boolean (default true).
	TinyintBoolean *bool `yaml:"tinyint1-as-boolean"`
	// Casts are user type-mapping rules that override the defaults.
	Casts []CastRule `yaml:"casts"`
	// Routes is reserved for event routing (a later feature); kept so task
	// files that carry it still load.
	Routes yaml.Node `yaml:"routes"`
}

// CastRule overrides the target type of matching columns. Either Type or
// Column (or both) must be set.
type CastRule struct {
	// Type matches the source type: a base name ("datetime"), a base name
	// with modifiers ("tinyint(1)", "int unsigned"), or the full raw type.
	Type string `yaml:"type"`
	// Column matches "table.column" or "db.table.column"; '*' and '?' glob.
	Column string `yaml:"column"`
	// To is the target type, e.g. "smallint", "text", "timestamptz".
	To string `yaml:"to"`
}

// StringList accepts either a YAML list or one comma-separated string.
type StringList []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (l *StringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = SplitList(n.Value)
		return nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a string", c.Line)
			}
			out = append(out, SplitList(c.Value)...)
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
}

// SplitList splits a comma-separated list and trims blanks.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Load reads a YAML task file. Unknown keys are errors, so a typo does not
// silently fall back to a default. ${VAR} references are expanded from the
// environment, so secrets need not be written in the file; $$ is a literal
// $, and any other $ is kept as it is.
func Load(path string) (*Task, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read task file: %w", err)
	}
	expanded, missing, err := expandEnv(string(raw))
	if err != nil {
		return nil, fmt.Errorf("task file %s: %w", path, err)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("task file %s: environment variable(s) %s are not set", path, strings.Join(missing, ", "))
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte(expanded)))
	dec.KnownFields(true)
	t := &Task{}
	if err := dec.Decode(t); err != nil {
		if errors.Is(err, errEOF) || err.Error() == "EOF" {
			return nil, fmt.Errorf("task file %s is empty", path)
		}
		return nil, fmt.Errorf("task file %s is not valid: %s", path, yamlMessage(err))
	}
	var keys map[string]any
	if yaml.Unmarshal([]byte(expanded), &keys) == nil {
		_, t.TargetSchemaSet = keys["target-schema"]
	}
	return t, nil
}

var errEOF = errors.New("EOF")

// expandEnv replaces ${NAME} with the environment variable NAME and $$
// with $. It returns the names that are not set.
func expandEnv(s string) (string, []string, error) {
	var b strings.Builder
	var missing []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", nil, fmt.Errorf("unclosed ${ at byte %d", i)
			}
			name := s[i+2 : i+2+end]
			v, ok := os.LookupEnv(name)
			if !ok {
				missing = append(missing, name)
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), missing, nil
}

var unknownFieldRe = regexp.MustCompile(`field (\S+) not found in type \S+`)

// yamlMessage flattens the YAML decoder's multi-line errors into one line
// and names unknown keys plainly.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:")
	msg = unknownFieldRe.ReplaceAllString(msg, "unknown key \"$1\"")
	var parts []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

// ApplyDefaults fills unset settings.
func (t *Task) ApplyDefaults() {
	if t.Mode == "" {
		t.Mode = ModeFull
	}
	if t.Parallel <= 0 {
		t.Parallel = DefaultParallel()
	}
	if t.IfExists == "" {
		t.IfExists = IfExistsError
	}
	if t.CopyFormat == "" {
		t.CopyFormat = "binary"
	}
	if t.ChunkRows <= 0 {
		t.ChunkRows = 250_000
	}
	if t.TinyintBoolean == nil {
		v := true
		t.TinyintBoolean = &v
	}
	if t.StateDir == "" {
		t.StateDir = ".ferry"
	}
	if t.Source == "" {
		t.Source = os.Getenv("FERRY_SOURCE")
	}
	if t.Target == "" {
		t.Target = os.Getenv("FERRY_TARGET")
	}
}

// DefaultParallel is the default worker count: the number of CPUs, at
// least 2 and at most 8. Loads are I/O- and server-bound, so one worker per
// core keeps both servers busy without thrashing small machines.
func DefaultParallel() int {
	n := runtime.NumCPU()
	if n < 2 {
		n = 2
	}
	if n > 8 {
		n = 8
	}
	return n
}

// Validate checks that the settings make sense together.
func (t *Task) Validate() error {
	if t.Source == "" {
		return errors.New("no source: pass --source mysql://user@host:3306/db (or set source: in the task file, or FERRY_SOURCE)")
	}
	if t.Target == "" {
		return errors.New("no target: pass --target postgres://user@host:5432/db (or set target: in the task file, or FERRY_TARGET)")
	}
	switch t.Mode {
	case ModeFull, ModeFullCDC, ModeCDC:
	default:
		return fmt.Errorf("--mode %q: use full, full+cdc or cdc", t.Mode)
	}
	if t.SchemaOnly && t.DataOnly {
		return errors.New("--schema-only and --data-only exclude each other")
	}
	switch t.IfExists {
	case IfExistsError, IfExistsDrop, IfExistsTruncate, IfExistsAppend:
	default:
		return fmt.Errorf("--if-exists %q: use one of error, drop, truncate, append", t.IfExists)
	}
	if t.CopyFormat != "text" && t.CopyFormat != "binary" {
		return fmt.Errorf("--copy-format %q: use text or binary", t.CopyFormat)
	}
	for i, c := range t.Casts {
		if c.To == "" || (c.Type == "" && c.Column == "") {
			return fmt.Errorf("casts[%d]: a rule needs 'to' and at least one of 'type' or 'column'", i)
		}
	}
	if _, err := ParseFilter(t.Tables); err != nil {
		return err
	}
	return nil
}
