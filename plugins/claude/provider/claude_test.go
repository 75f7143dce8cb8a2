package provider

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

func TestConformance(t *testing.T) { providertest.Run(t, New()) }

func TestCaptureGolden(t *testing.T) {
	providertest.CaptureGolden(t, New(), sdk.ModeOAuth, "testdata/capture")
}

func TestAcceptKey(t *testing.T) {
	good := "sk-ant-api03-" + strings.Repeat("Ab3_-", 18)
	tests := []struct {
		name, key, want, errPart string
	}{
		{"valid", good, good, ""},
		{"surrounding white space is dropped", "  " + good + "\n", good, ""},
		{"empty", "", "", "no API key entered"},
		{"only white space", " \t\n", "", "no API key entered"},
		{"wrong vendor", "sk-proj-" + strings.Repeat("a", 40), "", "starts with sk-ant-"},
		{"too short", "sk-ant-abc", "", "never has"},
		{"inner space", "sk-ant-api03-abc def" + strings.Repeat("a", 20), "", "never has"},
		{"quoted", `"` + good + `"`, "", "starts with sk-ant-"},
		{"control character", "sk-ant-api03-" + strings.Repeat("a", 20) + "\x00", "", "never has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: tt.key})
			if tt.errPart != "" {
				if !errors.Is(err, sdk.ErrInvalidKey) || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("AcceptKey(%q) = %v, want ErrInvalidKey containing %q", tt.key, err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Credential.Type != sdk.TypeAPIKey || resp.Credential.Get("key") != tt.want {
				t.Errorf("credential = %v (key %q), want api_key %q", resp.Credential, resp.Credential.Get("key"), tt.want)
			}
		})
	}
}

// A setup token is its own credential: an OAuth token with no refresh,
// taken only by the setup_token mode; each mode refuses the other's kind
// of key and names the mode that takes it.
func TestSetupToken(t *testing.T) {
	token := "sk-ant-oat01-" + strings.Repeat("Ab3_-", 18)
	apiKey := "sk-ant-api03-" + strings.Repeat("Ab3_-", 18)
	tests := []struct {
		name    string
		mode    sdk.Mode
		key     string
		errPart string
	}{
		{"setup token", sdk.ModeSetupToken, "  " + token + "\n", ""},
		{"setup token as an API key", sdk.ModeAPIKey, token, "--mode setup-token"},
		{"setup token from an older host (no mode)", "", token, "--mode setup-token"},
		{"API key as a setup token", sdk.ModeSetupToken, apiKey, "--mode api-key"},
		{"empty", sdk.ModeSetupToken, " ", "no setup token entered"},
		{"another vendor's token", sdk.ModeSetupToken, "gho_" + strings.Repeat("a", 36), "starts with sk-ant-oat01-"},
		{"refresh token", sdk.ModeSetupToken, "sk-ant-ort01-" + strings.Repeat("a", 40), "starts with sk-ant-oat01-"},
		{"too short", sdk.ModeSetupToken, "sk-ant-oat01-abc", "never has"},
		{"inner space", sdk.ModeSetupToken, "sk-ant-oat01-abc def" + strings.Repeat("a", 20), "never has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: tt.key, Mode: tt.mode})
			if tt.errPart != "" {
				if !errors.Is(err, sdk.ErrInvalidKey) || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("AcceptKey(%q, %q) = %v, want ErrInvalidKey containing %q", tt.key, tt.mode, err, tt.errPart)
				}
				if strings.Contains(err.Error(), tt.key[min(len(tt.key), 14):]) && len(tt.key) > 14 {
					t.Errorf("the error shows the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := resp.Credential
			if c.Type != sdk.TypeOAuthToken || c.Get("token") != token || len(c.Fields) != 1 {
				t.Errorf("credential = %v (token %q), want oauth_token with the token alone", c, c.Get("token"))
			}
			if err := sdk.CheckSecretField(c); err != nil || !sdk.IsSecretField("token") {
				t.Errorf("the setup token is not in a field the host masks: %v", err)
			}
			if _, ok := c.ExpiresAt(); ok {
				t.Error("a setup token has an expiry; nothing is known of it")
			}
		})
	}
}

// The setup token does not renew itself: no renewal is declared for its
// type.
func TestSetupTokenDoesNotRenew(t *testing.T) {
	resp, err := New().Renewal(context.Background(), &sdk.RenewalRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Renewals {
		if r.CredentialType == sdk.TypeOAuthToken || r.CredentialType == sdk.TypeAPIKey {
			t.Errorf("a renewal is declared for %s", r.CredentialType)
		}
	}
}

func TestKeyPromptByMode(t *testing.T) {
	for mode, want := range map[sdk.Mode]string{"": "ANTHROPIC_API_KEY", sdk.ModeAPIKey: "ANTHROPIC_API_KEY", sdk.ModeSetupToken: "CLAUDE_CODE_OAUTH_TOKEN"} {
		kp, err := New().KeyPrompt(context.Background(), &sdk.KeyPromptRequest{Mode: mode})
		if err != nil || kp.EnvVar != want || !kp.Secret {
			t.Errorf("KeyPrompt(%q) = %+v, %v; want env var %s, secret", mode, kp, err, want)
		}
	}
}

func TestContainerSpec(t *testing.T) {
	spec, err := New().ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth})
	if err != nil {
		t.Fatal(err)
	}
	if spec.ConfigPath != "/home/dev/.claude" || !reflect.DeepEqual(spec.Command, []string{"claude"}) || len(spec.RunArgs) != 0 {
		t.Errorf("spec = %+v", spec)
	}
	if spec.Env["CLAUDE_CONFIG_DIR"] != "/home/dev/.claude" {
		t.Errorf("CLAUDE_CONFIG_DIR = %q: a Console login's .claude.json would land outside the captured dir", spec.Env["CLAUDE_CONFIG_DIR"])
	}
	if !strings.Contains(spec.Banner, "/exit") {
		t.Errorf("banner does not say how to leave claude: %q", spec.Banner)
	}
	if _, err := New().ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeDevice}); !errors.Is(err, sdk.ErrUnsupportedMode) {
		t.Errorf("device mode: %v, want ErrUnsupportedMode", err)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name string
		req  sdk.NegotiateRequest
		want []sdk.Mode
		def  sdk.Mode
	}{
		{"terminal and podman", sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true, OAuthAllowed: true}, []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey, sdk.ModeSetupToken}, sdk.ModeOAuth},
		{"no podman", sdk.NegotiateRequest{Interactive: true, OAuthAllowed: true}, []sdk.Mode{sdk.ModeAPIKey, sdk.ModeSetupToken}, sdk.ModeAPIKey},
		{"no terminal prefers a piped key", sdk.NegotiateRequest{ContainerRuntime: true, OAuthAllowed: true}, []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey, sdk.ModeSetupToken}, sdk.ModeAPIKey},
		{"requested", sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true, OAuthAllowed: true, Requested: sdk.ModeAPIKey}, []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey, sdk.ModeSetupToken}, sdk.ModeAPIKey},
		{"setup token, no terminal", sdk.NegotiateRequest{Requested: sdk.ModeSetupToken}, []sdk.Mode{sdk.ModeAPIKey, sdk.ModeSetupToken}, sdk.ModeSetupToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().Negotiate(context.Background(), &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(resp.Modes, tt.want) || resp.Default != tt.def {
				t.Errorf("got %v default %q, want %v default %q", resp.Modes, resp.Default, tt.want, tt.def)
			}
		})
	}
}

// FuzzCapture feeds arbitrary bytes as both files claude may leave behind:
// Capture must never panic, and must return either a valid credential or
// ErrNothingCaptured.
func FuzzCapture(f *testing.F) {
	f.Add([]byte(`{"claudeAiOauth":{"accessToken":"a","refreshToken":"b","expiresAt":1767225600000,"scopes":["x"]}}`), []byte(`{"api_key":"k"}`), []byte(nil))
	f.Add([]byte(`{"claudeAiOauth":{"accessToken":"a","expiresAt":1e300}}`), []byte(nil), []byte(nil))
	f.Add([]byte(`{"claudeAiOauth":null}`), []byte(`{"api_key":""}`), []byte(`{"primaryApiKey":" "}`))
	f.Add([]byte(`[]`), []byte(`"x"`), []byte(`[]`))
	// The shapes of 2.1.332 (testdata/capture/README.md).
	f.Add([]byte(`{"claudeAiOauth":{"accessToken":"a","refreshToken":"b","expiresAt":1796140800000,"refreshTokenExpiresAt":1827676800000,"subscriptionTypeVerifiedAt":-1,"clientId":"c","accountUuid":"u","organizationUuid":"o","x":{"y":[1,2.5e400]}}}`),
		[]byte(nil), []byte(`{"oauthAccount":{"accountUuid":"u2","organizationUuid":7}}`))
	f.Add([]byte(nil), []byte(nil), []byte(`{"primaryApiKey":"sk-ant-api03-x","oauthAccount":null}`))
	f.Fuzz(func(t *testing.T, creds, config, claudeJSON []byte) {
		files := map[string][]byte{}
		if creds != nil {
			files[".credentials.json"] = creds
		}
		if config != nil {
			files["config.json"] = config
		}
		if claudeJSON != nil {
			files[".claude.json"] = claudeJSON
		}
		resp, err := New().Capture(context.Background(), &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: files})
		if err != nil {
			if !errors.Is(err, sdk.ErrNothingCaptured) {
				t.Fatalf("error %v does not wrap ErrNothingCaptured", err)
			}
			return
		}
		if err := resp.Credential.Validate(); err != nil {
			t.Fatalf("invalid credential %v: %v", resp.Credential, err)
		}
		if exp, ok := resp.Credential.Fields["expires_at"]; ok {
			if _, valid := resp.Credential.ExpiresAt(); !valid {
				t.Fatalf("expires_at %v is not a valid time", exp)
			}
		}
	})
}
