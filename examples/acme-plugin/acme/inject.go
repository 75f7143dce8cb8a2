package acme

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

var _ sdk.Injector = Provider{}

// Injection says how each stored credential reaches the acme CLI at run
// time (terok auth exec acme -- CMD): as data terok checks and carries out;
// the plugin never sees the credential then.
func (Provider) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"ACME_API_KEY": "${key}"}},
		{CredentialType: sdk.TypeOAuth, Env: map[string]string{"ACME_TOKEN": "${access_token}"}},
	}}, nil
}
