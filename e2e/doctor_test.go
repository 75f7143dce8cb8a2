package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func doctor(t *testing.T, o runOpts) (map[string]check, result) {
	t.Helper()
	r := terok(t, o, "auth", "doctor", "--json")
	var list []check
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("%v: %s\n%s", err, r.stdout, r.stderr)
	}
	m := map[string]check{}
	for _, c := range list {
		m[c.Name] = c
	}
	return m, r
}

type check struct{ Name, Status, Detail, Fix string }

func TestDoctor(t *testing.T) {
	requirePodman(t)
	t.Run("healthy", func(t *testing.T) {
		checks, r := doctor(t, runOpts{})
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stdout)
		}
		for _, name := range []string{"credential store (keyring)", "podman", "auth containers", "plugin claude", "plugin codex", "provider files"} {
			if checks[name].Status != "ok" {
				t.Errorf("%s: %+v", name, checks[name])
			}
		}
	})
	t.Run("problems", func(t *testing.T) {
		plugins := makePluginDir(t, false, "good")
		yamlDir := t.TempDir()
		if err := os.WriteFile(filepath.Join(yamlDir, "bad.yaml"), []byte("name: Bad\nlabel: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		checks, r := doctor(t, runOpts{env: []string{
			"TEROK_PLUGIN_PATH=" + plugins, "TEROK_PROVIDERS_PATH=" + yamlDir,
			"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", "TEROK_PODMAN=/nonexistent/podman",
		}})
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		if c := checks["credential store (keyring)"]; c.Status != "fail" || !strings.Contains(c.Fix, "gnome-keyring") {
			t.Errorf("keyring: %+v", c)
		}
		if c := checks["podman"]; c.Status != "warn" || !strings.Contains(c.Fix, "apt-get install podman") {
			t.Errorf("podman: %+v", c)
		}
		if c := checks["plugin good"]; c.Status != "warn" || !strings.Contains(c.Fix, "terok auth plugins trust") {
			t.Errorf("untrusted plugin: %+v", c)
		}
		if c := checks["provider file"]; c.Status != "fail" || !strings.Contains(c.Detail, "bad.yaml:1:7") {
			t.Errorf("broken provider file: %+v", c)
		}
	})
}
