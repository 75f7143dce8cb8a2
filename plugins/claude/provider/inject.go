package provider

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Injector = Claude{}

// Injection implements sdk.Injector: Claude Code reads an API key from
// ANTHROPIC_API_KEY, and an OAuth token, a subscription login's access
// token or a setup token, from CLAUDE_CODE_OAUTH_TOKEN, so none needs a
// file. A setup token never goes into ANTHROPIC_API_KEY (see
// setupTokenPrefix).
func (Claude) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"ANTHROPIC_API_KEY": "${key}"}},
		{CredentialType: sdk.TypeOAuth, Env: map[string]string{"CLAUDE_CODE_OAUTH_TOKEN": "${access_token}"}},
		{CredentialType: sdk.TypeOAuthToken, Env: map[string]string{"CLAUDE_CODE_OAUTH_TOKEN": "${token}"}},
	}}, nil
}
