package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/route"
	codexprov "github.com/terok-ai/terok-auth/plugins/codex/provider"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

const (
	realCodexAccess  = "at-codex-REALREALREALREAL-0001"
	realCodexRefresh = "rt-codex-REALREALREALREAL-0002"
	testStandIn      = "terok-sa-STANDINSTANDINSTANDINSTANDINSTANDIN0001"
	testProxyURL     = "http://127.0.0.1:41234"
)

// realCodexIDToken is a signed-looking id token: the claims codex reads
// (openai/codex codex-rs/login/src/token_data.rs) and a signature.
func realCodexIDToken() string {
	b := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return b(`{"alg":"RS256","kid":"k1"}`) + "." +
		b(`{"email":"dev@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acct-1","chatgpt_plan_type":"plus","chatgpt_user_id":"user-1"}}`) +
		".SIGNATUREsignatureSIGNATUREsignature"
}

func realCodexLogin() sdk.Credential {
	return sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": realCodexAccess, "refresh_token": realCodexRefresh, "id_token": realCodexIDToken(),
		"account_id": "acct-1", "auth_mode": "chatgpt", "last_refresh": "2026-01-01T00:00:00Z", "expires_at": float64(1999999999),
		"extra":   map[string]any{"client_secret": "cs-REALREALREAL-0003", "region": "eu"},
		"session": []any{"sess-REALREALREAL-0004"},
	}}
}

// The stand-in credential keeps what is no secret, puts the stand-in in the
// route's field, and holds none of the real secrets anywhere.
func TestStandInCredentialHoldsNoSecret(t *testing.T) {
	real := realCodexLogin()
	now := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
	sc := standInCredential(real, route.Route{CredentialType: "oauth", Field: "access_token"}, testStandIn, testProxyURL, now)
	all, err := json.Marshal(sc.Fields)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secret.Values(real.Fields) {
		if bytes.Contains(all, []byte(s)) {
			t.Errorf("the stand-in credential holds the real %q", s)
		}
	}
	if sc.Fields["access_token"] != testStandIn || sc.Fields["refresh_token"] != sdk.ProxyPlaceholder {
		t.Errorf("access_token %v, refresh_token %v", sc.Fields["access_token"], sc.Fields["refresh_token"])
	}
	if sc.Fields["account_id"] != "acct-1" || sc.Fields["last_refresh"] != "2026-01-01T00:00:00Z" || sc.Fields["expires_at"] != float64(1999999999) {
		t.Errorf("fields that are no secret were changed: %v", sc)
	}
	if sc.Fields["proxy_url"] != testProxyURL || sc.Fields["proxy_issued_at"] != "2026-12-02T14:00:00Z" {
		t.Errorf("host fields: %v %v", sc.Fields["proxy_url"], sc.Fields["proxy_issued_at"])
	}
	if extra := sc.Fields["extra"].(map[string]any); extra["client_secret"] != sdk.ProxyPlaceholder || extra["region"] != "eu" {
		t.Errorf("nested: %v", extra)
	}
	if _, ok := sc.Fields["session"]; ok {
		t.Error("a secret that is no string was kept")
	}
	// The id token keeps its claims, unsigned.
	parts := strings.Split(sc.Fields["id_token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q is no JWT", sc.Fields["id_token"])
	}
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if !strings.Contains(string(head), `"alg":"none"`) || !strings.Contains(string(claims), `"chatgpt_plan_type":"plus"`) || strings.Contains(parts[2], "SIGNATURE") {
		t.Errorf("id_token: %s . %s . %s", head, claims, parts[2])
	}
	// Anything that merely looks like one is a placeholder.
	for _, tok := range []string{"a.b", "a.b.c", "x." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".y", "a..b"} {
		if _, ok := unsignedJWT(tok); ok {
			t.Errorf("unsignedJWT(%q) took it for a JWT", tok)
		}
	}
}

// codex's proxy injection, rendered over the stand-in credential: auth.json
// holds the stand-in, a placeholder refresh token, a fresh last_refresh,
// and no real secret; config.toml points codex at the proxy.
func TestCodexStandInFiles(t *testing.T) {
	decl, err := codexprov.Codex{}.Injection(context.Background(), &sdk.InjectionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if err := host.ValidateInjectionOf("codex", decl); err != nil {
		t.Fatal(err)
	}
	in, ok := decl.For(sdk.ProxyInjectionType(sdk.TypeOAuth))
	if !ok {
		t.Fatal("codex declares no proxy injection for its ChatGPT login")
	}
	real := realCodexLogin()
	now := time.Now()
	sc := standInCredential(real, route.Route{CredentialType: "oauth", Field: "access_token"}, testStandIn, testProxyURL, now)
	sc.Type = in.CredentialType
	r, err := in.Render(sc)
	if err != nil {
		t.Fatal(err)
	}
	if held := heldSecret(real, r); held != "" {
		t.Fatalf("the stand-in files hold the real %s", held)
	}
	var auth struct {
		Key    *string `json:"OPENAI_API_KEY"`
		Tokens struct {
			IDToken      string `json:"id_token"`
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
			AccountID    string `json:"account_id"`
		} `json:"tokens"`
		LastRefresh string `json:"last_refresh"`
	}
	if err := json.Unmarshal(r.Files["auth.json"], &auth); err != nil {
		t.Fatalf("auth.json: %v\n%s", err, r.Files["auth.json"])
	}
	if auth.Tokens.AccessToken != testStandIn || auth.Tokens.RefreshToken != sdk.ProxyPlaceholder || auth.Tokens.AccountID != "acct-1" || auth.Key != nil {
		t.Errorf("auth.json: %s", r.Files["auth.json"])
	}
	if lr, err := time.Parse(time.RFC3339, auth.LastRefresh); err != nil || now.Sub(lr) > time.Minute {
		t.Errorf("last_refresh %q is not when the files were made (codex would renew an old one)", auth.LastRefresh)
	}
	cfg := string(r.Files["config.toml"])
	for _, want := range []string{
		`chatgpt_base_url = "` + testProxyURL + `/backend-api/"`, `base_url = "` + testProxyURL + `/backend-api/codex"`,
		`requires_openai_auth = true`, `model_provider = "terok-proxy"`, `cli_auth_credentials_store = "file"`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config.toml lacks %s:\n%s", want, cfg)
		}
	}
	if r.DirEnv != "CODEX_HOME" || len(r.Env) != 0 {
		t.Errorf("dir %q, env %v", r.DirEnv, r.Env)
	}
	// The same declaration over the real credential is caught.
	realType := real
	realType.Type = in.CredentialType
	realType.Fields["proxy_url"], realType.Fields["proxy_issued_at"] = testProxyURL, "x"
	leaky, err := in.Render(realType)
	if err != nil {
		t.Fatal(err)
	}
	if heldSecret(real, leaky) == "" {
		t.Error("heldSecret missed the real tokens in files rendered over the real credential")
	}
}

// fileProvider is a YAML provider whose tool reads its OAuth token only
// from a file, with a proxy route and no stand-in variable.
func fileProvider(t *testing.T, env map[string]string) {
	t.Helper()
	dir := filepath.Join(env["HOME"], ".config", "terok", "providers.d")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	yaml := `version: 1
name: filetool
label: File tool
modes: [oauth]
host_dir: _filetool
container_mount: /home/dev/.filetool
command: filetool login
capture:
  - file: auth.json
    format: json
    type: oauth
    fields:
      access_token: access_token
      refresh_token: refresh_token
inject:
  oauth:
    files:
      session.json: '{"token": ${access_token|json}, "refresh": ${refresh_token?|json}}'
    dir_env: FILETOOL_HOME
proxy:
  oauth:
    upstream: https://api.filetool.example
    setup_hint: point filetool at the listener with its --api flag
`
	if err := os.WriteFile(filepath.Join(dir, "filetool.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// exec --proxy renders a file-only tool's files over the stand-in; env
// --proxy refuses it before making a grant, saying to use exec --proxy.
func TestProxyFileOnlyTool(t *testing.T) {
	env := isolated(t)
	fileProvider(t, env)
	storeCred(t, env, "filetool", sdk.Credential{Type: "oauth", Fields: map[string]any{"access_token": realCodexAccess, "refresh_token": realCodexRefresh}})

	code, out, errOut := run(t, env, "auth", "env", "--proxy", "filetool")
	if code != 2 || out != "" || !strings.Contains(errOut, "terok auth exec --proxy filetool") || !strings.Contains(errOut, "session.json in FILETOOL_HOME") {
		t.Errorf("env --proxy: exit %d, %q, %s", code, out, errOut)
	}
	if _, gl, _ := run(t, env, "auth", "grants", "--json"); strings.Contains(gl, "filetool") {
		t.Errorf("env --proxy made a grant it could not hand over:\n%s", gl)
	}

	work := t.TempDir()
	io, _, stdout, stderr := iostreams.Test()
	code = Main(context.Background(), io, []string{"auth", "exec", "--proxy", "filetool", "--", "sh", "-c",
		`cat "$FILETOOL_HOME/session.json" > "$1/session.json"; env > "$1/env"`, "sh", work}, func(k string) string { return env[k] })
	if code != 0 {
		t.Fatalf("exec --proxy: exit %d: %s %s", code, stdout, stderr)
	}
	session, _ := os.ReadFile(filepath.Join(work, "session.json"))
	vars, _ := os.ReadFile(filepath.Join(work, "env"))
	var s struct{ Token, Refresh string }
	if err := json.Unmarshal(session, &s); err != nil {
		t.Fatalf("session.json: %v: %s", err, session)
	}
	if !strings.HasPrefix(s.Token, "terok-sa-") || s.Refresh != sdk.ProxyPlaceholder {
		t.Errorf("session.json: %s", session)
	}
	if !bytes.Contains(vars, []byte("TEROK_PROXY_URL=")) {
		t.Errorf("env: %s", vars)
	}
	for _, secretValue := range []string{realCodexAccess, realCodexRefresh} {
		if bytes.Contains(session, []byte(secretValue)) || bytes.Contains(vars, []byte(secretValue)) || strings.Contains(stderr.String(), secretValue) {
			t.Errorf("the command saw the real %s", secretValue)
		}
	}
	// The plain injection points the tool at no proxy: its hint is shown.
	if !strings.Contains(stderr.String(), "--api flag") {
		t.Errorf("stderr: %s", stderr)
	}
}

// A stored credential is the vendor's data: whatever it holds, the stand-in
// credential keeps no secret of it outside what is no secret (a field the
// rules call public, a JWT's claims), and every secret field in it is the
// stand-in, the placeholder, or an unsigned JWT.
func FuzzStandInCredential(f *testing.F) {
	real, _ := json.Marshal(realCodexLogin().Fields)
	f.Add(real)
	f.Add([]byte(`{"access_token":"x","id_token":"a.e30.b","nested":{"api_key":["k1234567890"]}}`))
	f.Add([]byte(`{"token":"` + realCodexIDToken() + `","key":{"secret":"s1234567890"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fields map[string]any
		if json.Unmarshal(data, &fields) != nil || fields == nil {
			return
		}
		c := sdk.Credential{Type: "oauth", Fields: fields}
		sc := standInCredential(c, route.Route{CredentialType: "oauth"}, testStandIn, testProxyURL, time.Unix(0, 0))
		if sc.Fields["access_token"] != testStandIn {
			t.Fatalf("the route's field is %v", sc.Fields["access_token"])
		}
		var allowed []string // strings of the output that may hold anything
		var check func(k string, v any, secretField bool)
		check = func(k string, v any, secretField bool) {
			secretField = secretField || secret.IsField(k)
			switch v := v.(type) {
			case string:
				if !secretField {
					allowed = append(allowed, v)
					return
				}
				if v == testStandIn || v == sdk.ProxyPlaceholder {
					return
				}
				parts := strings.Split(v, ".")
				if len(parts) != 3 || parts[2] != base64.RawURLEncoding.EncodeToString([]byte("stand-in")) {
					t.Fatalf("secret field %s holds %q", k, v)
				}
				allowed = append(allowed, v)
			case map[string]any:
				for kk, vv := range v {
					check(kk, vv, secretField)
				}
			case []any:
				if secretField {
					t.Fatalf("secret field %s holds a list", k)
				}
				for _, vv := range v {
					check("", vv, false)
				}
			}
		}
		for k, v := range sc.Fields {
			check(k, v, false)
		}
		out, err := json.Marshal(sc.Fields)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secret.Values(c.Fields) {
			if !bytes.Contains(out, []byte(s)) {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || strings.Contains(a, s)
			}
			if !ok {
				t.Fatalf("the stand-in credential holds the secret %q", s)
			}
		}
	})
}
