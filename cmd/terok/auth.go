package main

import "github.com/spf13/cobra"

func newAuthCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Log in to providers, see and manage stored credentials",
		Args:  noArgs,
	}
	cmd.AddCommand(newLoginCmd(f, nil), newLogoutCmd(f, nil), newStatusCmd(f, nil), newTokenCmd(f, nil),
		newSetsCmd(f), newProvidersCmd(f, nil))
	return cmd
}
