package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/config"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/usage"
)

func newSetsCmd(f *factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sets",
		Short: "List the credential sets in use",
		Long: "List the credential sets that hold at least one credential, and the providers in each.\n\n" +
			"A set is a named group of credentials (--set on login, status, token and logout;\n" +
			"the default set when none is given): keep work and personal keys apart, or one per project.\n\n" +
			"The default set is \"default\" unless default_set in the config (or TEROK_DEFAULT_SET)\n" +
			"names another; `terok auth sets use NAME` writes it there.",
		Example: "  terok auth sets\n" +
			"  terok auth sets --json\n" +
			"  terok auth sets use work   # commands without --set now use \"work\"",
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
				// Each set says whether it is the default, as the text's
				// last line does; a default set that holds nothing is
				// not listed.
				type setJSON struct {
					account.SetInfo
					Default bool `json:"default"`
				}
				out, def := []setJSON{}, defaultSet(f)
				for _, s := range sets {
					out = append(out, setJSON{SetInfo: s, Default: string(s.Name) == def})
				}
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
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
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Default set: %s\n", defaultSet(f))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newSetsUseCmd(f))
	return cmd
}

func newSetsUseCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "use NAME",
		Short: "Make NAME the credential set commands use without --set",
		Long: "Make NAME the default credential set: login, status, token, logout, exec, env and\n" +
			"git-credential use it when --set is not given. It is written as default_set into the\n" +
			"config file, keeping the rest of the file as it is; TEROK_DEFAULT_SET, when set, wins.",
		Example: "  terok auth sets use work\n" +
			"  terok auth sets use default",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage.Errorf("name the set to use by default: terok auth sets use NAME")
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 || !f.ready(cmd) {
				return nil, noFiles
			}
			out := []cobra.Completion{string(names.DefaultSet)}
			if accounts, err := f.Accounts(); err == nil {
				sets, _ := accounts.Sets(cmd.Context())
				for _, s := range sets {
					if s.Name != names.DefaultSet {
						out = append(out, string(s.Name))
					}
				}
			}
			return out, noFiles
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := names.ParseSet(args[0])
			if err != nil {
				return err
			}
			if err := config.SetInFile(cmd.Context(), f.Config.File, "default_set", string(set)); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Commands without --set now use the set %s (default_set in %s)\n", set, f.Config.File)
			if v := f.Getenv("TEROK_DEFAULT_SET"); v != "" && v != string(set) {
				fmt.Fprintf(f.IO.ErrOut, "warning: TEROK_DEFAULT_SET=%s is set and wins while it is\n", v)
			}
			if accounts, err := f.Accounts(); err == nil {
				if sets, err := accounts.Sets(cmd.Context()); err == nil && !slices.ContainsFunc(sets, func(s account.SetInfo) bool { return s.Name == set }) {
					fmt.Fprintf(f.IO.ErrOut, "Nothing is stored in %s yet: terok auth login PROVIDER stores into it.\n", set)
				}
			}
			return nil
		},
	}
}
