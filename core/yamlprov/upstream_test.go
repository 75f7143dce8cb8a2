package yamlprov

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

func loadUpstreamFile(t *testing.T, name string) (*File, error) {
	t.Helper()
	path := filepath.Join("testdata", "upstream", name+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Load(path, data)
}

// Upstream's own agent files, verbatim, load; their other keys are
// ignored, the auth: block is read, and each keeps the provider contract.
func TestUpstreamAgentFilesLoadVerbatim(t *testing.T) {
	for _, c := range []struct {
		name, label string
		modes       []string
	}{
		{"claude", "Claude", []string{"oauth", "api_key"}},
		{"codex", "Codex", []string{"oauth", "api_key"}},
		{"gh", "GitHub CLI", []string{"oauth", "api_key"}},
		{"glab", "GitLab CLI", []string{"api_key"}},
		{"sonar", "SonarCloud", []string{"api_key"}},
		{"vibe", "Mistral Vibe", []string{"api_key"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := loadUpstreamFile(t, c.name)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if f.Name != c.name || f.Label != c.label || strings.Join(f.Modes, ",") != strings.Join(c.modes, ",") {
				t.Errorf("got name %q label %q modes %v", f.Name, f.Label, f.Modes)
			}
			if !strings.HasPrefix(f.Description, UpstreamNote) {
				t.Errorf("description %q does not say where it came from", f.Description)
			}
			providertest.Run(t, New(f))
		})
	}
}

func TestUpstreamClaudeCapturesAndWritesItsState(t *testing.T) {
	f, err := loadUpstreamFile(t, "claude")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(f.PostCaptureState[".claude.json"]); got != `{"hasCompletedOnboarding":true}`+"\n" {
		t.Errorf("post_capture_state as a mapping = %q", got)
	}
	files := map[string][]byte{".credentials.json": []byte(`{"claudeAiOauth":{"accessToken":"sk-ant-oat01-access","refreshToken":"sk-ant-ort01-refresh","expiresAt":1796083200000,"subscriptionType":"max"}}`)}
	providertest.Run(t, New(f), providertest.WithCapture(sdk.ModeOAuth, files))
	resp, err := New(f).Capture(context.Background(), &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := resp.Credential.ExpiresAt(); !ok || at.Unix() != 1796083200 || resp.Credential.Get("refresh_token") != "sk-ant-ort01-refresh" {
		t.Errorf("captured %v (expires %v)", resp.Credential.Fields, at)
	}
	if string(resp.StateFiles[".claude.json"]) != `{"hasCompletedOnboarding":true}`+"\n" {
		t.Errorf("state files = %q", resp.StateFiles)
	}
}

func TestUpstreamCodexAndGhCapture(t *testing.T) {
	for name, files := range map[string]map[string][]byte{
		"codex": {"auth.json": []byte(`{"tokens":{"access_token":"codex-access","refresh_token":"codex-refresh-token","id_token":"idt","account_id":"acc"}}`)},
		"gh":    {"hosts.yml": []byte("github.com:\n  oauth_token: gho_abcdefabcdefabcdef\n  user: octocat\n")},
	} {
		f, err := loadUpstreamFile(t, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { providertest.Run(t, New(f), providertest.WithCapture(sdk.ModeOAuth, files)) })
	}
}

func TestUpstreamAgentWithoutAuth(t *testing.T) {
	_, err := loadUpstreamFile(t, "copilot")
	if err == nil || !strings.Contains(err.Error(), "has no auth: block") || !strings.Contains(err.Error(), "copilot.yaml") {
		t.Errorf("copilot (no auth:) = %v", err)
	}
}

func TestUpstreamBadFiles(t *testing.T) {
	for _, c := range []struct {
		file, data, want string
	}{
		{"x.yaml", "roster_version: 2\nlabel: X\nauth: {host_dir: _x, container_mount: /home/dev/.x}\n", "x.yaml:1:17: roster_version 2 is not supported"},
		{"x.yaml", "roster_version: 1\nlabel: X\nauth:\n  host_dir: _x\n  container_mount: /home/dev/.x\n  colour: red\n", `x.yaml:6:3: auth: unknown key "colour"`},
		{"Bad.yaml", "roster_version: 1\nlabel: X\nauth: {host_dir: _x, container_mount: /home/dev/.x}\n", `"Bad" is not a provider name`},
		{"tool.yaml", "roster_version: 1\nlabel: Tool\nauth: {host_dir: _t, container_mount: /home/dev/.t, modes: [oauth], command: [tool, login]}\n", "terok knows how only for claude, codex, gh"},
		{"x.yaml", "roster_version: 1\nlabel: X\nauth: [a, b]\n", "x.yaml:3:7: auth: expected a mapping (key: value), got a list"},
		{"x.yaml", "roster_version: 1\nlabel: X\nauth: {host_dir: /abs, container_mount: /home/dev/.x}\n", "auth: host_dir \"/abs\" must be a directory name"},
		{"x.yaml", "roster_version: 1\nlabel: X\nauth: {host_dir: _x, container_mount: /home/dev/.x, post_capture_state: {a.json: 3}}\n", "expected the file's text, or a mapping"},
		{"x.yaml", "roster_version: 1\nlabel: X\nauth: {host_dir: _x, container_mount: /home/dev/.x, post_capture_state: {../a.json: {}}}\n", "leaves its directory"},
		{"x.yaml", "roster_version: 1\nlabel: X\nauth: {host_dir: _x, container_mount: /home/dev/.x}\n---\nlabel: Y\n", "second YAML document"},
		{"x.yaml", "roster_version: 1\nauth: {host_dir: _x, container_mount: /home/dev/.x}\n", "label is missing"},
	} {
		_, err := Load(c.file, []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%q) = %v, want %q", c.data, err, c.want)
		}
	}
}

// post_capture_state as a mapping in terok's own format too.
func TestPostCaptureStateMapping(t *testing.T) {
	f, err := Load("t.yaml", []byte("name: t\nlabel: T\nhost_dir: _t\npost_capture_state:\n  state.json: {done: true, list: [1, 2]}\n  note.txt: hello\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.PostCaptureState["state.json"] != `{"done":true,"list":[1,2]}`+"\n" || f.PostCaptureState["note.txt"] != "hello" {
		t.Errorf("post_capture_state = %q", f.PostCaptureState)
	}
}

func FuzzLoadUpstream(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "upstream", "*.yaml"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Load("agent.yaml", data)
		if err == nil && !sdk.ValidName(file.Name) {
			t.Errorf("loaded a provider named %q", file.Name)
		}
	})
}
