package yamlprov

import (
	"context"
	"fmt"
	"sort"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// RefreshSpec is the refresh: entry of one credential type: the same data
// as sdk.Renewal, in YAML.
//
//	refresh:
//	  oauth:
//	    endpoints: [https://gitlab.com/oauth/token]
//	    client_id: 41d48f9422ebd655dd9cf2947d6979681dfaddc6d0c56f7628f6ada59559af1e
//	    encoding: form
//	    response:
//	      expiry_text: oauth2_expiry_date
//	      expiry_text_format: rfc822
type RefreshSpec struct {
	Endpoints []string          `yaml:"endpoints"`
	ClientID  string            `yaml:"client_id"`
	Scope     string            `yaml:"scope"`
	Encoding  string            `yaml:"encoding"`
	Headers   map[string]string `yaml:"headers"`
	Response  *RefreshResponse  `yaml:"response"`
}

// RefreshResponse names the token endpoint's response fields
// (sdk.RenewalFields).
type RefreshResponse struct {
	AccessToken      string `yaml:"access_token"`
	RefreshToken     string `yaml:"refresh_token"`
	ExpiresIn        string `yaml:"expires_in"`
	ExpiresAt        string `yaml:"expires_at"`
	IDToken          string `yaml:"id_token"`
	ExpiryFromJWT    bool   `yaml:"expiry_from_jwt"`
	ExpiryText       string `yaml:"expiry_text"`
	ExpiryTextFormat string `yaml:"expiry_text_format"`
}

var _ sdk.Renewer = (*Provider)(nil)

// Renewal implements sdk.Renewer from the refresh: block; a file without
// one declares nothing.
func (p *Provider) Renewal(context.Context, *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	if len(p.f.Refresh) == 0 {
		return nil, fmt.Errorf("%w: %s has no refresh: block", sdk.ErrUnimplemented, p.f.Name)
	}
	return &sdk.RenewalResponse{Renewals: renewals(p.f)}, nil
}

func renewals(f *File) []sdk.Renewal {
	types := make([]string, 0, len(f.Refresh))
	for t := range f.Refresh {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]sdk.Renewal, 0, len(types))
	for _, t := range types {
		out = append(out, renewalOf(t, f.Refresh[t]))
	}
	return out
}

func renewalOf(typ string, s *RefreshSpec) sdk.Renewal {
	if s == nil {
		s = &RefreshSpec{}
	}
	r := sdk.Renewal{
		CredentialType: typ, Endpoints: s.Endpoints, ClientID: s.ClientID, Scope: s.Scope,
		Encoding: s.Encoding, Headers: s.Headers,
	}
	if f := s.Response; f != nil {
		r.Response = sdk.RenewalFields{
			AccessToken: f.AccessToken, RefreshToken: f.RefreshToken, ExpiresIn: f.ExpiresIn, ExpiresAt: f.ExpiresAt,
			IDToken: f.IDToken, ExpiryFromJWT: f.ExpiryFromJWT, ExpiryText: f.ExpiryText, ExpiryTextFormat: f.ExpiryTextFormat,
		}
	}
	return r
}

// checkRefresh reports each problem of the refresh: block at its line. A
// type must be one the file stores, and hold a refresh token: a
// credential without one cannot be renewed.
func (c *checker) checkRefresh(f *File, modes map[sdk.Mode]bool) {
	if len(f.Refresh) == 0 {
		return
	}
	stored := storedFields(f, modes)
	types := make([]string, 0, len(f.Refresh))
	for t := range f.Refresh {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		p := "refresh." + t
		fields, ok := stored[t]
		if !ok {
			c.errorf(p, "refresh: %q is not a credential type this provider stores (it stores: %s)", t, typeList(stored))
			continue
		}
		if !fields["refresh_token"] {
			c.errorf(p, "refresh.%s: a %s credential of this provider holds no refresh_token field, so there is nothing to renew it with", t, t)
		}
		s := f.Refresh[t]
		if s == nil {
			c.errorf(p, "refresh.%s is empty: it needs endpoints", t)
			continue
		}
		r := renewalOf(t, s)
		if len(s.Endpoints) == 0 {
			c.errorf(p, "refresh.%s.endpoints is missing: the token endpoints, in the order they are tried", t)
		}
		for i, u := range s.Endpoints {
			if err := host.CheckRefreshEndpoint(u, false); err != nil {
				c.errorf(fmt.Sprintf("%s.endpoints[%d]", p, i), "refresh.%s.endpoints[%d]: %v", t, i, err)
			}
		}
		for _, h := range sortedNames(s.Headers) {
			if err := host.CheckRefreshHeader(h); err != nil {
				c.errorf(p+".headers."+h, "refresh.%s.headers: %v", t, err)
			}
		}
		// What remains (encoding, limits, field names, header values) is
		// reported as one, at the block.
		r.Endpoints = []string{"https://checked.invalid/"}
		r.Headers = map[string]string{}
		for h, v := range s.Headers {
			if host.CheckRefreshHeader(h) == nil {
				r.Headers[h] = v
			}
		}
		if err := r.Validate(false); err != nil {
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					c.errorf(p, "%v", e)
				}
			} else {
				c.errorf(p, "%v", err)
			}
		}
		if len(s.Endpoints) > 8 {
			c.errorf(p+".endpoints", "refresh.%s.endpoints: %d endpoints; at most 8", t, len(s.Endpoints))
		}
	}
}
