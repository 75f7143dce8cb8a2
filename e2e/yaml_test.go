package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// acmeYAML is a platform team's internal tool, described without Go code:
// OAuth through its own CLI in a container, captured from an INI file, or
// an API key.
const acmeYAML = `version: 1
name: acme
label: Acme Internal
modes: [oauth, api_key]
host_dir: _acme-config
container_mount: /home/dev/.acme
command: acme login
image: ` + vendorImage + `:ok
banner_hint: Log in with your Acme SSO account.
post_capture_state:
  state.json: '{"onboarded": true}'
key:
  format: "acme_[a-z0-9]+"
  format_hint: starts with acme_
capture:
  - file: credentials.ini
    format: ini
    type: oauth
    fields:
      access_token: default.access_token
      refresh_token: default.refresh_token
    expires_at: {path: default.expires, unit: rfc3339}
`

func TestUserYAMLProvider(t *testing.T) {
	requirePodman(t)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"acme.yaml":   acmeYAML,
		"gh.yaml":     "name: gh\nlabel: GitHub (ours)\nkey: {type: oauth_token, field: token}\n",
		"broken.yaml": "name: broken\nlabel: Broken\nmodes: [telepathy]\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := newLoginEnv(t, "TEROK_PROVIDERS_PATH="+dir)

	t.Run("listed, with what it shadows, and the broken file reported", func(t *testing.T) {
		r := terok(t, e.opts, "auth", "providers", "--json", "--all")
		var list []providerJSONForTest
		if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
			t.Fatalf("%v: %s", err, r.stdout)
		}
		found := map[string]providerJSONForTest{}
		for _, p := range list {
			found[p.Name+"|"+p.ShadowedBy] = p
		}
		acme := found["acme|"]
		if acme.Kind != "yaml" || acme.Source != filepath.Join(dir, "acme.yaml") || acme.Label != "Acme Internal" || strings.Join(acme.Modes, ",") != "oauth,api_key" {
			t.Errorf("acme = %+v", acme)
		}
		if gh := found["gh|"]; gh.Label != "GitHub (ours)" || gh.Source != filepath.Join(dir, "gh.yaml") {
			t.Errorf("gh = %+v", gh)
		}
		if _, ok := found["gh|"+filepath.Join(dir, "gh.yaml")]; !ok {
			t.Errorf("--all does not list the bundled gh as shadowed: %s", r.stdout)
		}
		if !strings.Contains(r.stderr, filepath.Join(dir, "broken.yaml")+`:3:9: unknown mode "telepathy"`) {
			t.Errorf("the broken file is not reported: %s", r.stderr)
		}
		if _, ok := found["claude|"]; !ok {
			t.Error("a broken file hid the other providers")
		}
	})

	t.Run("api key", func(t *testing.T) {
		set := "e2e-acme-key"
		t.Cleanup(func() { _ = deleteStored(set, "acme") })
		o := e.opts
		o.stdin = "not-an-acme-key"
		if r := terok(t, o, "auth", "login", "acme", "--with-key", "--set", set); r.code != 1 || !strings.Contains(r.stderr, "a key for Acme Internal starts with acme_") {
			t.Errorf("bad key: exit %d: %s", r.code, r.stderr)
		}
		o.stdin = "acme_123abc"
		if r := terok(t, o, "auth", "login", "acme", "--with-key", "--set", set); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if got := stored(t, set, "acme"); got != `{"key":"acme_123abc","type":"api_key"}` {
			t.Errorf("keyring holds %s", got)
		}
	})

	t.Run("oauth through podman and a declarative capture", func(t *testing.T) {
		set := "e2e-acme-oauth"
		t.Cleanup(func() { _ = deleteStored(set, "acme") })
		// No --image: the YAML file names its default image.
		r := terok(t, e.opts, "auth", "login", "acme", "--mode", "oauth", "--set", set)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		c := storedFields(t, set, "acme")
		if c["type"] != "oauth" || c["access_token"] != "acme-e2e-access" || c["refresh_token"] != "acme-e2e-refresh" || c["expires_at"] != 1796083200.0 {
			t.Errorf("keyring holds %v", c)
		}
		if !strings.Contains(r.stderr, "Log in with your Acme SSO account.") || !strings.Contains(r.stderr, "/home/dev/.acme:Z") {
			t.Errorf("stderr: %s", r.stderr)
		}
		state, err := os.ReadFile(filepath.Join(e.mounts, "_acme-config", "state.json"))
		if err != nil || !strings.Contains(string(state), `"onboarded": true`) {
			t.Errorf("state file: %q, %v", state, err)
		}
		e.assertClean(t)
	})

	t.Run("validate", func(t *testing.T) {
		r := terok(t, e.opts, "auth", "providers", "validate", filepath.Join(dir, "acme.yaml"), filepath.Join(dir, "broken.yaml"))
		if r.code != 1 || !strings.Contains(r.stdout, "acme.yaml: ok") || !strings.Contains(r.stderr, "broken.yaml:3:9") || !strings.Contains(r.stderr, "1 of 2 provider files have problems") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
		}
	})
}

// vibe reads ~/.vibe/.env, and terok once wrote the key there, into a dir
// agent containers share; now the key stays in the store and reaches vibe
// as MISTRAL_API_KEY through terok auth exec (e2e/inject_test.go).
func TestBundledKeyFileIsGone(t *testing.T) {
	requireKeyring(t)
	set := "e2e-vibe"
	t.Cleanup(func() { _ = deleteStored(set, "vibe") })
	e := newLoginEnv(t)
	o := e.opts
	o.stdin = "mistral-key-123"
	if r := terok(t, o, "auth", "login", "vibe", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(e.mounts, "_vibe-config", ".env")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v); the key must stay in the store", path, err)
	}
}

type providerJSONForTest struct {
	Name, Label, Kind, Source string
	Modes                     []string
	ShadowedBy                string `json:"shadowed_by"`
	Error                     string
}

// Logout cleans up after a provider without starting it: the login
// recorded its shared dir and the files it created, so a provider removed
// since (its YAML file deleted, its plugin uninstalled) still leaves
// nothing behind.
func TestLogoutAfterTheProviderIsUninstalled(t *testing.T) {
	requirePodman(t)
	dir := t.TempDir()
	yamlPath := filepath.Join(dir, "acme.yaml")
	if err := os.WriteFile(yamlPath, []byte(acmeYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newLoginEnv(t, "TEROK_PROVIDERS_PATH="+dir)
	set := "e2e-acme-uninstalled"
	t.Cleanup(func() { _ = deleteStored(set, "acme") })
	if r := terok(t, e.opts, "auth", "login", "acme", "--mode", "oauth", "--set", set); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	shared := filepath.Join(e.mounts, "_acme-config")
	state := filepath.Join(shared, "state.json")
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("the login wrote no state file: %v", err)
	}
	// A copy of the secret someone left in the shared dir, found by
	// content.
	copied := filepath.Join(shared, "notes.txt")
	if err := os.WriteFile(copied, []byte("token acme-e2e-access\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(yamlPath); err != nil {
		t.Fatal(err)
	}
	r := terok(t, e.opts, "auth", "logout", "acme", "--set", set)
	if r.code != 0 || !strings.Contains(r.stderr, "Logged out of acme") {
		t.Fatalf("logout: exit %d: %s", r.code, r.stderr)
	}
	for _, p := range []string{state, copied} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there after logout (%v): %s", p, err, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("logout warned: %s", r.stderr)
	}
}
