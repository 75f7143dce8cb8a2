package account

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// Details are what a person recognises a login by, none of it secret: the
// host, the account, what kind of token it is, and a prefix of it that
// every token of that kind shares.
type Details struct {
	Host      string `json:"host,omitempty"`
	Account   string `json:"account,omitempty"`
	TokenKind string `json:"token_kind,omitempty"`
	// Masked is the token's well-known prefix and an ellipsis
	// (sk-ant-api03-…, gho_…), or **** for a token of no known kind: no
	// character that is the secret's own is ever shown.
	Masked string `json:"masked,omitempty"`
}

// tokenKinds are the vendors' published token prefixes, longest first, so
// the most specific one wins.
var tokenKinds = []struct{ prefix, kind string }{
	{"sk-ant-api03-", "Anthropic API key"},
	{"sk-ant-oat01-", "Claude OAuth token"},
	{"sk-or-v1-", "OpenRouter API key"},
	{"github_pat_", "GitHub fine-grained personal access token"},
	{"sk-proj-", "OpenAI project API key"},
	{"sk-svcacct-", "OpenAI service account key"},
	{"glpat-", "GitLab personal access token"},
	{"gho_", "GitHub OAuth token"},
	{"ghp_", "GitHub personal access token (classic)"},
	{"ghu_", "GitHub user-to-server token"},
	{"ghs_", "GitHub server-to-server token"},
	{"eyJ", "JWT"},
	{"sk-", "API key"},
}

// minHidden is how many characters a token must have beyond its prefix
// for the prefix to be shown: a "token" that is little more than its
// prefix would be half shown.
const minHidden = 8

// secretFieldOrder is where a credential's main secret is, by type.
var secretFieldOrder = []string{"key", "token", "access_token", "api_key"}

// Describe reads c's details. The account comes from fields a login
// captured (user, email, login) or, for codex's ChatGPT login, from the
// email claim of its id token.
func Describe(c sdk.Credential) Details {
	var d Details
	d.Host = shown(str(c.Fields, "host"))
	for _, k := range []string{"email", "user", "login", "username", "account"} {
		if v := shown(str(c.Fields, k)); v != "" {
			d.Account = v
			break
		}
	}
	if d.Account == "" {
		d.Account = IDTokenEmail(str(c.Fields, "id_token"))
	}
	for _, k := range secretFieldOrder {
		if tok := str(c.Fields, k); tok != "" {
			d.TokenKind, d.Masked = MaskToken(tok)
			break
		}
	}
	return d
}

// clean is d with only what Describe could have written: a host and an
// account that may be shown, a known token kind, and that kind's masked
// prefix (or ****). The index is read back through it.
func (d Details) clean() Details {
	out := Details{Host: shown(d.Host), Account: shown(d.Account), Masked: "****"}
	if d.Masked == "" && d.TokenKind == "" {
		out.Masked = ""
	}
	for _, k := range tokenKinds {
		if d.TokenKind == k.kind && d.Masked == k.prefix+"…" {
			out.TokenKind, out.Masked = k.kind, d.Masked
		}
	}
	return out
}

// MaskToken is a token's kind and its masked prefix.
func MaskToken(tok string) (kind, masked string) {
	for _, k := range tokenKinds {
		if strings.HasPrefix(tok, k.prefix) && len(tok) >= len(k.prefix)+minHidden {
			return k.kind, k.prefix + "…"
		}
	}
	return "", "****"
}

func str(fields map[string]any, k string) string {
	s, _ := fields[k].(string)
	return s
}

// shown keeps a value that may be shown on a terminal as it is: short,
// printable, on one line; anything else is dropped rather than printed.
func shown(s string) string {
	if s == "" || len(s) > 254 || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == unicode.ReplacementChar }) {
		return ""
	}
	return s
}

// maxIDToken bounds the id token read for its email claim.
const maxIDToken = 16 << 10

// IDTokenEmail is the email claim of an OpenID id token, read, not
// verified: it is only shown. codex keeps one in auth.json's
// tokens.id_token, with the user's email as a top-level claim
// (openai/codex codex-rs/core/src/token_data.rs, parse_id_token). A token
// that is not a JWT, or whose claim is not a short printable string,
// gives "".
func IDTokenEmail(tok string) string {
	if tok == "" || len(tok) > maxIDToken {
		return ""
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Email any `json:"email"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	email, _ := claims.Email.(string)
	if !strings.Contains(email, "@") {
		return ""
	}
	return shown(email)
}

// Location says where the credential of slot in set is kept, in words a
// person can look it up by: the keyring's service and account, or the
// file.
func (a *Accounts) Location(set names.Set, slot names.Provider) string {
	switch s := a.Store.(type) {
	case *store.File:
		return filepath.Join(s.Dir, string(set)+".json")
	case *store.Keyring:
		return "keyring service " + store.Service + ", account " + store.Account(set, slot)
	}
	return a.Backend
}
