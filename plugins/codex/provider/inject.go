package provider

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Injector = Codex{}

// authJSON is the auth.json codex reads for a ChatGPT login, rebuilt from
// the stored tokens; codex takes it from $CODEX_HOME, which the host points
// at a private directory for the run. last_refresh goes back as the login
// left it: codex 0.171.0 hands out no token from an auth.json without one
// (CodexAuth::get_token_data), and renews the login itself once it is 8
// days old (AuthManager::is_stale_for_proactive_refresh,
// TOKEN_REFRESH_INTERVAL; openai/codex codex-rs/login/src/auth/manager.rs),
// rotating the refresh token, which terok then reads back (exec's
// write-back). Every ChatGPT login codex writes has one; a stored login
// without it renders "", which codex refuses to load, as it could not use
// the tokens either. auth_mode is left out: an absent field would render
// "", which codex refuses, and with tokens and no API key codex takes the
// file as a ChatGPT login (AuthDotJson::resolved_mode).
const authJSON = `{"OPENAI_API_KEY":null,"tokens":{"id_token":${id_token?|json},"access_token":${access_token|json},` +
	`"refresh_token":${refresh_token?|json},"account_id":${account_id?|json}},"last_refresh":${last_refresh?|json}}` + "\n"

// patJSON and agentJSON are the auth.json of a personal access token and
// of an agent identity login (AuthDotJson in codex-rs/login/src/auth/storage.rs).
const (
	patJSON   = `{"auth_mode":"personalAccessToken","OPENAI_API_KEY":null,"personal_access_token":${token|json}}` + "\n"
	agentJSON = `{"auth_mode":"agentIdentity","OPENAI_API_KEY":null,"agent_identity":${token|json}}` + "\n"
)

// Injection implements sdk.Injector: an API key goes in OPENAI_API_KEY; the
// ChatGPT tokens go in an auth.json in a private CODEX_HOME, the only way
// codex takes them.
func (Codex) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"OPENAI_API_KEY": "${key}"}},
		{CredentialType: sdk.TypeOAuth, Files: map[string]string{"auth.json": authJSON}, DirEnv: "CODEX_HOME"},
		{CredentialType: TypePersonalAccessToken, Files: map[string]string{"auth.json": patJSON}, DirEnv: "CODEX_HOME"},
		{CredentialType: TypeAgentIdentity, Files: map[string]string{"auth.json": agentJSON}, DirEnv: "CODEX_HOME"},
	}}, nil
}
