package auth

import (
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestForHost(t *testing.T) {
	gh := sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "ghp_x", "host": "github.com"}}
	req := LoginRequest{Name: "gh", Host: "ghe.example.com"}
	if req.slot() != "gh:ghe.example.com" || (LoginRequest{Name: "gh"}).slot() != "gh" {
		t.Errorf("slots %q", req.slot())
	}
	// A typed key is for the host the user names; the provider's own
	// credential is not changed in place.
	c, err := forHost("gh", req, gh, true)
	if err != nil || c.Fields["host"] != "ghe.example.com" || gh.Fields["host"] != "github.com" {
		t.Errorf("typed: %v, %v (original %v)", c.Fields, err, gh.Fields)
	}
	// A container login must have reached the host asked for.
	if _, err := forHost("gh", req, gh, false); err == nil || !strings.Contains(err.Error(), "nothing was stored") {
		t.Errorf("captured for another host: %v", err)
	}
	ghe := sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "ghp_x", "host": "ghe.example.com"}}
	if c, err := forHost("gh", req, ghe, false); err != nil || c.Fields["host"] != "ghe.example.com" {
		t.Errorf("captured for the host: %v, %v", c.Fields, err)
	}
	// A provider whose credentials name no host cannot take one.
	if _, err := forHost("claude", LoginRequest{Name: "claude", Host: "x.example.com"}, sdk.APIKey("sk-ant-x"), true); err == nil || !strings.Contains(err.Error(), "--host does not apply") {
		t.Errorf("claude --host: %v", err)
	}
	// Without --host, nothing changes.
	if c, err := forHost("gh", LoginRequest{Name: "gh"}, gh, true); err != nil || c.Fields["host"] != "github.com" {
		t.Errorf("no host: %v, %v", c.Fields, err)
	}
}
