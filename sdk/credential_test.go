package sdk_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestCredentialJSONIsUpstreamsFlatShape(t *testing.T) {
	c := sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_x", "host": "github.com"}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"host":"github.com","token":"gho_x","type":"oauth_token"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var back sdk.Credential
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Type != c.Type || back.Get("token") != "gho_x" || back.Get("host") != "github.com" {
		t.Errorf("round trip = %#v", back.Fields)
	}
}

func TestCredentialKeepsLargeIntegersExact(t *testing.T) {
	var c sdk.Credential
	if err := json.Unmarshal([]byte(`{"type":"oauth","access_token":"a","expires_at":1767225600}`), &c); err != nil {
		t.Fatal(err)
	}
	exp, ok := c.ExpiresAt()
	if !ok || exp.Unix() != 1767225600 {
		t.Errorf("ExpiresAt = %v, %v", exp, ok)
	}
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), `"expires_at":1767225600`) {
		t.Errorf("re-encoded as %s", b)
	}
}

func TestCredentialUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`[]`, `null`, `"x"`, `{}`, `{"type":1}`, `{"type":"a"`, ``} {
		var c sdk.Credential
		if err := json.Unmarshal([]byte(in), &c); err == nil {
			t.Errorf("Unmarshal(%q) accepted %#v", in, c)
		}
	}
}

func TestCredentialNeverPrintsSecrets(t *testing.T) {
	c := sdk.APIKey("sk-very-secret")
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%q", c), c.String()} {
		if strings.Contains(s, "sk-very-secret") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "key") || !strings.Contains(s, "api_key") {
			t.Errorf("%q should still name the type and fields", s)
		}
	}
}

func TestCredentialValidate(t *testing.T) {
	tests := []struct {
		name string
		c    sdk.Credential
		ok   bool
	}{
		{"api key", sdk.APIKey("k"), true},
		{"no type", sdk.Credential{Fields: map[string]any{"k": "v"}}, false},
		{"no fields", sdk.Credential{Type: "x"}, false},
		{"only empty fields", sdk.Credential{Type: "x", Fields: map[string]any{"k": "", "n": nil}}, false},
		{"reserved field", sdk.Credential{Type: "x", Fields: map[string]any{"type": "y", "k": "v"}}, false},
		{"empty key", sdk.APIKey(""), false},
	}
	for _, tt := range tests {
		if err := tt.c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestExpiresAtRejectsNonsense(t *testing.T) {
	for _, v := range []any{"tomorrow", -1.0, 0.0, 1e300, json.Number("x"), true} {
		c := sdk.Credential{Type: "oauth", Fields: map[string]any{"expires_at": v}}
		if _, ok := c.ExpiresAt(); ok {
			t.Errorf("ExpiresAt accepted %#v", v)
		}
	}
}

func TestCheckSecretField(t *testing.T) {
	for _, c := range []sdk.Credential{
		sdk.APIKey("k"),
		{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "a", "expires_at": int64(1)}},
		{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "t", "host": "github.com"}},
		{Type: "custom", Fields: map[string]any{"client_secret": "s", "client_id": "id"}},
	} {
		if err := sdk.CheckSecretField(c); err != nil {
			t.Errorf("CheckSecretField(%v) = %v", c, err)
		}
	}
	for _, c := range []sdk.Credential{
		{Type: sdk.TypeAPIKey, Fields: map[string]any{"apikey": "sk-secret-value"}},
		{Type: "custom", Fields: map[string]any{"blob": "blob-value-1", "host": "host-value-2"}},
		{Type: sdk.TypeOAuth, Fields: map[string]any{"sk-ant-oat01-REALSECRET0123": "x", "Xy9Blob": "y"}}, // names that could be secrets
		{Type: sdk.TypeAPIKey, Fields: map[string]any{"key": ""}},                                         // empty
		{Type: sdk.TypeAPIKey, Fields: map[string]any{"key": float64(12345)}},                             // not a string
		{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": map[string]any{"v": "x"}}},
		{Type: sdk.TypeAPIKey},
	} {
		err := sdk.CheckSecretField(c)
		if err == nil {
			t.Errorf("CheckSecretField(%v) accepted it", c)
			continue
		}
		for k, v := range c.Fields {
			if s, ok := v.(string); ok && len(s) > 1 && strings.Contains(err.Error(), s) {
				t.Errorf("the error repeats a value: %v", err)
			}
			if strings.ContainsAny(k, "0123456789") && strings.Contains(err.Error(), k) {
				t.Errorf("the error repeats a field name that may be a secret: %v", err)
			}
		}
	}
}
