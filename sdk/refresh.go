package sdk

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/terok-ai/terok-auth/sdk/internal/rules"
)

// Renewer is an optional capability: a provider that implements it says,
// as data, how the host renews a stored credential with its refresh token
// (an OAuth 2 refresh_token grant). The host makes the request: the network
// is a side effect like any other, so the provider never sees the refresh
// token and never calls out. A provider that does not implement Renewer
// (or a plugin built against an older SDK) declares no renewal: its
// credentials last as long as they last, and the user logs in again.
type Renewer interface {
	Renewal(ctx context.Context, req *RenewalRequest) (*RenewalResponse, error)
}

// RenewalRequest is empty today.
type RenewalRequest struct{}

// RenewalResponse declares, per credential type, how a credential is
// renewed.
type RenewalResponse struct {
	Renewals []Renewal
}

// For returns the renewal declared for a credential type.
func (r *RenewalResponse) For(credType string) (Renewal, bool) {
	if r == nil {
		return Renewal{}, false
	}
	for _, in := range r.Renewals {
		if in.CredentialType == credType {
			return in, true
		}
	}
	return Renewal{}, false
}

// Body encodings of a refresh request.
const (
	EncodingForm = "form" // application/x-www-form-urlencoded, as RFC 6749 says
	EncodingJSON = "json" // a JSON object, as some vendors take it
)

// Renewal says how the host renews one type of credential: it POSTs
// grant_type=refresh_token, refresh_token (the credential's refresh_token
// field), client_id and scope, if declared, to each endpoint in order until
// one answers, and reads the new tokens from the response's fields.
//
// The stored credential keeps its fields; the host replaces access_token,
// refresh_token (when the response carries a new one: a rotated token),
// id_token (when declared and present) and expires_at.
type Renewal struct {
	// CredentialType is the stored type this applies to, e.g. "oauth".
	CredentialType string
	// Endpoints are the token endpoints, tried in this order: vendors move
	// theirs, and the old one may still answer for a while. https only.
	Endpoints []string
	// ClientID and Scope are sent as client_id and scope; "" is not sent.
	ClientID string
	Scope    string
	// Encoding is EncodingForm (the default, "") or EncodingJSON.
	Encoding string
	// Headers are sent with the request, e.g. a User-Agent an endpoint
	// insists on. Only a few headers may be set (the host's rule:
	// host.CheckRefreshHeader in package sdk/host).
	Headers map[string]string
	// Response names the fields of the endpoint's JSON answer; a zero
	// field is the RFC 6749 name.
	Response RenewalFields
}

// RenewalFields names the fields of a token endpoint's JSON response.
type RenewalFields struct {
	// AccessToken is the new access token (default access_token). A
	// response without one is refused.
	AccessToken string
	// RefreshToken is a rotated refresh token (default refresh_token).
	// When the response carries one, the old token is dead.
	RefreshToken string
	// ExpiresIn is the lifetime in seconds (default expires_in);
	// ExpiresAt, if set, a Unix time in seconds the response may carry
	// instead.
	ExpiresIn string
	ExpiresAt string
	// IDToken, if set, is an OpenID id token kept as id_token.
	IDToken string
	// ExpiryFromJWT reads the expiry from the new access token's exp claim
	// (unverified, for display and for knowing when to renew) when the
	// response carries none, as codex's endpoint answers.
	ExpiryFromJWT bool
	// ExpiryText names a credential field that also gets the new expiry
	// as text, for a tool that reads it from its own file (glab's
	// oauth2_expiry_date), in ExpiryTextFormat: "rfc3339" (the default)
	// or "rfc822", as Go's time.RFC822 writes it.
	ExpiryText       string
	ExpiryTextFormat string
}

// Formats of RenewalFields.ExpiryTextFormat.
const (
	ExpiryRFC3339 = "rfc3339"
	ExpiryRFC822  = "rfc822"
)

// Names returns the response's field names with defaults filled in.
func (f RenewalFields) Names() RenewalFields {
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	f.AccessToken = def(f.AccessToken, "access_token")
	f.RefreshToken = def(f.RefreshToken, "refresh_token")
	f.ExpiresIn = def(f.ExpiresIn, "expires_in")
	return f
}

// Limits on a declaration.
const (
	maxRefreshEndpoints = 8
	maxRefreshHeaders   = 8
	maxRefreshValue     = 1024
)

var refreshFieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`)

// Validate checks one declaration against the host's rules (https token
// endpoints, the few headers a declaration may set, field names);
// allowLoopback takes loopback http endpoints, which the host allows only
// for its own test overrides (see host.CheckRefreshEndpoint, package
// sdk/host, which also has host.ValidateRenewal for a whole response).
func (r Renewal) Validate(allowLoopback bool) error {
	var errs []error
	add := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("refresh for %q: "+format, append([]any{r.CredentialType}, a...)...))
	}
	if r.CredentialType == "" {
		add("no credential type")
	}
	if len(r.Endpoints) == 0 {
		add("no token endpoint")
	}
	if len(r.Endpoints) > maxRefreshEndpoints {
		add("%d endpoints; at most %d", len(r.Endpoints), maxRefreshEndpoints)
	}
	seen := map[string]bool{}
	for _, u := range r.Endpoints {
		if err := rules.CheckRefreshEndpoint(u, allowLoopback); err != nil {
			add("%v", err)
		}
		if seen[u] {
			add("endpoint %q is listed twice", u)
		}
		seen[u] = true
	}
	switch r.Encoding {
	case "", EncodingForm, EncodingJSON:
	default:
		add("encoding %q: form or json", r.Encoding)
	}
	for name, v := range map[string]string{"client id": r.ClientID, "scope": r.Scope} {
		if len(v) > maxRefreshValue || strings.ContainsAny(v, "\r\n\x00") {
			add("%s is longer than %d bytes or holds a line break or NUL", name, maxRefreshValue)
		}
	}
	if len(r.Headers) > maxRefreshHeaders {
		add("%d headers; at most %d", len(r.Headers), maxRefreshHeaders)
	}
	for _, h := range rules.SortedKeys(r.Headers) {
		if err := rules.CheckRefreshHeader(h); err != nil {
			add("%v", err)
		}
		if v := r.Headers[h]; v == "" || len(v) > maxRefreshValue || strings.ContainsAny(v, "\r\n\x00") {
			add("header %s: empty, longer than %d bytes, or holding a line break or NUL", h, maxRefreshValue)
		}
	}
	f := r.Response
	for name, v := range map[string]string{
		"access token": f.AccessToken, "refresh token": f.RefreshToken, "expires_in": f.ExpiresIn,
		"expires_at": f.ExpiresAt, "id token": f.IDToken, "expiry_text": f.ExpiryText,
	} {
		if v != "" && !refreshFieldRE.MatchString(v) {
			add("%s field %q is not a field name (letters, digits, '_', '.', '-')", name, v)
		}
	}
	if v := f.ExpiryText; v != "" && IsSecretField(v) {
		add("expiry_text field %q is named as a secret", v)
	}
	switch f.ExpiryTextFormat {
	case "", ExpiryRFC3339, ExpiryRFC822:
	default:
		add("expiry_text_format %q: rfc3339 or rfc822", f.ExpiryTextFormat)
	}
	return errors.Join(errs...)
}
