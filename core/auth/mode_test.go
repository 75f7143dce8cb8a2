package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/auth"
	codex "github.com/terok-ai/terok-auth/plugins/codex/provider"
	"github.com/terok-ai/terok-auth/sdk"
)

func TestImageKeepsTheProvidersOrder(t *testing.T) {
	e := newEnv(t, true)
	e.req.Image = "localhost/claude-login"
	e.prompter.choice = 1 // api key, second once an image can run the oauth login
	e.prompter.secret = goodKey
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	opts := e.prompter.options[0]
	if len(opts) != 2 || opts[0] != auth.ModeLabel(sdk.ModeOAuth) || opts[1] != auth.ModeLabel(sdk.ModeAPIKey) {
		t.Errorf("menu = %q", opts)
	}
}

func TestNoImageNoTerminalDefaultsToAPIKey(t *testing.T) {
	// codex offers oauth first; with no image and no terminal the default
	// must be the API key, which asks for --with-key, not a login that
	// cannot start.
	e := newEnv(t, false)
	e.req.Provider = codex.New()
	desc, _ := e.req.Provider.Describe(context.Background(), &sdk.DescribeRequest{})
	e.req.Desc = desc
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "--with-key") {
		t.Errorf("err = %v, want the API key path asking for --with-key", err)
	}
}
