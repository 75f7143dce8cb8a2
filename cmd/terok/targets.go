package main

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// parseTargets parses the providers and the credential set given on the
// command line: the one place they are checked. A provider may name a
// host, PROVIDER:HOST (gh:ghe.example.com), for the credential stored with
// --host; a set of its own, PROVIDER@SET, is for exec and env only (see
// parseSetTargets). What it returns is typed (package names), and nothing
// further in checks it again.
func parseTargets(providers []string, set string) ([]names.Provider, names.Set, error) {
	s, err := names.ParseSet(set)
	if err != nil {
		return nil, "", err
	}
	out := make([]names.Provider, 0, len(providers))
	for _, a := range providers {
		t, err := names.ParseTarget(a)
		if err != nil {
			return nil, "", err
		}
		if t.Set != "" {
			return nil, "", usage.Errorf("%q: a set of its own (PROVIDER@SET) is for exec and env; here use --set %s", a, t.Set)
		}
		out = append(out, t.Provider)
	}
	return out, s, nil
}

// parseSetTargets is parseTargets for exec and env, where each provider
// may come from a set of its own: claude@work,gh@personal. Providers
// without one get set.
func parseSetTargets(args []string, set string) ([]names.Target, names.Set, error) {
	s, err := names.ParseSet(set)
	if err != nil {
		return nil, "", err
	}
	var out []names.Target
	for _, a := range args {
		t, err := names.ParseTarget(a)
		if err != nil {
			return nil, "", err
		}
		if t.Set == "" {
			t.Set = s
		}
		for _, o := range out {
			if o.Provider == t.Provider && o.Set != t.Set {
				return nil, "", usage.Errorf("%s is named twice, from sets %s and %s; a command gets one credential per provider", t.Provider, o.Set, t.Set)
			}
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, s, nil
}

// setArg is the --set a command acts on, as typed: the flag when it was
// given, else the default set (see defaultSet).
func setArg(f *factory, cmd *cobra.Command, flag string) string {
	if fl := cmd.Flags().Lookup("set"); fl != nil && fl.Changed {
		return flag
	}
	return defaultSet(f)
}

// knownProviders are the providers a command may name: every installed one,
// every one something is stored for in set (its plugin may be gone), and
// every one whose TEROK_<NAME>_API_KEY is set.
func knownProviders(f *factory, set names.Set) ([]names.Provider, error) {
	src, err := f.Providers()
	if err != nil {
		return nil, err
	}
	known := slices.Clone(src.Names())
	if accounts, err := f.Accounts(); err == nil {
		indexed, _ := accounts.IndexedProviders(set)
		known = append(known, indexed...)
	}
	slices.Sort(known)
	return slices.Compact(known), nil
}

// checkKnown fails with a usage error, and a suggestion, for a provider
// that is neither installed nor stored: a typo should not read as "not
// logged in" (exit 4) or as a logout that succeeded.
func checkKnown(_ context.Context, f *factory, providers []names.Provider, set names.Set) error {
	known, err := knownProviders(f, set)
	if err != nil {
		return err
	}
	for _, n := range providers {
		// A host slot of a known provider (gh:HOST) is known: nothing is
		// stored for that host yet, which is "not logged in", not a typo.
		if slices.Contains(known, n) || n.Host() != "" && slices.Contains(known, n.Base()) || f.Getenv(store.EnvVar(n)) != "" {
			continue
		}
		src, err := f.Providers()
		if err != nil {
			return err
		}
		return unknownProvider(n, known, registry.Looked(src.SearchPath()))
	}
	return nil
}

// unknownSet is the usage error for a set that holds nothing (help
// exit-codes promises 2 for an unknown set), or nil when set is in use or
// is the default set. It is asked only once nothing was found, so a
// command that succeeds never lists the store.
func unknownSet(ctx context.Context, f *factory, set names.Set, provider names.Provider) error {
	if set == names.DefaultSet {
		return nil
	}
	accounts, err := f.Accounts()
	if err != nil {
		return nil
	}
	quiet := *accounts // a store that cannot be listed is not this error's story
	quiet.Warnf = nil
	sets, err := quiet.Sets(ctx)
	if err != nil {
		return nil // cannot tell: the caller's error stands
	}
	inUse := make([]string, 0, len(sets))
	for _, s := range sets {
		if s.Name == set {
			return nil
		}
		inUse = append(inUse, string(s.Name))
	}
	list := "none"
	if len(inUse) > 0 {
		list = strings.Join(inUse, ", ")
	}
	return usage.Errorf("unknown set %q: nothing is stored in it (sets in use: %s; see terok auth sets). To start it, log in with: %s",
		set, list, inject.LoginCommand(provider, set))
}

// unknownProvider is the usage error for a provider name that is neither
// installed nor stored; looked (registry.Looked) says where terok looked.
func unknownProvider(name names.Provider, known []names.Provider, looked string) error {
	if len(known) == 0 {
		return usage.Errorf("unknown provider %q: no providers are installed. %s", name, looked)
	}
	list := strings.Join(names.Strings(known), ", ")
	if s := suggest(string(name), names.Strings(known)); s != "" {
		return usage.Errorf("unknown provider %q; did you mean %q? Available: %s. %s", name, s, list, looked)
	}
	return usage.Errorf("unknown provider %q; available: %s. %s", name, list, looked)
}

// suggest returns the candidate closest to s, if it is close enough to be
// a typo of it.
func suggest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := editDistance(s, c)
		if strings.HasPrefix(c, s) && len(s) >= 3 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// modeName is how the command line spells a mode: api-key, as --mode takes
// it, not the wire's api_key.
func modeName(m sdk.Mode) string { return strings.ReplaceAll(string(m), "_", "-") }

func joinModes(modes []sdk.Mode) string {
	out := make([]string, len(modes))
	for i, m := range modes {
		out[i] = modeName(m)
	}
	return strings.Join(out, ", ")
}

// parseSetFlag is the credential set a command acts on: --set when it was
// given, else the default set (default_set in the config, TEROK_DEFAULT_SET,
// or what `terok auth sets use` chose).
func parseSetFlag(f *factory, cmd *cobra.Command, flag string) (names.Set, error) {
	return names.ParseSet(setArg(f, cmd, flag))
}

// defaultSet is the set a command uses without --set.
func defaultSet(f *factory) string {
	if f.Config != nil {
		if v := f.Config.Get("default_set"); v != "" {
			return v
		}
	}
	return string(names.DefaultSet)
}
