package main

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/sdk"
)

// Shell completion. Cobra calls these without running PersistentPreRunE, so
// each sets the factory up itself; a broken config still completes, with
// the defaults standing in for the bad settings.

const noFiles = cobra.ShellCompDirectiveNoFileComp

// ready sets f up for a completion, once.
func (f *factory) ready(cmd *cobra.Command) bool {
	if f.Config != nil {
		return true
	}
	return f.setup(settingFlags(cmd)) == nil
}

// completeProviders completes up to max provider names (0: any number),
// each with its label, from what is installed and what is stored.
func completeProviders(f *factory, max int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if (max > 0 && len(args) >= max) || !f.ready(cmd) {
			return nil, noFiles
		}
		src, err := f.Providers()
		if err != nil {
			return nil, noFiles
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		var out []cobra.Completion
		seen := map[names.Provider]bool{}
		for _, e := range src.List(ctx) {
			seen[e.Name] = true
			if slices.Contains(args, string(e.Name)) {
				continue
			}
			label := ""
			if e.Err == nil && e.Desc != nil {
				label = e.Desc.Label
			}
			out = append(out, cobra.CompletionWithDesc(string(e.Name), label))
		}
		// What is stored for a provider that is gone can still be shown,
		// printed and removed.
		if cmd.Name() != "login" {
			flag, _ := cmd.Flags().GetString("set")
			set, serr := names.ParseSet(setArg(f, cmd, flag))
			if accounts, err := f.Accounts(); err == nil && serr == nil {
				stored, _ := accounts.IndexedProviders(set)
				for _, n := range stored {
					if !seen[n] && !slices.Contains(args, string(n)) {
						out = append(out, cobra.CompletionWithDesc(string(n), "stored; not installed"))
					}
				}
			}
		}
		return out, noFiles
	}
}

// completeModes completes --mode, with the modes of the provider named, if
// one is.
func completeModes(cmd *cobra.Command, f *factory) {
	_ = cmd.RegisterFlagCompletionFunc("mode", func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		modes := []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeSetupToken}
		if len(args) == 1 && f.ready(cmd) {
			if src, err := f.Providers(); err == nil {
				for _, e := range src.List(context.Background()) {
					if string(e.Name) == args[0] && e.Err == nil && e.Desc != nil {
						modes = e.Desc.Modes
					}
				}
			}
		}
		desc := map[sdk.Mode]string{
			sdk.ModeAPIKey:     "paste an API key",
			sdk.ModeOAuth:      "the vendor's login, in a container",
			sdk.ModeDevice:     "a device code, in a container",
			sdk.ModeSetupToken: "paste a long-lived token the tool printed (claude setup-token)",
		}
		out := make([]cobra.Completion, 0, len(modes))
		for _, m := range modes {
			out = append(out, cobra.CompletionWithDesc(modeName(m), desc[m]))
		}
		return out, noFiles
	})
}

// completeSets completes --set with the sets something is stored in.
func completeSets(cmd *cobra.Command, f *factory) {
	_ = cmd.RegisterFlagCompletionFunc("set", func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out := []cobra.Completion{string(names.DefaultSet)}
		if f.ready(cmd) {
			if accounts, err := f.Accounts(); err == nil {
				sets, _ := accounts.Sets(cmd.Context())
				for _, s := range sets {
					if s.Name != names.DefaultSet {
						out = append(out, string(s.Name))
					}
				}
			}
		}
		return out, noFiles
	})
}

// completeFields completes token --field with the fields of the stored
// credential (their names only).
func completeFields(cmd *cobra.Command, f *factory) {
	_ = cmd.RegisterFlagCompletionFunc("field", func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) != 1 || !f.ready(cmd) {
			return nil, noFiles
		}
		accounts, err := f.Accounts()
		if err != nil {
			return nil, noFiles
		}
		flag, _ := cmd.Flags().GetString("set")
		providers, set, err := parseTargets(args, setArg(f, cmd, flag))
		if err != nil {
			return nil, noFiles
		}
		c, _, err := accounts.Token(context.Background(), set, providers[0])
		if err != nil {
			return nil, noFiles
		}
		out := make([]cobra.Completion, 0, len(c.Fields))
		for k := range c.Fields {
			out = append(out, k)
		}
		slices.Sort(out)
		return out, noFiles
	})
}

// completePlugins completes plugin names: those on the plugin path and
// those trusted.
func completePlugins(f *factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if !f.ready(cmd) {
			return nil, cobra.ShellCompDirectiveDefault
		}
		var out []cobra.Completion
		seen := map[string]bool{}
		for _, a := range args {
			seen[a] = true
		}
		found, shadowed, _ := pluginhost.Discover(f.SearchPath)
		for _, p := range append(found, shadowed...) {
			if !seen[string(p.Name)] {
				seen[string(p.Name)] = true
				out = append(out, cobra.CompletionWithDesc(string(p.Name), p.Path))
			}
		}
		if pins, err := f.Trust.Pins(); err == nil {
			for _, pin := range trust.SortedPins(pins) {
				if !seen[pin.Name] {
					seen[pin.Name] = true
					out = append(out, cobra.CompletionWithDesc(pin.Name, "trusted: "+pin.Path))
				}
			}
		}
		// A path to a binary is also accepted: offer files too.
		return out, cobra.ShellCompDirectiveDefault
	}
}

// completeTargets completes exec's and env's PROVIDER[:HOST][@SET],...:
// after a comma the next provider, with what is before it kept, and after
// an @ the sets that hold that provider. After --, the command is the
// shell's to complete.
func completeTargets(f *factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// Cobra adds a -- of its own when it parses for a completion, so a
		// dash the user typed is one before the last argument, or, right
		// before the word being completed, one on the command line.
		if dash := cmd.ArgsLenAtDash(); dash >= 0 && dash < len(args) || len(os.Args) > 2 && slices.Contains(os.Args[2:len(os.Args)-1], "--") {
			return nil, cobra.ShellCompDirectiveDefault
		}
		if !f.ready(cmd) {
			return nil, noFiles
		}
		cut := strings.LastIndex(toComplete, ",") + 1
		prefix, word := toComplete[:cut], toComplete[cut:]
		named := map[string]bool{}
		for _, a := range append(splitProviders(args), strings.Split(prefix, ",")...) {
			p, _, _ := strings.Cut(a, "@")
			named[p] = true
		}
		if p, _, ok := strings.Cut(word, "@"); ok {
			slot, err := names.ParseTarget(p)
			if err != nil {
				return nil, noFiles
			}
			accounts, err := f.Accounts()
			if err != nil {
				return nil, noFiles
			}
			sets, _ := accounts.Sets(cmd.Context())
			var out []cobra.Completion
			for _, s := range sets {
				if slices.Contains(s.Providers, slot.Provider) {
					out = append(out, prefix+p+"@"+string(s.Name))
				}
			}
			return out, noFiles
		}
		candidates, _ := completeProviders(f, 0)(cmd, nil, "")
		if accounts, err := f.Accounts(); err == nil {
			// Credentials stored with --host, in any set.
			sets, _ := accounts.Sets(cmd.Context())
			for _, s := range sets {
				for _, p := range s.Providers {
					if p.Host() != "" && !slices.Contains(candidates, cobra.CompletionWithDesc(string(p), "stored; another host")) {
						candidates = append(candidates, cobra.CompletionWithDesc(string(p), "stored; another host"))
					}
				}
			}
		}
		var out []cobra.Completion
		for _, c := range candidates {
			name, _, _ := strings.Cut(c, "\t")
			if !named[name] {
				out = append(out, prefix+c)
			}
		}
		return out, noFiles
	}
}
