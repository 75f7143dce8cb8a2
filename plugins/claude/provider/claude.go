// Package provider is the terok provider for Anthropic's Claude Code: API
// keys, and the OAuth login that the claude CLI runs in a container, captured
// from the .credentials.json it leaves behind.
package provider

import (
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

var supported = []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey}

// Anthropic keys look like sk-ant-api03-<base64url>; the check is loose on
// length so a new key generation does not lock users out.
var keyRE = regexp.MustCompile(`^sk-ant-[A-Za-z0-9_-]{16,300}$`)

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
		Description: "Anthropic Claude Code: OAuth login (Claude subscription) or API key",
		KeyURL:      "https://console.anthropic.com/settings/keys",
		DocsURL:     "https://docs.anthropic.com/en/docs/claude-code/iam",
		HostDir:     "_claude-config",
	}, nil
}

// Negotiate implements sdk.Provider.
func (Claude) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes(supported, req)
}

// KeyPrompt implements sdk.Provider.
func (Claude) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{
		Label:      "Claude API key",
		Hint:       "Create an API key in the Anthropic Console.",
		URL:        "https://console.anthropic.com/settings/keys",
		EnvVar:     "ANTHROPIC_API_KEY",
		Secret:     true,
		FormatHint: "starts with sk-ant-",
	}, nil
}

// AcceptKey implements sdk.Provider.
func (Claude) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	key := strings.TrimSpace(req.Key)
	switch {
	case key == "":
		return nil, fmt.Errorf("%w: no API key entered", sdk.ErrInvalidKey)
	case !strings.HasPrefix(key, "sk-ant-"):
		return nil, fmt.Errorf("%w: an Anthropic API key starts with sk-ant- (get one at https://console.anthropic.com/settings/keys)", sdk.ErrInvalidKey)
	case !keyRE.MatchString(key):
		return nil, fmt.Errorf("%w: the key has characters or a length an Anthropic API key never has; paste it again without spaces or quotes", sdk.ErrInvalidKey)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(key)}, nil
}

// ContainerSpec implements sdk.Provider.
func (Claude) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if req.Mode != sdk.ModeOAuth {
		return nil, fmt.Errorf("%w: claude runs a login container for oauth only, not %q", sdk.ErrUnsupportedMode, req.Mode)
	}
	return &sdk.ContainerSpecResponse{
		Command:    []string{"claude"},
		ConfigPath: configPath,
		Banner: "Claude will guide you through authentication (OAuth or API key).\n" +
			"When you are done, exit Claude with /exit or Ctrl+C.",
	}, nil
}

// Capture implements sdk.Provider. It prefers the OAuth credential in
// .credentials.json and falls back to an API key in config.json, as the
// claude CLI writes one or the other depending on how the user logged in.
func (Claude) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	cred, oauthErr := captureOAuth(req.Files[".credentials.json"])
	if oauthErr != nil {
		var keyErr error
		cred, keyErr = captureConfigKey(req.Files["config.json"])
		if keyErr != nil {
			return nil, fmt.Errorf("%w: .credentials.json: %w; config.json: %w", sdk.ErrNothingCaptured, oauthErr, keyErr)
		}
	}
	return &sdk.CaptureResponse{
		Credential: cred,
		// Without this marker claude starts its onboarding again in every
		// sandbox that mounts the shared config dir.
		StateFiles: map[string][]byte{".claude.json": []byte(`{"hasCompletedOnboarding": true}` + "\n")},
	}, nil
}

// credentialsFile is the shape of ~/.claude/.credentials.json.
type credentialsFile struct {
	ClaudeAiOauth *struct {
		AccessToken      string   `json:"accessToken"`
		RefreshToken     string   `json:"refreshToken"`
		ExpiresAt        *float64 `json:"expiresAt"` // Unix milliseconds
		Scopes           []string `json:"scopes"`
		SubscriptionType string   `json:"subscriptionType"`
		RateLimitTier    string   `json:"rateLimitTier"`
	} `json:"claudeAiOauth"`
}

var errAbsent = errors.New("not found")

func captureOAuth(data []byte) (sdk.Credential, error) {
	if data == nil {
		return sdk.Credential{}, errAbsent
	}
	var f credentialsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return sdk.Credential{}, fmt.Errorf("not valid JSON: %w", err)
	}
	o := f.ClaudeAiOauth
	if o == nil {
		return sdk.Credential{}, errors.New(`no "claudeAiOauth" object`)
	}
	if strings.TrimSpace(o.AccessToken) == "" {
		return sdk.Credential{}, errors.New(`"claudeAiOauth" has no accessToken`)
	}
	fields := map[string]any{"access_token": o.AccessToken}
	if o.RefreshToken != "" {
		fields["refresh_token"] = o.RefreshToken
	}
	if o.ExpiresAt != nil {
		ms := *o.ExpiresAt
		if ms <= 0 || math.IsInf(ms, 0) || ms > 1e15 {
			return sdk.Credential{}, fmt.Errorf("expiresAt %v is not a time in milliseconds", ms)
		}
		fields["expires_at"] = int64(ms / 1000)
	}
	if o.Scopes != nil {
		scopes := make([]any, len(o.Scopes))
		for i, s := range o.Scopes {
			scopes[i] = s
		}
		fields["scopes"] = scopes
	}
	if o.SubscriptionType != "" {
		fields["subscription_type"] = o.SubscriptionType
	}
	if o.RateLimitTier != "" {
		fields["rate_limit_tier"] = o.RateLimitTier
	}
	return sdk.Credential{Type: sdk.TypeOAuth, Fields: fields}, nil
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
