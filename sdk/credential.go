package sdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/sdk/secret"
)

// Credential types that terok knows the shape of. Others are allowed; the
// host stores them as they are.
const (
	// TypeAPIKey: {"type":"api_key","key":"…"}
	TypeAPIKey = "api_key"
	// TypeOAuth: {"type":"oauth","access_token":"…","refresh_token":"…","expires_at":…}
	TypeOAuth = "oauth"
	// TypeOAuthToken: {"type":"oauth_token","token":"…","host":"github.com"}:
	// a long-lived OAuth token with no refresh token (gh's login; Claude's
	// setup token, which has no host). Nothing renews it.
	TypeOAuthToken = "oauth_token"
	// TypePAT: {"type":"pat","token":"…","host":"gitlab.com"}
	TypePAT = "pat"
)

// Credential is what a provider hands the host to store. It is stored and
// exchanged as one flat JSON object, {"type": Type, <Fields>...}, the shapes
// upstream terok uses.
//
// Fields holds JSON values: strings, float64 or json.Number, bools, []any and
// map[string]any. expires_at, when present, is in Unix seconds.
//
// A Credential never prints its fields: String and GoString redact them, so
// a credential that ends up in a log line leaks nothing.
type Credential struct {
	Type   string
	Fields map[string]any
}

// APIKey returns the usual credential for an API key.
func APIKey(key string) Credential {
	return Credential{Type: TypeAPIKey, Fields: map[string]any{"key": key}}
}

// IsSecretField reports whether a credential field of that name holds a
// secret (secret.IsField: key, token, secret, password, passphrase,
// session, cookie, or a name ending in _key, _token, _secret, _password,
// _passphrase, _session or _cookie; camelCase and kebab-case are read as
// snake_case). The host masks those fields' values in its logs and looks
// for them in files it must keep secrets out of.
func IsSecretField(name string) bool { return secret.IsField(name) }

// CheckSecretField reports whether c keeps its secret where the host looks
// for one: in a non-empty top-level string field that IsSecretField names.
// A credential whose secret sits under another name (apikey, pass) or only
// deeper in (an object under "oauth") would be shown in logs unmasked and
// could be written into a shared config dir unnoticed, so the host stores
// no such credential.
//
// The rule catches a provider's mistake, not its malice: a plugin that
// puts a decoy under "token" and its secret under "blob" passes it. A
// plugin runs on the host as the user and could write that file itself;
// what protects the user from one is the pin (terok auth plugins trust).
func CheckSecretField(c Credential) error {
	var shown []string
	hidden := 0
	for k, v := range c.Fields {
		if s, ok := v.(string); ok && s != "" && IsSecretField(k) {
			return nil
		}
		if plainFieldRE.MatchString(k) {
			shown = append(shown, k)
		} else {
			hidden++
		}
	}
	sort.Strings(shown)
	if hidden > 0 {
		shown = append(shown, fmt.Sprintf("and %d more", hidden))
	}
	return fmt.Errorf("%s credential has no secret field (fields: %s): keep the secret in a field named %s, "+
		"so terok can mask it and keep it out of shared dirs", c.Type, strings.Join(shown, ", "), secret.FieldRule())
}

// plainFieldRE is a field name that is safe to show in a message, since a
// provider could name a field with the secret itself: lower-case words
// (account_id), nothing with the digits or mixed case of a key.
var plainFieldRE = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

// Validate checks the credential has a type and at least one non-empty
// field, and that no field is called "type".
func (c Credential) Validate() error {
	if c.Type == "" {
		return errors.New("credential has no type")
	}
	if _, ok := c.Fields["type"]; ok {
		return errors.New(`credential field "type" is reserved`)
	}
	for _, v := range c.Fields {
		if s, ok := v.(string); ok && s == "" {
			continue
		}
		if v != nil {
			return nil
		}
	}
	return fmt.Errorf("%s credential has no fields", c.Type)
}

// String names the type and the field names, never their values.
func (c Credential) String() string {
	names := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprintf("Credential{type=%s fields=[%s] (values redacted)}", c.Type, strings.Join(names, " "))
}

// GoString is String, so %#v redacts too.
func (c Credential) GoString() string { return c.String() }

// Get returns a field as a string, or "" when it is absent or not a string.
func (c Credential) Get(field string) string {
	s, _ := c.Fields[field].(string)
	return s
}

// ExpiresAt returns the expires_at field as a time, if there is one.
func (c Credential) ExpiresAt() (time.Time, bool) {
	var secs float64
	switch v := c.Fields["expires_at"].(type) {
	case float64:
		secs = v
	case int64:
		secs = float64(v)
	case int:
		secs = float64(v)
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return time.Time{}, false
		}
		secs = f
	default:
		return time.Time{}, false
	}
	if secs <= 0 || math.IsInf(secs, 0) || math.IsNaN(secs) || secs > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0), true
}

// MarshalJSON writes the flat upstream shape.
func (c Credential) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(c.Fields)+1)
	for k, v := range c.Fields {
		m[k] = v
	}
	m["type"] = c.Type
	return json.Marshal(m)
}

// UnmarshalJSON reads the flat upstream shape. Numbers are kept as
// json.Number, so integers survive exactly.
func (c *Credential) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return err
	}
	if m == nil {
		return errors.New("credential is not a JSON object")
	}
	t, ok := m["type"].(string)
	if !ok {
		return errors.New(`credential has no string "type"`)
	}
	delete(m, "type")
	c.Type, c.Fields = t, m
	return nil
}
