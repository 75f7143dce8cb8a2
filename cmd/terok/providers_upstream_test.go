package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
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
	for _, name := range []string{"claude", "codex", "gh", "glab", "sonar", "vibe"} {
		want := "note: " + name + " comes from " + filepath.Join(dir, name+".yaml") + ", read from an upstream terok agent file (roster_version 1); keys other than label and auth are ignored"
		if !strings.Contains(out, want) {
			t.Errorf("providers --all lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "copilot.yaml") || !strings.Contains(stderr, "has no auth: block") {
		t.Errorf("copilot.yaml (no auth:) is not reported: %s", stderr)
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
