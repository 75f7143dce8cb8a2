package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestExamplePlugin does what docs/plugin-guide.md tells a third party to
// do with examples/acme-plugin: build it, install it on the plugin path,
// trust it, log in.
func TestExamplePlugin(t *testing.T) {
	requireKeyring(t)
	bin := os.Getenv("TEROK_TEST_EXAMPLE")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "terok-provider-acme")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = "../examples/acme-plugin"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build the example: %v\n%s", err, out)
		}
	}
	// "Install": the user's data dir is on the plugin path.
	dir := filepath.Join(os.Getenv("XDG_DATA_HOME"), "terok", "plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	installed := filepath.Join(dir, "terok-provider-acme")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(installed, data, 0o755); err != nil {
		t.Fatal(err)
	}
	registerPluginDir(t, dir)
	t.Cleanup(func() { _ = os.Remove(installed) })

	const key = "acme_0123456789abcdef0123456789abcdef"
	set := "e2e-example"
	t.Cleanup(func() { _ = deleteStored(set, "acme") })
	if r := terok(t, runOpts{stdin: key}, "auth", "login", "acme", "--with-key", "--set", set); r.code != 1 {
		t.Errorf("before trust: exit %d: %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{}, "auth", "plugins", "trust", "acme"); r.code != 0 {
		t.Fatalf("trust: exit %d: %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{stdin: key}, "auth", "login", "acme", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	if got := stored(t, set, "acme"); got != `{"key":"`+key+`","type":"api_key"}` {
		t.Errorf("keyring holds %q", got)
	}
}
