package refresh_test

import (
	"context"
	"testing"
	"time"

	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
	codex "github.com/terok-ai/terok-auth/plugins/codex/provider"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/refresh"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/yamlprov"
	"github.com/terok-ai/terok-auth/internal/fakeoauth"
	providers "github.com/terok-ai/terok-auth/providers.d"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

func bundled(t *testing.T, name string) sdk.Renewer {
	switch name {
	case "claude":
		return claude.New()
	case "codex":
		return codex.New()
	}
	data, err := providers.FS.ReadFile(name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := yamlprov.Load(name+".yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return yamlprov.New(f)
}

// Each bundled provider renews its OAuth login the way its tool does:
// against a fake that insists on the tool's encoding, client id and, for
// Claude, User-Agent, through the loopback override of the endpoints.
func TestBundledRenewals(t *testing.T) {
	for _, tc := range []struct {
		name, encoding, clientID, userAgent string
	}{
		{"claude", "json", "9d1c250a-e61b-44d9-88ed-5944d1962f5e", "claude-cli/2.1.332 (external, cli)"},
		{"codex", "json", "app_EMoamEEZ73f0CkXaXp7hrann", ""},
		{"glab", "form", "41d48f9422ebd655dd9cf2947d6979681dfaddc6d0c56f7628f6ada59559af1e", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := bundled(t, tc.name).Renewal(context.Background(), &sdk.RenewalRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if err := host.ValidateRenewal(resp); err != nil {
				t.Fatal(err)
			}
			decl, ok := resp.For(sdk.TypeOAuth)
			if !ok {
				t.Fatal("no renewal of the oauth login")
			}
			f := fakeoauth.New("rt-0")
			defer f.Close()
			f.Encoding, f.ClientID, f.UserAgent = tc.encoding, tc.clientID, tc.userAgent
			f.NoExpiresIn = tc.name == "codex"
			p := names.Provider(tc.name)
			decl, err = refresh.WithOverride(func(k string) string {
				if k == refresh.OverrideEnv(p) {
					return f.TokenURL()
				}
				return ""
			}, p, decl)
			if err != nil {
				t.Fatal(err)
			}
			old := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
				"access_token": "at-old", "refresh_token": "rt-0", "expires_at": time.Now().Add(-time.Hour).Unix(), "host": "gitlab.com",
			}}
			s := &oneStore{c: old}
			r := &refresh.Renewer{Store: s, LockDir: t.TempDir()}
			c, renewed, err := r.Renew(context.Background(), "default", p, decl, nil)
			if err != nil || !renewed {
				t.Fatalf("renew: %v", err)
			}
			if c.Get("access_token") != fakeoauth.AccessToken(1) || s.c.Get("refresh_token") != f.Live() {
				t.Errorf("not renewed: %s", c.Get("access_token"))
			}
			if tc.name == "glab" {
				if _, err := time.Parse(time.RFC822, c.Get("oauth2_expiry_date")); err != nil {
					t.Errorf("glab reads oauth2_expiry_date as RFC 822: %v", err)
				}
			}
		})
	}
}

type oneStore struct{ c sdk.Credential }

func (s *oneStore) Get(context.Context, names.Set, names.Provider) (sdk.Credential, error) {
	return s.c, nil
}
func (s *oneStore) Set(_ context.Context, _ names.Set, _ names.Provider, c sdk.Credential) error {
	s.c = c
	return nil
}
func (s *oneStore) Delete(context.Context, names.Set, names.Provider) error { return store.ErrNotFound }
