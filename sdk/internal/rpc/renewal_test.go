package rpc_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

var wantRenewal = &sdk.RenewalResponse{Renewals: []sdk.Renewal{{
	CredentialType: sdk.TypeOAuth,
	Endpoints:      []string{"https://a.example/token", "https://b.example/oauth/token"},
	ClientID:       "client-1", Scope: "openid offline_access", Encoding: sdk.EncodingJSON,
	Headers: map[string]string{"User-Agent": "tool/1.0"},
	Response: sdk.RenewalFields{
		AccessToken: "at", RefreshToken: "rt", ExpiresIn: "ttl", ExpiresAt: "exp", IDToken: "idt",
		ExpiryFromJWT: true, ExpiryText: "expiry_date", ExpiryTextFormat: sdk.ExpiryRFC822,
	},
}}}

type renewingEcho struct{ echo }

func (renewingEcho) Renewal(context.Context, *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	return wantRenewal, nil
}

// Every field of the declaration crosses the wire as it is.
func TestRenewalOverGRPC(t *testing.T) {
	p := providertest.OverGRPC(t, &renewingEcho{})
	rn, ok := p.(sdk.Renewer)
	if !ok {
		t.Fatal("the gRPC client is not an sdk.Renewer")
	}
	got, err := rn.Renewal(context.Background(), &sdk.RenewalRequest{})
	if err != nil || !reflect.DeepEqual(got, wantRenewal) {
		t.Errorf("Renewal = %+v, %v\nwant %+v", got, err, wantRenewal)
	}
}

// A provider that declares no renewal answers ErrUnimplemented.
func TestProviderWithoutRenewalIsUnimplemented(t *testing.T) {
	p := providertest.OverGRPC(t, &echo{})
	if _, err := p.(sdk.Renewer).Renewal(context.Background(), &sdk.RenewalRequest{}); !errors.Is(err, sdk.ErrUnimplemented) {
		t.Errorf("err = %v, want sdk.ErrUnimplemented", err)
	}
}
