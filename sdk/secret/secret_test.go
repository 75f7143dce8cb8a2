package secret_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

func TestIsField(t *testing.T) {
	for name, want := range map[string]bool{
		"key": true, "token": true, "access_token": true, "refresh_token": true, "id_token": true, "api_key": true, "client_secret": true,
		"password": true, "db_password": true, "passphrase": true, "secret": true,
		"host": false, "user": false, "region": false, "account_id": false, "subscription_type": false, "keyring": false, "tokens": false,
		"session": true, "cookie": true, "auth_cookie": true, "refreshToken": true, "AccessToken": true, "apiKey": true, "api-key": true,
		"clientSecret": true, "Key": true, "API_KEY": true, "TOKEN": true, "accessTOKEN": true, "APIKey": true, "OAuthToken": true,
		"refresh2Token": true,
		"apikey":        false, "pass": false, "sessions": false, "accountId": false, "expiresAt": false, "": false,
	} {
		if secret.IsField(name) != want {
			t.Errorf("IsField(%q) = %v", name, !want)
		}
		if sdk.IsSecretField(name) != want {
			t.Errorf("sdk.IsSecretField(%q) disagrees with secret.IsField", name)
		}
	}
	if rule := secret.FieldRule(); !strings.Contains(rule, "_token") || !strings.Contains(rule, "camelCase") {
		t.Errorf("FieldRule() = %q", rule)
	}
}

func TestIsEnvName(t *testing.T) {
	for name, want := range map[string]bool{
		"GH_TOKEN": true, "ANTHROPIC_API_KEY": true, "CLIENT_SECRET": true, "PGPASSWORD": false, "DB_PASSWORD": true,
		"SSH_PASSPHRASE": true, "gh_token": true, "GH_HOST": false, "OPENAI_BASE_URL": false, "TOKEN": false, "KEYRING": false,
		"CLAUDE_CODE_OAUTH_TOKEN": true, "": false,
	} {
		if secret.IsEnvName(name) != want {
			t.Errorf("IsEnvName(%q) = %v", name, !want)
		}
	}
}

// The allow-list of what is shown: nothing secret is on it, and an
// unknown field is not.
func TestIsPublicField(t *testing.T) {
	for _, name := range []string{"host", "user", "scope", "expires_at", "expiresAt", "email", "token_type"} {
		if !secret.IsPublicField(name) {
			t.Errorf("IsPublicField(%q) = false", name)
		}
	}
	for _, name := range []string{"key", "access_token", "blob", "apikey", "", "session", "password"} {
		if secret.IsPublicField(name) {
			t.Errorf("IsPublicField(%q) = true", name)
		}
	}
	for _, name := range []string{"host", "user", "scope", "scopes", "email", "region", "url", "base_url", "account"} {
		if secret.IsField(name) {
			t.Errorf("%q is public and secret at once", name)
		}
	}
}

// Every credential type the SDK names has its main secret in a field the
// rule calls secret.
func TestMainFieldOfEveryType(t *testing.T) {
	for _, typ := range []string{sdk.TypeAPIKey, sdk.TypeOAuth, sdk.TypeOAuthToken, sdk.TypePAT} {
		f := secret.MainField(typ)
		if f == "" || !secret.IsField(f) {
			t.Errorf("MainField(%q) = %q", typ, f)
		}
	}
	if secret.MainField("made_up") != "" {
		t.Error("a type nobody declared has a main field")
	}
}

func TestSuspect(t *testing.T) {
	for name, want := range map[string]bool{
		"apikey": true, "tokens": true, "sessionid": true, "access_token": true, "token_type": false, "host": false, "region": false,
	} {
		if secret.Suspect(name) != want {
			t.Errorf("Suspect(%q) = %v", name, !want)
		}
	}
}

// Only the fields that hold a secret are secrets: a fixed value a provider
// file stores with every key (the red team's extra {region:
// hasCompletedOnboarding}) is not, or logout would remove every file that
// mentions it, another provider's included.
func TestSecretsAreTheSecretFieldsOnly(t *testing.T) {
	for _, c := range []struct {
		cred sdk.Credential
		want []string
	}{
		{sdk.Credential{Type: "api_key", Fields: map[string]any{"key": "sk-secret-123", "region": "hasCompletedOnboarding", "org": "my-organisation"}}, []string{"sk-secret-123"}},
		{sdk.Credential{Type: "oauth", Fields: map[string]any{
			"access_token": "access-123456", "refresh_token": "refresh-123456", "id_token": "id-token-123456",
			"subscription_type": "enterprise-max", "rate_limit_tier": "default_claude_max_20x", "account_id": "account-123456", "expires_at": 1e9,
		}}, []string{"access-123456", "id-token-123456", "refresh-123456"}},
		{sdk.Credential{Type: "oauth_token", Fields: map[string]any{"token": "ghp_0123456789", "host": "github.example.com", "user": "octocat-the-user"}}, []string{"ghp_0123456789"}},
		{sdk.Credential{Type: "x", Fields: map[string]any{"client_secret": "client-secret-1", "api_key": "short", "session_token": "session-123456"}}, []string{"client-secret-1", "session-123456"}},
		// A vendor's JSON copied as it is: camelCase names, and secrets
		// deeper in, under a secret field or under a secret name.
		{sdk.Credential{Type: "oauth", Fields: map[string]any{
			"access_token": "access-123456", "refreshToken": "refresh-camel-1",
			"extra":   map[string]any{"refresh_token": "refresh-nested-1", "host": "github.example.com"},
			"tokens":  []any{map[string]any{"id_token": "id-in-a-list-1"}},
			"session": map[string]any{"value": "session-value-1", "n": 3.0},
			"scopes":  []any{"user:inference", "user:profile"},
		}}, []string{"access-123456", "id-in-a-list-1", "refresh-camel-1", "refresh-nested-1", "session-value-1"}},
	} {
		if got := secret.Values(c.cred.Fields); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Values(%v) = %v, want %v", c.cred, got, c.want)
		}
	}
}

// What a log masks: every string but the top-level host and user, at any
// depth, and never deeper than the bound.
func TestStrings(t *testing.T) {
	got := secret.Strings(map[string]any{
		"host": "github.com", "user": "octocat", "key": "k", "extra": map[string]any{"user": "nested-user"}, "list": []any{"a", 1.0},
	})
	want := map[string]bool{"k": true, "nested-user": true, "a": true}
	if len(got) != len(want) {
		t.Fatalf("Strings = %v", got)
	}
	for _, s := range got {
		if !want[s] {
			t.Errorf("Strings gave %q", s)
		}
	}
	deep := any("deep-secret-value")
	for i := 0; i < 40; i++ {
		deep = map[string]any{"token": deep}
	}
	if v := secret.Values(map[string]any{"token": deep}); v != nil {
		t.Errorf("a credential nested past the bound is walked to the end: %v", v)
	}
}

// A provider's credential is untrusted: any shape of fields is walked
// without a panic, and what Values finds is a subset of what Strings does.
func FuzzValues(f *testing.F) {
	f.Add("access_token", "a-secret-value", "refreshToken", 3)
	f.Add("host", "github.com", "KEY", 0)
	f.Fuzz(func(t *testing.T, k1, v1, k2 string, depth int) {
		var nested any = v1
		for i := 0; i < depth%8; i++ {
			nested = map[string]any{k2: nested, "l": []any{nested}}
		}
		fields := map[string]any{k1: nested, k2: v1}
		all := map[string]bool{}
		for _, s := range secret.Strings(fields) {
			all[s] = true
		}
		for _, s := range secret.Values(fields) {
			if len(s) < secret.MinLen {
				t.Fatalf("Values gave %q, shorter than MinLen", s)
			}
			if !all[s] && (k1 == "host" || k1 == "user" || k2 == "host" || k2 == "user") {
				continue // Strings leaves the top-level host and user to be shown
			}
			if !all[s] {
				t.Fatalf("Values gave %q, which Strings does not mask", s)
			}
		}
	})
}
