package rpc_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

var wantProxyRoutes = &sdk.ProxyRoutesResponse{Routes: []sdk.ProxyRoute{
	{
		CredentialType: sdk.TypeAPIKey, Upstream: "https://api.example.com", Header: "x-api-key", Field: "key",
		BaseURLEnv: "ECHO_BASE_URL", BaseURLPath: "/v1", StandInEnv: "ECHO_API_KEY",
	},
	{
		CredentialType: sdk.TypeOAuth, Upstream: "https://api.example.com",
		PathUpstreams: map[string]string{"/backend-api/": "https://chat.example.com"},
		Header:        "Authorization", Prefix: "Bearer ", Field: "access_token",
		ExtraHeaders: map[string]string{"example-beta": "oauth-1"},
		SetupHint:    "set base_url in config.toml",
	},
}}

type proxiedEcho struct{ echo }

func (proxiedEcho) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	return wantProxyRoutes, nil
}

// Every field of every route crosses the wire as it is.
func TestProxyRoutesOverGRPC(t *testing.T) {
	p := providertest.OverGRPC(t, &proxiedEcho{})
	px, ok := p.(sdk.Proxied)
	if !ok {
		t.Fatal("the gRPC client is not an sdk.Proxied")
	}
	got, err := px.ProxyRoutes(context.Background(), &sdk.ProxyRoutesRequest{})
	if err != nil || !reflect.DeepEqual(got, wantProxyRoutes) {
		t.Errorf("ProxyRoutes = %+v, %v\nwant %+v", got, err, wantProxyRoutes)
	}
	if r, ok := got.For(sdk.TypeOAuth); !ok || r.PathUpstreams["/backend-api/"] != "https://chat.example.com" {
		t.Errorf("For(oauth) = %+v, %v", r, ok)
	}
	if _, ok := got.For("pat"); ok {
		t.Error("For(pat) found a route never declared")
	}
}

// A provider that declares no routes answers ErrUnimplemented.
func TestProviderWithoutProxyRoutesIsUnimplemented(t *testing.T) {
	p := providertest.OverGRPC(t, &echo{})
	if _, err := p.(sdk.Proxied).ProxyRoutes(context.Background(), &sdk.ProxyRoutesRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("err = %v, want sdk.ErrUnimplemented", err)
	}
}
