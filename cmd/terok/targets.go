package main

import (
	"context"
	"slices"
	"strings"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// parseTargets parses the provider names and the credential set given on
// the command line: the one place they are checked. What it returns is
// typed (package names), and nothing further in checks it again.
func parseTargets(providers []string, set string) ([]names.Provider, names.Set, error) {
	ps, err := names.ParseProviders(providers)
	if err != nil {
		return nil, "", err
	}
	s, err := names.ParseSet(set)
	if err != nil {
		return nil, "", err
	}
	return ps, s, nil
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
		if slices.Contains(known, n) || f.Getenv(store.EnvVar(n)) != "" {
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
