package registry

import (
	"context"
	"errors"
	"testing"

	"github.com/terok-ai/terok-auth/core/termtext"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// hostile answers every question with text a terminal would obey.
type hostile struct{ *providertest.Fake }

const evilText = "x\x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b]0;pwned\x1b\\\x1b[2J\u009b31m\u202e\r"

func (hostile) Negotiate(context.Context, *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return &sdk.NegotiateResponse{Modes: []sdk.Mode{sdk.ModeAPIKey}, Default: sdk.ModeAPIKey,
		Unavailable: []sdk.UnavailableMode{{Mode: sdk.ModeOAuth, Reason: evilText}}}, nil
}

func (hostile) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{Label: evilText, Hint: evilText + "\n" + evilText, URL: evilText, EnvVar: evilText, FormatHint: evilText}, nil
}

func (hostile) ContainerSpec(context.Context, *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return &sdk.ContainerSpecResponse{Banner: evilText}, nil
}

func (h hostile) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	d := h.Desc
	d.Label, d.Version, d.Description, d.KeyURL, d.DocsURL = evilText, evilText, evilText, evilText, evilText
	return &d, nil
}

// TestProviderTextReachesTheTerminalEscaped: whatever a provider answers,
// every text the login, menus and listings print from it holds no control
// character (multi-line text keeps its newlines).
func TestProviderTextReachesTheTerminalEscaped(t *testing.T) {
	ctx := context.Background()
	p := termSafe{hostile{providertest.NewFake("evil")}}
	check := func(what, s string, multiline bool) {
		t.Helper()
		if err := termtext.Check(s, multiline); err != nil {
			t.Errorf("%s = %q: %v", what, s, err)
		}
	}
	d, _ := p.Describe(ctx, &sdk.DescribeRequest{})
	check("label", d.Label, false)
	check("version", d.Version, false)
	check("description", d.Description, true)
	check("key URL", d.KeyURL, false)
	check("docs URL", d.DocsURL, false)
	n, _ := p.Negotiate(ctx, &sdk.NegotiateRequest{})
	check("reason", n.Unavailable[0].Reason, false)
	kp, _ := p.KeyPrompt(ctx, &sdk.KeyPromptRequest{})
	check("prompt label", kp.Label, false)
	check("hint", kp.Hint, true)
	check("url", kp.URL, false)
	check("env var", kp.EnvVar, false)
	check("format hint", kp.FormatHint, false)
	spec, _ := p.ContainerSpec(ctx, &sdk.ContainerSpecRequest{})
	check("banner", spec.Banner, true)
	if d := cleanDesc(&sdk.DescribeResponse{Label: evilText}); d.Label != termtext.Line(evilText) {
		t.Errorf("cleanDesc: %q", d.Label)
	}
	// A provider that declares nothing for exec is unimplemented, as an
	// older plugin is.
	if _, err := (termSafe{struct{ sdk.Provider }{providertest.NewFake("x")}}).Injection(ctx, &sdk.InjectionRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("Injection of a provider without one: %v", err)
	}
	// The host refuses such a description from a plugin outright.
	raw, _ := hostile{providertest.NewFake("evil")}.Describe(ctx, &sdk.DescribeRequest{})
	if err := host.ValidateDescription(raw); err == nil {
		t.Error("ValidateDescription accepted a label with escape sequences")
	}
}

type hostileRoutes struct{ sdk.Provider }

func (hostileRoutes) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	return &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{{CredentialType: "api_key", SetupHint: evilText}}}, nil
}

// A setup hint is printed by grant and exec --proxy: it arrives escaped;
// a provider without routes is unimplemented, as an older plugin is.
func TestProxyRoutesReachTheTerminalEscaped(t *testing.T) {
	ctx := context.Background()
	r, err := termSafe{hostileRoutes{providertest.NewFake("evil")}}.ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if err := termtext.Check(r.Routes[0].SetupHint, true); err != nil {
		t.Errorf("setup hint = %q: %v", r.Routes[0].SetupHint, err)
	}
	if _, err := (termSafe{struct{ sdk.Provider }{providertest.NewFake("x")}}).ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("ProxyRoutes of a provider without any: %v", err)
	}
}
