package provider

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Renewer = Claude{}

// Claude Code renews a subscription login itself with a JSON POST of
// {grant_type: refresh_token, refresh_token, client_id, scope} to its
// TOKEN_URL and reads access_token, refresh_token (kept when absent) and
// expires_in from the answer. Taken from the pinned Claude Code build the
// e2e tests run (npm @anthropic-ai/claude-code-linux-x64-musl 2.1.332, the
// bundled cli: TOKEN_URL "https://platform.claude.com/v1/oauth/token",
// CLIENT_ID "9d1c250a-e61b-44d9-88ed-5944d1962f5e", User-Agent
// claude-cli/<VERSION>). console.anthropic.com/v1/oauth/token, the
// endpoint of earlier builds, comes second. No scope is sent: RFC 6749
// keeps the scopes granted at login when a refresh names none.
const (
	tokenURL       = "https://platform.claude.com/v1/oauth/token"
	legacyTokenURL = "https://console.anthropic.com/v1/oauth/token"
	oauthClientID  = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
	userAgent      = "claude-cli/2.1.332 (external, cli)"
)

// Renewal implements sdk.Renewer: a subscription login (oauth) renews
// itself; an API key and a setup token do not.
func (Claude) Renewal(context.Context, *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	return &sdk.RenewalResponse{Renewals: []sdk.Renewal{{
		CredentialType: sdk.TypeOAuth,
		Endpoints:      []string{tokenURL, legacyTokenURL},
		ClientID:       oauthClientID,
		Encoding:       sdk.EncodingJSON,
		Headers:        map[string]string{"User-Agent": userAgent},
	}}}, nil
}
