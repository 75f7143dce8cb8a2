package sdk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// Acme is a whole provider for a tool that only uses API keys. In its own
// module, its main package would be:
//
//	func main() { plugin.Serve(Acme{}) }
//
// built as terok-provider-acme and put on the plugin path.
type Acme struct {
	// No login container: ContainerSpec and Capture say so.
	sdk.UnsupportedContainer
}

func (Acme) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{
		Name: "acme", Label: "Acme CLI", Version: "1.0.0",
		Modes:  []sdk.Mode{sdk.ModeAPIKey},
		KeyURL: "https://acme.example/keys",
	}, nil
}

func (Acme) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes([]sdk.Mode{sdk.ModeAPIKey}, req)
}

func (Acme) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{Label: "Acme API key", URL: "https://acme.example/keys", EnvVar: "ACME_TOKEN", Secret: true, FormatHint: "starts with acme_"}, nil
}

func (Acme) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	if !strings.HasPrefix(req.Key, "acme_") {
		return nil, fmt.Errorf("%w: Acme keys start with acme_", sdk.ErrInvalidKey)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(req.Key)}, nil
}

// Injection says how a stored key reaches the Acme CLI at run time: terok
// sets ACME_TOKEN for `terok auth exec acme -- CMD`.
func (Acme) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"ACME_TOKEN": "${key}"}},
	}}, nil
}

func Example() {
	var p sdk.Provider = Acme{}
	_, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "hunter2"})
	fmt.Println(err)
	resp, _ := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "acme_123"})
	fmt.Println(resp.Credential)
	// Output:
	// invalid key: Acme keys start with acme_
	// Credential{type=api_key fields=[key] (values redacted)}
}

// Every provider runs the conformance suite from its tests; this is all it
// takes.
func TestAcmeKeepsTheContract(t *testing.T) { providertest.Run(t, Acme{}) }
