package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const ghToken = "gho_0123456789abcdefABCDEF0123456789"

func ghCaptureDir(t *testing.T, hosts string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hosts.yml"), []byte(hosts), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestProvidersTestCapturesAndMasks(t *testing.T) {
	dir := ghCaptureDir(t, "github.com:\n  oauth_token: "+ghToken+"\n  user: octocat\n  git_protocol: https\n")
	code, out, stderr := run(t, nil, "auth", "providers", "test", "../../providers.d/gh.yaml", "--capture", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"provider:   gh", "mode:       oauth", "files read: hosts.yml", "credential: oauth_token",
		"host: github.com", "user: octocat", "token: <masked, 36 characters>"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr, ghToken) || strings.Contains(out+stderr, ghToken[4:12]) {
		t.Errorf("the token is shown:\n%s%s", out, stderr)
	}

	code, out, _ = run(t, nil, "auth", "providers", "test", "../../providers.d/gh.yaml", "--capture", dir, "--json", "--mode", "oauth")
	var res testResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("--json: exit %d, %v: %s", code, err, out)
	}
	if res.Fields["token"] != "<masked, 36 characters>" || res.Fields["host"] != "github.com" || res.Type != "oauth_token" {
		t.Errorf("--json = %+v", res)
	}
}

func TestProvidersTestSaysWhyNothingWasCaptured(t *testing.T) {
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"../../providers.d/gh.yaml", "--capture", empty}, exitError, "gh (oauth) captured nothing from " + empty},
		{[]string{"../../providers.d/gh.yaml", "--capture", ghCaptureDir(t, "github.com:\n  user: x\n")}, exitError, "captured nothing"},
		{[]string{"../../providers.d/gh.yaml"}, exitUsage, "--capture DIR is required"},
		{[]string{"../../providers.d/gh.yaml", "--capture", empty, "--mode", "api_key"}, exitUsage, "only oauth and device logins capture files"},
		{[]string{"../../providers.d/openrouter.yaml", "--capture", empty}, exitUsage, "has no oauth or device mode"},
		{[]string{"no-such.yaml", "--capture", empty}, exitError, "no such file"},
		{[]string{"../../providers.d/gh.yaml", "--capture", filepath.Join(empty, "missing")}, exitError, "read "},
	} {
		code, _, stderr := run(t, nil, append([]string{"auth", "providers", "test"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
