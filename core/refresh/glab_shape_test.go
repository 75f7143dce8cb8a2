package refresh_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/refresh"
	"github.com/terok-ai/terok-auth/sdk"
)

// glab renews an OAuth2 login on gitlab.com through golang.org/x/oauth2:
// Config.Endpoint is endpoints.GitLab (TokenURL
// https://gitlab.com/oauth/token) and ClientID glinstance.DefaultClientID
// (gitlab-org/cli internal/oauth2/config.go, NewOAuth2Config and endpoint,
// and internal/glinstance/host.go, at the gl-cli/glab mirror's commit
// 0d02dd9ba8fb), and x/oauth2's tokenRefresher posts a form of
// grant_type=refresh_token and refresh_token; with no AuthStyle set it
// tries client_id in a Basic header first and then, as here, in the form
// (internal/token.go, RetrieveToken and newTokenRequest), the way GitLab
// documents the refresh of a public application. The declaration must
// say exactly that, and the request terok makes must be that form and
// nothing more: no scope, no secret, no Authorization header.
func TestGlabRenewsLikeGlab(t *testing.T) {
	resp, err := bundled(t, "glab").Renewal(context.Background(), &sdk.RenewalRequest{})
	if err != nil {
		t.Fatal(err)
	}
	decl, ok := resp.For(sdk.TypeOAuth)
	if !ok {
		t.Fatal("glab declares no renewal of its OAuth2 login")
	}
	if !reflect.DeepEqual(decl.Endpoints, []string{"https://gitlab.com/oauth/token"}) || decl.Encoding != sdk.EncodingForm ||
		decl.ClientID != glabClientID || decl.Scope != "" {
		t.Fatalf("glab's renewal is %+v, want a form POST to https://gitlab.com/oauth/token with glab's client id and no scope", decl)
	}

	var got struct {
		method, path, ctype, auth string
		form                      url.Values
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.method, got.path, got.ctype, got.auth = r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization")
		got.form, _ = url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "application/json")
		// GitLab's answer (Doorkeeper): a rotated refresh token, expires_in
		// in seconds, created_at.
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-new", "token_type": "Bearer", "expires_in": 7200,
			"refresh_token": "rt-new", "scope": "openid profile read_user write_repository api", "created_at": time.Now().Unix()})
	}))
	defer srv.Close()
	p := names.Provider("glab")
	decl, err = refresh.WithOverride(func(k string) string {
		if k == refresh.OverrideEnv(p) {
			return srv.URL + "/oauth/token"
		}
		return ""
	}, p, decl)
	if err != nil {
		t.Fatal(err)
	}
	s := &oneStore{c: sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "at-old", "refresh_token": "rt-old", "host": "gitlab.com",
		"expires_at": time.Now().Add(-time.Hour).Unix(), "oauth2_expiry_date": "01 Jan 26 00:00 UTC",
	}}}
	c, renewed, err := (&refresh.Renewer{Store: s, LockDir: t.TempDir()}).Renew(context.Background(), "default", p, decl, nil)
	if err != nil || !renewed {
		t.Fatalf("renew: %v (renewed %v)", err, renewed)
	}
	keys := make([]string, 0, len(got.form))
	for k := range got.form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got.method != http.MethodPost || got.path != "/oauth/token" || got.ctype != "application/x-www-form-urlencoded" || got.auth != "" ||
		!reflect.DeepEqual(keys, []string{"client_id", "grant_type", "refresh_token"}) ||
		got.form.Get("grant_type") != "refresh_token" || got.form.Get("refresh_token") != "rt-old" || got.form.Get("client_id") != glabClientID {
		t.Errorf("terok sent %s %s (%s, Authorization %q) with form fields %v; want glab's form POST", got.method, got.path, got.ctype, got.auth, keys)
	}
	if c.Get("access_token") != "at-new" || c.Get("refresh_token") != "rt-new" {
		t.Errorf("stored %v", c)
	}
	if _, err := time.Parse(time.RFC822, c.Get("oauth2_expiry_date")); err != nil {
		t.Errorf("oauth2_expiry_date %q is not glab's RFC 822: %v", c.Get("oauth2_expiry_date"), err)
	}
}

const glabClientID = "41d48f9422ebd655dd9cf2947d6979681dfaddc6d0c56f7628f6ada59559af1e"
