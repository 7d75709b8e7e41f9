package assess

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestAssessIncludedFileOnce assesses a directory where inc.sql sorts
// before main.sql, which includes it: its table counts once.
func TestAssessIncludedFileOnce(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"inc.sql":  "CREATE TABLE t (id NUMBER(9) PRIMARY KEY);\n",
		"main.sql": "@@inc.sql\nCREATE VIEW v AS SELECT id FROM t;\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Run(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 1 || rep.Files[0] != filepath.Join(dir, "main.sql") {
		t.Errorf("files %v, want only main.sql", rep.Files)
	}
	for _, k := range rep.Kinds {
		if (k.Kind == "table" || k.Kind == "view") && k.Total != 1 {
			t.Errorf("%s: %d, want 1", k.Kind, k.Total)
		}
	}
}
