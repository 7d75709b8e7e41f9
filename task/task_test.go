package task

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSplitList(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" ", nil},
		{",", nil},
		{"a", []string{"a"}},
		{"a,b", []string{"a", "b"}},
		{" a , b ,, c ", []string{"a", "b", "c"}},
		{"shop.*, !shop.big_log", []string{"shop.*", "!shop.big_log"}},
		{"\ta\n,b", []string{"a", "b"}},
	}
	for _, c := range cases {
		if got := SplitList(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// writeTask writes a task file into a temporary directory and returns its path.
func writeTask(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "task.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// unsetEnv unsets name for the duration of the test.
func unsetEnv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // restores the old value after the test
	os.Unsetenv(name)
}

func TestLoad(t *testing.T) {
	t.Setenv("FERRY_TEST_PW", "s3cr3t")
	t.Setenv("FERRY_TEST_HOST", "db1")
	no := false
	cases := []struct {
		name string
		body string
		want Task
	}{
		{
			name: "list of tables, one item comma-separated",
			body: `
source: mysql://app:${FERRY_TEST_PW}@${FERRY_TEST_HOST}:3306/shop
target: postgres://app@pg1/shop
tables:
  - shop.*
  - "!shop.big_log, !shop.tmp"
parallel: 4
`,
			want: Task{
				Source:   "mysql://app:s3cr3t@db1:3306/shop",
				Target:   "postgres://app@pg1/shop",
				Tables:   StringList{"shop.*", "!shop.big_log", "!shop.tmp"},
				Parallel: 4,
			},
		},
		{
			name: "comma-separated string of tables",
			body: `tables: "a, b ,c"`,
			want: Task{Tables: StringList{"a", "b", "c"}},
		},
		{
			name: "flow list of tables",
			body: `tables: [shop.*, "!shop.audit_log"]`,
			want: Task{Tables: StringList{"shop.*", "!shop.audit_log"}},
		},
		{
			name: "casts and flags named like the long options",
			body: `
schema-only: true
if-exists: truncate
copy-format: text
chunk-rows: 1000
tinyint1-as-boolean: false
target-schema: ""
casts:
  - {type: "tinyint(1)", to: smallint}
  - {column: "shop.orders.note", to: text}
`,
			want: Task{
				SchemaOnly: true, IfExists: "truncate", CopyFormat: "text", ChunkRows: 1000, TargetSchemaSet: true,
				TinyintBoolean: &no,
				Casts: []CastRule{
					{Type: "tinyint(1)", To: "smallint"},
					{Column: "shop.orders.note", To: "text"},
				},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Load(writeTask(t, c.body))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("Load:\n got %+v\nwant %+v", *got, c.want)
			}
		})
	}
}

func TestLoadKeepsRoutes(t *testing.T) {
	got, err := Load(writeTask(t, "routes:\n  orders: {subject: shop.orders}\n"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Routes.Kind == 0 {
		t.Errorf("routes were not kept: %+v", got.Routes)
	}
}

func TestLoadErrors(t *testing.T) {
	unsetEnv(t, "FERRY_TEST_UNSET_A")
	unsetEnv(t, "FERRY_TEST_UNSET_B")
	cases := []struct {
		name string
		body string
		want []string // substrings of the error
	}{
		{"unset variable", "source: mysql://app:${FERRY_TEST_UNSET_A}@h/db\n",
			[]string{"FERRY_TEST_UNSET_A", "not set"}},
		{"two unset variables", "source: ${FERRY_TEST_UNSET_A}\ntarget: ${FERRY_TEST_UNSET_B}\n",
			[]string{"FERRY_TEST_UNSET_A, FERRY_TEST_UNSET_B"}},
		{"unknown key", "source: mysql://h/db\nparallell: 4\n",
			[]string{`unknown key "parallell"`}},
		{"empty file", "", []string{"is empty"}},
		{"comments only", "# nothing here\n", []string{"is empty"}},
		{"wrong value type", "parallel: many\n", []string{"is not valid"}},
		{"tables as a mapping", "tables: {a: b}\n", []string{"expected a string or a list of strings"}},
		{"nested list in tables", "tables: [[a]]\n", []string{"expected a string"}},
		{"not YAML", "source: [unclosed\n", []string{"is not valid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeTask(t, c.body)
			got, err := Load(p)
			if err == nil {
				t.Fatalf("Load(%q) = %+v, want an error", c.body, got)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "read task file") {
		t.Errorf("Load(missing file) error = %v, want a read error", err)
	}
}

func TestApplyDefaults(t *testing.T) {
	t.Setenv("FERRY_SOURCE", "mysql://env-src/db")
	t.Setenv("FERRY_TARGET", "postgres://env-dst/db")

	var empty Task
	empty.ApplyDefaults()
	if empty.Mode != ModeFull || empty.IfExists != IfExistsError || empty.CopyFormat != "binary" ||
		empty.ChunkRows != 250_000 || empty.StateDir != ".ferry" ||
		empty.TinyintBoolean == nil || !*empty.TinyintBoolean ||
		empty.Source != "mysql://env-src/db" || empty.Target != "postgres://env-dst/db" {
		t.Errorf("defaults of an empty task: %+v", empty)
	}
	if empty.Parallel < 2 || empty.Parallel > 8 || empty.Parallel != DefaultParallel() {
		t.Errorf("default parallel = %d, want DefaultParallel() = %d within [2, 8]", empty.Parallel, DefaultParallel())
	}

	no := false
	set := Task{
		Source: "mysql://src/db", Target: "postgres://dst/db", Mode: ModeFull, Parallel: 3,
		IfExists: IfExistsDrop, CopyFormat: "text", ChunkRows: 10, TinyintBoolean: &no, StateDir: "/tmp/st",
	}
	want := set
	set.ApplyDefaults()
	if !reflect.DeepEqual(set, want) {
		t.Errorf("ApplyDefaults changed set values:\n got %+v\nwant %+v", set, want)
	}
}

func TestValidate(t *testing.T) {
	valid := func() Task {
		t := Task{Source: "mysql://src/db", Target: "postgres://dst/db", Parallel: 2}
		t.ApplyDefaults()
		return t
	}
	cases := []struct {
		name    string
		edit    func(*Task)
		wantErr string // "" means valid
	}{
		{"defaults are valid", func(*Task) {}, ""},
		{"if-exists drop", func(t *Task) { t.IfExists = IfExistsDrop }, ""},
		{"if-exists truncate", func(t *Task) { t.IfExists = IfExistsTruncate }, ""},
		{"if-exists append", func(t *Task) { t.IfExists = IfExistsAppend }, ""},
		{"copy-format text", func(t *Task) { t.CopyFormat = "text" }, ""},
		{"schema-only alone", func(t *Task) { t.SchemaOnly = true }, ""},
		{"data-only alone", func(t *Task) { t.DataOnly = true }, ""},
		{"cast by type", func(t *Task) { t.Casts = []CastRule{{Type: "time", To: "interval"}} }, ""},
		{"cast by column", func(t *Task) { t.Casts = []CastRule{{Column: "t.c", To: "text"}} }, ""},
		{"good tables", func(t *Task) { t.Tables = StringList{"db.*", "!db.big_log", "orders"} }, ""},

		{"no source", func(t *Task) { t.Source = "" }, "no source"},
		{"no target", func(t *Task) { t.Target = "" }, "no target"},
		{"unsupported mode", func(t *Task) { t.Mode = "streaming" }, `--mode "streaming"`},
		{"schema-only and data-only", func(t *Task) { t.SchemaOnly, t.DataOnly = true, true }, "exclude each other"},
		{"bad if-exists", func(t *Task) { t.IfExists = "replace" }, `--if-exists "replace"`},
		{"empty if-exists", func(t *Task) { t.IfExists = "" }, "--if-exists"},
		{"bad copy-format", func(t *Task) { t.CopyFormat = "csv" }, `--copy-format "csv"`},
		{"cast without to", func(t *Task) { t.Casts = []CastRule{{Type: "time"}} }, "casts[0]"},
		{"cast without type or column", func(t *Task) {
			t.Casts = []CastRule{{Type: "time", To: "interval"}, {To: "text"}}
		}, "casts[1]"},
		{"malformed tables", func(t *Task) { t.Tables = StringList{".x"} }, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := valid()
			c.edit(&tk)
			err := tk.Validate()
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("Validate: %v, want no error", err)
			case c.wantErr != "" && err == nil:
				t.Errorf("Validate: no error, want one containing %q", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("Validate: %q, want it to contain %q", err, c.wantErr)
			}
		})
	}
}
