package leftover

import (
	"slices"
	"sort"

	"github.com/terok-ai/terok-auth/sdk"
)

// Secrets are the values of c's secret fields (sdk.IsSecretField) that are
// strings long enough to search for, at any depth (an object or a list
// under a secret field is secret throughout, and a secret field inside an
// object is one too): what terok masks in logs and looks for in files.
// Other fields (a host, a user, a region, a fixed value a provider file
// stores with every key) are no secret: treating one as a secret would
// make logout remove any file that merely mentions it.
func Secrets(c sdk.Credential) []string {
	var out []string
	for k, v := range c.Fields {
		walkStrings(v, sdk.IsSecretField(k), 0, func(s string, secret bool) {
			if secret && len(s) >= MinSecretLen {
				out = append(out, s)
			}
		})
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Strings are every string of c at any depth, but for its top-level host
// and user: what a log masks. It is broader than Secrets, since masking a
// value that is no secret costs a log line its detail and nothing else.
func Strings(c sdk.Credential) []string {
	var out []string
	for k, v := range c.Fields {
		if k != "host" && k != "user" {
			walkStrings(v, false, 0, func(s string, _ bool) { out = append(out, s) })
		}
	}
	return out
}

// maxSecretDepth bounds the walk: a credential is a few levels deep, and
// one a provider made deeper is not walked to the end.
const maxSecretDepth = 16

// walkStrings calls f with each string in v and whether it is secret: in
// or under a field that sdk.IsSecretField names, secret saying whether v
// itself is.
func walkStrings(v any, secret bool, depth int, f func(s string, secret bool)) {
	if depth > maxSecretDepth {
		return
	}
	switch v := v.(type) {
	case string:
		f(v, secret)
	case map[string]any:
		for k, x := range v {
			walkStrings(x, secret || sdk.IsSecretField(k), depth+1, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, secret, depth+1, f)
		}
	}
}
