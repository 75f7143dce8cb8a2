package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The real codex (0.171.0) with a ChatGPT login (credential type oauth)
// under terok auth exec --proxy, on the host: codex reads the login only
// from auth.json in CODEX_HOME, so exec --proxy writes a stand-in auth.json
// and a config.toml that points codex at its proxy (plugins/codex/provider
// inject.go). `codex exec` sends its model request, with the stand-in as
// its bearer token, to the proxy's /backend-api/codex/responses; the proxy
// sends it on to the fake ChatGPT backend with the real access token.
// Nothing the command sees (its environment, every file of its CODEX_HOME,
// what codex wrote there included) holds the real access, refresh or id
// token; codex tried no renewal with the placeholder refresh token.
func TestProxyCodexChatGPTLogin(t *testing.T) {
	codex := requireVendorBins(t)["codex"]
	set := "e2e-proxy-codex-chatgpt"
	const access, refresh = "at-codex-proxyREALproxyREAL-0005", "rt-codex-proxyREALproxyREAL-0006"
	idToken := seedCodexChatGPT(t, set, access, refresh)
	f := startFakeAPI(t, t.TempDir())
	state, out := t.TempDir(), t.TempDir()
	// A renewal would go here (and find nothing): the fake counts it.
	o := runOpts{env: append(proxyEnv(f, state, "codex"), "CODEX_REFRESH_TOKEN_URL_OVERRIDE="+f.srv.URL+"/oauth/token")}
	script := `HOME="$1/home" codex_bin="$2"; mkdir -p "$HOME"; ` +
		`"$codex_bin" exec --skip-git-repo-check -m gpt-fake hi < /dev/null > "$1/codex.out" 2>&1; echo $? > "$1/codex.rc"; ` +
		`env > "$1/env"; cp -R "$CODEX_HOME" "$1/codex-home"`
	r := run(t, o, filepath.Join(binDir, "terok"), "auth", "exec", "--proxy", "--set", set, "--label", "codex-chatgpt-e2e", "codex", "--",
		"sh", "-c", script, "sh", out, codex)
	if r.code != 0 {
		t.Fatalf("exec --proxy: exit %d\n%s", r.code, r.stderr)
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(out, name))
		return string(b)
	}
	if rc := strings.TrimSpace(read("codex.rc")); rc != "0" || !strings.Contains(read("codex.out"), "hello from the fake vendor, through the proxy") {
		t.Fatalf("codex exec exited %q:\n%s", rc, read("codex.out"))
	}
	// The vendor got the real token on the model request, never a stand-in.
	f.assertGotOnly(t, "/backend-api/codex/responses", "Authorization", "Bearer "+access)
	for _, req := range f.requests() {
		if req.Path == "/oauth/token" {
			t.Errorf("codex tried to renew the login: %s %s", req.Method, req.Path)
		}
		if req.Header.Get("ChatGPT-Account-Id") != "acct-e2e" {
			t.Errorf("%s reached the vendor with ChatGPT-Account-Id %q", req.Path, req.Header.Get("ChatGPT-Account-Id"))
		}
	}
	// Nothing the command saw holds a real token.
	env := read("env")
	if !regexp.MustCompile(`(?m)^CODEX_HOME=`).MatchString(env) || !strings.Contains(env, "TEROK_PROXY_URL=") {
		t.Errorf("the command's environment:\n%s", env)
	}
	files := 0
	err := filepath.WalkDir(filepath.Join(out, "codex-home"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for name, secret := range map[string]string{"access": access, "refresh": refresh, "id": idToken} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds the real %s token", path, name)
			}
		}
		return nil
	})
	if err != nil || files < 3 {
		t.Fatalf("CODEX_HOME (%d files): %v", files, err)
	}
	for name, secret := range map[string]string{"access": access, "refresh": refresh, "id": idToken} {
		if strings.Contains(env, secret) || strings.Contains(r.stderr, secret) || strings.Contains(r.stdout, secret) {
			t.Errorf("the command's environment or terok's output holds the real %s token", name)
		}
	}
	var auth struct {
		Tokens struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		} `json:"tokens"`
	}
	authJSON := read("codex-home/auth.json")
	if err := json.Unmarshal([]byte(authJSON), &auth); err != nil || !strings.HasPrefix(auth.Tokens.AccessToken, "terok-sa-") || auth.Tokens.RefreshToken != "terok-proxy-placeholder" {
		t.Errorf("auth.json does not hold the stand-in (%v):\n%s", err, authJSON)
	}
	// The grant ended with the command, and the keyring still holds the
	// real login: nothing of the stand-in files was written back.
	gl := run(t, o, filepath.Join(binDir, "terok"), "auth", "grants", "--json")
	if !strings.Contains(gl.stdout, "codex-chatgpt-e2e") || strings.Contains(gl.stdout, `"state": "active"`) {
		t.Errorf("the grant did not end with the command:\n%s", gl.stdout)
	}
	if c := storedFields(t, set, "codex"); c["access_token"] != access || c["refresh_token"] != refresh {
		t.Errorf("the stored login changed: %v", redacted(c))
	}
	// env --proxy cannot hand a file over, and says to use exec --proxy.
	if e := run(t, o, filepath.Join(binDir, "terok"), "auth", "env", "--proxy", "--set", set, "codex"); e.code != 2 || !strings.Contains(e.stderr, "terok auth exec --proxy codex") {
		t.Errorf("env --proxy codex (ChatGPT login): exit %d: %s", e.code, e.stderr)
	}
}

// The same login in a podman container (--network=host) that holds only
// what exec --proxy wrote: the private CODEX_HOME, bind-mounted. The fake
// gets the real access token; nothing in the container's environment or
// anywhere in its file tree holds the real access, refresh or id token.
func TestProxyCodexChatGPTLoginInContainer(t *testing.T) {
	img := requireVendorImages(t)["codex_image"]
	set := "e2e-proxy-codex-chatgpt-ctr"
	const access, refresh = "at-codex-proxyREALproxyREAL-0007", "rt-codex-proxyREALproxyREAL-0008"
	idToken := seedCodexChatGPT(t, set, access, refresh)
	f := startFakeAPI(t, t.TempDir())
	o := runOpts{env: proxyEnv(f, t.TempDir(), "codex")}
	r := run(t, o, filepath.Join(binDir, "terok"), "auth", "exec", "--proxy", "--set", set, "codex", "--",
		"sh", "-c", `exec podman run --rm --pull=never --network=host -v "$CODEX_HOME:/codex" -e CODEX_HOME=/codex "$1" sh -c "$2"`,
		"sh", img, agentScript("codex exec --skip-git-repo-check -m gpt-fake hi < /dev/null"))
	if r.code != 0 {
		t.Fatalf("exec --proxy: exit %d\n%s", r.code, r.stderr)
	}
	var kept map[string]string
	for name, secret := range map[string]string{"access": access, "refresh": refresh, "id": idToken} {
		var holders []string
		kept, holders = scanTree(t, []byte(r.stdout), secret)
		if len(holders) > 0 {
			t.Errorf("files in the container hold the real %s token: %v", name, holders)
		}
		if strings.Contains(kept["tmp/agent.env"], secret) {
			t.Errorf("the container's environment holds the real %s token", name)
		}
	}
	if strings.TrimSpace(kept["tmp/agent.rc"]) != "0" || !strings.Contains(kept["tmp/agent.out"], "hello from the fake vendor, through the proxy") {
		t.Errorf("codex exec in the container exited %q:\n%s", kept["tmp/agent.rc"], kept["tmp/agent.out"])
	}
	f.assertGotOnly(t, "/backend-api/codex/responses", "Authorization", "Bearer "+access)
}

// seedCodexChatGPT stores a ChatGPT login of codex in set, with an old
// last_refresh, and returns its id token.
func seedCodexChatGPT(t *testing.T, set, access, refresh string) string {
	t.Helper()
	idToken := codexIDToken()
	login, err := json.Marshal(map[string]any{
		"type": "oauth", "auth_mode": "chatgpt", "access_token": access, "refresh_token": refresh,
		"id_token": idToken, "account_id": "acct-e2e", "last_refresh": "2026-01-01T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	seed(t, set, "codex", string(login))
	return idToken
}
