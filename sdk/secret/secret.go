// Package secret is the one place that decides what is secret: which
// credential fields hold one, which environment variables hand one over,
// which fields may be shown as they are, and which strings of a credential
// the host masks in its logs and looks for in files where no secret
// belongs. The SDK's checks, the host's masking, its leftover search,
// `terok auth token` and `terok auth providers test` all ask here, so a new
// credential type or a new kind of secret is one edit (and its test).
package secret

import (
	"slices"
	"sort"
	"strings"
	"unicode"
)

// The names that hold a secret. Fields are read as snake_case (see
// IsField); variables are upper case.
var (
	fields        = []string{"cookie", "key", "passphrase", "password", "secret", "session", "token"}
	fieldSuffixes = []string{"_key", "_token", "_secret", "_password", "_passphrase", "_session", "_cookie"}
	envSuffixes   = []string{"_TOKEN", "_KEY", "_SECRET", "_PASSWORD", "_PASSPHRASE"}
	// publicFields are shown as they are wherever a credential is shown;
	// any other string field is masked, so a field this list does not
	// know stays hidden.
	publicFields = []string{
		"account", "base_url", "email", "expires_at", "host", "login", "org", "organization",
		"region", "scope", "scopes", "token_type", "url", "user", "username",
	}
	// mainFields hold each credential type's main secret: what `terok
	// auth token` prints.
	mainFields = map[string]string{
		"api_key":     "key",
		"oauth":       "access_token",
		"oauth_token": "token",
		"pat":         "token",
	}
	// suspectWords make a field name worth a look for a test that hunts
	// leaks, which does better to look too widely.
	suspectWords = []string{"key", "token", "secret", "password", "cookie", "session"}
)

// MinLen is the shortest secret value searched for: a shorter one would
// match by chance.
const MinLen = 8

// IsField reports whether a credential field of that name holds a secret:
// key, token, secret, password, passphrase, session, cookie, or a name
// ending in _key, _token, _secret, _password, _passphrase, _session or
// _cookie (access_token, refresh_token, id_token, api_key, client_secret,
// …). camelCase and kebab-case are read as snake_case, so refreshToken and
// api-key are secret too, as a vendor's JSON copied as it is would name
// them. Other fields (host, user, account_id, a region) are not secret.
func IsField(name string) bool {
	name = snakeCase(name)
	if slices.Contains(fields, name) {
		return true
	}
	for _, s := range fieldSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// FieldRule says which field names are secret, for messages.
func FieldRule() string {
	return strings.Join(fields, ", ") + ", or a name ending in " + strings.Join(fieldSuffixes, ", ") +
		" (camelCase is read as snake_case)"
}

// IsEnvName reports whether a variable of that name hands a tool a secret:
// one ending in _TOKEN, _KEY, _SECRET, _PASSWORD or _PASSPHRASE, in any
// case.
func IsEnvName(name string) bool {
	upper := strings.ToUpper(name)
	for _, s := range envSuffixes {
		if strings.HasSuffix(upper, s) {
			return true
		}
	}
	return false
}

// IsPublicField reports whether a field may be shown as it is (host, user,
// scope, expires_at, …). It is an allow-list: a field it does not know is
// masked, whatever IsField says of it.
func IsPublicField(name string) bool {
	return slices.Contains(publicFields, snakeCase(name))
}

// MainField is the field that holds a credential type's main secret
// ("key" for api_key, "access_token" for oauth), "" for a type with none
// known.
func MainField(credType string) string { return mainFields[credType] }

// Suspect reports whether a field name merely looks as if it could hold a
// secret (apikey, tokens, sessionid): a looser rule than IsField, for a
// test that hunts leaks.
func Suspect(name string) bool {
	if IsField(name) {
		return true
	}
	k := strings.ToLower(name)
	for _, w := range suspectWords {
		if strings.Contains(k, w) && k != "token_type" {
			return true
		}
	}
	return false
}

// Values are the secrets of a credential's fields: the strings at least
// MinLen long in a field IsField names, at any depth (an object or a list
// under a secret field is secret throughout, and a secret field inside an
// object is one too), sorted, each once. Other fields (a host, a user, a
// region, a fixed value a provider file stores with every key) are no
// secret: treating one as a secret would make the host remove any file
// that merely mentions it.
func Values(fieldsOf map[string]any) []string {
	var out []string
	for k, v := range fieldsOf {
		walk(v, IsField(k), 0, func(s string, secret bool) {
			if secret && len(s) >= MinLen {
				out = append(out, s)
			}
		})
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Strings are every string of a credential's fields at any depth, but its
// top-level host and user: what a log masks. It is broader than Values,
// since masking a value that is no secret costs a log line its detail and
// nothing else.
func Strings(fieldsOf map[string]any) []string {
	var out []string
	for k, v := range fieldsOf {
		if k != "host" && k != "user" {
			walk(v, false, 0, func(s string, _ bool) { out = append(out, s) })
		}
	}
	return out
}

// maxDepth bounds the walk: a credential is a few levels deep, and one a
// provider made deeper is not walked to the end.
const maxDepth = 16

// walk calls f with each string in v and whether it is secret: in or
// under a field that IsField names, secret saying whether v itself is.
func walk(v any, secret bool, depth int, f func(s string, secret bool)) {
	if depth > maxDepth {
		return
	}
	switch v := v.(type) {
	case string:
		f(v, secret)
	case map[string]any:
		for k, x := range v {
			walk(x, secret || IsField(k), depth+1, f)
		}
	case []any:
		for _, x := range v {
			walk(x, secret, depth+1, f)
		}
	}
}

// snakeCase reads refreshToken, RefreshToken, refresh-token and
// REFRESH_TOKEN as refresh_token, and APIKey as api_key: a word starts at a
// capital after a lower-case letter or digit, or at the last capital of a
// run followed by a lower-case letter.
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		upper := unicode.IsUpper(r)
		if upper && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		if r == '-' {
			r = '_'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
