package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrydb/ferry/assess"
)

func newAssess(stdout io.Writer) *cobra.Command {
	var from string
	var reports []string
	var defines []string
	cmd := &cobra.Command{
		Use:   "assess --from oracle FILE|DIR... [--report assess.html] [--report assess.json]",
		Short: "Inventory Oracle scripts and estimate the migration effort",
		Long: `assess reads Oracle SQL*Plus scripts (files, or directories of *.sql
files), runs the schema and PL/SQL converters over every statement and
prints an inventory by kind: how many objects convert automatically, with
warnings, or need manual work, with a complexity grade per object (simple
< 2 h, medium 2-6 h, significant > 6 h) and a total effort range.
--report writes the full report as HTML or JSON, by the file's extension
(repeat the flag for both).`,
		Example: `  ferry assess --from oracle hr_create.sql hr_code.sql --report assess.html
  ferry assess --from oracle ./scripts --report assess.json --report assess.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from != "oracle" {
				return usageError{fmt.Errorf("--from %q: only oracle scripts can be assessed", from)}
			}
			for _, r := range reports {
				if ext := strings.ToLower(filepath.Ext(r)); ext != ".html" && ext != ".htm" && ext != ".json" {
					return usageError{fmt.Errorf("--report %s: use a .html or .json file name", r)}
				}
			}
			defs := map[string]string{}
			for _, d := range defines {
				k, v, ok := strings.Cut(d, "=")
				if !ok {
					return usageError{fmt.Errorf("--define %q: use NAME=VALUE", d)}
				}
				defs[k] = v
			}
			rep, err := assess.Run(cmd.Context(), args, assess.Options{Defines: defs})
			if err != nil {
				return err
			}
			for _, r := range reports {
				if err := writeReport(rep, r); err != nil {
					return err
				}
			}
			return rep.WriteText(stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "oracle", "source dialect of the scripts (oracle)")
	f.StringArrayVar(&reports, "report", nil, "write the report to this .html or .json file (repeatable)")
	f.StringArrayVar(&defines, "define", nil, "SQL*Plus substitution variable NAME=VALUE (repeatable)")
	return cmd
}

func writeReport(rep *assess.Report, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("assess: create report: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		err = rep.WriteJSON(f)
	} else {
		err = rep.WriteHTML(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("assess: write report %s: %w", path, err)
	}
	return nil
}
