// Package provider is the terok provider for OpenAI Codex: API keys, and the
// `codex login` OAuth and device-code logins run in a container, captured
// from the auth.json they leave behind.
package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/terok-ai/terok-auth/sdk"
)

// Version is the provider's version, set at build time.
var Version = "dev"

const configPath = "/home/dev/.codex"

// callbackPort is where `codex login` listens, on 127.0.0.1 inside the
// container, for the browser's OAuth redirect (DEFAULT_LOGIN_PORT in
// codex-rs/login/src/server.rs); the host relays it (core/relay).
const callbackPort = 1455

// skipPaths are what codex leaves beside auth.json that holds no
// credential: tmp/arg0-linux/codex-arg0XXXXXX/ holds symbolic links to the
// codex binary (apply_patch, applypatch, codex-linux-sandbox), made by
// codex-rs/arg0 on every start (seen with codex 0.171.0).
var skipPaths = []string{"tmp/arg0-linux"}

var supported = []sdk.Mode{sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeAPIKey}

// OpenAI keys are sk-… or sk-proj-…; the check is loose on length.
var keyRE = regexp.MustCompile(`^sk-[A-Za-z0-9_-]{16,300}$`)

// Codex implements sdk.Provider.
type Codex struct{}

var _ sdk.Provider = Codex{}

// New returns the codex provider.
func New() Codex { return Codex{} }

// Describe implements sdk.Provider.
func (Codex) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{
		Name:        "codex",
		Label:       "Codex",
		Version:     Version,
		Modes:       supported,
		Description: "OpenAI Codex CLI: ChatGPT login (browser or device code) or API key",
		KeyURL:      "https://platform.openai.com/api-keys",
		DocsURL:     "https://github.com/openai/codex/blob/main/docs/authentication.md",
		HostDir:     "_codex-config",
	}, nil
}

// Negotiate implements sdk.Provider.
func (Codex) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes(supported, req)
}

// KeyPrompt implements sdk.Provider.
func (Codex) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{
		Label:      "Codex API key",
		Hint:       "Create an API key on the OpenAI platform.",
		URL:        "https://platform.openai.com/api-keys",
		EnvVar:     "OPENAI_API_KEY",
		Secret:     true,
		FormatHint: "starts with sk-",
	}, nil
}

// AcceptKey implements sdk.Provider.
func (Codex) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	key := strings.TrimSpace(req.Key)
	switch {
	case key == "":
		return nil, fmt.Errorf("%w: no API key entered", sdk.ErrInvalidKey)
	case !strings.HasPrefix(key, "sk-"):
		return nil, fmt.Errorf("%w: an OpenAI API key starts with sk- (get one at https://platform.openai.com/api-keys)", sdk.ErrInvalidKey)
	case !keyRE.MatchString(key):
		return nil, fmt.Errorf("%w: the key has characters or a length an OpenAI API key never has; paste it again without spaces or quotes", sdk.ErrInvalidKey)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(key)}, nil
}

// fileStore pins where codex keeps a login: auth.json in CODEX_HOME, the
// file terok captures. Newer codex may prefer the OS keychain (the
// cli_auth_credentials_store setting: file, keyring, auto, ephemeral, in
// codex-rs/core config), which a container does not have and terok could
// not read. Given before the subcommand, as codex takes -c; checked with
// the pinned 0.171.0 build, which refuses an unknown value of this key.
const fileStore = `cli_auth_credentials_store="file"`

func loginCommand(extra ...string) []string {
	return append([]string{"codex", "-c", fileStore, "login"}, extra...)
}

// ContainerSpec implements sdk.Provider.
func (Codex) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	switch req.Mode {
	case sdk.ModeOAuth:
		return &sdk.ContainerSpecResponse{
			Command:       loginCommand(),
			ConfigPath:    configPath,
			CallbackPorts: []int{callbackPort},
			SkipPaths:     skipPaths,
			Banner: "Open the URL Codex prints in a browser on this machine; its redirect to localhost:1455 reaches Codex in the container.\n" +
				"Codex exits by itself once the login succeeded, and terok stores the credential. Ctrl+C stops the login; nothing is stored then.",
		}, nil
	case sdk.ModeDevice:
		// The device flow needs no callback, so no port is forwarded and it
		// works where 1455 is taken or the browser is on another machine.
		return &sdk.ContainerSpecResponse{
			Command:    loginCommand("--device-auth"),
			ConfigPath: configPath,
			SkipPaths:  skipPaths,
			Banner: "Codex will show a code: enter it at the URL it prints, from any browser.\n" +
				"Codex exits by itself once the code was accepted, and terok stores the credential. Ctrl+C stops the login; nothing is stored then.",
		}, nil
	}
	return nil, fmt.Errorf("%w: codex runs a login container for oauth and device, not %q", sdk.ErrUnsupportedMode, req.Mode)
}

// authFile is the shape of $CODEX_HOME/auth.json: AuthDotJson in
// codex-rs/login/src/auth/storage.rs. Every key but OPENAI_API_KEY may be
// missing; which one holds the credential depends on how codex logged in:
//
//	auth_mode "chatgpt"              tokens (the browser or device-code login)
//	auth_mode "apikey"               OPENAI_API_KEY (codex login --with-api-key)
//	auth_mode "personalAccessToken"  personal_access_token
//	auth_mode "agentIdentity"        agent_identity (a JWT naming an agent runtime)
//
// Older codex wrote no auth_mode: then tokens win over the key, as in
// codex itself.
type authFile struct {
	AuthMode            *string `json:"auth_mode"`
	OpenAIAPIKey        *string `json:"OPENAI_API_KEY"`
	PersonalAccessToken *string `json:"personal_access_token"`
	AgentIdentity       *string `json:"agent_identity"`
	LastRefresh         *string `json:"last_refresh"`
	Tokens              *struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		AccountID    string `json:"account_id"`
	} `json:"tokens"`
}

// Credential types for the logins that are neither ChatGPT tokens nor an
// API key. Their value is in "token".
const (
	TypePersonalAccessToken = "pat"
	TypeAgentIdentity       = "agent_identity"
)

// Capture implements sdk.Provider. It reads whichever credential auth.json
// holds (see authFile), keeping auth_mode and last_refresh beside it so the
// file can be written again as codex wrote it.
func (Codex) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	data, ok := req.Files["auth.json"]
	if !ok {
		return nil, fmt.Errorf("%w: codex wrote no auth.json", sdk.ErrNothingCaptured)
	}
	cred, err := parseAuth(data)
	if err != nil {
		return nil, fmt.Errorf("%w: auth.json: %w", sdk.ErrNothingCaptured, err)
	}
	return &sdk.CaptureResponse{Credential: cred}, nil
}

func nonEmpty(p *string) (string, bool) {
	if p == nil || strings.TrimSpace(*p) == "" {
		return "", false
	}
	return strings.TrimSpace(*p), true
}

func parseAuth(data []byte) (sdk.Credential, error) {
	var f authFile
	if err := json.Unmarshal(data, &f); err != nil {
		return sdk.Credential{}, fmt.Errorf("not valid JSON: %w", err)
	}
	mode, _ := nonEmpty(f.AuthMode)
	var (
		cred sdk.Credential
		err  error
	)
	switch strings.ToLower(mode) {
	case "chatgpt", "chatgptauthtokens":
		cred, err = tokensCred(&f)
	case "apikey", "api_key":
		cred, err = keyCred(&f)
	case "personalaccesstoken", "personal_access_token":
		cred, err = tokenCred(f.PersonalAccessToken, TypePersonalAccessToken, "personal_access_token")
	case "agentidentity", "agent_identity":
		cred, err = tokenCred(f.AgentIdentity, TypeAgentIdentity, "agent_identity")
	default:
		// No (or an unknown) auth_mode: take what is there, in codex's
		// own order of preference.
		cred, err = anyCred(&f)
	}
	if err != nil {
		if mode != "" {
			return sdk.Credential{}, fmt.Errorf("auth_mode is %q but %w", mode, err)
		}
		return sdk.Credential{}, err
	}
	if mode != "" {
		cred.Fields["auth_mode"] = mode
	}
	if lr, ok := nonEmpty(f.LastRefresh); ok {
		cred.Fields["last_refresh"] = lr
	}
	return cred, nil
}

func anyCred(f *authFile) (sdk.Credential, error) {
	if t := f.Tokens; t != nil && strings.TrimSpace(t.AccessToken) != "" {
		return tokensCred(f)
	}
	if _, ok := nonEmpty(f.OpenAIAPIKey); ok {
		return keyCred(f)
	}
	if _, ok := nonEmpty(f.PersonalAccessToken); ok {
		return tokenCred(f.PersonalAccessToken, TypePersonalAccessToken, "personal_access_token")
	}
	if _, ok := nonEmpty(f.AgentIdentity); ok {
		return tokenCred(f.AgentIdentity, TypeAgentIdentity, "agent_identity")
	}
	if f.Tokens != nil {
		return sdk.Credential{}, errors.New(`"tokens" has no access_token`)
	}
	return sdk.Credential{}, errors.New(`it holds no credential: none of "tokens", "OPENAI_API_KEY", "personal_access_token" or "agent_identity"`)
}

func tokensCred(f *authFile) (sdk.Credential, error) {
	t := f.Tokens
	if t == nil {
		return sdk.Credential{}, errors.New(`"tokens" is missing`)
	}
	if strings.TrimSpace(t.AccessToken) == "" {
		return sdk.Credential{}, errors.New(`"tokens" has no access_token`)
	}
	fields := map[string]any{"access_token": t.AccessToken}
	for k, v := range map[string]string{"refresh_token": t.RefreshToken, "id_token": t.IDToken, "account_id": t.AccountID} {
		if v != "" {
			fields[k] = v
		}
	}
	// The access token is a JWT; its exp claim lets `terok auth status`
	// warn before it runs out. It is read, not verified: the host only
	// displays it.
	if exp, ok := sdk.JWTExpiry(t.AccessToken); ok {
		fields["expires_at"] = exp
	}
	return sdk.Credential{Type: sdk.TypeOAuth, Fields: fields}, nil
}

func keyCred(f *authFile) (sdk.Credential, error) {
	key, ok := nonEmpty(f.OpenAIAPIKey)
	if !ok {
		return sdk.Credential{}, errors.New(`"OPENAI_API_KEY" is empty`)
	}
	return sdk.APIKey(key), nil
}

func tokenCred(v *string, typ, key string) (sdk.Credential, error) {
	tok, ok := nonEmpty(v)
	if !ok {
		return sdk.Credential{}, fmt.Errorf("%q is empty", key)
	}
	return sdk.Credential{Type: typ, Fields: map[string]any{"token": tok}}, nil
}
