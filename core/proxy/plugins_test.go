package proxy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/route"
	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
	codex "github.com/terok-ai/terok-auth/plugins/codex/provider"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// bundledRoutes asks the bundled plugins, over gRPC as the host does.
func bundledRoutes(t *testing.T) map[string][]route.Route {
	t.Helper()
	out := map[string][]route.Route{}
	for name, p := range map[string]sdk.Provider{"claude": claude.Claude{}, "codex": codex.Codex{}} {
		rs, err := Routes(context.Background(), name, providertest.OverGRPC(t, p))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rs
	}
	return out
}

// bundledRoutesInProcess asks the bundled plugins' providers directly,
// for the tests that need their routes and not the wire.
func bundledRoutesInProcess(t *testing.T) map[string][]route.Route {
	t.Helper()
	out := map[string][]route.Route{}
	for name, p := range map[string]sdk.Provider{"claude": claude.Claude{}, "codex": codex.Codex{}} {
		rs, err := Routes(context.Background(), name, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = rs
	}
	return out
}

// The plugins declare what the host's table held, and each route passes
// the checks every route passes.
func TestPluginsDeclareTheirRoutes(t *testing.T) {
	got := bundledRoutes(t)
	for p, rs := range got {
		if len(rs) != 2 {
			t.Errorf("%s declares %d routes, want api_key and oauth", p, len(rs))
		}
		for _, r := range rs {
			if err := r.Validate(); err != nil || r.Provider != p {
				t.Errorf("%s: %v", p, err)
			}
			if r.BaseURLEnv == "" && r.SetupHint == "" {
				t.Errorf("%s %s: no way to point the tool", p, r.CredentialType)
			}
		}
	}
}

type lyingRoutes struct {
	sdk.Provider
	resp *sdk.ProxyRoutesResponse
	err  error
}

func (l lyingRoutes) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	return l.resp, l.err
}

// A plugin's answer is untrusted: Routes refuses a bad one whole; a
// provider that declares none has none, and so has a plugin built before
// ProxyRoutes.
func TestRoutesAsksAndChecks(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewFake("acme")
	bad := &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{{
		CredentialType: "api_key", Upstream: "http://evil.example", Header: "x-api-key", StandInEnv: "ACME_API_KEY", BaseURLEnv: "ACME_BASE_URL",
	}}}
	if rs, err := Routes(ctx, "acme", lyingRoutes{fake, bad, nil}); err == nil || rs != nil || !strings.Contains(err.Error(), "https only") {
		t.Errorf("http upstream: %v, %v", rs, err)
	}
	boom := errors.New("boom")
	if _, err := Routes(ctx, "acme", lyingRoutes{fake, nil, boom}); !errors.Is(err, boom) || !strings.Contains(err.Error(), "ask acme for its proxy routes") {
		t.Errorf("failing plugin: %v", err)
	}
	if rs, err := Routes(ctx, "acme", providertest.OverGRPC(t, fake)); rs != nil || err != nil {
		t.Errorf("provider without routes: %v, %v", rs, err)
	}
	if rs, err := Routes(ctx, "claude", lyingRoutes{fake, nil, sdk.ErrUnimplemented}); rs != nil || err != nil {
		t.Errorf("a plugin built before ProxyRoutes: %v, %v", rs, err)
	}
}

// A bundled plugin's stand-in goes in the variable its tool reads the
// credential from, which is the one its Injection sets for that type.
func TestPluginStandInsAreTheirInjectedVariables(t *testing.T) {
	ctx := context.Background()
	for name, p := range map[string]sdk.Provider{"claude": claude.Claude{}, "codex": codex.Codex{}} {
		inj, err := p.(sdk.Injector).Injection(ctx, &sdk.InjectionRequest{})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := Routes(ctx, name, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			in, ok := inj.For(r.CredentialType)
			if !ok {
				t.Errorf("%s routes %s credentials it does not inject", name, r.CredentialType)
				continue
			}
			if r.StandInEnv != "" && in.Env[r.StandInEnv] == "" {
				t.Errorf("%s %s: the stand-in goes in %s, which its injection does not set (%v)", name, r.CredentialType, r.StandInEnv, in.Env)
			}
		}
	}
}
