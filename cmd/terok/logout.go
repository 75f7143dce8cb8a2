package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/usage"
)

type logoutOptions struct {
	f         *factory
	Providers []names.Provider
	All       bool
	Set       names.Set
}

func newLogoutCmd(f *factory, runF func(context.Context, *logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{f: f}
	var set string
	cmd := &cobra.Command{
		Use:   "logout {PROVIDER... | --all}",
		Short: "Remove stored credentials",
		Long: "Remove the stored credential of each provider named, or of every provider in the set\n" +
			"with --all, with the files its login created in the provider's shared config dir and\n" +
			"any file there that holds the credential's secret (an earlier terok wrote API keys into\n" +
			"config.json or .env files). Nothing in another provider's dir is removed, nor anything\n" +
			"through a symbolic link: logout says what it left and why. Logging out of something\n" +
			"that is not stored says so and succeeds; a name that is neither installed nor stored\n" +
			"is a usage error (exit 2).",
		Example: "  terok auth logout claude\n" +
			"  terok auth logout --all --set work",
		ValidArgsFunction: completeProviders(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.All && len(args) > 0:
				return usage.Errorf("give provider names or --all, not both")
			case !opts.All && len(args) == 0:
				return usage.Errorf("name the providers to log out of, or use --all")
			}
			var err error
			if opts.Providers, opts.Set, err = parseTargets(args, setArg(f, cmd, set)); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "log out of every provider in the set")
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set")
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
	if opts.All {
		if providers, err = knownProviders(f, opts.Set); err != nil {
			return err
		}
	} else if err := checkKnown(ctx, f, providers, opts.Set); err != nil {
		return err
	}
	logout := &auth.Logout{Accounts: accounts, Written: writtenLog(f), MountsDir: f.MountsDir,
		HostDir: func(ctx context.Context, p names.Provider) (string, error) { return providerHostDir(ctx, f, p) },
		Getenv:  f.Getenv, Log: f.named("logout")}
	results, err := logout.Run(ctx, auth.LogoutRequest{Set: opts.Set, Providers: providers, All: opts.All})
	w := f.IO.ErrOut
	removedAny := false
	for _, r := range results {
		for _, file := range r.Files {
			if file.HeldSecret {
				fmt.Fprintf(w, "Removed %s: it held %s's secret in plain text\n", file.Path, r.Provider)
			} else {
				fmt.Fprintf(w, "Removed %s (written by the login)\n", file.Path)
			}
		}
		for _, warning := range r.Warnings {
			fmt.Fprintf(w, "warning: %s\n", warning)
		}
		switch {
		case r.Removed:
			removedAny = true
			f.changed = append(f.changed, fmt.Sprintf("logged out of %s (set: %s)", r.Provider, opts.Set))
			fmt.Fprintf(w, "Logged out of %s (set: %s)\n", r.Provider, opts.Set)
		case !opts.All:
			fmt.Fprintf(w, "%s was not logged in (set: %s); nothing to do\n", r.Provider, opts.Set)
		}
		if r.EnvOverride != "" {
			fmt.Fprintf(w, "warning: %s is set in the environment and still applies to %s\n", r.EnvOverride, r.Provider)
		}
	}
	if err != nil {
		return err
	}
	if opts.All && !removedAny {
		fmt.Fprintf(w, "Nothing was stored in set %s; nothing to do\n", opts.Set)
	}
	return nil
}

// writtenLog is the record of what logins left in the shared config dirs.
func writtenLog(f *factory) *account.Written {
	return &account.Written{Path: filepath.Join(f.Dirs.State, "written.json")}
}

// providerHostDir is the shared config dir the provider declares ("" for
// none), for a login that recorded none.
func providerHostDir(ctx context.Context, f *factory, provider names.Provider) (string, error) {
	src, err := f.Providers()
	if err != nil {
		return "", err
	}
	p, err := src.Open(ctx, provider.Base())
	if err != nil {
		return "", err
	}
	defer p.Close()
	return p.Desc.HostDir, nil
}
