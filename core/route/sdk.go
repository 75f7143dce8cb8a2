package route

import (
	"errors"
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/sdk"
)

// Limits on what a provider may declare: a route per credential type, and
// a handful of path upstreams and extra headers each. A plugin's answer is
// untrusted; one past a limit is refused whole, not cut short.
const (
	MaxRoutes        = 16
	MaxPathUpstreams = 16
	MaxExtraHeaders  = 16
	maxName          = 64
)

// FromSDK turns a plugin's declared routes (sdk.Proxied) into routes of
// provider, and checks them exactly as a YAML provider's proxy: block is
// checked (Validate), plus what only an answer over the wire can get
// wrong: too many entries, a credential type twice or not at all. Any bad
// route refuses the whole answer: the proxy never runs on part of a
// declaration. A Field left "" is DefaultField of the type, as in YAML.
func FromSDK(provider string, r *sdk.ProxyRoutesResponse) ([]Route, error) {
	if r == nil {
		return nil, nil
	}
	if len(r.Routes) > MaxRoutes {
		return nil, fmt.Errorf("%s declares %d proxy routes; at most %d, one per credential type (the provider's proxy routes are refused: report this to its author)",
			provider, len(r.Routes), MaxRoutes)
	}
	var errs []error
	seen := map[string]bool{}
	out := make([]Route, 0, len(r.Routes))
	for i, in := range r.Routes {
		ct := in.CredentialType
		switch {
		case ct == "":
			errs = append(errs, fmt.Errorf("proxy route %d of %s names no credential type", i, provider))
			continue
		case len(ct) > maxName || !fieldRE.MatchString(ct):
			errs = append(errs, fmt.Errorf("proxy route %d of %s: %q is not a credential type (letters, digits, _ and -)", i, provider, shorten(ct)))
			continue
		case seen[ct]:
			errs = append(errs, fmt.Errorf("%s declares two proxy routes for %s credentials", provider, ct))
			continue
		}
		seen[ct] = true
		if len(in.PathUpstreams) > MaxPathUpstreams || len(in.ExtraHeaders) > MaxExtraHeaders {
			errs = append(errs, fmt.Errorf("proxy route of %s (%s): %d path upstreams and %d extra headers; at most %d and %d",
				provider, ct, len(in.PathUpstreams), len(in.ExtraHeaders), MaxPathUpstreams, MaxExtraHeaders))
			continue
		}
		rt := Route{
			Provider: provider, CredentialType: ct, Upstream: strings.TrimSuffix(in.Upstream, "/"),
			Header: in.Header, Prefix: in.Prefix, Field: in.Field,
			BaseURLEnv: in.BaseURLEnv, BaseURLPath: in.BaseURLPath, StandInEnv: in.StandInEnv, SetupHint: in.SetupHint,
			PathUpstreams: copyMap(in.PathUpstreams, true), ExtraHeaders: copyMap(in.ExtraHeaders, false),
		}
		if rt.Field == "" {
			rt.Field = DefaultField(ct)
		}
		if err := rt.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if rt.BaseURLEnv == "" && strings.TrimSpace(rt.SetupHint) == "" {
			errs = append(errs, fmt.Errorf("proxy route of %s (%s): neither a base-URL variable nor a setup hint: the user cannot point the tool at the proxy", provider, ct))
			continue
		}
		out = append(out, rt)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w (the provider's proxy routes are refused: report this to its author)", err)
	}
	return out, nil
}

// ToSDK is the declaration of routes, as a provider answers ProxyRoutes
// (a YAML provider serves its proxy: block this way).
func ToSDK(rs []Route) *sdk.ProxyRoutesResponse {
	out := &sdk.ProxyRoutesResponse{Routes: make([]sdk.ProxyRoute, 0, len(rs))}
	for _, r := range rs {
		out.Routes = append(out.Routes, sdk.ProxyRoute{
			CredentialType: r.CredentialType, Upstream: r.Upstream, PathUpstreams: copyMap(r.PathUpstreams, false),
			Header: r.Header, Prefix: r.Prefix, Field: r.Field, ExtraHeaders: copyMap(r.ExtraHeaders, false),
			BaseURLEnv: r.BaseURLEnv, BaseURLPath: r.BaseURLPath, StandInEnv: r.StandInEnv, SetupHint: r.SetupHint,
		})
	}
	return out
}

// copyMap copies m (nil when empty), so a route never shares a map with
// the provider's answer; trim drops a trailing / of each value.
func copyMap(m map[string]string, trim bool) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if trim {
			v = strings.TrimSuffix(v, "/")
		}
		out[k] = v
	}
	return out
}

func shorten(s string) string {
	if len(s) > maxName {
		return s[:maxName] + "…"
	}
	return s
}
