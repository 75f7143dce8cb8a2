package sdk

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk/internal/rules"
)

func TestRenderInjection(t *testing.T) {
	oauth := Credential{Type: TypeOAuth, Fields: map[string]any{
		"access_token": `a"b\c`, "refresh_token": "r$1", "expires_at": json.Number("1700000000"),
	}}
	in := Injection{
		CredentialType: TypeOAuth,
		Env:            map[string]string{"TOOL_TOKEN": "${access_token}", "TOOL_ORG": "$$5", "TOOL_ACCOUNT_ID": "${id_token?}", "TOOL_REGION": "${expires_at}"},
		Files:          map[string]string{"sub/auth.json": `{"a":${access_token|json},"i":${id_token?|json},"e":${expires_at|json}}`},
		DirEnv:         "TOOL_HOME",
	}
	r, err := in.Render(oauth)
	if err != nil {
		t.Fatal(err)
	}
	if r.Env["TOOL_TOKEN"] != `a"b\c` || r.Env["TOOL_ORG"] != "$5" || r.Env["TOOL_REGION"] != "1700000000" {
		t.Errorf("env = %v", r.Env)
	}
	if _, ok := r.Env["TOOL_ACCOUNT_ID"]; ok {
		t.Error("a variable that renders empty was set")
	}
	var got map[string]any
	if err := json.Unmarshal(r.Files["sub/auth.json"], &got); err != nil {
		t.Fatalf("file is not JSON: %v: %s", err, r.Files["sub/auth.json"])
	}
	if got["a"] != `a"b\c` || got["i"] != "" || got["e"] != float64(1700000000) {
		t.Errorf("file = %v", got)
	}
	if r.DirEnv != "TOOL_HOME" {
		t.Errorf("dir env = %q", r.DirEnv)
	}
	if f := in.Fields(); !f["access_token"] || f["id_token"] || len(f) != 3 {
		t.Errorf("fields = %v", f)
	}
}

func TestRenderFailsOnMissingFieldOrOtherType(t *testing.T) {
	in := Injection{CredentialType: TypeAPIKey, Env: map[string]string{"K_KEY": "${key}"}}
	if _, err := in.Render(Credential{Type: TypeAPIKey, Fields: map[string]any{"other": "x"}}); err == nil || !strings.Contains(err.Error(), `no field "key"`) {
		t.Errorf("missing field: %v", err)
	}
	if _, err := in.Render(Credential{Type: TypeOAuth, Fields: map[string]any{"key": "x"}}); err == nil {
		t.Error("rendered a credential of another type")
	}
	if _, err := in.Render(APIKey("a\x00b")); err == nil {
		t.Error("a NUL byte went into the environment")
	}
}

func TestInjectionValidateRejects(t *testing.T) {
	ok := func(in Injection) Injection {
		if in.CredentialType == "" {
			in.CredentialType = TypeAPIKey
		}
		return in
	}
	bad := map[string]Injection{
		"no type":                      {Env: map[string]string{"A_KEY": "${key}"}},
		"empty":                        ok(Injection{}),
		"bad name":                     ok(Injection{Env: map[string]string{"1A": "${key}"}}),
		"name with dash":               ok(Injection{Env: map[string]string{"A-B": "${key}"}}),
		"PATH":                         ok(Injection{Env: map[string]string{"PATH": "${key}"}}),
		"LD_PRELOAD":                   ok(Injection{Env: map[string]string{"LD_PRELOAD": "${key}"}}),
		"terok namespace":              ok(Injection{Env: map[string]string{"TEROK_X": "${key}"}}),
		"lone dollar":                  ok(Injection{Env: map[string]string{"A_KEY": "$key"}}),
		"trailing dollar":              ok(Injection{Env: map[string]string{"A_KEY": "x$"}}),
		"unclosed":                     ok(Injection{Env: map[string]string{"A_KEY": "${key"}}),
		"empty ref":                    ok(Injection{Env: map[string]string{"A_KEY": "${}"}}),
		"bad field":                    ok(Injection{Env: map[string]string{"A_KEY": "${a.b}"}}),
		"unknown filter":               ok(Injection{Env: map[string]string{"A_KEY": "${key|base64}"}}),
		"type field":                   ok(Injection{Env: map[string]string{"A_KEY": "${type}"}}),
		"file without dir":             ok(Injection{Files: map[string]string{"a": "${key}"}}),
		"absolute file":                ok(Injection{Files: map[string]string{"/etc/x": "${key}"}, DirEnv: "D_HOME"}),
		"escaping file":                ok(Injection{Files: map[string]string{"../x": "${key}"}, DirEnv: "D_HOME"}),
		"dir env reserved":             ok(Injection{Files: map[string]string{"x": "${key}"}, DirEnv: "HOME"}),
		"dir env twice":                ok(Injection{Env: map[string]string{"D_HOME": "${key}"}, Files: map[string]string{"x": "${key}"}, DirEnv: "D_HOME"}),
		"no credential suffix":         ok(Injection{Env: map[string]string{"PAGER": "${key}"}}),
		"suffix alone":                 ok(Injection{Env: map[string]string{"_KEY": "${key}"}}),
		"git config":                   ok(Injection{Env: map[string]string{"A_KEY": "${key}", "GIT_CONFIG_KEY_0": "core.fsmonitor"}}),
		"git family suffix":            ok(Injection{Env: map[string]string{"GIT_TOKEN": "${key}"}}),
		"proxy":                        ok(Injection{Env: map[string]string{"A_KEY": "${key}", "HTTPS_PROXY": "http://x"}}),
		"proxy host":                   ok(Injection{Env: map[string]string{"A_KEY": "${key}", "A_PROXY_HOST": "x"}}),
		"ssl":                          ok(Injection{Env: map[string]string{"SSL_CERT_DIR": "${key}"}}),
		"python":                       ok(Injection{Env: map[string]string{"PYTHONX_KEY": "${key}"}}),
		"pip index":                    ok(Injection{Env: map[string]string{"PIP_INDEX_KEY": "${key}"}}),
		"node":                         ok(Injection{Env: map[string]string{"NODE_AUTH_TOKEN": "${key}"}}),
		"docker host":                  ok(Injection{Env: map[string]string{"DOCKER_HOST": "tcp://x", "DOCKER_TOKEN": "${key}"}}),
		"xdg dir env":                  ok(Injection{Files: map[string]string{"git/config": "${key}"}, DirEnv: "XDG_CONFIG_HOME"}),
		"dir env not a home":           ok(Injection{Files: map[string]string{"x": "${key}"}, DirEnv: "A_TOKEN"}),
		"cargo home":                   ok(Injection{Files: map[string]string{"config.toml": "${key}"}, DirEnv: "CARGO_HOME"}),
		"dir env as variable":          ok(Injection{Env: map[string]string{"A_HOME": "${key}"}}),
		"host without its credential":  ok(Injection{Env: map[string]string{"A_KEY": "${key}", "GH_HOST": "evil.example"}}),
		"host with a fixed credential": ok(Injection{Env: map[string]string{"GH_TOKEN": "fixed", "GH_HOST": "evil.example"}}),
		"huge template":                ok(Injection{Env: map[string]string{"A_KEY": strings.Repeat("x", rules.MaxTemplateLength+1)}}),
		"mustache template":            ok(Injection{Env: map[string]string{"CORPCTL_TOKEN": "{{key}}"}}),
		"fixed secret beside a field":  ok(Injection{Env: map[string]string{"A_KEY": "${key}", "B_TOKEN": "fixed"}}),
		"no field anywhere":            ok(Injection{Env: map[string]string{"A_BASE_URL": "https://a.example"}}),
		"file with no field":           ok(Injection{Files: map[string]string{"x": "{}"}, DirEnv: "A_HOME"}),
	}
	for name, in := range bad {
		if err := in.Validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, in)
		}
	}
	good := &InjectionResponse{Injections: []Injection{
		{CredentialType: TypeAPIKey, Env: map[string]string{"A_TOKEN": "Bearer ${key}", "a_org": "x", "A_BASE_URL": "https://a.example"}},
		{CredentialType: TypeOAuth, Files: map[string]string{"d/auth.json": `{"t":${access_token|json}}`}, DirEnv: "CODEX_HOME"},
	}}
	for _, in := range good.Injections {
		if err := in.Validate(); err != nil {
			t.Errorf("good injection refused: %v", err)
		}
	}
	if in, ok := good.For(TypeOAuth); !ok || in.DirEnv != "CODEX_HOME" {
		t.Error("For did not find the oauth injection")
	}
}

// FuzzInjectionTemplate: templates come from plugins and YAML files, so
// parsing and rendering any of them must not panic, and what parses renders
// without a stray ${ left from the template.
func FuzzInjectionTemplate(f *testing.F) {
	for _, s := range []string{"${key}", "$$", "${a?|json}", "x${", "${a|b}", "Bearer ${token}", "{\"a\":${x|json}}", "{{key}}", "%s", "$key"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		in := Injection{CredentialType: "t", Env: map[string]string{"V_TOKEN": tmpl}}
		parseErr := in.Validate()
		_, err := in.Render(Credential{Type: "t", Fields: map[string]any{"key": "K", "a": "A", "x": 1.5, "token": "T"}})
		if parseErr != nil {
			if err == nil {
				t.Fatalf("invalid template %q rendered", tmpl)
			}
			return
		}
		if err != nil && !strings.Contains(err.Error(), "has no field") {
			t.Fatalf("valid template %q failed to render: %v", tmpl, err)
		}
	})
}
