package provider

import (
	"context"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestInjection(t *testing.T) {
	resp, err := New().Injection(context.Background(), &sdk.InjectionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cred      sdk.Credential
		name, val string
	}{
		{sdk.APIKey("sk-ant-x"), "ANTHROPIC_API_KEY", "sk-ant-x"},
		{sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "at", "refresh_token": "rt"}}, "CLAUDE_CODE_OAUTH_TOKEN", "at"},
		// A setup token: CLAUDE_CODE_OAUTH_TOKEN only, never ANTHROPIC_API_KEY.
		{sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "sk-ant-oat01-st"}}, "CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat01-st"},
	} {
		in, ok := resp.For(tc.cred.Type)
		if !ok {
			t.Fatalf("no injection for %s", tc.cred.Type)
		}
		r, err := in.Render(tc.cred)
		if err != nil || len(r.Env) != 1 || r.Env[tc.name] != tc.val || len(r.Files) != 0 {
			t.Errorf("%s: %+v, %v", tc.cred.Type, r, err)
		}
	}
}
