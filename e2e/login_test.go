package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

const (
	claudeKey = "sk-ant-api03-e2eE2Ee2eE2Ee2eE2Ee2eE2Ee2eE2Ee2eE2E"
	codexKey  = "sk-proj-e2eE2Ee2eE2Ee2eE2Ee2eE2Ee2eE2Ee2eE2E"
)

// stored reads a credential straight from the keyring, as another program
// would, or "" when there is none.
func stored(t *testing.T, set, provider string) string {
	t.Helper()
	v, err := keyring.Get("terok", set+"/"+provider)
	if errors.Is(err, keyring.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatalf("read keyring: %v", err)
	}
	return v
}

func seed(t *testing.T, set, provider, value string) {
	t.Helper()
	if err := keyring.Set("terok", set+"/"+provider, value); err != nil {
		t.Fatalf("seed keyring: %v", err)
	}
	t.Cleanup(func() { _ = keyring.Delete("terok", set+"/"+provider) })
}

func TestLoginWithKeyStoresInTheRealKeyring(t *testing.T) {
	requireKeyring(t)
	for _, tc := range []struct{ provider, key string }{{"claude", claudeKey}, {"codex", codexKey}} {
		t.Run(tc.provider, func(t *testing.T) {
			set := "e2e-stores"
			t.Cleanup(func() { _ = keyring.Delete("terok", set+"/"+tc.provider) })
			r := terok(t, runOpts{stdin: tc.key + "\n"}, "auth", "login", tc.provider, "--mode", "api-key", "--with-key", "--set", set)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty, got %q", r.stdout)
			}
			if want := "API key stored for " + tc.provider + " (set: " + set + ")"; !strings.Contains(r.stderr, want) {
				t.Errorf("stderr %q lacks %q", r.stderr, want)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(stored(t, set, tc.provider)), &got); err != nil {
				t.Fatal(err)
			}
			if got["type"] != "api_key" || got["key"] != tc.key || len(got) != 2 {
				t.Errorf("keyring holds %v", got)
			}
		})
	}
}

func TestLoginWithoutModeDefaultsToAPIKeyWhenPiped(t *testing.T) {
	requireKeyring(t)
	set := "e2e-default-mode"
	t.Cleanup(func() { _ = keyring.Delete("terok", set+"/claude") })
	r := terok(t, runOpts{stdin: claudeKey}, "auth", "login", "claude", "--with-key", "--set", set)
	if r.code != 0 || !strings.Contains(stored(t, set, "claude"), claudeKey) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestBadInputStoresNothing(t *testing.T) {
	requireKeyring(t)
	const set = "e2e-bad-input"
	const previous = `{"key":"sk-ant-api03-previouspreviousprevious","type":"api_key"}`
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"invalid key", "sk-wrong-vendor-key-000000000000", []string{"auth", "login", "claude", "--with-key"}, 1, "starts with sk-ant-"},
		{"empty key", "\n", []string{"auth", "login", "claude", "--with-key"}, 1, "no API key entered"},
		{"no terminal and no --with-key", "", []string{"auth", "login", "claude", "--mode", "api-key"}, 2, "--with-key"},
		{"unknown provider", claudeKey, []string{"auth", "login", "nope", "--with-key"}, 2, `unknown provider "nope"; available: blablador, claude, coderabbit, codex, gh, glab, kisski, openrouter, sonar, vibe`},
		{"unknown mode", claudeKey, []string{"auth", "login", "claude", "--mode", "telepathy", "--with-key"}, 2, `unknown mode "telepathy"`},
		{"unsupported mode", claudeKey, []string{"auth", "login", "claude", "--mode", "device"}, 2, "does not support mode device"},
		{"key in argv is refused", "", []string{"auth", "login", "claude", claudeKey}, 2, "expected one provider name"},
		{"--with-key and oauth", claudeKey, []string{"auth", "login", "claude", "--mode", "oauth", "--with-key"}, 2, "--with-key"},
		{"huge stdin", strings.Repeat("a", 70<<10), []string{"auth", "login", "claude", "--with-key"}, 1, "larger than any API key"},
		{"bad set", claudeKey, []string{"auth", "login", "claude", "--with-key", "--set", "../x"}, 2, "invalid --set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed(t, set, "claude", previous)
			args := tt.args
			if tt.name != "bad set" {
				args = append(args, "--set", set)
			}
			r := terok(t, runOpts{stdin: tt.stdin}, args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if got := stored(t, set, "claude"); got != previous {
				t.Errorf("keyring changed to %q", got)
			}
			if strings.Contains(r.stderr, claudeKey) || strings.Contains(r.stdout, claudeKey) {
				t.Error("the key was printed")
			}
		})
	}
}

func TestFaultyPlugins(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "crashy", "hangy", "noisy", "slowstart", "liar")
	env := []string{"TEROK_PLUGIN_PATH=" + dir, "TEROK_PLUGIN_TIMEOUT=1s", "TEROK_PLUGIN_START_TIMEOUT=2s"}
	tests := []struct {
		plugin string
		want   string
	}{
		{"crashy", "plugin crashy stopped answering during AcceptKey; it probably crashed"},
		{"hangy", "plugin hangy did not answer Describe within 1s"},
		{"noisy", "Unrecognized remote plugin message: hello from a plugin"},
		{"slowstart", "timeout while waiting for plugin to start"},
		{"liar", `says its name is "somebody-else"`},
	}
	for _, tt := range tests {
		t.Run(tt.plugin, func(t *testing.T) {
			r := terok(t, runOpts{stdin: "good-key", env: env}, "auth", "login", tt.plugin, "--with-key", "--set", "e2e-faulty")
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tt.want)
			}
			if r.elapsed > 10*time.Second {
				t.Errorf("took %s; the timeouts are 1s and 2s", r.elapsed)
			}
			if got := stored(t, "e2e-faulty", tt.plugin); got != "" {
				t.Errorf("stored %q", got)
			}
		})
	}

	t.Run("providers lists the good ones and warns about the rest", func(t *testing.T) {
		good := pluginDir(t, "good")
		r := terok(t, runOpts{env: []string{"TEROK_PLUGIN_PATH=" + dir + ":" + good, "TEROK_PLUGIN_TIMEOUT=1s", "TEROK_PLUGIN_START_TIMEOUT=2s"}}, "auth", "providers", "--json")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var list []struct {
			Name, Label, Error, Source string
			Modes                      []string
		}
		if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		byName := map[string]int{}
		for i, p := range list {
			byName[p.Name] = i
		}
		for _, name := range []string{"claude", "codex", "good"} {
			i, ok := byName[name]
			if !ok || list[i].Error != "" || list[i].Label == "" || len(list[i].Modes) == 0 {
				t.Errorf("%s: %+v", name, list)
			}
		}
		for _, name := range []string{"crashy"} { // crashes only in AcceptKey
			if i, ok := byName[name]; !ok || list[i].Error != "" {
				t.Errorf("%s should be listed as usable: %+v", name, list)
			}
		}
		for _, name := range []string{"hangy", "noisy", "slowstart", "liar"} {
			i, ok := byName[name]
			if !ok || list[i].Error == "" {
				t.Errorf("%s should be listed with its error: %+v", name, list)
			}
			if !strings.Contains(r.stderr, "provider "+name+" is unusable") {
				t.Errorf("no warning about %s on stderr: %s", name, r.stderr)
			}
		}
		if r.elapsed > 10*time.Second {
			t.Errorf("listing took %s; plugins should start in parallel", r.elapsed)
		}
	})
}

func TestGoodThirdPartyPluginFromPluginPath(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "good")
	t.Cleanup(func() { _ = keyring.Delete("terok", "e2e-good/good") })
	r := terok(t, runOpts{stdin: "good-123", env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "good", "--with-key", "--set", "e2e-good")
	if r.code != 0 || stored(t, "e2e-good", "good") != `{"key":"good-123","type":"api_key"}` {
		t.Fatalf("exit %d: %s; stored %q", r.code, r.stderr, stored(t, "e2e-good", "good"))
	}
}

func TestKeyringMissing(t *testing.T) {
	requireKeyring(t)
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"dead bus socket", []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "No Secret Service answered"},
		{"no bus and no dbus-launch", []string{"DBUS_SESSION_BUS_ADDRESS=", "PATH=/nonexistent"}, "No Secret Service answered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := terok(t, runOpts{stdin: claudeKey, env: tt.env}, "auth", "login", "claude", "--with-key", "--set", "e2e-missing")
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "gnome-keyring") || !strings.Contains(r.stderr, "--store file") {
				t.Errorf("exit %d, stderr %q", r.code, r.stderr)
			}
			if strings.Contains(r.stderr, claudeKey) {
				t.Error("the key was printed")
			}
			if r.elapsed > 10*time.Second {
				t.Errorf("took %s", r.elapsed)
			}
		})
	}
}

// TestKeyringLocked starts a second keyring session whose login keyring was
// created with one password and is then unlocked with another: every call
// fails as a locked keyring does on a headless machine.
func TestKeyringLocked(t *testing.T) {
	requireKeyring(t)
	home := t.TempDir()
	runtimeDir := filepath.Join(home, "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "XDG_RUNTIME_DIR=" + runtimeDir, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"TEROK_KEYRING_TIMEOUT=5s", "TEROK_E2E_SESSION=" + home}
	// The daemon detaches and may outlive its bus; stop it with the test.
	t.Cleanup(func() { killMarked("TEROK_E2E_SESSION=" + home) })
	session := func(password string, args ...string) result {
		script := `printf '%s' "$TEROK_TEST_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"`
		return run(t, runOpts{stdin: claudeKey, env: append(env, "TEROK_TEST_PW="+password)}, append([]string{"dbus-run-session", "--", "sh", "-c", script, "sh"}, args...)...)
	}
	if r := session("right", "true"); r.code != 0 {
		t.Fatalf("create keyring: %s", r.stderr)
	}
	r := session("wrong", filepath.Join(binDir, "terok"), "auth", "login", "claude", "--with-key", "--set", "e2e-locked")
	if r.code != 1 || !strings.Contains(r.stderr, "keyring is locked") || !strings.Contains(r.stderr, "--unlock") || !strings.Contains(r.stderr, "--store file") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r.elapsed > 15*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
}
