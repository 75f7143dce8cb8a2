package proxy

import "github.com/terok-ai/terok-auth/core/route"

// PluginRoutes are the routes of the bundled plugins, claude and codex.
//
// A known gap: a plugin should declare its routes through the SDK, as
// data, the way a YAML provider declares its proxy: block. The SDK and its
// protocol are being changed elsewhere, so until a Routes call exists the
// host keeps this table; it follows upstream's vault: blocks of the same
// agents (core/yamlprov/testdata/upstream/claude.yaml, codex.yaml) and
// passes the same route.Validate as every other route.
//
// Codex's ChatGPT login (oauth) is declared for its API and /backend-api/
// on chatgpt.com, but codex reads that login from auth.json, not a
// variable: its stand-in has to be written into a rendered auth.json,
// which is `exec --proxy`'s job and not done yet.
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
