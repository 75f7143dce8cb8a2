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
		"last_refresh": "2026-11-28T10:15:42.123456789Z",
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

// The rendered auth.json never holds an auth_mode: a login captured
// without one (releases before it) would render it "", which codex 0.171.0
// refuses to load ("invalid credential JSON"); without it codex takes the
// tokens as a ChatGPT login.
func TestInjectedAuthJSONHasNoAuthMode(t *testing.T) {
	resp, err := New().Injection(context.Background(), &sdk.InjectionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := resp.For(sdk.TypeOAuth)
	r, err := in.Render(sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "at", "refresh_token": "rt", "last_refresh": "2026-11-28T10:15:42Z"}})
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(r.Files["auth.json"], &f); err != nil {
		t.Fatalf("%v\n%s", err, r.Files["auth.json"])
	}
	if _, ok := f["auth_mode"]; ok {
		t.Errorf("auth.json has an auth_mode: %s", r.Files["auth.json"])
	}
	if f["last_refresh"] != "2026-11-28T10:15:42Z" {
		t.Errorf("last_refresh = %v", f["last_refresh"])
	}
}
