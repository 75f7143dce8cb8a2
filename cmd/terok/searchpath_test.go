package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Where terok looks for plugins is visible: in `terok config` and in the
// error for a plugin it cannot find.
func TestPluginSearchPathIsShown(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	env := map[string]string{"TEROK_PLUGIN_PATH": dir, "XDG_DATA_HOME": data}
	code, _, stderr := run(t, env, "config")
	want := dir + string(filepath.ListSeparator) + filepath.Join(data, "terok", "plugins")
	if code != 0 || !strings.Contains(stderr, "Plugin path (first wins): "+want) {
		t.Errorf("config: exit %d, stderr %q; want the plugin path %s", code, stderr, want)
	}
	code, out, _ := run(t, env, "config", "--json")
	var cfg struct {
		PluginPath []string `json:"plugin_path"`
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil || code != 0 || len(cfg.PluginPath) < 2 || cfg.PluginPath[0] != dir {
		t.Errorf("config --json: exit %d, %v, %+v", code, err, cfg)
	}
	code, _, stderr = run(t, env, "auth", "plugins", "trust", "gemini")
	if code != exitUsage || !strings.Contains(stderr, `no plugin "gemini" on the plugin path (searched: `+dir+", "+filepath.Join(data, "terok", "plugins")) {
		t.Errorf("trust of a missing plugin: exit %d, stderr %q", code, stderr)
	}
}

// The doctor lists where terok looks for plugins and provider files, on
// the screen and in --json.
func TestDoctorShowsTheSearchPath(t *testing.T) {
	env := isolated(t)
	dir, config := env["TEROK_PLUGIN_PATH"], filepath.Join(env["HOME"], ".config", "terok", "providers.d")
	_, out, stderr := run(t, env, "auth", "doctor")
	if !strings.Contains(out, "plugin path") || !strings.Contains(out, dir+string(filepath.ListSeparator)) ||
		!strings.Contains(out, "bundled, /etc/terok/providers.d, "+config) {
		t.Errorf("doctor does not show the search path:\n%s%s", out, stderr)
	}
	_, out, stderr = run(t, env, "auth", "doctor", "--json")
	var checks []check
	if err := json.Unmarshal([]byte(out), &checks); err != nil {
		t.Fatalf("doctor --json: %v\n%s%s", err, out, stderr)
	}
	found := map[string][]string{}
	for _, c := range checks {
		found[c.Name] = c.Dirs
	}
	if p := found["plugin path"]; len(p) < 2 || p[0] != dir {
		t.Errorf("doctor --json: plugin path = %v, want %s first", p, dir)
	}
	if y := found["provider file path"]; len(y) != 3 || y[0] != "bundled" || y[2] != config {
		t.Errorf("doctor --json: provider file path = %v", y)
	}
}

// An unknown provider's error says where terok looked, from every command
// that names one.
func TestUnknownProviderSaysWhereTerokLooked(t *testing.T) {
	env := isolated(t)
	dir, config := env["TEROK_PLUGIN_PATH"], filepath.Join(env["HOME"], ".config", "terok", "providers.d")
	for _, args := range [][]string{
		{"auth", "login", "nope", "--with-key"},
		{"auth", "status", "nope"},
		{"auth", "logout", "ghh"},
	} {
		code, _, stderr := run(t, env, args...)
		if code != exitUsage || !strings.Contains(stderr, "terok looked for plugins in "+dir+", ") ||
			!strings.Contains(stderr, "and for provider files in bundled, /etc/terok/providers.d, "+config) {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
