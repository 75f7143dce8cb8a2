package sdk

import "context"

// Proxied is an optional capability: a provider that implements it says,
// as data, how the host's credential proxy (terok auth proxy) reaches the
// tool's API with the real credential while the tool holds only a
// stand-in. The host runs the proxy and makes every request: the
// provider only declares. A provider that does not implement Proxied (or
// a plugin built against an older SDK) declares no routes, and its
// credentials cannot be used through the proxy.
//
// The host checks every route it is given as strictly as a YAML
// provider's proxy: block (https upstreams only, no hop-by-hop or
// proxy-owned header, no line break in a value, variables of the
// provider's own family, …), and refuses the whole answer when one route
// fails.
type Proxied interface {
	ProxyRoutes(ctx context.Context, req *ProxyRoutesRequest) (*ProxyRoutesResponse, error)
}

// ProxyRoutesRequest is empty today.
type ProxyRoutesRequest struct{}

// ProxyRoutesResponse declares, per credential type, one route.
type ProxyRoutesResponse struct {
	Routes []ProxyRoute
}

// ProxyRoute is how one type of credential reaches the tool's API through
// the proxy, and how the tool is pointed at the proxy.
type ProxyRoute struct {
	// CredentialType is the stored type this applies to, e.g. "api_key".
	CredentialType string
	// Upstream is the API's origin, https://host[:port], no path: the
	// request keeps the path the tool sent.
	Upstream string
	// PathUpstreams send requests whose path starts with a key (e.g.
	// "/backend-api/") to another origin, for a tool that talks to two
	// hosts; the longest matching key wins.
	PathUpstreams map[string]string
	// Header and Prefix: the credential goes on each request as
	// "Header: Prefix<value of Field>", e.g. "Authorization", "Bearer ".
	Header string
	Prefix string
	// Field is the stored credential field sent; "" is key for api_key,
	// access_token for oauth, token for any other type.
	Field string
	// ExtraHeaders are set on every request of this route (Claude's OAuth
	// needs an anthropic-beta header).
	ExtraHeaders map[string]string
	// BaseURLEnv is the variable that points the tool at the proxy: it is
	// set to the listener's URL followed by BaseURLPath (e.g.
	// OPENAI_BASE_URL and "/v1"). "" when the tool has no such variable;
	// SetupHint then says in words how to point it.
	BaseURLEnv  string
	BaseURLPath string
	// StandInEnv is the variable the tool reads its credential from: it
	// gets the stand-in.
	StandInEnv string
	// SetupHint is shown to the user: what else the tool needs to use the
	// proxy (a setting in its config file, a rendered file).
	SetupHint string
}

// For returns the route declared for a credential type.
func (r *ProxyRoutesResponse) For(credType string) (ProxyRoute, bool) {
	if r == nil {
		return ProxyRoute{}, false
	}
	for _, in := range r.Routes {
		if in.CredentialType == credType {
			return in, true
		}
	}
	return ProxyRoute{}, false
}
