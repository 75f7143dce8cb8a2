package provider

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Proxied = Claude{}

// ProxyRoutes implements sdk.Proxied: Claude Code sends an API key in
// x-api-key and a subscription's OAuth token as a bearer token, which
// the API takes only with the oauth beta header; ANTHROPIC_BASE_URL
// points it at the proxy. The same as upstream terok's vault: block of
// its claude agent (core/yamlprov/testdata/upstream/claude.yaml).
func (Claude) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	return &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{
		{
			CredentialType: sdk.TypeAPIKey, Upstream: "https://api.anthropic.com",
			Header: "x-api-key", Field: "key", BaseURLEnv: "ANTHROPIC_BASE_URL", StandInEnv: "ANTHROPIC_API_KEY",
		},
		{
			CredentialType: sdk.TypeOAuth, Upstream: "https://api.anthropic.com",
			Header: "Authorization", Prefix: "Bearer ", Field: "access_token",
			ExtraHeaders: map[string]string{"anthropic-beta": "oauth-2025-04-20"},
			BaseURLEnv:   "ANTHROPIC_BASE_URL", StandInEnv: "CLAUDE_CODE_OAUTH_TOKEN",
		},
	}}, nil
}
