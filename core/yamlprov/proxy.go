package yamlprov

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// ProxySpec is the proxy: entry of one credential type: how the credential
// proxy (terok auth proxy) sends the real credential to the tool's API,
// and how the tool is pointed at the proxy. The same data as route.Route.
//
//	proxy:
//	  api_key:
//	    upstream: https://openrouter.ai
//	    header: Authorization
//	    prefix: "Bearer "
//	    base_url_path: /api/v1
//	    stand_in_env: OPENROUTER_API_KEY
type ProxySpec struct {
	Upstream      string            `yaml:"upstream"`
	PathUpstreams map[string]string `yaml:"path_upstreams"`
	// Header defaults to Authorization; Prefix to "Bearer " for
	// Authorization and "" for any other header.
	Header *string `yaml:"header"`
	Prefix *string `yaml:"prefix"`
	// Field is the stored field sent (default key for api_key,
	// access_token for oauth, token for the rest).
	Field        string            `yaml:"field"`
	ExtraHeaders map[string]string `yaml:"extra_headers"`
	BaseURLEnv   string            `yaml:"base_url_env"`
	BaseURLPath  string            `yaml:"base_url_path"`
	StandInEnv   string            `yaml:"stand_in_env"`
	SetupHint    string            `yaml:"setup_hint"`
}

// Routes are the file's proxy routes, sorted by credential type; a file
// without a proxy: block declares none. Load has checked each.
func (p *Provider) Routes() []route.Route { return routes(p.f) }

var _ sdk.Proxied = (*Provider)(nil)

// ProxyRoutes implements sdk.Proxied from the proxy: block, so the host
// asks a YAML provider for its routes as it asks a plugin; a file without
// one declares nothing.
func (p *Provider) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	if len(p.f.Proxy) == 0 {
		return nil, fmt.Errorf("%w: %s has no proxy: block", sdk.ErrUnimplemented, p.f.Name)
	}
	return route.ToSDK(p.Routes()), nil
}

func routes(f *File) []route.Route {
	types := make([]string, 0, len(f.Proxy))
	for t := range f.Proxy {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]route.Route, 0, len(types))
	for _, t := range types {
		if s := f.Proxy[t]; s != nil {
			out = append(out, s.route(f.Name, t))
		}
	}
	return out
}

func (s *ProxySpec) route(provider, credType string) route.Route {
	r := route.Route{
		Provider: provider, CredentialType: credType, Upstream: strings.TrimSuffix(s.Upstream, "/"),
		PathUpstreams: map[string]string{}, Header: "Authorization", Field: s.Field, ExtraHeaders: s.ExtraHeaders,
		BaseURLEnv: s.BaseURLEnv, BaseURLPath: s.BaseURLPath, StandInEnv: s.StandInEnv, SetupHint: s.SetupHint,
	}
	for k, v := range s.PathUpstreams {
		r.PathUpstreams[k] = strings.TrimSuffix(v, "/")
	}
	if s.Header != nil {
		r.Header = *s.Header
	}
	if s.Prefix != nil {
		r.Prefix = *s.Prefix
	} else if strings.EqualFold(r.Header, "Authorization") {
		r.Prefix = "Bearer "
	}
	if r.Field == "" {
		r.Field = route.DefaultField(credType)
	}
	return r
}

func (c *checker) checkProxy(f *File, modes map[sdk.Mode]bool) {
	if len(f.Proxy) == 0 {
		return
	}
	if len(f.Modes) == 0 { // Load defaults to api_key after the checks
		modes = map[sdk.Mode]bool{sdk.ModeAPIKey: true}
	}
	stored := storedFields(f, modes)
	types := make([]string, 0, len(f.Proxy))
	for t := range f.Proxy {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		p := "proxy." + t
		s := f.Proxy[t]
		fields, ok := stored[t]
		if !ok {
			c.errorf(p, "proxy: %q is not a credential type this provider stores (it stores: %s)", t, typeList(stored))
			continue
		}
		if s == nil || s.Upstream == "" {
			c.errorf(p, "%s.upstream is missing: the https origin of the tool's API (e.g. https://api.example.com)", p)
			continue
		}
		c.checkProxySpec(p, f.Name, s)
		r := s.route(f.Name, t)
		if !fields[r.Field] {
			c.errorf(p+".field", "%s.field: a %s credential of this provider never holds %q (it holds: %s)", p, t, r.Field, setList(fields))
		}
	}
}

// checkProxySpec reports each problem of one proxy: entry at its own line;
// route.Route.Validate is the same check, for routes from elsewhere.
func (c *checker) checkProxySpec(p, provider string, s *ProxySpec) {
	if err := route.CheckUpstream(s.Upstream); err != nil {
		c.errorf(p+".upstream", "%s.upstream: %v", p, err)
	}
	for _, k := range sortedNames(s.PathUpstreams) {
		if err := route.CheckPathPrefix(k); err != nil {
			c.errorf(p+".path_upstreams."+k, "%s.path_upstreams: %v", p, err)
		}
		if err := route.CheckUpstream(s.PathUpstreams[k]); err != nil {
			c.errorf(p+".path_upstreams."+k, "%s.path_upstreams.%s: %v", p, k, err)
		}
	}
	header := "Authorization"
	if s.Header != nil {
		header = *s.Header
		if err := route.CheckHeaderName(header); err != nil {
			c.errorf(p+".header", "%s.header: %v", p, err)
		}
	}
	if s.Prefix != nil {
		if err := route.CheckHeaderValue(*s.Prefix); err != nil {
			c.errorf(p+".prefix", "%s.prefix: %v", p, err)
		}
	}
	if s.Field != "" && !fieldRE.MatchString(s.Field) {
		c.errorf(p+".field", "%s.field %q is not a field name (lower case letters, digits and _)", p, s.Field)
	}
	for _, h := range sortedNames(s.ExtraHeaders) {
		if err := route.CheckHeaderName(h); err != nil {
			c.errorf(p+".extra_headers."+h, "%s.extra_headers: %v", p, err)
		} else if strings.EqualFold(h, header) {
			c.errorf(p+".extra_headers."+h, "%s.extra_headers: %s is the header the credential goes in", p, h)
		}
		if err := route.CheckHeaderValue(s.ExtraHeaders[h]); err != nil {
			c.errorf(p+".extra_headers."+h, "%s.extra_headers.%s: %v", p, h, err)
		}
	}
	for _, kv := range [][2]string{{"base_url_env", s.BaseURLEnv}, {"stand_in_env", s.StandInEnv}} {
		key, name := kv[0], kv[1]
		if name == "" {
			continue
		}
		err := host.CheckEnvName(name)
		if err == nil {
			err = host.CheckEnvOf(provider, name)
		}
		if err != nil {
			c.errorf(p+"."+key, "%s.%s: %v", p, key, err)
		}
	}
	if s.BaseURLEnv != "" && s.BaseURLEnv == s.StandInEnv {
		c.errorf(p+".stand_in_env", "%s: base_url_env and stand_in_env are both %s", p, s.BaseURLEnv)
	}
	if err := route.CheckBaseURLPath(s.BaseURLPath); err != nil {
		c.errorf(p+".base_url_path", "%s.base_url_path: %v", p, err)
	}
	if s.BaseURLEnv == "" && strings.TrimSpace(s.SetupHint) == "" {
		c.errorf(p, "%s: neither base_url_env nor setup_hint: say how the tool is pointed at the proxy (its base-URL variable, or in words where it has none)", p)
	}
	if strings.ContainsRune(s.SetupHint, 0x1b) {
		c.errorf(p+".setup_hint", "%s.setup_hint holds a terminal escape", p)
	}
}
