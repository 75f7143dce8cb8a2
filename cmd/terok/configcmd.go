package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newConfigCmd(f *factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective settings and where each comes from",
		Long: "Show every setting, its value, and where the value comes from: the default, the\n" +
			"config file, an environment variable or a flag (each overrides the one before).\n" +
			"'terok help environment' lists the variables.",
		Example: "  terok config\n" +
			"  terok config --json | jq -r '.settings[] | select(.key == \"store\") | .value'",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			values := f.Config.Values()
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"file": f.Config.File, "settings": values, "plugin_path": f.SearchPath})
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
			for _, v := range values {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Key, dash(v.Value), v.Source)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Config file: %s\nPlugin path (first wins): %s\n", f.Config.File, strings.Join(f.SearchPath, string(filepath.ListSeparator)))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	storeFlag(cmd)
	return cmd
}
