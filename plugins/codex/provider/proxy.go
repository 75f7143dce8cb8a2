package provider

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Proxied = Codex{}

// ProxyRoutes implements sdk.Proxied: codex sends an API key as a bearer
// token to api.openai.com, pointed elsewhere by OPENAI_BASE_URL (which
// includes /v1). A ChatGPT login (oauth) talks to the API and to
// /backend-api/ on chatgpt.com, and codex reads it from auth.json, not a
// variable: exec --proxy renders a stand-in auth.json (Injection), and
// the hint says so. The same as upstream terok's vault: block of its codex agent
// (core/yamlprov/testdata/upstream/codex.yaml).
func (Codex) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	return &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{
		{
			CredentialType: sdk.TypeAPIKey, Upstream: "https://api.openai.com",
			Header: "Authorization", Prefix: "Bearer ", Field: "key",
			BaseURLEnv: "OPENAI_BASE_URL", BaseURLPath: "/v1", StandInEnv: "OPENAI_API_KEY",
		},
		{
			CredentialType: sdk.TypeOAuth, Upstream: "https://api.openai.com",
			PathUpstreams: map[string]string{"/backend-api/": "https://chatgpt.com"},
			Header:        "Authorization", Prefix: "Bearer ", Field: "access_token",
			// terok auth exec --proxy writes both files itself (Injection,
			// sdk.ProxyInjectionType); the hint is for a grant of the
			// running proxy.
			SetupHint: "codex reads a ChatGPT login from auth.json in CODEX_HOME, not a variable: run it under terok auth exec --proxy codex, " +
				"which writes a stand-in auth.json and a config.toml that points codex at the proxy; by hand, put the stand-in in auth.json as " +
				"tokens.access_token, set chatgpt_base_url to the listener's URL followed by /backend-api/, and use a model provider with " +
				"requires_openai_auth = true and base_url the listener's URL followed by /backend-api/codex",
		},
	}}, nil
}
