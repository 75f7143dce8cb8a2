package main

import "github.com/spf13/cobra"

func newAuthCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Log in to providers and list them",
		Args:  noArgs,
	}
	cmd.AddCommand(newLoginCmd(f, nil), newProvidersCmd(f, nil))
	return cmd
}
