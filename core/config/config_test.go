package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(file, []byte("store: file\nkeyring_timeout: 2s\nplugin_timeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEROK_KEYRING_TIMEOUT": "7s", "TEROK_CREDENTIAL_STORE": "file"}
	c, err := Load(file, func(k string) string { return env[k] }, map[string]string{"store": "keyring"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"store":           {"keyring", "flag --store"},
		"keyring_timeout": {"7s", "env TEROK_KEYRING_TIMEOUT"},
		"plugin_timeout":  {"3s", file},
		"log_level":       {"warn", "default"},
		"auth_image":      {"", "default"},
	}
	for _, v := range c.Values() {
		if w, ok := want[v.Key]; ok && (v.Value != w[0] || v.Source != w[1]) {
			t.Errorf("%s = %q from %q, want %q from %q", v.Key, v.Value, v.Source, w[0], w[1])
		}
	}
	if c.Duration("keyring_timeout").Seconds() != 7 {
		t.Errorf("Duration = %v", c.Duration("keyring_timeout"))
	}
	for _, v := range c.Values() {
		if v.Help == "" {
			t.Errorf("%s has no help text for terok config", v.Key)
		}
	}
}

func TestMissingFileIsDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none.yml"), func(string) string { return "" }, nil, nil)
	if err != nil || c.Get("store") != "keyring" {
		t.Fatalf("%v %v", c, err)
	}
}

func TestBadValuesFromEnvAndFlags(t *testing.T) {
	_, err := Load("", func(k string) string { return map[string]string{"TEROK_PLUGIN_TIMEOUT": "soon"}[k] }, map[string]string{"store": "cloud"}, nil)
	for _, want := range []string{`plugin_timeout "soon" (from env TEROK_PLUGIN_TIMEOUT) must be a positive duration`, `store "cloud" (from flag --store) must be one of keyring, file`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unknown key", "store: file\nstorage: x\n", `c.yml:2:1: unknown setting "storage" (known: auth_image, default_set, keyring_timeout, log_level, mounts_dir, openbao_auth, openbao_auth_mount, openbao_jwt_file, openbao_jwt_role, openbao_mount, openbao_prefix, openbao_role_id_file, openbao_secret_id_file, openbao_secret_id_wrapped, openbao_timeout, plugin_start_timeout, plugin_timeout, refresh_margin, store)`},
		{"relative mounts dir", "mounts_dir: mounts\n", `c.yml:1:13: mounts_dir "mounts" must be an absolute path`},
		{"bad value", "log_level: loud\n", `c.yml:1:12: log_level "loud" must be one of trace, debug, info, warn, error, off`},
		{"bad duration", "keyring_timeout: -1s\n", `c.yml:1:18: keyring_timeout "-1s" must be a positive duration`},
		{"not a scalar", "store:\n  - file\n", "c.yml:2:3: store must be a single value"},
		{"not a mapping", "- store\n", "c.yml:1:1: expected a mapping of settings"},
		{"duplicate", "store: file\nstore: keyring\n", "c.yml:2:1: store is set twice"},
		{"syntax error", "store: [file\n", "c.yml:1: did not find expected"},
		{"syntax error on line 2", "store: keyring\nlog_level: [debug\n", "c.yml:2: did not find expected ',' or ']'"},
		{"missing colon on line 2", "store: keyring\nlog_level debug\nplugin_timeout: 1s\n", "c.yml:2: could not find expected ':'"},
		{"unclosed quote", "store: \"file\nlog_level: warn\n", "c.yml:1: "},
		{"tab on line 1", "\tstore: file\n", "c.yml:1:1: a tab character: YAML indents with spaces"},
		{"tab on line 2", "store: file\n\tx: y\n", "c.yml:2:1: a tab character: YAML indents with spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yml", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	for _, ok := range []string{"", "# only a comment\n", "~\n", "store: file\n"} {
		if _, err := Parse("c.yml", []byte(ok)); err != nil {
			t.Errorf("Parse(%q) = %v", ok, err)
		}
	}
}

func TestHugeFileIsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(file, []byte("# "+strings.Repeat("x", maxFileSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file, func(string) string { return "" }, nil, nil); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("store: file\nkeyring_timeout: 2s\n"))
	f.Add([]byte("a: [1, {b: c}]\n"))
	f.Add([]byte("&a x: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yml", data)
		if err != nil {
			return
		}
		for k, v := range m {
			found := false
			for _, s := range Settings() {
				if s.Key == k {
					found = true
					if s.validate != nil && s.validate(v) != nil {
						t.Fatalf("accepted invalid %s=%q", k, v)
					}
				}
			}
			if !found {
				t.Fatalf("accepted unknown key %q", k)
			}
		}
	})
}

// A broken file or a bad value leaves a usable Config: the value before it
// wins, and the error says what was wrong.
func TestLoadFallsBackAndReports(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(file, []byte("store: file\nlog_level [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEROK_LOG_LEVEL": "loud", "TEROK_PLUGIN_TIMEOUT": "3s"}
	c, err := Load(file, func(k string) string { return env[k] }, nil, map[string]string{"mounts_dir": "/data/mounts"})
	if err == nil || !strings.Contains(err.Error(), "config.yml:2:") || !strings.Contains(err.Error(), `log_level "loud"`) {
		t.Errorf("err = %v", err)
	}
	if c == nil {
		t.Fatal("no Config")
	}
	for key, want := range map[string]string{"store": "keyring", "log_level": "warn", "plugin_timeout": "3s", "mounts_dir": "/data/mounts"} {
		if got := c.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

// TestSettingsCannotBeChangedFromOutside: what Settings returns is a copy,
// so no importer can change what terok validates or shows.
func TestSettingsCannotBeChangedFromOutside(t *testing.T) {
	got := Settings()
	if len(got) == 0 {
		t.Fatal("no settings")
	}
	want := got[0].Default
	got[0].Default = "changed by a caller"
	if again := Settings()[0].Default; again != want {
		t.Errorf("Settings()[0].Default = %q after a caller changed its copy, want %q", again, want)
	}
}
