package e2e

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/internal/fakeoauth"
)

var (
	vendorBinsOnce sync.Once
	vendorBinsOut  map[string]string
	vendorBinsErr  error
)

// requireVendorBins fetches the pinned vendor CLIs (no images: nothing
// here runs a container) and returns scripts/vendor-bins' NAME=PATH lines.
func requireVendorBins(t *testing.T) map[string]string {
	t.Helper()
	requireKeyring(t)
	vendorBinsOnce.Do(func() { vendorBinsOut, vendorBinsErr = runVendorBins() })
	if vendorBinsErr != nil {
		t.Fatalf("fetch the vendor CLIs with scripts/vendor-bins (needs npm and apt-get; run through make test): %v", vendorBinsErr)
	}
	return vendorBinsOut
}

// codexFake is a token endpoint shaped like OpenAI's as codex 0.171.0
// calls it: a JSON POST of {client_id, grant_type, refresh_token,
// refresh_reason} (RefreshRequest, REFRESH_TOKEN_URL_OVERRIDE_ENV_VAR and
// CLIENT_ID in openai/codex codex-rs/login/src/auth/manager.rs, read at
// commit 0126a9dd8ce3; refresh_reason, "scheduled" or
// "unauthorized_recovery", is in the 0.171.0 binary's requests, seen
// against a logging endpoint), answered with access_token
// and a rotated refresh_token, and no id_token, which the real one may
// leave out (RefreshResponse: every field optional). A reused refresh
// token is refused, as OpenAI refuses one (refresh_token_reused).
func codexFake(t *testing.T) *fakeoauth.Server {
	f := fakeoauth.New("rt-codex-0")
	f.Encoding, f.ClientID = "json", "app_EMoamEEZ73f0CkXaXp7hrann"
	t.Cleanup(f.Close)
	return f
}

// codexIDToken is an id token codex can parse (it reads the claims and
// verifies nothing): made up, with the claims a ChatGPT login has.
func codexIDToken() string {
	b := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return b(`{"alg":"none"}`) + "." +
		b(`{"email":"e2e@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acct-e2e","chatgpt_plan_type":"plus"}}`) + ".c2ln"
}

func seedCodexLogin(t *testing.T, set string, fields map[string]any) {
	t.Helper()
	v, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	if err := keyring.Set("terok", set+"/codex", string(v)); err != nil {
		t.Fatal(err)
	}
}

// The real codex (0.171.0) renews a ChatGPT login by itself when its
// last_refresh is over 8 days old, under `terok auth exec codex`, against
// a local token endpoint (CODEX_REFRESH_TOKEN_URL_OVERRIDE, which exec
// passes on), and rotates the refresh token in the auth.json of its
// private CODEX_HOME. terok reads it back when codex ends: the keyring
// then holds the rotated refresh token, and a run 8 days later renews with
// it against an endpoint that refuses the old one.
//
// `codex doctor` is the command: it loads the login through codex's
// AuthManager, which renews a stale one ("refresh_reason":"scheduled"),
// and reaches no other network with chatgpt_base_url pointing at the
// fake (which answers nothing else).
func TestRealCodexRenewsItselfAndTerokKeepsTheRotation(t *testing.T) {
	codex := requireVendorBins(t)["codex"]
	f := codexFake(t)
	e := newInjectEnv(t, "CODEX_REFRESH_TOKEN_URL_OVERRIDE="+f.TokenURL())
	set := "e2e-codex-self-renew"
	cleanupStored(t, set, "codex")
	stale := time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339Nano)
	login := map[string]any{
		"type": "oauth", "auth_mode": "chatgpt", "access_token": "at-codex-opaque-0", "refresh_token": "rt-codex-0",
		"id_token": codexIDToken(), "account_id": "acct-e2e", "last_refresh": stale,
	}
	seedCodexLogin(t, set, login)
	doctor := func() result {
		return terok(t, e.opts, "auth", "exec", "--set", set, "codex", "--",
			codex, "doctor", "--json", "-c", `cli_auth_credentials_store="file"`, "-c", `chatgpt_base_url="`+f.URL+`/backend-api"`)
	}

	r := doctor()
	if r.code != 0 {
		t.Fatalf("codex doctor under exec: exit %d: %s\n%s", r.code, r.stderr, r.stdout)
	}
	// The fake counts every request, the 404s of chatgpt_base_url's
	// paths among them; that codex renewed shows in the token it accepts.
	if f.Live() != fakeoauth.RefreshToken(1) {
		t.Fatalf("codex did not renew its login once (the endpoint accepts %s): %s", f.Live(), r.stderr)
	}
	if strings.Contains(r.stderr, "warning: after the command") {
		t.Errorf("the write-back warned: %s", r.stderr)
	}
	c := storedFields(t, set, "codex")
	if c["refresh_token"] != fakeoauth.RefreshToken(1) || c["access_token"] != fakeoauth.AccessToken(1) {
		t.Fatalf("after codex renewed, the keyring holds refresh token %v and access token %v, want the rotated %s and %s",
			c["refresh_token"], c["access_token"], fakeoauth.RefreshToken(1), fakeoauth.AccessToken(1))
	}
	if lr, _ := c["last_refresh"].(string); lr == stale || lr == "" {
		t.Errorf("last_refresh is %q, want the time of codex's renewal", lr)
	}
	if c["id_token"] != login["id_token"] || c["account_id"] != "acct-e2e" {
		t.Errorf("the write-back lost the id token or account: %v", redacted(c))
	}

	// Eight days on: the stored login is stale again, with the rotated
	// refresh token; the endpoint has spent rt-codex-0 and refuses it.
	c["last_refresh"] = stale
	seedCodexLogin(t, set, c)
	if f.Accepts("rt-codex-0") {
		t.Fatal("the fake still accepts the first refresh token")
	}
	r = doctor()
	if r.code != 0 || f.Live() != fakeoauth.RefreshToken(2) {
		t.Fatalf("second run: exit %d, the endpoint accepts %s (want %s: renewed with the rotated token): %s", r.code, f.Live(), fakeoauth.RefreshToken(2), r.stderr)
	}
	if c := storedFields(t, set, "codex"); c["refresh_token"] != fakeoauth.RefreshToken(2) || c["access_token"] != fakeoauth.AccessToken(2) {
		t.Errorf("after the second renewal the keyring holds refresh token %v, access token %v", c["refresh_token"], c["access_token"])
	}
}
