package route

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func goodRoute() sdk.ProxyRoute {
	return sdk.ProxyRoute{
		CredentialType: "api_key", Upstream: "https://api.acme.example/", Header: "x-api-key",
		BaseURLEnv: "ACME_BASE_URL", BaseURLPath: "/v1", StandInEnv: "ACME_API_KEY",
	}
}

func TestFromSDKTakesAGoodDeclaration(t *testing.T) {
	oauth := sdk.ProxyRoute{
		CredentialType: "oauth", Upstream: "https://api.acme.example",
		PathUpstreams: map[string]string{"/backend-api/": "https://chat.acme.example/"},
		Header:        "Authorization", Prefix: "Bearer ", ExtraHeaders: map[string]string{"acme-beta": "oauth-1"},
		SetupHint: "set chatgpt_base_url in config.toml",
	}
	got, err := FromSDK("acme", &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{goodRoute(), oauth}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{Provider: "acme", CredentialType: "api_key", Upstream: "https://api.acme.example", Header: "x-api-key", Field: "key",
			BaseURLEnv: "ACME_BASE_URL", BaseURLPath: "/v1", StandInEnv: "ACME_API_KEY"},
		{Provider: "acme", CredentialType: "oauth", Upstream: "https://api.acme.example",
			PathUpstreams: map[string]string{"/backend-api/": "https://chat.acme.example"},
			Header:        "Authorization", Prefix: "Bearer ", Field: "access_token",
			ExtraHeaders: map[string]string{"acme-beta": "oauth-1"}, SetupHint: "set chatgpt_base_url in config.toml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromSDK =\n%+v\nwant\n%+v", got, want)
	}
	// And back: what a YAML provider answers is what it declared.
	again, err := FromSDK("acme", ToSDK(got))
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Errorf("FromSDK(ToSDK) = %+v, %v", again, err)
	}
	if rs, err := FromSDK("acme", nil); rs != nil || err != nil {
		t.Errorf("nil answer = %v, %v", rs, err)
	}
}

// Every bad answer a plugin could give is refused, whole, with a message
// that says what is wrong.
func TestFromSDKRefusesBadAnswers(t *testing.T) {
	mod := func(f func(*sdk.ProxyRoute)) []sdk.ProxyRoute {
		r := goodRoute()
		f(&r)
		return []sdk.ProxyRoute{r}
	}
	many := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("/p%d/", i)] = "https://x.example"
		}
		return m
	}
	huge := make([]sdk.ProxyRoute, MaxRoutes+1)
	for i := range huge {
		huge[i] = goodRoute()
		huge[i].CredentialType = fmt.Sprintf("t%d", i)
	}
	cases := []struct {
		name   string
		routes []sdk.ProxyRoute
		want   string
	}{
		{"http upstream", mod(func(r *sdk.ProxyRoute) { r.Upstream = "http://api.acme.example" }), "https only"},
		{"no upstream", mod(func(r *sdk.ProxyRoute) { r.Upstream = "" }), "upstream"},
		{"user in upstream", mod(func(r *sdk.ProxyRoute) { r.Upstream = "https://u:pw@api.acme.example" }), "user name or password"},
		{"upstream with a path", mod(func(r *sdk.ProxyRoute) { r.Upstream = "https://api.acme.example/v1" }), "has a path"},
		{"upstream with a query", mod(func(r *sdk.ProxyRoute) { r.Upstream = "https://api.acme.example?x=1" }), "query"},
		{"http path upstream", mod(func(r *sdk.ProxyRoute) {
			r.PathUpstreams = map[string]string{"/b/": "http://b.example"}
		}), "https only"},
		{"traversal in a path prefix", mod(func(r *sdk.ProxyRoute) {
			r.PathUpstreams = map[string]string{"/a/../b/": "https://b.example"}
		}), ".. segment"},
		{"encoded traversal in a prefix", mod(func(r *sdk.ProxyRoute) {
			r.PathUpstreams = map[string]string{"/a/%2e%2e/": "https://b.example"}
		}), ".. segment"},
		{"relative path prefix", mod(func(r *sdk.ProxyRoute) {
			r.PathUpstreams = map[string]string{"b/": "https://b.example"}
		}), "does not start with /"},
		{"traversal in base_url_path", mod(func(r *sdk.ProxyRoute) { r.BaseURLPath = "/../v1" }), ".. segment"},
		{"hop-by-hop header", mod(func(r *sdk.ProxyRoute) { r.Header = "Connection" }), "hop-by-hop"},
		{"proxy-authorization header", mod(func(r *sdk.ProxyRoute) { r.Header = "Proxy-Authorization" }), "hop-by-hop"},
		{"host header", mod(func(r *sdk.ProxyRoute) { r.Header = "Host" }), "set by the proxy"},
		{"no header", mod(func(r *sdk.ProxyRoute) { r.Header = "" }), "header name is empty"},
		{"space in header", mod(func(r *sdk.ProxyRoute) { r.Header = "X Api" }), "not a header name"},
		{"hop-by-hop extra header", mod(func(r *sdk.ProxyRoute) {
			r.ExtraHeaders = map[string]string{"Transfer-Encoding": "chunked"}
		}), "hop-by-hop"},
		{"extra header is the credential's", mod(func(r *sdk.ProxyRoute) {
			r.ExtraHeaders = map[string]string{"X-API-Key": "other"}
		}), "credential's header"},
		{"CR LF in prefix", mod(func(r *sdk.ProxyRoute) { r.Prefix = "Bearer\r\nX-Evil: 1\r\n" }), "control character"},
		{"LF in an extra header", mod(func(r *sdk.ProxyRoute) {
			r.ExtraHeaders = map[string]string{"acme-beta": "1\nX-Evil: 1"}
		}), "control character"},
		{"NUL in an extra header", mod(func(r *sdk.ProxyRoute) {
			r.ExtraHeaders = map[string]string{"acme-beta": "1\x00"}
		}), "control character"},
		{"huge prefix", mod(func(r *sdk.ProxyRoute) { r.Prefix = strings.Repeat("a", 2000) }), "at most 1024"},
		{"bad field", mod(func(r *sdk.ProxyRoute) { r.Field = "a b" }), "not a field name"},
		{"stand-in in LD_PRELOAD", mod(func(r *sdk.ProxyRoute) { r.StandInEnv = "LD_PRELOAD" }), "stand_in_env"},
		{"another provider's base URL", mod(func(r *sdk.ProxyRoute) { r.BaseURLEnv = "ANTHROPIC_BASE_URL" }), "base_url_env"},
		{"a proxy variable", mod(func(r *sdk.ProxyRoute) { r.BaseURLEnv = "HTTPS_PROXY" }), "base_url_env"},
		{"both variables one", mod(func(r *sdk.ProxyRoute) { r.StandInEnv = "ACME_BASE_URL" }), "both"},
		{"escape in a hint", mod(func(r *sdk.ProxyRoute) { r.SetupHint = "\x1b]52;c;aGk=\x07" }), "control character"},
		{"huge hint", mod(func(r *sdk.ProxyRoute) { r.SetupHint = strings.Repeat("x", 5000) }), "at most 2048"},
		{"no way to point the tool", mod(func(r *sdk.ProxyRoute) { r.BaseURLEnv, r.BaseURLPath = "", "" }), "neither a base-URL variable nor a setup hint"},
		{"no credential type", mod(func(r *sdk.ProxyRoute) { r.CredentialType = "" }), "names no credential type"},
		{"bad credential type", mod(func(r *sdk.ProxyRoute) { r.CredentialType = "a\nb" }), "not a credential type"},
		{"a type twice", append(mod(func(*sdk.ProxyRoute) {}), goodRoute()), "two proxy routes for api_key"},
		{"too many routes", huge, "at most 16"},
		{"too many path upstreams", mod(func(r *sdk.ProxyRoute) { r.PathUpstreams = many(MaxPathUpstreams + 1) }), "at most 16"},
		{"too many extra headers", mod(func(r *sdk.ProxyRoute) {
			r.ExtraHeaders = map[string]string{}
			for i := range MaxExtraHeaders + 1 {
				r.ExtraHeaders[fmt.Sprintf("x-h%d", i)] = "v"
			}
		}), "at most 16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := FromSDK("acme", &sdk.ProxyRoutesResponse{Routes: append(c.routes, sdk.ProxyRoute{
				CredentialType: "pat", Upstream: "https://api.acme.example", Header: "PRIVATE-TOKEN", SetupHint: "ok",
			})})
			if err == nil {
				t.Fatalf("accepted: %+v", rs)
			}
			if rs != nil {
				t.Errorf("returned routes with an error: %+v", rs)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant it to say %q", err, c.want)
			}
			if !strings.Contains(err.Error(), "report this to its author") {
				t.Errorf("err = %v does not say what to do", err)
			}
		})
	}
}

// FuzzFromSDK: whatever a plugin answers, FromSDK neither panics nor
// returns a route that Validate refuses, that sends a credential in clear,
// or that could split a header.
func FuzzFromSDK(f *testing.F) {
	f.Add("api_key", "https://api.acme.example", "/b/", "https://b.example", "x-api-key", "Bearer ", "key", "acme-beta", "1", "ACME_BASE_URL", "/v1", "ACME_API_KEY", "")
	f.Add("oauth", "http://x", "/../", "https://b", "Connection", "a\r\nb", "", "Host", "\n", "LD_PRELOAD", "..", "X", "\x1b[2J")
	f.Fuzz(func(t *testing.T, ct, up, pp, pu, hdr, prefix, field, xh, xv, benv, bpath, senv, hint string) {
		in := sdk.ProxyRoute{
			CredentialType: ct, Upstream: up, PathUpstreams: map[string]string{pp: pu}, Header: hdr, Prefix: prefix,
			Field: field, ExtraHeaders: map[string]string{xh: xv}, BaseURLEnv: benv, BaseURLPath: bpath, StandInEnv: senv, SetupHint: hint,
		}
		rs, err := FromSDK("acme", &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{in}})
		if err != nil {
			if rs != nil {
				t.Fatalf("routes with an error: %+v", rs)
			}
			return
		}
		for _, r := range rs {
			if err := r.Validate(); err != nil {
				t.Fatalf("FromSDK returned a route Validate refuses: %v", err)
			}
			for _, u := range append([]string{r.Upstream}, values(r.PathUpstreams)...) {
				if !strings.HasPrefix(u, "https://") {
					t.Fatalf("upstream %q is not https", u)
				}
			}
			for _, v := range append([]string{r.Prefix, r.Header}, values(r.ExtraHeaders)...) {
				if strings.ContainsAny(v, "\r\n\x00") {
					t.Fatalf("header text %q holds a line break or NUL", v)
				}
			}
			if IsHopByHop(r.Header) {
				t.Fatalf("hop-by-hop header %q", r.Header)
			}
		}
	})
}

func values(m map[string]string) []string {
	out := []string{}
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
