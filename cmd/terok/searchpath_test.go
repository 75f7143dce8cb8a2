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
