package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/names"
)

func newSetsCmd(f *factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sets",
		Short: "List the credential sets in use",
		Long: "List the credential sets that hold at least one credential, and the providers in each.\n\n" +
			"A set is a named group of credentials (--set on login, status, token and logout;\n" +
			"\"default\" when none is given): keep work and personal keys apart, or one per project.",
		Example: "  terok auth sets\n" +
			"  terok auth sets --json",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			accounts, err := f.Accounts()
			if err != nil {
				return err
			}
			sets, err := accounts.Sets(cmd.Context())
			if err != nil {
				fmt.Fprintf(f.IO.ErrOut, "warning: %v\n", err)
			}
			if asJSON {
				if sets == nil {
					sets = []account.SetInfo{}
				}
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(sets)
			}
			if len(sets) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "No credentials are stored.")
				return nil
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SET\tPROVIDERS")
			for _, s := range sets {
				fmt.Fprintf(tw, "%s\t%s\n", s.Name, strings.Join(names.Strings(s.Providers), ", "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
