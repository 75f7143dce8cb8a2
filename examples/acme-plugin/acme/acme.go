// Package acme is the provider for Acme's CLI: API keys of the form
// acme_<32 hex digits>, and an OAuth login (`acme login`) that leaves
// ~/.acme/session.json behind.
package acme

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/terok-ai/terok-auth/sdk"
)

var (
	modes = []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey}
	keyRE = regexp.MustCompile(`^acme_[0-9a-f]{32}$`)
)

// Provider implements sdk.Provider.
type Provider struct{}

// New returns the provider.
func New() Provider { return Provider{} }

// Describe says who we are.
func (Provider) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{
		Name: "acme", Label: "Acme CLI", Version: "1.0.0", Modes: modes,
		Description: "Acme's CLI: SSO login or an API key",
		KeyURL:      "https://acme.example/settings/keys",
		HostDir:     "_acme-config",
	}, nil
}

// Negotiate uses the SDK's usual rules.
func (Provider) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes(modes, req)
}

// KeyPrompt tells terok how to ask for a key.
func (Provider) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{
		Label: "Acme API key", URL: "https://acme.example/settings/keys",
		EnvVar: "ACME_API_KEY", Secret: true, FormatHint: "looks like acme_ and 32 hex digits",
	}, nil
}

// AcceptKey checks a key. Never log it.
func (Provider) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	key := strings.TrimSpace(req.Key)
	if !keyRE.MatchString(key) {
		return nil, fmt.Errorf("%w: an Acme key looks like acme_ and 32 hex digits", sdk.ErrInvalidKey)
	}
	hclog.L().Debug("accepted a key", "length", len(key))
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(key)}, nil
}

// ContainerSpec describes the OAuth login container.
func (Provider) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if req.Mode != sdk.ModeOAuth {
		return nil, fmt.Errorf("%w: acme logs in with oauth only", sdk.ErrUnsupportedMode)
	}
	return &sdk.ContainerSpecResponse{
		Command:    []string{"acme", "login"},
		ConfigPath: "/home/dev/.acme",
		Banner:     "Log in with your Acme account; the login ends by itself.",
	}, nil
}

// session is what `acme login` writes.
type session struct {
	Token   string `json:"token"`
	Refresh string `json:"refresh"`
	Expires int64  `json:"expires"` // Unix seconds
}

// Capture reads session.json.
func (Provider) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	data, ok := req.Files["session.json"]
	if !ok {
		return nil, fmt.Errorf("%w: acme wrote no session.json", sdk.ErrNothingCaptured)
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil || s.Token == "" {
		return nil, fmt.Errorf("%w: session.json holds no token", sdk.ErrNothingCaptured)
	}
	fields := map[string]any{"access_token": s.Token}
	if s.Refresh != "" {
		fields["refresh_token"] = s.Refresh
	}
	if s.Expires > 0 {
		fields["expires_at"] = s.Expires
	}
	return &sdk.CaptureResponse{Credential: sdk.Credential{Type: sdk.TypeOAuth, Fields: fields}}, nil
}
