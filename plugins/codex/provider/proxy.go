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
// variable: the stand-in goes into a rendered auth.json, and the hint
// says so. The same as upstream terok's vault: block of its codex agent
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
			SetupHint: "codex reads a ChatGPT login from auth.json in CODEX_HOME: put the stand-in there as tokens.access_token, " +
				"and set chatgpt_base_url in config.toml to the listener's URL followed by /backend-api/",
		},
	}}, nil
}
