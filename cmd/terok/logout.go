package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/store"
)

type logoutOptions struct {
	f         *factory
	Providers []string
	All       bool
	Set       string
}

func newLogoutCmd(f *factory, runF func(context.Context, *logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{f: f}
	cmd := &cobra.Command{
		Use:   "logout {PROVIDER... | --all}",
		Short: "Remove stored credentials",
		Long: "Remove the stored credential of each provider named, or of every provider in the set\n" +
			"with --all. Nothing else is touched. Logging out of something that is not stored\n" +
			"says so and succeeds; a name that is neither installed nor stored is a usage error (exit 2).",
		Example: "  terok auth logout claude\n" +
			"  terok auth logout --all --set work",
		ValidArgsFunction: completeProviders(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.All && len(args) > 0:
				return usageErrorf("give provider names or --all, not both")
			case !opts.All && len(args) == 0:
				return usageErrorf("name the providers to log out of, or use --all")
			}
			if err := checkTargets(args, opts.Set); err != nil {
				return err
			}
			opts.Providers = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "log out of every provider in the set")
	cmd.Flags().StringVar(&opts.Set, "set", store.DefaultSet, "credential set")
	completeSets(cmd, f)
	return cmd
}

func logoutRun(ctx context.Context, opts *logoutOptions) error {
	f := opts.f
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	providers := opts.Providers
	if !opts.All {
		if err := checkKnown(ctx, f, providers, opts.Set); err != nil {
			return err
		}
	}
	if opts.All {
		if providers, err = allProviders(f, accounts, opts.Set); err != nil {
			return err
		}
	}
	removedAny := false
	for _, p := range providers {
		removed, err := accounts.Logout(ctx, opts.Set, p)
		if err != nil {
			return err
		}
		switch {
		case removed:
			removedAny = true
			f.changed = append(f.changed, fmt.Sprintf("logged out of %s (set: %s)", p, opts.Set))
			fmt.Fprintf(f.IO.ErrOut, "Logged out of %s (set: %s)\n", p, opts.Set)
		case !opts.All:
			fmt.Fprintf(f.IO.ErrOut, "%s was not logged in (set: %s); nothing to do\n", p, opts.Set)
		}
		if v := store.EnvVar(p); f.Getenv(v) != "" {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s is set in the environment and still applies to %s\n", v, p)
		}
	}
	if opts.All && !removedAny {
		fmt.Fprintf(f.IO.ErrOut, "Nothing was stored in set %s; nothing to do\n", opts.Set)
	}
	return nil
}
