package account

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(payload)) + "." + enc([]byte("sig"))
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		c    sdk.Credential
		want Details
	}{
		{sdk.APIKey("sk-ant-api03-SECRETSECRETSECRET"), Details{TokenKind: "Anthropic API key", Masked: "sk-ant-api03-…"}},
		{sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_SECRETSECRETSECRET", "host": "github.com", "user": "octocat"}},
			Details{Host: "github.com", Account: "octocat", TokenKind: "GitHub OAuth token", Masked: "gho_…"}},
		{sdk.Credential{Type: sdk.TypePAT, Fields: map[string]any{"token": "glpat-SECRETSECRET", "host": "gitlab.example.com"}},
			Details{Host: "gitlab.example.com", TokenKind: "GitLab personal access token", Masked: "glpat-…"}},
		{sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": jwt(`{"exp":1}`), "id_token": jwt(`{"email":"dev@example.com","https://api.openai.com/auth":{"chatgpt_plan_type":"plus"}}`)}},
			Details{Account: "dev@example.com", TokenKind: "JWT", Masked: "eyJ…"}},
		// No known prefix, or a token that is mostly its prefix: nothing
		// of it is shown.
		{sdk.APIKey("SECRETSECRETSECRET"), Details{Masked: "****"}},
		{sdk.APIKey("gho_SECRET"), Details{Masked: "****"}},
		// What a hostile capture could put in shown fields is dropped.
		{sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "x", "host": "a\x1b[2Jb", "user": "u\nv"}}, Details{Masked: "****"}},
	} {
		if got := Describe(tc.c); got != tc.want {
			t.Errorf("Describe(%v) = %+v; want %+v", tc.c.Fields, got, tc.want)
		}
	}
}

func TestIDTokenEmail(t *testing.T) {
	for tok, want := range map[string]string{
		jwt(`{"email":"dev@example.com"}`): "dev@example.com",
		jwt(`{"email":"no-at-sign"}`):      "",
		jwt(`{"email":42}`):                "",
		jwt(`{"email":"a\u001b@b"}`):       "",
		jwt(`not json`):                    "",
		"a.b":                              "",
		"a.%%%.c":                          "",
		"":                                 "",
		jwt(`{"email":"` + strings.Repeat("a", 300) + `@x"}`): "",
		"x." + strings.Repeat("A", maxIDToken) + ".y":         "",
	} {
		if got := IDTokenEmail(tok); got != want {
			t.Errorf("IDTokenEmail(%.40q) = %q; want %q", tok, got, want)
		}
	}
}

func FuzzDescribe(f *testing.F) {
	f.Add("gho_SECRETSECRETSECRET", jwt(`{"email":"dev@example.com"}`), "octocat")
	f.Add("sk-ant-api03-x", "a.b.c", "")
	f.Fuzz(func(t *testing.T, tok, idToken, user string) {
		d := Describe(sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": tok, "id_token": idToken, "user": user}})
		for _, v := range []string{d.Host, d.Account, d.TokenKind, d.Masked} {
			if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Errorf("Describe shows a control character: %+v", d)
			}
		}
		if d.Masked != "****" && d.Masked != "" && (!strings.HasSuffix(d.Masked, "…") || len(tok) < len(d.Masked)-len("…")+minHidden) {
			t.Errorf("masked %q of a %d-byte token", d.Masked, len(tok))
		}
		if len(tok) >= 4 && d.Masked != "" && strings.Contains(d.Masked, tok) {
			t.Errorf("masked %q holds the token", d.Masked)
		}
	})
}
