package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUntrustedPluginIsRefused(t *testing.T) {
	requireKeyring(t)
	dir := makePluginDir(t, false, "good")
	o := runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}
	path := filepath.Join(dir, "terok-provider-good")
	r := terok(t, o, "auth", "login", "good", "--with-key", "--set", "e2e-untrusted")
	if r.code != 1 || !strings.Contains(r.stderr, "is not one of terok's own plugins and you have not trusted it") ||
		!strings.Contains(r.stderr, "terok auth plugins trust "+path) {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if stored(t, "e2e-untrusted", "good") != "" {
		t.Error("an untrusted plugin stored a credential")
	}
	// Listing names it, but does not run it.
	r = terok(t, runOpts{env: o.env}, "auth", "plugins", "--json")
	var list []struct{ Name, Path, Status string }
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	for _, p := range list {
		statuses[p.Path] = p.Status
	}
	if statuses[path] != "untrusted" || statuses[filepath.Join(binDir, "terok-provider-claude")] != "bundled" {
		t.Errorf("plugins: %v", statuses)
	}
}

func TestTamperedPluginIsRefused(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "good")
	path := filepath.Join(dir, "terok-provider-good")
	o := runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}
	set := "e2e-tampered"
	t.Cleanup(func() { _ = deleteStored(set, "good") })
	if r := terok(t, o, "auth", "login", "good", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("trusted plugin: exit %d: %s", r.code, r.stderr)
	}
	// Change one byte in the middle of the binary, after it was trusted.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	o.stdin = "good-2"
	r := terok(t, o, "auth", "login", "good", "--with-key", "--set", set)
	if r.code != 1 || !strings.Contains(r.stderr, "is not the binary you trusted: its SHA-256 changed") || !strings.Contains(r.stderr, "terok auth plugins trust "+path) {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if got := stored(t, set, "good"); !strings.Contains(got, "good-1") {
		t.Errorf("the stored credential changed to %q", got)
	}
	if r := terok(t, runOpts{env: o.env}, "auth", "plugins", "verify"); r.code != 1 || !strings.Contains(r.stdout, "changed") {
		t.Errorf("verify: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestWritablePluginIsRefused(t *testing.T) {
	requireKeyring(t)
	for _, tc := range []struct{ what, want string }{{"binary", "is writable by group or others"}, {"dir", "its directory"}} {
		t.Run(tc.what, func(t *testing.T) {
			dir := pluginDir(t, "good")
			target := filepath.Join(dir, "terok-provider-good")
			if tc.what == "dir" {
				target = dir
			}
			fi, _ := os.Stat(target)
			if err := os.Chmod(target, fi.Mode().Perm()|0o002); err != nil {
				t.Fatal(err)
			}
			r := terok(t, runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "good", "--with-key", "--set", "e2e-writable")
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "chmod go-w") {
				t.Errorf("exit %d: %s", r.code, r.stderr)
			}
		})
	}
}

func TestProtocolVersionMismatchIsExplained(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "future")
	r := terok(t, runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "future", "--with-key")
	if r.code != 1 || !strings.Contains(r.stderr, "speaks plugin protocol 2, this terok speaks 1") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestPartialPlugin: a plugin built against an older protocol lacks some
// methods; what it has works, the rest is "unsupported", not a crash.
func TestPartialPlugin(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "partial")
	set := "e2e-partial"
	t.Cleanup(func() { _ = deleteStored(set, "partial") })
	o := runOpts{stdin: "partial-key-123", env: []string{"TEROK_PLUGIN_PATH=" + dir, "TEROK_PODMAN=/bin/true"}}
	if r := terok(t, o, "auth", "login", "partial", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("api key: exit %d: %s", r.code, r.stderr)
	}
	if got := stored(t, set, "partial"); got != `{"key":"partial-key-123","type":"api_key"}` {
		t.Errorf("stored %q", got)
	}
	o.stdin = ""
	r := terok(t, o, "auth", "login", "partial", "--mode", "oauth", "--image", "x", "--set", set)
	if r.code != 1 || !strings.Contains(r.stderr, "does not implement container logins") || strings.Contains(r.stderr, "crashed") {
		t.Errorf("oauth: exit %d: %s", r.code, r.stderr)
	}
}

func TestPluginLogsAreRedacted(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "leaky")
	const key = "good-very-secret-key-4711"
	r := terok(t, runOpts{stdin: key, env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "leaky", "--with-key", "--set", "e2e-leaky")
	t.Cleanup(func() { _ = deleteStored("e2e-leaky", "leaky") })
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "received a key") || !strings.Contains(r.stderr, "[REDACTED]") {
		t.Errorf("the plugin's log line was not forwarded, masked: %s", r.stderr)
	}
	if strings.Contains(r.stderr, key) {
		t.Errorf("the key reached the log: %s", r.stderr)
	}
}

// TestOverrideKeyIsMaskedInExec: terok auth exec hands the key of
// TEROK_<NAME>_API_KEY to the provider to turn into its credential, and a
// provider that logs it there is masked from the first line: the key is
// masked before the provider sees it, not once the plan is made.
func TestOverrideKeyIsMaskedInExec(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "leakyenv")
	const key = "override-very-secret-4711"
	r := terok(t, runOpts{env: []string{"TEROK_PLUGIN_PATH=" + dir, "TEROK_LEAKYENV_API_KEY=" + key}},
		"auth", "exec", "leakyenv", "--", "sh", "-c", `test "$LEAKYENV_TOKEN" = "$TEROK_LEAKYENV_API_KEY"`)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "received a key") || !strings.Contains(r.stderr, "[REDACTED]") {
		t.Errorf("the plugin's log line was not forwarded, masked: %s", r.stderr)
	}
	if strings.Contains(r.stderr, key) {
		t.Errorf("the key reached the log: %s", r.stderr)
	}
}

// TestCapturedTokensAreMasked: a plugin logs the token it just read out of
// the login's files, before terok has it; the line is held until terok
// knows what to mask.
func TestCapturedTokensAreMasked(t *testing.T) {
	requirePodman(t)
	dir := pluginDir(t, "leakycap")
	set := "e2e-leakycap"
	t.Cleanup(func() { _ = deleteStored(set, "leakycap") })
	e := newLoginEnv(t, "TEROK_PLUGIN_PATH="+dir)
	r := terok(t, e.opts, "auth", "login", "leakycap", "--mode", "oauth", "--image", vendorImage+":ok", "--set", set)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "captured a token") || !strings.Contains(r.stderr, "[REDACTED]") {
		t.Errorf("the plugin's log line was not forwarded, masked: %s", r.stderr)
	}
	if strings.Contains(r.stderr, vendorClaudeAccess) {
		t.Errorf("the captured token reached the log: %s", r.stderr)
	}
	e.assertClean(t)
}
