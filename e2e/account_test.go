package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type statusJSON struct {
	Provider      string     `json:"provider"`
	Set           string     `json:"set"`
	Authenticated bool       `json:"authenticated"`
	Type          string     `json:"type"`
	Backend       string     `json:"backend"`
	StoredAt      *time.Time `json:"stored_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	Expired       bool       `json:"expired"`
	ExpiringSoon  bool       `json:"expiring_soon"`
	EnvOverride   string     `json:"env_override"`
	Warning       string     `json:"warning"`
	Error         string     `json:"error"`
}

func statusOf(t *testing.T, o runOpts, args ...string) (statusJSON, result) {
	t.Helper()
	r := terok(t, o, append([]string{"auth", "status", "--json"}, args...)...)
	var list []statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 {
		t.Fatalf("status --json: %v\nstdout: %s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return list[0], r
}

// TestLifecycle: login, status, token, logout, status again, through the
// real binaries, against the real keyring and against the file store.
func TestLifecycle(t *testing.T) {
	requireKeyring(t)
	for _, backend := range []string{"keyring", "file"} {
		t.Run(backend, func(t *testing.T) {
			set := "e2e-life-" + backend
			o := runOpts{env: []string{"TEROK_CREDENTIAL_STORE=" + backend}}
			login := o
			login.stdin = codexKey
			before := time.Now().Add(-time.Second)
			if r := terok(t, login, "auth", "login", "codex", "--with-key", "--set", set); r.code != 0 {
				t.Fatalf("login: exit %d: %s", r.code, r.stderr)
			}

			st, r := statusOf(t, o, "codex", "--set", set)
			if r.code != 0 {
				t.Fatalf("status: exit %d: %s", r.code, r.stderr)
			}
			if st.Provider != "codex" || st.Set != set || !st.Authenticated || st.Type != "api_key" || st.Backend != backend ||
				st.StoredAt == nil || st.StoredAt.Before(before.Truncate(time.Second)) || st.StoredAt.After(time.Now()) ||
				st.ExpiresAt != nil || st.Expired || st.ExpiringSoon || st.EnvOverride != "" || st.Error != "" {
				t.Errorf("status = %+v", st)
			}
			if wantWarning := backend == "file"; (st.Warning != "") != wantWarning {
				t.Errorf("warning = %q", st.Warning)
			}
			if backend == "file" {
				checkFileStore(t, set)
				r := terok(t, o, "auth", "status", "codex", "--set", set)
				if !strings.Contains(r.stderr, "not encrypted") {
					t.Errorf("plain status does not warn about the file store: %q", r.stderr)
				}
			}

			if r := terok(t, o, "auth", "token", "codex", "--set", set); r.code != 0 || r.stdout != codexKey+"\n" {
				t.Errorf("token: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if r := terok(t, o, "auth", "token", "codex", "--set", set, "--field", "nope"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "it has: key") {
				t.Errorf("token --field nope: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}

			if r := terok(t, o, "auth", "logout", "codex", "--set", set); r.code != 0 || !strings.Contains(r.stderr, "Logged out of codex (set: "+set+")") {
				t.Errorf("logout: exit %d, %q", r.code, r.stderr)
			}
			if r := terok(t, o, "auth", "logout", "codex", "--set", set); r.code != 0 || !strings.Contains(r.stderr, "was not logged in") {
				t.Errorf("second logout: exit %d, %q", r.code, r.stderr)
			}

			st, r = statusOf(t, o, "codex", "--set", set)
			if r.code != 4 || st.Authenticated || st.Type != "" || st.StoredAt != nil {
				t.Errorf("status after logout: exit %d, %+v", r.code, st)
			}
			// The set now holds nothing: an unknown set, a usage error (2),
			// as help exit-codes promises.
			if r := terok(t, o, "auth", "token", "codex", "--set", set); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "unknown set") {
				t.Errorf("token after logout: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if backend == "keyring" && stored(t, set, "codex") != "" {
				t.Error("still in the keyring after logout")
			}
		})
	}
}

func checkFileStore(t *testing.T, set string) {
	t.Helper()
	dir := filepath.Join(os.Getenv("XDG_DATA_HOME"), "terok", "credentials")
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, set+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 || fi.Mode().Perm() != 0o600 {
		t.Errorf("modes: dir %v, file %v; want 0700 and 0600", di.Mode().Perm(), fi.Mode().Perm())
	}
}

func TestLogoutAllTouchesOnlyItsSet(t *testing.T) {
	requireKeyring(t)
	for _, k := range [][2]string{{"e2e-all", "claude"}, {"e2e-all", "codex"}, {"e2e-keep", "claude"}} {
		key := claudeKey
		if k[1] == "codex" {
			key = codexKey
		}
		if r := terok(t, runOpts{stdin: key}, "auth", "login", k[1], "--with-key", "--set", k[0]); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	t.Cleanup(func() { _ = deleteStored("e2e-keep", "claude") })
	r := terok(t, runOpts{}, "auth", "logout", "--all", "--set", "e2e-all")
	if r.code != 0 || !strings.Contains(r.stderr, "Logged out of claude") || !strings.Contains(r.stderr, "Logged out of codex") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if stored(t, "e2e-all", "claude") != "" || stored(t, "e2e-all", "codex") != "" {
		t.Error("--all left credentials in its set")
	}
	if !strings.Contains(stored(t, "e2e-keep", "claude"), claudeKey) {
		t.Error("--all touched another set")
	}
	var sets []struct {
		Name      string
		Providers []string
	}
	r = terok(t, runOpts{}, "auth", "sets", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &sets); err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		if s.Name == "e2e-all" {
			t.Errorf("sets still lists e2e-all: %+v", s)
		}
	}
}

func TestEnvOverrideWinsInTokenAndStatus(t *testing.T) {
	requireKeyring(t)
	set := "e2e-env"
	if r := terok(t, runOpts{stdin: claudeKey}, "auth", "login", "claude", "--with-key", "--set", set); r.code != 0 {
		t.Fatal(r.stderr)
	}
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	o := runOpts{env: []string{"TEROK_CLAUDE_API_KEY=ci-key"}}
	if r := terok(t, o, "auth", "token", "claude", "--set", set); r.stdout != "ci-key\n" {
		t.Errorf("token = %q", r.stdout)
	}
	st, _ := statusOf(t, o, "claude", "--set", set)
	if st.EnvOverride != "TEROK_CLAUDE_API_KEY" || !st.Authenticated {
		t.Errorf("status = %+v", st)
	}
	if r := terok(t, o, "auth", "status", "claude", "--set", set); !strings.Contains(r.stderr, "TEROK_CLAUDE_API_KEY is set and wins") {
		t.Errorf("status does not say the variable wins: %q", r.stderr)
	}
}

// TestConcurrentLogins runs 20 logins at once: different providers and sets,
// and several on the same credential. Nothing may be lost or corrupted.
func TestConcurrentLogins(t *testing.T) {
	requireKeyring(t)
	type job struct{ provider, set, key string }
	var jobs []job
	for i := 0; i < 14; i++ {
		p, key := "claude", fmt.Sprintf("%s%03d", claudeKey[:len(claudeKey)-3], i)
		if i%2 == 1 {
			p, key = "codex", fmt.Sprintf("%s%03d", codexKey[:len(codexKey)-3], i)
		}
		jobs = append(jobs, job{p, fmt.Sprintf("e2e-conc-%d", i), key})
	}
	same := map[string]bool{}
	for i := 0; i < 6; i++ {
		key := fmt.Sprintf("%s%03d", claudeKey[:len(claudeKey)-3], 100+i)
		same[key] = true
		jobs = append(jobs, job{"claude", "e2e-conc-same", key})
	}
	var wg sync.WaitGroup
	results := make([]result, len(jobs))
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = terok(t, runOpts{stdin: j.key, concurrent: true}, "auth", "login", j.provider, "--with-key", "--set", j.set)
		}()
	}
	wg.Wait()
	assertNoPluginLeft(t)
	t.Cleanup(func() {
		for _, j := range jobs {
			_ = deleteStored(j.set, j.provider)
		}
	})
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("login %d: exit %d: %s", i, r.code, r.stderr)
		}
	}
	for _, j := range jobs[:14] {
		if got := stored(t, j.set, j.provider); !strings.Contains(got, j.key) {
			t.Errorf("%s/%s holds %q, want %s", j.set, j.provider, got, j.key)
		}
	}
	var c struct{ Key string }
	if err := json.Unmarshal([]byte(stored(t, "e2e-conc-same", "claude")), &c); err != nil || !same[c.Key] {
		t.Errorf("the shared credential is %q (%v), want one of the keys written", c.Key, err)
	}
	// The index saw every write.
	r := terok(t, runOpts{}, "auth", "sets", "--json")
	for _, j := range jobs {
		if !strings.Contains(r.stdout, `"`+j.set+`"`) {
			t.Errorf("sets lacks %s: %s", j.set, r.stdout)
		}
	}
	index, err := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "terok", "index.json"))
	if err != nil || !json.Valid(index) {
		t.Errorf("index is not valid JSON: %v", err)
	}
}

func TestConfigFileChoosesTheStore(t *testing.T) {
	requireKeyring(t)
	cfgHome := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfgHome, "terok"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(cfgHome, "terok", "config.yml")
	if err := os.WriteFile(cfg, []byte("store: file\nkeyring_timeout: 2s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := runOpts{env: []string{"XDG_CONFIG_HOME=" + cfgHome}}
	r := terok(t, o, "config", "--json")
	var shown struct {
		File     string
		Settings []struct{ Key, Value, Source string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if shown.File != cfg || shown.Settings[0].Key != "store" || shown.Settings[0].Value != "file" || shown.Settings[0].Source != cfg {
		t.Errorf("config = %+v", shown)
	}
	// A flag beats the file.
	r = terok(t, o, "--store", "keyring", "config")
	if !strings.Contains(r.stdout, "flag --store") {
		t.Errorf("config with --store: %s", r.stdout)
	}
	// A broken file is a usage error that points at the line.
	if err := os.WriteFile(cfg, []byte("store: file\nstorage: keyring\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = terok(t, o, "auth", "status")
	if r.code != 2 || !strings.Contains(r.stderr, cfg+":2:1: unknown setting \"storage\"") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
