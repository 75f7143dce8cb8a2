// Package provider is the terok provider for Anthropic's Claude Code: API
// keys, the long-lived token `claude setup-token` prints, and the OAuth
// login that the claude CLI runs in a container, captured from the
// .credentials.json it leaves behind.
package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/terok-ai/terok-auth/sdk"
)

// Version is the provider's version, set at build time.
var Version = "dev"

// configPath is where the claude CLI keeps its config in terok's images.
const configPath = "/home/dev/.claude"

var supported = []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey, sdk.ModeSetupToken}

// Anthropic keys look like sk-ant-api03-<base64url>; the check is loose on
// length so a new key generation does not lock users out.
var keyRE = regexp.MustCompile(`^sk-ant-[A-Za-z0-9_-]{16,300}$`)

// setupTokenPrefix starts every OAuth access token Claude issues, the
// one-year token of `claude setup-token` among them (sk-ant-oat01-…); an
// API key is sk-ant-api03-…. Claude Code reads such a token from
// CLAUDE_CODE_OAUTH_TOKEN and sends it as a bearer token; given as
// ANTHROPIC_API_KEY it goes out as an x-api-key, which the API refuses,
// and ANTHROPIC_API_KEY outranks CLAUDE_CODE_OAUTH_TOKEN in Claude Code's
// order of credentials (https://code.claude.com/docs/en/authentication,
// "Authentication precedence"; the pinned build, npm
// @anthropic-ai/claude-code-linux-x64-musl 2.1.332, holds both names).
const setupTokenPrefix = "sk-ant-oat"

// Claude implements sdk.Provider.
type Claude struct{}

var _ sdk.Provider = Claude{}

// New returns the claude provider.
func New() Claude { return Claude{} }

// Describe implements sdk.Provider.
func (Claude) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{
		Name:        "claude",
		Label:       "Claude",
		Version:     Version,
		Modes:       supported,
		Description: "Anthropic Claude Code: OAuth login (Claude subscription), API key, or a setup token (claude setup-token)",
		KeyURL:      "https://console.anthropic.com/settings/keys",
		DocsURL:     "https://docs.anthropic.com/en/docs/claude-code/iam",
		HostDir:     "_claude-config",
	}, nil
}

// Negotiate implements sdk.Provider.
func (Claude) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes(supported, req)
}

// KeyPrompt implements sdk.Provider: an API key, or in the setup_token
// mode the token `claude setup-token` printed.
func (Claude) KeyPrompt(_ context.Context, req *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	if req.Mode == sdk.ModeSetupToken {
		return &sdk.KeyPromptResponse{
			Label:      "Claude setup token",
			Hint:       "Run `claude setup-token` where a browser is at hand (it needs a Claude subscription) and paste the token it prints. It lasts a year and does not renew itself.",
			URL:        "https://code.claude.com/docs/en/authentication",
			EnvVar:     "CLAUDE_CODE_OAUTH_TOKEN",
			Secret:     true,
			FormatHint: "starts with " + setupTokenPrefix + "01-",
		}, nil
	}
	return &sdk.KeyPromptResponse{
		Label:      "Claude API key",
		Hint:       "Create an API key in the Anthropic Console.",
		URL:        "https://console.anthropic.com/settings/keys",
		EnvVar:     "ANTHROPIC_API_KEY",
		Secret:     true,
		FormatHint: "starts with sk-ant-",
	}, nil
}

// AcceptKey implements sdk.Provider. A setup token is stored as what it
// is, an OAuth token with no refresh (sdk.TypeOAuthToken), never as an API
// key, and each mode refuses the other's kind of key, saying which mode
// takes it.
func (Claude) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	key := strings.TrimSpace(req.Key)
	if req.Mode == sdk.ModeSetupToken {
		return acceptSetupToken(key)
	}
	switch {
	case key == "":
		return nil, fmt.Errorf("%w: no API key entered", sdk.ErrInvalidKey)
	case strings.HasPrefix(key, setupTokenPrefix):
		return nil, fmt.Errorf("%w: this is a Claude OAuth token (%s…, as `claude setup-token` prints), not an API key: "+
			"log in with `terok auth login claude --mode setup-token`, which stores it where Claude Code reads it (CLAUDE_CODE_OAUTH_TOKEN)",
			sdk.ErrInvalidKey, setupTokenPrefix)
	case !strings.HasPrefix(key, "sk-ant-"):
		return nil, fmt.Errorf("%w: an Anthropic API key starts with sk-ant- (get one at https://console.anthropic.com/settings/keys)", sdk.ErrInvalidKey)
	case !keyRE.MatchString(key):
		return nil, fmt.Errorf("%w: the key has characters or a length an Anthropic API key never has; paste it again without spaces or quotes", sdk.ErrInvalidKey)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(key)}, nil
}

func acceptSetupToken(token string) (*sdk.AcceptKeyResponse, error) {
	switch {
	case token == "":
		return nil, fmt.Errorf("%w: no setup token entered", sdk.ErrInvalidKey)
	case strings.HasPrefix(token, "sk-ant-api"):
		return nil, fmt.Errorf("%w: this is an Anthropic API key, not a setup token: log in with `terok auth login claude --mode api-key`", sdk.ErrInvalidKey)
	case !strings.HasPrefix(token, setupTokenPrefix):
		return nil, fmt.Errorf("%w: a Claude setup token starts with %s01- (run `claude setup-token` and paste what it prints)", sdk.ErrInvalidKey, setupTokenPrefix)
	case !keyRE.MatchString(token):
		return nil, fmt.Errorf("%w: the token has characters or a length a Claude setup token never has; paste it again without spaces or quotes", sdk.ErrInvalidKey)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": token}}}, nil
}

// ContainerSpec implements sdk.Provider.
func (Claude) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if req.Mode != sdk.ModeOAuth {
		return nil, fmt.Errorf("%w: claude runs a login container for oauth only, not %q", sdk.ErrUnsupportedMode, req.Mode)
	}
	return &sdk.ContainerSpecResponse{
		Command:    []string{"claude"},
		ConfigPath: configPath,
		// Without it claude writes .claude.json, which holds a Console
		// login's primaryApiKey, to $HOME, outside the captured dir.
		Env: map[string]string{"CLAUDE_CONFIG_DIR": configPath},
		Banner: "Claude will guide you through its login (Claude account or Anthropic Console).\n" +
			"Claude does not exit by itself: once it says you are logged in, exit Claude with /exit (or Ctrl+C twice),\n" +
			"and terok stores what it wrote. Leaving before the login finished stores nothing.",
	}, nil
}

// Capture implements sdk.Provider. Claude Code writes one of:
//
//   - .credentials.json with claudeAiOauth, after a Claude account login;
//   - .claude.json with primaryApiKey, after an Anthropic Console login
//     (it lands in the captured dir because CLAUDE_CONFIG_DIR points there);
//   - config.json with api_key, in releases before .claude.json.
//
// The first found wins, in that order.
func (Claude) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	account := readAccount(req.Files[".claude.json"])
	cred, oauthErr := captureOAuth(req.Files[".credentials.json"], account)
	if oauthErr != nil {
		var consoleErr, keyErr error
		cred, consoleErr = captureConsoleKey(req.Files[".claude.json"])
		if consoleErr != nil {
			cred, keyErr = captureConfigKey(req.Files["config.json"])
			if keyErr != nil {
				return nil, fmt.Errorf("%w: .credentials.json: %w; .claude.json: %w; config.json: %w", sdk.ErrNothingCaptured, oauthErr, consoleErr, keyErr)
			}
		}
	}
	return &sdk.CaptureResponse{
		Credential: cred,
		// Without this marker claude starts its onboarding again in every
		// sandbox that mounts the shared config dir.
		StateFiles: map[string][]byte{".claude.json": []byte(`{"hasCompletedOnboarding": true}` + "\n")},
	}, nil
}

// oauthFields maps the keys of claudeAiOauth in .credentials.json (as
// Claude Code 2.1.332 writes them) to the stored credential's fields.
// Times are Unix milliseconds there and seconds here. Keys not listed are
// kept as they are under "extra", so nothing Claude wrote is lost.
var oauthFields = map[string]string{
	"accessToken":                "access_token",
	"refreshToken":               "refresh_token",
	"expiresAt":                  "expires_at",
	"refreshTokenExpiresAt":      "refresh_token_expires_at",
	"scopes":                     "scopes",
	"subscriptionType":           "subscription_type",
	"subscriptionTypeSource":     "subscription_type_source",
	"subscriptionTypeVerifiedAt": "subscription_type_verified_at",
	"rateLimitTier":              "rate_limit_tier",
	"clientId":                   "client_id",
	"accountUuid":                "account_uuid",
	"organizationUuid":           "organization_uuid",
}

// msFields are the fields that hold a time in milliseconds.
var msFields = map[string]bool{"expiresAt": true, "refreshTokenExpiresAt": true, "subscriptionTypeVerifiedAt": true}

var errAbsent = errors.New("not found")

func captureOAuth(data []byte, account map[string]string) (sdk.Credential, error) {
	if data == nil {
		return sdk.Credential{}, errAbsent
	}
	var f struct {
		ClaudeAiOauth map[string]any `json:"claudeAiOauth"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return sdk.Credential{}, fmt.Errorf("not valid JSON: %w", err)
	}
	o := f.ClaudeAiOauth
	if o == nil {
		return sdk.Credential{}, errors.New(`no "claudeAiOauth" object`)
	}
	switch at, isText := o["accessToken"].(string); {
	case o["accessToken"] != nil && !isText:
		return sdk.Credential{}, errors.New(`"claudeAiOauth": accessToken is not text`)
	case strings.TrimSpace(at) == "":
		return sdk.Credential{}, errors.New(`"claudeAiOauth" has no accessToken`)
	}
	fields := map[string]any{}
	extra := map[string]any{}
	for k, v := range o {
		if v == nil || v == "" {
			continue
		}
		name, known := oauthFields[k]
		if !known {
			extra[k] = plain(v)
			continue
		}
		switch {
		case msFields[k]:
			sec, err := msToSeconds(v)
			if err != nil {
				return sdk.Credential{}, fmt.Errorf("%s: %w", k, err)
			}
			fields[name] = sec
		case k == "scopes":
			list, ok := v.([]any)
			if !ok {
				return sdk.Credential{}, errors.New("scopes is not a list")
			}
			for _, s := range list {
				if _, ok := s.(string); !ok {
					return sdk.Credential{}, errors.New("scopes holds something other than text")
				}
			}
			fields[name] = list
		default:
			str, ok := v.(string)
			if !ok {
				return sdk.Credential{}, fmt.Errorf("%s is not text", k)
			}
			fields[name] = str
		}
	}
	// Older logins have the ids only in .claude.json's oauthAccount.
	for k, v := range account {
		if _, ok := fields[k]; !ok {
			fields[k] = v
		}
	}
	if len(extra) > 0 {
		fields["extra"] = extra
	}
	return sdk.Credential{Type: sdk.TypeOAuth, Fields: fields}, nil
}

// plain turns json.Numbers back into float64 so an extra field stores like
// any other JSON number.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	}
	return v
}

func msToSeconds(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, errors.New("is not a number")
	}
	ms, err := n.Float64()
	if err != nil || ms <= 0 || math.IsInf(ms, 0) || ms > 1e15 {
		return 0, fmt.Errorf("%v is not a time in milliseconds", n)
	}
	return int64(ms / 1000), nil
}

// readAccount reads the account and organization ids from .claude.json's
// oauthAccount (non-secret account state Claude writes at login).
func readAccount(data []byte) map[string]string {
	var f struct {
		OAuthAccount *struct {
			AccountUUID      string `json:"accountUuid"`
			OrganizationUUID string `json:"organizationUuid"`
		} `json:"oauthAccount"`
	}
	if data == nil || json.Unmarshal(data, &f) != nil || f.OAuthAccount == nil {
		return nil
	}
	out := map[string]string{}
	if f.OAuthAccount.AccountUUID != "" {
		out["account_uuid"] = f.OAuthAccount.AccountUUID
	}
	if f.OAuthAccount.OrganizationUUID != "" {
		out["organization_uuid"] = f.OAuthAccount.OrganizationUUID
	}
	return out
}

// captureConsoleKey reads the key an Anthropic Console login keeps in
// .claude.json.
func captureConsoleKey(data []byte) (sdk.Credential, error) {
	if data == nil {
		return sdk.Credential{}, errAbsent
	}
	var f struct {
		PrimaryAPIKey *string `json:"primaryApiKey"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return sdk.Credential{}, fmt.Errorf("not valid JSON: %w", err)
	}
	if f.PrimaryAPIKey == nil || strings.TrimSpace(*f.PrimaryAPIKey) == "" {
		return sdk.Credential{}, errors.New(`no "primaryApiKey"`)
	}
	return sdk.APIKey(strings.TrimSpace(*f.PrimaryAPIKey)), nil
}

func captureConfigKey(data []byte) (sdk.Credential, error) {
	if data == nil {
		return sdk.Credential{}, errAbsent
	}
	var f struct {
		APIKey *string `json:"api_key"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return sdk.Credential{}, fmt.Errorf("not valid JSON: %w", err)
	}
	if f.APIKey == nil || strings.TrimSpace(*f.APIKey) == "" {
		return sdk.Credential{}, errors.New(`no "api_key"`)
	}
	return sdk.APIKey(strings.TrimSpace(*f.APIKey)), nil
}
