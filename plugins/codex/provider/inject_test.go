package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

// The auth.json codex gets at run time is one its own capture reads back
// as the same tokens.
func TestInjectedAuthJSONRoundTrips(t *testing.T) {
	resp, err := New().Injection(context.Background(), &sdk.InjectionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	in, ok := resp.For(sdk.TypeOAuth)
	if !ok {
		t.Fatal("no oauth injection")
	}
	stored := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": `acc"ess\tok`, "refresh_token": "ref", "id_token": "id", "account_id": "acct",
		"auth_mode": "chatgpt", "last_refresh": "2026-11-28T10:15:42.123456789Z",
	}}
	r, err := in.Render(stored)
	if err != nil {
		t.Fatal(err)
	}
	if r.DirEnv != "CODEX_HOME" || len(r.Env) != 0 {
		t.Errorf("rendered %+v", r)
	}
	got, err := parseAuth(r.Files["auth.json"])
	if err != nil {
		t.Fatalf("codex's own parser refuses the injected auth.json: %v\n%s", err, r.Files["auth.json"])
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(stored)
	if string(a) != string(b) {
		t.Errorf("round trip:\n got %s\nwant %s", a, b)
	}
	key, _ := resp.For(sdk.TypeAPIKey)
	if r, err := key.Render(sdk.APIKey("sk-x")); err != nil || r.Env["OPENAI_API_KEY"] != "sk-x" {
		t.Errorf("api key: %+v, %v", r, err)
	}
}
