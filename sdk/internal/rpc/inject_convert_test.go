package rpc

import (
	"context"
	"errors"
	"reflect"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/sdk"
)

var wantInjection = &sdk.InjectionResponse{Injections: []sdk.Injection{
	{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"OPENAI_API_KEY": "${key}"}},
	{CredentialType: sdk.TypeOAuth, Env: map[string]string{"X": "Bearer ${access_token}"},
		Files: map[string]string{"auth.json": `{"t":${access_token|json}}`}, DirEnv: "CODEX_HOME"},
}}

func TestInjectionConvertRoundTrips(t *testing.T) {
	if got := injectionFromPB(injectionToPB(wantInjection)); !reflect.DeepEqual(got, wantInjection) {
		t.Errorf("round trip = %+v, want %+v", got, wantInjection)
	}
	if got := injectionFromPB(injectionToPB(&sdk.InjectionResponse{})); len(got.Injections) != 0 {
		t.Errorf("empty = %+v", got)
	}
	// Empty maps travel as nil, as elsewhere.
	in := &sdk.InjectionResponse{Injections: []sdk.Injection{{CredentialType: "t", Env: map[string]string{}, Files: map[string]string{}}}}
	if got := injectionFromPB(injectionToPB(in)); got.Injections[0].Env != nil || got.Injections[0].Files != nil {
		t.Errorf("empty maps = %+v", got.Injections[0])
	}
}

// A plugin that predates the method answers Unimplemented: "no injection
// declared", not a failure.
func TestOldPluginDeclaresNoInjection(t *testing.T) {
	client, server := goplugin.TestPluginGRPCConn(t, false, map[string]goplugin.Plugin{PluginName: oldPlugin{}})
	defer server.Stop()
	defer func() { _ = client.Close() }()
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.(sdk.Injector).Injection(context.Background(), &sdk.InjectionRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("old plugin: err = %v, want sdk.ErrUnimplemented", err)
	}
}

func TestProxyRoutesConvertRoundTrips(t *testing.T) {
	want := &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{{
		CredentialType: "oauth", Upstream: "https://a.example", PathUpstreams: map[string]string{"/b/": "https://b.example"},
		Header: "Authorization", Prefix: "Bearer ", Field: "access_token", ExtraHeaders: map[string]string{"x-beta": "1"},
		BaseURLEnv: "A_BASE_URL", BaseURLPath: "/v1", StandInEnv: "A_TOKEN", SetupHint: "hint",
	}}}
	if got := proxyRoutesFromPB(proxyRoutesToPB(want)); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip = %+v, want %+v", got, want)
	}
	if got := proxyRoutesFromPB(proxyRoutesToPB(&sdk.ProxyRoutesResponse{})); len(got.Routes) != 0 {
		t.Errorf("empty = %+v", got)
	}
	// Empty maps travel as nil, as elsewhere.
	in := &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{{CredentialType: "t", PathUpstreams: map[string]string{}, ExtraHeaders: map[string]string{}}}}
	if got := proxyRoutesFromPB(proxyRoutesToPB(in)); got.Routes[0].PathUpstreams != nil || got.Routes[0].ExtraHeaders != nil {
		t.Errorf("empty maps = %+v", got.Routes[0])
	}
}

// A plugin that predates ProxyRoutes declares no routes: Unimplemented.
func TestOldPluginDeclaresNoProxyRoutes(t *testing.T) {
	client, server := goplugin.TestPluginGRPCConn(t, false, map[string]goplugin.Plugin{PluginName: oldPlugin{}})
	defer server.Stop()
	defer func() { _ = client.Close() }()
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.(sdk.Proxied).ProxyRoutes(context.Background(), &sdk.ProxyRoutesRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("old plugin: err = %v, want sdk.ErrUnimplemented", err)
	}
}
