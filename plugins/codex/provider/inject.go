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

// proxyAuthJSON and proxyConfigTOML are what `terok auth exec --proxy
// codex` writes into the private CODEX_HOME for a ChatGPT login
// (sdk.ProxyInjectionType): the host renders them over a stand-in
// credential, so access_token is the grant's stand-in, refresh_token a
// placeholder and id_token unsigned (its claims only: codex 0.171.0 reads
// plan, account and email from them, parse_chatgpt_jwt_claims in openai/codex
// codex-rs/login/src/token_data.rs, and verifies nothing).
//
// last_refresh is when the files were made: codex renews a login by itself
// once its last_refresh is 8 days old (AuthManager::is_stale_for_proactive_refresh,
// TOKEN_REFRESH_INTERVAL; an access token that is no JWT, as a stand-in is
// not, has no exp to go by), and on a 401 (UnauthorizedRecovery: reload,
// then refresh_token_from_authority) (openai/codex
// codex-rs/login/src/auth/manager.rs at commit 0126a9dd8ce398bce4ee305279fcd2030a7f24ed).
// A fresh last_refresh keeps it from trying within any usual grant; a try
// (a grant of more than 8 days, or a revoked one answering 401) sends only
// the placeholder, which the token endpoint refuses, and codex goes on
// with the stand-in. The proxy renews the real login itself.
//
// config.toml points codex at the proxy: chatgpt_base_url for the
// backend's own calls, and a model provider of terok's for the model:
// codex's built-in openai provider, with a ChatGPT login, checks the
// workspace's routing and refuses a chatgpt_base_url that is not https
// ("workspace backend must use an HTTPS origin without credentials", in the
// 0.171.0 binary and in resolve_routing/parse_backend_url of openai/codex's
// app-server workspace routing, seen against a logging fake too), and the
// proxy's listener is plain http on loopback; a
// custom provider with requires_openai_auth sends the ChatGPT login as it
// is, to base_url + /responses, which codex 0.171.0 does (seen against a
// logging fake, and in e2e/proxy_codex_chatgpt_test.go). cli_auth_credentials_store
// "file" keeps codex from reading a login of its own from a keyring.
const (
	proxyAuthJSON = `{"OPENAI_API_KEY":null,"tokens":{"id_token":${id_token?|json},"access_token":${access_token|json},` +
		`"refresh_token":${refresh_token?|json},"account_id":${account_id?|json}},"last_refresh":${proxy_issued_at|json}}` + "\n"
	proxyConfigTOML = `# Written by terok auth exec --proxy: codex reaches ChatGPT through terok's
# proxy, which holds the login; this CODEX_HOME holds only a stand-in.
cli_auth_credentials_store = "file"
chatgpt_base_url = "${proxy_url}/backend-api/"
model_provider = "terok-proxy"

[model_providers.terok-proxy]
name = "OpenAI (ChatGPT login, through terok auth proxy)"
base_url = "${proxy_url}/backend-api/codex"
requires_openai_auth = true
wire_api = "responses"
`
)

// patJSON and agentJSON are the auth.json of a personal access token and
// of an agent identity login (AuthDotJson in codex-rs/login/src/auth/storage.rs).
const (
	patJSON   = `{"auth_mode":"personalAccessToken","OPENAI_API_KEY":null,"personal_access_token":${token|json}}` + "\n"
	agentJSON = `{"auth_mode":"agentIdentity","OPENAI_API_KEY":null,"agent_identity":${token|json}}` + "\n"
)

// Injection implements sdk.Injector: an API key goes in OPENAI_API_KEY; the
// ChatGPT tokens go in an auth.json in a private CODEX_HOME, the only way
// codex takes them; behind the proxy, a stand-in auth.json and a
// config.toml that points codex at the proxy.
func (Codex) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"OPENAI_API_KEY": "${key}"}},
		{CredentialType: sdk.TypeOAuth, Files: map[string]string{"auth.json": authJSON}, DirEnv: "CODEX_HOME"},
		{
			CredentialType: sdk.ProxyInjectionType(sdk.TypeOAuth),
			Files:          map[string]string{"auth.json": proxyAuthJSON, "config.toml": proxyConfigTOML}, DirEnv: "CODEX_HOME",
		},
		{CredentialType: TypePersonalAccessToken, Files: map[string]string{"auth.json": patJSON}, DirEnv: "CODEX_HOME"},
		{CredentialType: TypeAgentIdentity, Files: map[string]string{"auth.json": agentJSON}, DirEnv: "CODEX_HOME"},
	}}, nil
}
