package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/leftover"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
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
	if !opts.All {
		if err := checkKnown(ctx, f, providers, opts.Set); err != nil {
			return err
		}
	}
	// held is what a store that lists a set in one call (openbao) holds
	// in it; nil: not asked.
	var held map[names.Provider]bool
	if opts.All {
		if providers, err = knownProviders(f, opts.Set); err != nil {
			return err
		}
		// One LIST says what the set holds: what it names is removed
		// (also what another machine stored that this one never saw),
		// and nothing else is read.
		if l, ok := accounts.Store.(store.SetLister); ok {
			listed, err := l.ListSet(ctx, opts.Set)
			if err != nil {
				return err
			}
			held = map[names.Provider]bool{}
			for _, p := range listed {
				held[p] = true
			}
			providers = append(providers, listed...)
			slices.Sort(providers)
			providers = slices.Compact(providers)
		}
	}
	removedAny := false
	for _, p := range providers {
		if held != nil && !held[p] {
			accounts.Forget(ctx, opts.Set, p)
			removeLoginFiles(ctx, f, opts.Set, p, nil)
			if v := store.EnvVar(p); f.Getenv(v) != "" {
				fmt.Fprintf(f.IO.ErrOut, "warning: %s is set in the environment and still applies to %s\n", v, p)
			}
			continue
		}
		// The secret is read first: files holding it are found by content.
		var secrets []string
		if c, err := accounts.Store.Get(ctx, opts.Set, p); err == nil {
			secrets = leftover.Secrets(c)
		}
		removed, err := accounts.Logout(ctx, opts.Set, p)
		if err != nil {
			return err
		}
		removeLoginFiles(ctx, f, opts.Set, p, secrets)
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

// writtenLog is the record of the files logins created in the shared
// config dirs.
func writtenLog(f *factory) *leftover.Written {
	return &leftover.Written{Path: filepath.Join(f.Dirs.State, "written.json")}
}

// removeLoginFiles removes what the login of set and provider created in
// its shared config dir, and any file in that dir that holds one of
// secrets. It removes nothing in another provider's dir, and nothing
// through a symbolic link below the mounts dir (a container could plant
// one pointing at the user's files): what it does not remove, it names,
// with why. Failures are warnings: the credential itself is gone.
func removeLoginFiles(ctx context.Context, f *factory, set names.Set, provider names.Provider, secrets []string) {
	w := f.IO.ErrOut
	created, err := writtenLog(f).Take(ctx, set, provider)
	if err != nil {
		fmt.Fprintf(w, "warning: could not read the record of the files the %s login created: %v\n", provider, err)
	}
	if f.MountsDir == "" || len(created) == 0 && len(secrets) == 0 {
		return
	}
	hostDir, herr := providerHostDir(ctx, f, provider)
	removed, err := leftover.RemoveCreated(f.MountsDir, hostDir, created)
	for _, p := range removed {
		fmt.Fprintf(w, "Removed %s (written by the login)\n", p)
	}
	notRemoved(w, err)
	switch {
	case len(secrets) == 0:
	case herr != nil:
		fmt.Fprintf(w, "warning: could not learn %s's shared config dir (%v), so files there holding its secret were not looked for; run terok auth doctor\n",
			provider, herr)
	case hostDir != "":
		removed, err := leftover.RemoveHolding(f.MountsDir, hostDir, secrets)
		for _, p := range removed {
			fmt.Fprintf(w, "Removed %s: it held %s's secret in plain text\n", p, provider)
		}
		notRemoved(w, err)
	}
}

// notRemoved says which files were left and why.
func notRemoved(w io.Writer, err error) {
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var nr leftover.NotRemoved
		if errors.As(e, &nr) {
			fmt.Fprintf(w, "warning: did not remove %s: %v\n", nr.Path, nr.Err)
			continue
		}
		fmt.Fprintf(w, "warning: %v; run terok auth doctor\n", e)
	}
}

// providerHostDir is the shared config dir the provider declares ("" for
// none): logout removes files only there.
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
