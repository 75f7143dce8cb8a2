// Package names holds the two names a command acts on, a provider and a
// credential set, as types whose values have been checked. A name from
// outside (an argument, a flag, the index file, a keyring account, a
// plugin's file name) becomes one of these through Parse or by decoding
// (UnmarshalText checks too), and nothing it reaches checks it again.
//
// Converting a string by hand, names.Provider(s), skips the check; the
// only conversions outside this package are of constants, which a test
// enforces (TestNoUncheckedConversions).
package names

import (
	"fmt"
	"regexp"

	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// Provider is a provider's name, as sdk.ValidName allows it: lower-case
// letters, digits, '-' and '_', starting with a letter.
type Provider string

// Set is a credential set's name: letters, digits, '.', '_' and '-',
// starting with a letter or digit, at most 64 characters.
type Set string

// DefaultSet is the host-wide credential set.
const DefaultSet Set = "default"

// ParseProvider checks a provider name named on the command line; a bad
// one is a usage error.
func ParseProvider(s string) (Provider, error) {
	if !sdk.ValidName(s) {
		return "", usage.Errorf("invalid provider name %q: use lower-case letters, digits, '-' and '_', starting with a letter, at most 63 characters", s)
	}
	return Provider(s), nil
}

// ParseProviders is ParseProvider for each of ss.
func ParseProviders(ss []string) ([]Provider, error) {
	out := make([]Provider, 0, len(ss))
	for _, s := range ss {
		p, err := ParseProvider(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseSet checks a credential set named on the command line; a bad one is
// a usage error.
func ParseSet(s string) (Set, error) {
	if !ValidSet(s) {
		return "", usage.Errorf("invalid --set %q: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters", s)
	}
	return Set(s), nil
}

var setRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidSet reports whether s can name a credential set.
func ValidSet(s string) bool { return setRE.MatchString(s) }

// UnmarshalText checks the name, so that a Provider decoded from a file
// (JSON, YAML) is as checked as one parsed from the command line. A slot
// (PROVIDER:HOST, see OnHost) is a Provider too.
func (p *Provider) UnmarshalText(b []byte) error {
	if !validSlot(string(b)) {
		return fmt.Errorf("invalid provider name %q", b)
	}
	*p = Provider(b)
	return nil
}

// UnmarshalText checks the name, as for Provider.
func (s *Set) UnmarshalText(b []byte) error {
	if !ValidSet(string(b)) {
		return fmt.Errorf("invalid credential set %q", b)
	}
	*s = Set(b)
	return nil
}

// Strings returns ps as plain strings, for messages and listings.
func Strings[T ~string](ps []T) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}
