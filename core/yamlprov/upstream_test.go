package yamlprov

import (
	"context"
	"errors"
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
		{"coderabbit", "CodeRabbit", []string{"api_key"}},
		{"blablador", "Blablador", []string{"api_key"}},
		{"kisski", "KISSKI", []string{"api_key"}},
		{"openrouter", "OpenRouter", []string{"api_key"}},
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

// Upstream's runtimes, its bridge and an agent with no login block are
// skipped, each with why: they are not errors.
func TestUpstreamFilesWithoutALoginAreSkipped(t *testing.T) {
	for name, want := range map[string]string{
		"copilot":  "an agent (kind: native) with no auth: block and no opencode: block",
		"caddy":    "a runtime component that agents depend on (kind: runtime) with no auth: block",
		"toad":     "(kind: runtime)",
		"opencode": "a bridge other agents run through (kind: bridge) with no auth: block and no opencode: block",
	} {
		_, err := loadUpstreamFile(t, name)
		var skip *NoLoginError
		if !errors.Is(err, ErrNoLogin) || !errors.As(err, &skip) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name+".yaml: skipped: ") {
			t.Errorf("%s = %v, want a skip saying %q", name, err, want)
		}
	}
}

// blablador, kisski and openrouter have no auth: block: as upstream's
// loader does, their opencode: block makes them API-key providers, and the
// key goes to the variable their vault: block's phantom_env names. Before,
// all three were refused ("has no auth: block").
func TestUpstreamOpenCodeAgentsAreAPIKeyProviders(t *testing.T) {
	for _, c := range []struct {
		name, env, url, hint, mount string
	}{
		{"blablador", "BLABLADOR_API_KEY", "https://codebase.helmholtz.cloud/-/user_settings/personal_access_tokens", "The token must include the ``read_user`` scope.", "/home/dev/.blablador"},
		{"kisski", "KISSKI_API_KEY", "https://chat-ai.academiccloud.de/", "Get your API key at: https://chat-ai.academiccloud.de/", "/home/dev/.kisski"},
		{"openrouter", "OPENROUTER_API_KEY", "https://openrouter.ai/keys", "billed against your OpenRouter credits.", "/home/dev/.openrouter"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := loadUpstreamFile(t, c.name)
			if err != nil {
				t.Fatal(err)
			}
			if f.HostDir != "_"+c.name+"-config" || f.ContainerMount != c.mount || !strings.HasSuffix(f.APIKeyHint, c.hint) {
				t.Errorf("host_dir %q, container_mount %q, hint %q", f.HostDir, f.ContainerMount, f.APIKeyHint)
			}
			if !strings.Contains(f.Description, "derived from its opencode: and vault: blocks") {
				t.Errorf("description %q does not say where the login comes from", f.Description)
			}
			p := New(f)
			kp, err := p.KeyPrompt(context.Background(), &sdk.KeyPromptRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if kp.URL != c.url || kp.EnvVar != c.env {
				t.Errorf("key prompt URL %q env %q", kp.URL, kp.EnvVar)
			}
			acc, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "sk-" + c.name + "-0123456789abcdef"})
			if err != nil {
				t.Fatal(err)
			}
			if acc.Credential.Type != sdk.TypeAPIKey || acc.Credential.Get("key") != "sk-"+c.name+"-0123456789abcdef" {
				t.Errorf("stored %v", acc.Credential)
			}
			inj := f.Inject[sdk.TypeAPIKey]
			if inj == nil || len(inj.Env) != 1 || inj.Env[c.env] != "${key}" {
				t.Errorf("inject = %+v, want %s=${key}", inj, c.env)
			}
		})
	}
}

// Every one of upstream's 14 files loads or is skipped as describing no
// login; none is an error.
func TestAllUpstreamAgentFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "upstream", "*.yaml"))
	if err != nil || len(files) != 14 {
		t.Fatalf("want upstream's 14 agent files, got %d (%v)", len(files), err)
	}
	var loaded, skipped []string
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		switch _, err := Load(path, data); {
		case err == nil:
			loaded = append(loaded, name)
		case errors.Is(err, ErrNoLogin):
			skipped = append(skipped, name)
		default:
			t.Errorf("%s: %v", path, err)
		}
	}
	if got := strings.Join(loaded, ","); got != "blablador,claude,coderabbit,codex,gh,glab,kisski,openrouter,sonar,vibe" {
		t.Errorf("loaded %s", got)
	}
	if got := strings.Join(skipped, ","); got != "caddy,copilot,opencode,toad" {
		t.Errorf("skipped %s", got)
	}
}

// The vault: and opencode: blocks are read as strictly as upstream reads
// them; the routing keys are accepted.
func TestUpstreamVaultAndOpenCodeBlocks(t *testing.T) {
	const head = "roster_version: 1\nlabel: X\n"
	const oc = "opencode: {display_name: X, base_url: https://x.example/v1, preferred_model: a, fallback_model: b, env_var_prefix: X, config_dir: .x, auth_key_url: https://x.example/keys}\n"
	for _, c := range []struct {
		data, want string
	}{
		{head + "vault: {route_prefix: x, upstream: https://x.example, colour: red}\n" + oc, `unknown key "colour" in vault`},
		{head + "vault: {upstream: https://x.example}\n" + oc, "vault: route_prefix is missing"},
		{head + "vault: {route_prefix: x}\n" + oc, "vault: upstream is missing"},
		{head + "vault: {route_prefix: x, upstream: https://x.example, credential_type: cookie}\n" + oc, `credential_type "cookie" is not one of api_key, oauth, oauth_token, pat`},
		{head + "vault: {route_prefix: x, upstream: https://x.example, socket_path: /run/x}\n" + oc, "socket_path is no longer configurable"},
		{head + "vault: {route_prefix: x, upstream: https://x.example, phantom_env: {X_API_KEY: yes please}}\n" + oc, "expected true or false"},
		{head + "vault: {route_prefix: x, upstream: https://x.example, oauth_refresh: {token_url: https://x.example/t}}\n" + oc, "oauth_refresh.client_id is missing"},
		{head + "vault: {route_prefix: x, upstream: https://x.example, shared_config_patch: [a]}\n" + oc, "expected a mapping"},
		{head + "vault: [a]\n" + oc, "vault: expected a mapping"},
		{head + "vault: {route_prefix: x, upstream: https://x.example, credential_type: oauth}\n" + oc, "logs in with an API key"},
		{head + "opencode: {display_name: X}\n", "opencode: base_url is missing"},
		{head + "kind: daemon\n" + oc, "kind: expected one of native, opencode, bridge, tool, runtime"},
		{head + "vault: {route_prefix: x, upstream: https://x.example, phantom_env: {LD_PRELOAD: true}}\n" + oc, "LD_PRELOAD"},
		{head + "kind: tool\n" + oc, "skipped: a tool (kind: tool) with no auth: block"},
	} {
		_, err := Load("x.yaml", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%q) = %v, want %q", c.data, err, c.want)
		}
	}
	// Every key of upstream's block, routing keys included, is accepted.
	f, err := Load("x.yaml", []byte(head+`vault:
  route_prefix: x
  upstream: https://x.example
  path_upstreams: {/b/: https://b.example}
  oauth_extra_headers: {x-beta: "1"}
  auth_header: Authorization
  auth_prefix: "Bearer "
  credential_type: api_key
  credential_file: config.json
  phantom_env: {X_API_KEY: true, X_OTHER_KEY: false}
  oauth_phantom_env: {X_OAUTH: true}
  base_url_env: X_BASE_URL
  socket_env: X_SOCKET
  shared_config_patch: {file: config.toml, toml_set: {api_base: "{vault_url}/v1"}}
  oauth_refresh: {token_url: https://x.example/t, client_id: c, scope: s}
`+oc))
	if err != nil {
		t.Fatal(err)
	}
	if env := f.Inject[sdk.TypeAPIKey].Env; len(env) != 1 || env["X_API_KEY"] != "${key}" {
		t.Errorf("inject env = %v, want X_API_KEY only (X_OTHER_KEY is false)", env)
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
