package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/iostreams"
)

func bytesReader(s string) *strings.Reader { return strings.NewReader(s) }

func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	home := t.TempDir()
	code = Main(context.Background(), io, args, func(k string) string {
		if v, ok := env[k]; ok || k != "HOME" {
			return v
		}
		return home
	})
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "terok ") || !strings.Contains(out, "plugin protocol 1") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

func TestBadEnvironmentIsReported(t *testing.T) {
	for env, want := range map[string]string{
		"TEROK_LOG_LEVEL":        `log_level "soon" (from env TEROK_LOG_LEVEL) must be one of trace, debug, info, warn, error, off`,
		"TEROK_PLUGIN_TIMEOUT":   `plugin_timeout "soon" (from env TEROK_PLUGIN_TIMEOUT) must be a positive duration`,
		"TEROK_KEYRING_TIMEOUT":  `keyring_timeout "soon" (from env TEROK_KEYRING_TIMEOUT) must be a positive duration`,
		"TEROK_CREDENTIAL_STORE": `store "soon" (from env TEROK_CREDENTIAL_STORE) must be one of keyring, file`,
	} {
		code, _, stderr := run(t, map[string]string{env: "soon"}, "config")
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q", env, code, stderr)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := run(t, nil, "frobnicate")
	if code != exitUsage || !strings.Contains(stderr, "terok --help") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestProvidersWithoutPluginsListsTheBundledYAML(t *testing.T) {
	dir := t.TempDir()
	// HOME and the plugin path point at empty dirs; the system dirs and the
	// test binary's own dir hold no terok-provider-* either.
	code, out, stderr := run(t, map[string]string{"TEROK_PLUGIN_PATH": dir, "HOME": dir}, "auth", "providers", "--json")
	var list []providerJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s %s", code, err, out, stderr)
	}
	var names []string
	for _, p := range list {
		if p.Kind != "yaml" || !strings.HasPrefix(p.Source, "bundled:") {
			t.Errorf("%+v", p)
		}
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "blablador,coderabbit,gh,glab,kisski,openrouter,sonar,vibe" {
		t.Errorf("names = %v", names)
	}
}

// An exec's code is the command's, and runMain says so, so that main
// leaves it alone whatever signal terok saw; any other command's code is
// terok's own.
func TestRunMainSaysWhenTheCodeIsTheCommands(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home, "TEROK_CREDENTIAL_STORE": "file", "TEROK_GH_API_KEY": "ghp_0123456789abcdefghij0123456789abcdef"}
	getenv := func(k string) string { return env[k] }
	io, _, _, errOut := iostreams.Test()
	code, commands := runMain(context.Background(), io, []string{"auth", "exec", "gh", "--", "sh", "-c", `test -n "$GH_TOKEN" && exit 3`}, getenv)
	if code != 3 || !commands {
		t.Errorf("exec: runMain = %d, %v; want 3, true (%s)", code, commands, errOut)
	}
	io, _, _, _ = iostreams.Test()
	if code, commands := runMain(context.Background(), io, []string{"auth", "token", "Bad"}, getenv); code != exitUsage || commands {
		t.Errorf("token: runMain = %d, %v; want %d, false", code, commands, exitUsage)
	}
}
