package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// TestStatusShowsDetailsAndNoSecret: status, as text and as JSON, names
// the host, the account, the token's kind and masked prefix, and where it
// is kept, for every login; and no secret, nor any part of one beyond its
// published prefix, is anywhere in what it prints.
func TestStatusShowsDetailsAndNoSecret(t *testing.T) {
	f, a := gitFactory(t)
	enc := base64.RawURLEncoding.EncodeToString
	idToken := enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"email":"dev@example.com"}`)) + ".c2lnU0VDUkVU"
	extra := map[names.Provider]sdk.Credential{
		"claude": sdk.APIKey("sk-ant-api03-ClaudeSECRET0123456789"),
		"codex":  {Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "eyJCodexAccessSECRET0123", "refresh_token": "rt_CodexRefreshSECRET", "id_token": idToken}},
		"vibe":   sdk.APIKey("VibeSECRET0123456789"),
	}
	for p, c := range extra {
		if err := a.Save(context.Background(), names.DefaultSet, p, c); err != nil {
			t.Fatal(err)
		}
	}
	f.Providers = func() (providerSource, error) { return listSource{"claude", "codex", "gh", "glab", "vibe"}, nil }
	secrets := []string{"ClaudeSECRET", "CodexAccessSECRET", "CodexRefreshSECRET", "VibeSECRET", "public0123456789", "enterprise0123456789", "glo_x", "c2lnU0VDUkVU", idToken}
	for _, asJSON := range []bool{false, true} {
		io, _, out, errOut := iostreams.Test()
		f.IO = io
		if err := statusRun(context.Background(), &statusOptions{f: f, Set: names.DefaultSet, JSON: asJSON, now: time.Now}); err != nil {
			t.Fatal(err)
		}
		all := out.String() + errOut.String()
		for _, s := range secrets {
			if strings.Contains(all, s) {
				t.Errorf("json=%v: status prints a secret (%q):\n%s", asJSON, s, all)
			}
		}
		wants := []string{"gho_…", "octocat", "github.com", "GitHub OAuth token", "ghe.example.com", "sk-ant-api03-…", "Anthropic API key",
			"dev@example.com", "eyJ…", "****", "default.json"}
		if !asJSON {
			wants = append(wants, "gh:ghe.example.com (set default): on ghe.example.com; GitHub personal access token (classic) ghp_…; in ")
		}
		for _, w := range wants {
			if !strings.Contains(all, w) {
				t.Errorf("json=%v: status lacks %q:\n%s", asJSON, w, all)
			}
		}
		if asJSON {
			var list []map[string]any
			if err := json.Unmarshal(out.Bytes(), &list); err != nil {
				t.Fatal(err)
			}
			for _, st := range list {
				if st["provider"] == "gh" && (st["host"] != "github.com" || st["account"] != "octocat" || st["masked"] != "gho_…" ||
					st["token_kind"] != "GitHub OAuth token" || !strings.HasSuffix(st["location"].(string), "default.json")) {
					t.Errorf("gh in JSON: %v", st)
				}
			}
		}
	}
	// The keyring's location is its service and account.
	k := *a
	k.Store = &store.Keyring{}
	if got := k.Location("work", "gh:ghe.example.com"); got != "keyring service terok, account work/gh:ghe.example.com" {
		t.Errorf("keyring location %q", got)
	}
}
