package rpc_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

var wantInjection = &sdk.InjectionResponse{Injections: []sdk.Injection{
	{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"OPENAI_API_KEY": "${key}"}},
	{CredentialType: sdk.TypeOAuth, Files: map[string]string{"auth.json": `{"t":${access_token|json}}`}, DirEnv: "CODEX_HOME"},
}}

type injectingEcho struct{ echo }

func (injectingEcho) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return wantInjection, nil
}

func TestInjectionOverGRPC(t *testing.T) {
	p := providertest.OverGRPC(t, &injectingEcho{})
	inj, ok := p.(sdk.Injector)
	if !ok {
		t.Fatal("the gRPC client is not an sdk.Injector")
	}
	got, err := inj.Injection(context.Background(), &sdk.InjectionRequest{})
	if err != nil || !reflect.DeepEqual(got, wantInjection) {
		t.Errorf("Injection = %+v, %v", got, err)
	}
}

// A provider that declares nothing answers ErrUnimplemented over the wire.
func TestProviderWithoutInjectionIsUnimplemented(t *testing.T) {
	p := providertest.OverGRPC(t, &echo{})
	if _, err := p.(sdk.Injector).Injection(context.Background(), &sdk.InjectionRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("err = %v, want sdk.ErrUnimplemented", err)
	}
}
