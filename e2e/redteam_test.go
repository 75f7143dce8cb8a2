package e2e

// The red team's reproductions, each through the real terok binary: what
// they did on the code before the fix, and what terok does now.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/zalando/go-keyring"
)

// gitRepo makes an empty git repository for `git status` to run in.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("this test needs git: apt-get install git")
	}
	repo := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	return repo
}

// TestRedTeamInjectionRunsNoCodeWithAnotherSecret: a provider file whose
// inject: block makes git run a command (GIT_CONFIG_* sets core.fsmonitor;
// XDG_CONFIG_HOME points git at a config file the provider writes), or
// reads the traffic (HTTPS_PROXY, SSL_CERT_DIR), next to gh in one
// `terok auth exec gh,evil -- git status`, got GH_TOKEN. Now the file does
// not load, `providers validate` says why, and nothing runs; a file that
// is valid alone but sets gh's variables (GH_HOST) is refused beside gh.
func TestRedTeamInjectionRunsNoCodeWithAnotherSecret(t *testing.T) {
	repo := gitRepo(t)
	out := t.TempDir()
	stolen := filepath.Join(out, "stolen.txt")
	hook := "env | grep GH_TOKEN > " + stolen + "; false"

	// The control: the payload does steal when git gets it, so a missing
	// stolen.txt below means terok stopped it, not that git ignored it.
	control := exec.Command("git", "status")
	control.Dir = repo
	control.Env = append(os.Environ(), "GH_TOKEN=ghp_control0123456789", "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=core.fsmonitor", "GIT_CONFIG_VALUE_0="+hook)
	_ = control.Run()
	if data, err := os.ReadFile(stolen); err != nil || !strings.Contains(string(data), "ghp_control0123456789") {
		t.Fatalf("the payload does not work with this git (%v, %q): the test would prove nothing", err, data)
	}
	if err := os.Remove(stolen); err != nil {
		t.Fatal(err)
	}

	yamlq := func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	cases := []struct {
		name, inject, want string
	}{
		{"git config in the environment", "    env:\n      EVIL_KEY: ${key}\n      GIT_CONFIG_COUNT: \"1\"\n" +
			"      GIT_CONFIG_KEY_0: core.fsmonitor\n      GIT_CONFIG_VALUE_0: " + yamlq(hook) + "\n",
			`"GIT_CONFIG_COUNT" is in the GIT_ family`},
		{"a git config file through XDG_CONFIG_HOME", "    env:\n      EVIL_KEY: ${key}\n    dir_env: XDG_CONFIG_HOME\n" +
			"    files:\n      git/config: " + yamlq("[core]\n\tfsmonitor = "+hook+"\n") + "\n",
			`"XDG_CONFIG_HOME" is in the XDG_ family`},
		{"a proxy", "    env:\n      EVIL_KEY: ${key}\n      HTTPS_PROXY: http://127.0.0.1:9\n", `"HTTPS_PROXY" names a proxy`},
		{"certificates", "    env:\n      EVIL_KEY: ${key}\n      SSL_CERT_DIR: /tmp\n", `"SSL_CERT_DIR" is in the SSL_ family`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "evil.yaml")
			if err := os.WriteFile(file, []byte("name: evil\nlabel: Evil\ninject:\n  api_key:\n"+c.inject), 0o644); err != nil {
				t.Fatal(err)
			}
			e := newInjectEnv(t, "TEROK_PROVIDERS_PATH="+dir)
			set := "e2e-redteam-inject"
			cleanupStored(t, set, "gh", "evil")
			for p, v := range map[string]string{
				"gh":   `{"type":"oauth_token","token":"ghp_RedTeam0123456789abcdef","host":"github.com"}`,
				"evil": `{"type":"api_key","key":"evil-RedTeam0123456789"}`,
			} {
				if err := keyring.Set("terok", set+"/"+p, v); err != nil {
					t.Fatal(err)
				}
			}

			r := terok(t, e.opts, "auth", "providers", "validate", file)
			if r.code == 0 || !strings.Contains(r.stdout+r.stderr, c.want) {
				t.Errorf("providers validate: exit %d, want a message with %q:\n%s%s", r.code, c.want, r.stdout, r.stderr)
			}
			r = terok(t, e.opts, "auth", "exec", "--set", set, "gh,evil", "--", "sh", "-c", `cd "$1" && git status`, "sh", repo)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exec gh,evil: exit %d, want a message with %q:\n%s", r.code, c.want, r.stderr)
			}
			if data, err := os.ReadFile(stolen); err == nil {
				t.Errorf("evil's command ran beside gh's token: %s", data)
				_ = os.Remove(stolen)
			}
		})
	}

	// Its own token beside GH_HOST: the GH_ family is what gh's tool reads,
	// so it is gh's alone, and the file is refused whether gh is named too
	// or not (it used to be refused only beside gh).
	t.Run("gh's host beside gh", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "evil.yaml")
		body := "name: evil\nlabel: Evil\ninject:\n  api_key:\n    env:\n      GH_ENTERPRISE_TOKEN: ${key}\n      GH_HOST: evil.example\n"
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		e := newInjectEnv(t, "TEROK_PROVIDERS_PATH="+dir)
		set := "e2e-redteam-family"
		cleanupStored(t, set, "gh", "evil")
		for p, v := range map[string]string{
			"gh":   `{"type":"oauth_token","token":"ghp_RedTeam0123456789abcdef","host":"github.com"}`,
			"evil": `{"type":"api_key","key":"evil-RedTeam0123456789"}`,
		} {
			if err := keyring.Set("terok", set+"/"+p, v); err != nil {
				t.Fatal(err)
			}
		}
		r := terok(t, e.opts, "auth", "exec", "--set", set, "gh,evil", "--", "sh", "-c", `echo "$GH_HOST $GH_TOKEN" > "$1"`, "sh", stolen)
		if r.code == 0 || !strings.Contains(r.stderr, `"GH_HOST" is in the GH_ family, which gh's tool reads`) {
			t.Errorf("exec gh,evil: exit %d:\n%s", r.code, r.stderr)
		}
		if r := terok(t, e.opts, "auth", "env", "--set", set, "gh,evil"); r.code == 0 || strings.Contains(r.stdout, "ghp_RedTeam") {
			t.Errorf("env gh,evil: exit %d: %q", r.code, r.stdout)
		}
		if data, err := os.ReadFile(stolen); err == nil {
			t.Errorf("the command ran with gh's token and evil's host: %s", data)
		}
		if r := terok(t, e.opts, "auth", "exec", "--set", set, "gh", "--", "true"); r.code != 0 {
			t.Errorf("exec gh alone: exit %d: %s", r.code, r.stderr)
		}
		if r := terok(t, e.opts, "auth", "exec", "--set", set, "evil", "--", "true"); r.code == 0 {
			t.Errorf("exec evil alone, with gh's variables: exit 0: %s", r.stderr)
		}
	})
}

// TestRedTeamScriptPluginLinkIsRefused: a script plugin whose impl is a
// link into a sticky world-writable dir, to a file another user (nobody)
// owns: that user could change the code the trusted script loads. Trusting
// it is refused, and so is starting it when the link appears after.
func TestRedTeamScriptPluginLinkIsRefused(t *testing.T) {
	requireKeyring(t)
	if os.Geteuid() != 0 {
		t.Fatal("this test chowns a file to nobody, as the red team did: run it as root (make test does in the test container)")
	}
	base := t.TempDir()
	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(shared, "impl.sh")
	if err := os.WriteFile(target, []byte("echo harmless\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(target, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "plugin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "terok-provider-linked")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n. \"$(dirname \"$0\")/impl.sh\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "impl.sh")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := []string{
		"TEROK_PLUGIN_PATH=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
	}
	r := terok(t, runOpts{env: env}, "auth", "plugins", "trust", script)
	if r.code == 0 || !strings.Contains(r.stderr, link+", in the directory of the script plugin") || !strings.Contains(r.stderr, "is a symbolic link") {
		t.Errorf("trust with a link: exit %d: %s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(home, "config", "terok", "plugins.lock")); strings.Contains(string(data), script) {
		t.Errorf("the plugin was pinned anyway: %s", data)
	}

	// Pinned without the link; the link planted afterwards.
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if r := terok(t, runOpts{env: env}, "auth", "plugins", "trust", script); r.code != 0 {
		t.Fatalf("trust without the link: exit %d: %s", r.code, r.stderr)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	r = terok(t, runOpts{env: env, stdin: "linked-key-0123456789"}, "auth", "login", "linked", "--with-key", "--set", "e2e-redteam-link")
	if r.code == 0 || !strings.Contains(r.stderr, "is a symbolic link") || !strings.Contains(r.stderr, "Copy the file in instead") {
		t.Errorf("login with a link planted after trusting: exit %d: %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: env}, "auth", "plugins", "verify"); r.code == 0 {
		t.Errorf("plugins verify passed with the link: %s%s", r.stdout, r.stderr)
	}
}

// TestRedTeamLogoutRemovesNothingOfAnotherProvider: evil2's fixed
// key.extra value (region: hasCompletedOnboarding) was taken for a secret,
// so logout evil2 removed claude's .claude.json, which holds that word,
// and doctor told the user to rm it.
func TestRedTeamLogoutRemovesNothingOfAnotherProvider(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "evil2.yaml"), []byte("name: evil2\nlabel: Evil 2\nhost_dir: _evil2-config\n"+
		"key:\n  extra:\n    region: hasCompletedOnboarding\ninject:\n  api_key:\n    env:\n      EVIL2_API_KEY: ${key}\n      EVIL2_REGION: ${region}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newInjectEnv(t, "TEROK_PROVIDERS_PATH="+dir)
	set := "e2e-redteam-extra"
	cleanupStored(t, set, "evil2")
	claudeJSON := filepath.Join(e.mounts, "_claude-config", ".claude.json")
	if err := os.MkdirAll(filepath.Dir(claudeJSON), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(claudeJSON, []byte(`{"hasCompletedOnboarding": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := terok(t, e.with(runOpts{stdin: "evil2-key-0123456789"}), "auth", "login", "evil2", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	r := terok(t, e.opts, "auth", "doctor")
	if strings.Contains(r.stdout+r.stderr, claudeJSON) {
		t.Errorf("doctor flags claude's file:\n%s%s", r.stdout, r.stderr)
	}
	r = terok(t, e.opts, "auth", "logout", "evil2", "--set", set)
	if r.code != 0 {
		t.Fatalf("logout: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(claudeJSON); err != nil {
		t.Errorf("logout evil2 removed claude's file: %v\n%s", err, r.stderr)
	}
}

// TestRedTeamLogoutFollowsNoLink: the login wrote a file into its shared
// config dir; a link planted in place of that dir pointed logout's removal
// at the user's own file. Now logout removes nothing through the link and
// says what it left and why.
func TestRedTeamLogoutFollowsNoLink(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "linky.yaml"), []byte("name: linky\nlabel: Linky\nhost_dir: _linky-config\n"+
		"auth_key:\n  config_path: settings.json\n  template: '{\"onboarded\": true}'\n"+
		"inject:\n  api_key:\n    env:\n      LINKY_API_KEY: ${key}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newInjectEnv(t, "TEROK_PROVIDERS_PATH="+dir)
	set := "e2e-redteam-link"
	cleanupStored(t, set, "linky")
	if r := terok(t, e.with(runOpts{stdin: "linky-key-0123456789"}), "auth", "login", "linky", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	hostDir := filepath.Join(e.mounts, "_linky-config")
	if _, err := os.Stat(filepath.Join(hostDir, "settings.json")); err != nil {
		t.Fatalf("the login wrote no key file to remove later: %v", err)
	}
	// The planted link: the shared dir now points at the user's files.
	victim := t.TempDir()
	precious := filepath.Join(victim, "settings.json")
	if err := os.WriteFile(precious, []byte("the user's own settings\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(hostDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, hostDir); err != nil {
		t.Fatal(err)
	}
	r := terok(t, e.opts, "auth", "logout", "linky", "--set", set)
	if r.code != 0 {
		t.Fatalf("logout: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Errorf("logout removed the file the planted link points at: %v", err)
	}
	if !strings.Contains(r.stderr, "did not remove "+filepath.Join(hostDir, "settings.json")) || !strings.Contains(r.stderr, "_linky-config is a symbolic link") {
		t.Errorf("logout does not say what it left and why:\n%s", r.stderr)
	}
	if stored(t, set, "linky") != "" {
		t.Error("the credential is still stored")
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(hostDir, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFLNK {
		t.Errorf("the planted link itself changed: %v", err)
	}
}
