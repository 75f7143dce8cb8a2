package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/iostreams"
)

// Upstream terok's agent files, dropped into a providers directory as
// they are, list (with where they came from) and validate.
func TestUpstreamAgentFilesListAndValidate(t *testing.T) {
	dir, err := filepath.Abs("../../core/yamlprov/testdata/upstream")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEROK_PROVIDERS_PATH": dir, "TEROK_PLUGIN_PATH": t.TempDir()}
	code, out, stderr := run(t, env, "auth", "providers", "--all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"claude", "codex", "gh", "glab", "sonar", "vibe", "coderabbit", "blablador", "kisski", "openrouter"} {
		want := "note: " + name + " comes from " + filepath.Join(dir, name+".yaml") + ", read from an upstream terok agent file (roster_version 1); "
		if !strings.Contains(out, want) {
			t.Errorf("providers --all lacks %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"caddy", "copilot", "opencode", "toad"} {
		if want := "note: " + filepath.Join(dir, name+".yaml") + ": skipped: "; !strings.Contains(stderr, want) {
			t.Errorf("%s.yaml (no login) is not noted as skipped: %s", name, stderr)
		}
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("a file that describes no login is not a problem: %s", stderr)
	}

	code, out, _ = run(t, env, "auth", "providers", "--json")
	var list []providerJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("--json: exit %d, %v", code, err)
	}
	var gh providerJSON
	for _, p := range list {
		if p.Name == "gh" {
			gh = p
		}
	}
	if gh.Source != filepath.Join(dir, "gh.yaml") || gh.Label != "GitHub CLI" || len(gh.Modes) != 2 {
		t.Errorf("gh = %+v (the upstream file should win over the bundled one)", gh)
	}

	args := []string{"auth", "providers", "validate"}
	for _, n := range []string{"claude", "codex", "gh", "glab", "sonar", "vibe"} {
		args = append(args, filepath.Join(dir, n+".yaml"))
	}
	if code, out, stderr := run(t, nil, args...); code != 0 || strings.Count(out, ": ok") != 6 {
		t.Errorf("validate: exit %d\n%s%s", code, out, stderr)
	}
}

// providers validate on a directory of all 14 of upstream's agent files
// exits 0, names blablador, kisski and openrouter as API-key providers, and
// says why the other four were skipped. Before, 7 of the 14 failed.
func TestValidateAllUpstreamAgentFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "core", "yamlprov", "testdata", "upstream")
	code, out, stderr := run(t, isolated(t), "auth", "providers", "validate", dir)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	for _, want := range []string{
		"blablador.yaml: ok: blablador, an API-key provider",
		"kisski.yaml: ok: kisski, an API-key provider",
		"openrouter.yaml: ok: openrouter, an API-key provider",
		"claude.yaml: ok: claude (oauth, api_key)",
		"caddy.yaml: skipped: a runtime component that agents depend on (kind: runtime) with no auth: block, so it describes no login",
		"toad.yaml: skipped: a runtime component",
		"opencode.yaml: skipped: a bridge other agents run through (kind: bridge)",
		"copilot.yaml: skipped: an agent (kind: native) with no auth: block and no opencode: block",
		"10 providers; 4 files skipped: they describe no login",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate lacks %q:\n%s", want, out)
		}
	}
}

// An API-key login works through each of upstream's opencode agents, and
// the key reaches the variable their vault: block's phantom_env names.
func TestLoginThroughUpstreamOpenCodeAgents(t *testing.T) {
	dir, err := filepath.Abs("../../core/yamlprov/testdata/upstream")
	if err != nil {
		t.Fatal(err)
	}
	env := isolated(t, "TEROK_PROVIDERS_PATH", dir)
	for name, v := range map[string]string{"blablador": "BLABLADOR_API_KEY", "kisski": "KISSKI_API_KEY", "openrouter": "OPENROUTER_API_KEY"} {
		key := "upstream-" + name + "-0123456789abcdef"
		io, in, _, errOut := iostreams.Test()
		in.WriteString(key)
		if code := Main(context.Background(), io, []string{"auth", "login", name, "--with-key"}, func(k string) string { return env[k] }); code != exitOK {
			t.Fatalf("login %s: exit %d: %s", name, code, errOut)
		}
		if !strings.Contains(errOut.String(), "API key stored for "+name) {
			t.Errorf("login %s said %q", name, errOut)
		}
		code, out, stderr := run(t, env, "auth", "env", name)
		if code != exitOK || !strings.Contains(out, v+"="+key) && !strings.Contains(out, v+"='"+key+"'") {
			t.Errorf("env %s: exit %d\n%s%s", name, code, out, stderr)
		}
	}
}
