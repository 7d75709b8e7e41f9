package cli

import (
	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/task"
)

// taskFromFlags loads the task file (if any) and lays over it the flags
// that migrate and verify share, where the user gave them. The returned
// set applies a command's own flags the same way: only when given.
func taskFromFlags(cmd *cobra.Command, file string, flags *task.Task, tables string, tinyBool *bool) (*task.Task, func(name string, apply func()), error) {
	t := &task.Task{}
	if file != "" {
		ft, err := task.Load(file)
		if err != nil {
			return nil, nil, usageError{err}
		}
		t = ft
	}
	fs := cmd.Flags()
	set := func(name string, apply func()) {
		if fs.Changed(name) {
			apply()
		}
	}
	set("source", func() { t.Source = flags.Source })
	set("target", func() { t.Target = flags.Target })
	set("tables", func() { t.Tables = task.SplitList(tables) })
	set("parallel", func() { t.Parallel = flags.Parallel })
	set("chunk-rows", func() { t.ChunkRows = flags.ChunkRows })
	set("tinyint1-as-boolean", func() { t.TinyintBoolean = tinyBool })
	if fs.Changed("target-schema") || !t.TargetSchemaSet {
		t.TargetSchema = flags.TargetSchema
	}
	return t, set, nil
}
