package proxy

import (
	"context"
	"errors"
	"fmt"

	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/sdk"
)

// Routes returns the proxy routes provider name declares, checked: a
// plugin or a YAML provider answers sdk.Proxied's ProxyRoutes (a YAML
// provider from its proxy: block), and every route passes route.FromSDK,
// the same checks as a YAML provider's proxy: block, before the proxy may
// use it. A provider that declares none (or a plugin built before
// ProxyRoutes) has no routes: nil and no error. The one exception, for a
// claude or codex plugin binary older than this host, is PluginRoutes.
func Routes(ctx context.Context, name string, p sdk.Provider) ([]route.Route, error) {
	px, ok := p.(sdk.Proxied)
	if !ok {
		return fallback(name), nil
	}
	resp, err := px.ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{})
	if errors.Is(err, sdk.ErrUnimplemented) {
		return fallback(name), nil
	}
	if err != nil {
		return nil, fmt.Errorf("ask %s for its proxy routes: %w", name, err)
	}
	return route.FromSDK(name, resp)
}

// fallback is the deprecated table's routes of name, copied.
func fallback(name string) []route.Route {
	rs := PluginRoutes[name]
	if len(rs) == 0 {
		return nil
	}
	out := append([]route.Route(nil), rs...)
	for i := range out {
		out[i].PathUpstreams = copyMap(out[i].PathUpstreams)
		out[i].ExtraHeaders = copyMap(out[i].ExtraHeaders)
	}
	return out
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// PluginRoutes are the routes the bundled plugins, claude and codex,
// declared before the SDK could say them.
//
// Deprecated: the plugins declare these themselves now (sdk.Proxied, in
// plugins/claude/provider/proxy.go and plugins/codex/provider/proxy.go);
// use Routes, which asks the provider. The table stays only as Routes'
// fallback for a plugin binary built before ProxyRoutes, and for code
// written against it, until the lead removes it after the merge. It must
// stay equal to what the plugins declare (TestPluginsDeclareTheirRoutes).
//
// Codex's ChatGPT login (oauth) is declared for its API and /backend-api/
// on chatgpt.com, but codex reads that login from auth.json, not a
// variable: its stand-in has to be written into a rendered auth.json,
// which is `exec --proxy`'s job.
var PluginRoutes = map[string][]route.Route{
	"claude": {
		{
			Provider: "claude", CredentialType: "api_key", Upstream: "https://api.anthropic.com",
			Header: "x-api-key", Field: "key", BaseURLEnv: "ANTHROPIC_BASE_URL", StandInEnv: "ANTHROPIC_API_KEY",
		},
		{
			Provider: "claude", CredentialType: "oauth", Upstream: "https://api.anthropic.com",
			Header: "Authorization", Prefix: "Bearer ", Field: "access_token",
			ExtraHeaders: map[string]string{"anthropic-beta": "oauth-2025-04-20"},
			BaseURLEnv:   "ANTHROPIC_BASE_URL", StandInEnv: "CLAUDE_CODE_OAUTH_TOKEN",
		},
	},
	"codex": {
		{
			Provider: "codex", CredentialType: "api_key", Upstream: "https://api.openai.com",
			Header: "Authorization", Prefix: "Bearer ", Field: "key",
			BaseURLEnv: "OPENAI_BASE_URL", BaseURLPath: "/v1", StandInEnv: "OPENAI_API_KEY",
		},
		{
			Provider: "codex", CredentialType: "oauth", Upstream: "https://api.openai.com",
			PathUpstreams: map[string]string{"/backend-api/": "https://chatgpt.com"},
			Header:        "Authorization", Prefix: "Bearer ", Field: "access_token",
			SetupHint: "codex reads a ChatGPT login from auth.json in CODEX_HOME: put the stand-in there as tokens.access_token, " +
				"and set chatgpt_base_url in config.toml to the listener's URL followed by /backend-api/",
		},
	},
}
