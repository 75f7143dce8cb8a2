package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/auth"
	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
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
	if len(opts) != 3 || opts[0] != auth.ModeLabel(sdk.ModeOAuth) || opts[1] != auth.ModeLabel(sdk.ModeAPIKey) || opts[2] != auth.ModeLabel(sdk.ModeSetupToken) {
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
	e.req.Desc, e.req.Name = desc, "codex"
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "--with-key") {
		t.Errorf("err = %v, want the API key path asking for --with-key", err)
	}
}

type badCallbacks struct {
	sdk.Provider
	ports []int
	skip  []string
}

func (b badCallbacks) ContainerSpec(context.Context, *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return &sdk.ContainerSpecResponse{Command: []string{"x"}, ConfigPath: "/home/dev/.x", CallbackPorts: b.ports, SkipPaths: b.skip}, nil
}

func TestBadCallbackPortsAndSkipPathsAreRefused(t *testing.T) {
	for _, b := range []badCallbacks{
		{ports: []int{0}}, {ports: []int{65536}}, {ports: []int{1455, 1455}}, {ports: []int{-1}},
		{skip: []string{"../up"}}, {skip: []string{"/abs"}}, {skip: []string{""}},
	} {
		b.Provider = claude.New()
		e := newContainerEnv(t, b, sdk.ModeOAuth)
		err := e.login.Run(context.Background(), e.req)
		if err == nil || !strings.Contains(err.Error(), "terok will not run") {
			t.Errorf("%v %q: err = %v", b.ports, b.skip, err)
		}
		if len(e.runner.ran) != 0 {
			t.Errorf("%v %q: the container ran", b.ports, b.skip)
		}
	}
}
