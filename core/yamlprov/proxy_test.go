package yamlprov

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/sdk"
)

// Every bundled provider whose tool can reach an API through the proxy
// declares a route that passes route.Validate, with the header its API
// reads; sonar and coderabbit declare none (see docs/proxy.md).
func TestBundledProxyRoutes(t *testing.T) {
	want := map[string]struct{ typ, upstream, header, prefix, standIn string }{
		"gh":         {"oauth_token", "https://api.github.com", "Authorization", "token ", "GH_TOKEN"},
		"glab":       {"pat", "https://gitlab.com", "PRIVATE-TOKEN", "", "GITLAB_TOKEN"},
		"vibe":       {"api_key", "https://api.mistral.ai", "Authorization", "Bearer ", "MISTRAL_API_KEY"},
		"openrouter": {"api_key", "https://openrouter.ai", "Authorization", "Bearer ", "OPENROUTER_API_KEY"},
		"blablador":  {"api_key", "https://api.helmholtz-blablador.fz-juelich.de", "Authorization", "Bearer ", "BLABLADOR_API_KEY"},
		"kisski":     {"api_key", "https://chat-ai.academiccloud.de", "Authorization", "Bearer ", "KISSKI_API_KEY"},
	}
	for name, f := range bundled(t) {
		rs := New(f).Routes()
		w, ok := want[name]
		if !ok {
			if len(rs) != 0 {
				t.Errorf("%s declares routes %+v; add it to this test", name, rs)
			}
			continue
		}
		if len(rs) != 1 {
			t.Fatalf("%s: %d routes, want 1", name, len(rs))
		}
		r := rs[0]
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if r.CredentialType != w.typ || r.Upstream != w.upstream || r.Header != w.header || r.Prefix != w.prefix || r.StandInEnv != w.standIn {
			t.Errorf("%s: route %+v, want %+v", name, r, w)
		}
		if r.BaseURLEnv == "" && r.SetupHint == "" {
			t.Errorf("%s: says neither how to point its tool", name)
		}
	}
}

// Upstream's vault: block gives the same routes upstream's proxy uses:
// dynamic auth for claude, per-path upstreams for codex, and routes for
// the opencode agents (blablador, kisski, openrouter).
func TestUpstreamVaultRoutes(t *testing.T) {
	load := func(name string) *File {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", "upstream", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Load(name+".yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	byType := func(f *File) map[string]int {
		m := map[string]int{}
		for i, r := range routes(f) {
			if err := r.Validate(); err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
			m[r.CredentialType] = i
		}
		return m
	}
	claude := load("claude")
	rs := routes(claude)
	idx := byType(claude)
	if k, o := rs[idx["api_key"]], rs[idx["oauth"]]; k.Header != "x-api-key" || k.Prefix != "" || k.StandInEnv != "ANTHROPIC_API_KEY" || len(k.ExtraHeaders) != 0 ||
		o.Header != "Authorization" || o.Prefix != "Bearer " || o.ExtraHeaders["anthropic-beta"] != "oauth-2025-04-20" || o.StandInEnv != "CLAUDE_CODE_OAUTH_TOKEN" ||
		o.BaseURLEnv != "ANTHROPIC_BASE_URL" || len(rs) != 2 {
		t.Errorf("claude routes: %+v", rs)
	}
	codex := load("codex")
	for _, r := range routes(codex) {
		if r.CredentialType == "oauth" && (r.UpstreamFor("/backend-api/codex/responses") != "https://chatgpt.com" || r.UpstreamFor("/v1/responses") != "https://api.openai.com") {
			t.Errorf("codex oauth route: %+v", r)
		}
	}
	for name, path := range map[string]string{"blablador": "/v1", "kisski": "/v1", "openrouter": "/api/v1"} {
		rs := routes(load(name))
		if len(rs) != 1 || rs[0].CredentialType != "api_key" || rs[0].BaseURLPath != path || rs[0].Header != "Authorization" || rs[0].Prefix != "Bearer " || rs[0].SetupHint == "" {
			t.Errorf("%s routes: %+v", name, rs)
		}
	}
	glab := load("glab")
	if rs := routes(glab); len(rs) != 1 || rs[0].Header != "PRIVATE-TOKEN" || rs[0].Prefix != "" {
		t.Errorf("glab routes: %+v", rs)
	}
}

// FuzzProxyBlock feeds made-up proxy: blocks to the loader: it must not
// panic, and every route of a file it accepts passes route.Validate, so the
// proxy never acts on one the loader let through unchecked.
func FuzzProxyBlock(f *testing.F) {
	head := "name: t\nlabel: T\nproxy:\n  api_key:\n"
	for _, s := range []string{
		"    upstream: https://api.example.com\n    base_url_env: T_BASE_URL\n",
		"    upstream: https://api.example.com:8443/\n    header: X-Api-Key\n    prefix: ''\n    setup_hint: x\n",
		"    upstream: https://a.example\n    path_upstreams: {/b/: https://b.example}\n    extra_headers: {x-beta: on}\n    base_url_env: T_BASE_URL\n",
		"    upstream: http://a\n    header: Host\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, block string) {
		file, err := Load("t.yaml", []byte(head+block))
		if err != nil {
			return
		}
		for _, r := range routes(file) {
			if err := r.Validate(); err != nil {
				t.Fatalf("loaded, but the route is invalid: %v\n%s", err, block)
			}
		}
	})
}

// A YAML provider answers ProxyRoutes with its proxy: block, which the
// host checks as it checks a plugin's answer; a file without one declares
// nothing (unimplemented, as an older plugin).
func TestYAMLProviderAnswersProxyRoutes(t *testing.T) {
	ctx := context.Background()
	for name, f := range bundled(t) {
		p := New(f)
		resp, err := p.ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{})
		if len(p.Routes()) == 0 {
			if !errors.Is(err, sdk.ErrUnimplemented) {
				t.Errorf("%s has no proxy: block, ProxyRoutes: %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rs, err := route.FromSDK(name, resp)
		want := p.Routes()
		for i := range want { // an empty map is no map, after FromSDK
			if len(want[i].PathUpstreams) == 0 {
				want[i].PathUpstreams = nil
			}
			if len(want[i].ExtraHeaders) == 0 {
				want[i].ExtraHeaders = nil
			}
		}
		if err != nil || !reflect.DeepEqual(rs, want) {
			t.Errorf("%s: FromSDK = %+v, %v\nwant %+v", name, rs, err, p.Routes())
		}
	}
}
