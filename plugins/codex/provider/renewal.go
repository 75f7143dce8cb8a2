package provider

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Renewer = Codex{}

// codex renews a ChatGPT login with a JSON POST of {client_id,
// grant_type: refresh_token, refresh_token} and reads id_token,
// access_token and a rotated refresh_token from the answer, which has no
// expires_in: the expiry is the access token's exp claim. From
// openai/codex codex-rs/login/src/auth/manager.rs (RefreshRequest,
// RefreshResponse, REFRESH_TOKEN_URL, CLIENT_ID), checked against the
// pinned release the e2e tests run (npm @openai/codex 0.171.0, whose
// binary holds "https://auth.openai.com/oauth/token" and
// "app_EMoamEEZ73f0CkXaXp7hrann"). The refresh token is rotated on every
// use and OpenAI refuses a reused one (refresh_token_reused).
const (
	tokenURL      = "https://auth.openai.com/oauth/token"
	oauthClientID = "app_EMoamEEZ73f0CkXaXp7hrann"
)

// Renewal implements sdk.Renewer for the ChatGPT login (oauth).
func (Codex) Renewal(context.Context, *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	return &sdk.RenewalResponse{Renewals: []sdk.Renewal{{
		CredentialType: sdk.TypeOAuth,
		Endpoints:      []string{tokenURL},
		ClientID:       oauthClientID,
		Encoding:       sdk.EncodingJSON,
		Response:       sdk.RenewalFields{IDToken: "id_token", ExpiryFromJWT: true},
	}}}, nil
}
