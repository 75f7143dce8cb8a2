package host_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

func TestCheckContainerSpec(t *testing.T) {
	good := func() *sdk.ContainerSpecResponse {
		return &sdk.ContainerSpecResponse{Image: "localhost/x:1", Command: []string{"codex", "login"}, ConfigPath: "/home/dev/.codex",
			RunArgs: []string{"-p", "127.0.0.1:1455:1455"}, Env: map[string]string{"A": "1"}}
	}
	if err := host.CheckContainerSpec(good()); err != nil {
		t.Fatalf("a good spec: %v", err)
	}
	noImage := good()
	noImage.Image = ""
	if err := host.CheckContainerSpec(noImage); err != nil {
		t.Errorf("no default image (the user gives one): %v", err)
	}
	for name, spoil := range map[string]func(*sdk.ContainerSpecResponse){
		"option as image": func(s *sdk.ContainerSpecResponse) { s.Image = "--volume=/etc:/host" },
		"host path image": func(s *sdk.ContainerSpecResponse) { s.Image = "oci-archive:/etc/shadow" },
		"bare env arg":    func(s *sdk.ContainerSpecResponse) { s.RunArgs = []string{"-e", "SECRET_NAME"} },
		"bad env name":    func(s *sdk.ContainerSpecResponse) { s.Env = map[string]string{"A B": "1"} },
		"NUL env value":   func(s *sdk.ContainerSpecResponse) { s.Env = map[string]string{"A": "\x00"} },
		"no command":      func(s *sdk.ContainerSpecResponse) { s.Command = nil },
		"NUL in command":  func(s *sdk.ContainerSpecResponse) { s.Command = []string{"a\x00"} },
		"relative path":   func(s *sdk.ContainerSpecResponse) { s.ConfigPath = "home" },
	} {
		s := good()
		spoil(s)
		if err := host.CheckContainerSpec(s); err == nil {
			t.Errorf("%s: accepted %+v", name, s)
		}
	}
	if host.CheckContainerSpec(nil) == nil {
		t.Error("accepted a nil spec")
	}
}
func TestCheckContainerSpecChecksUser(t *testing.T) {
	spec := &sdk.ContainerSpecResponse{Command: []string{"x"}, ConfigPath: "/home/dev/.x", User: "root"}
	if err := host.CheckContainerSpec(spec); err == nil || !strings.Contains(err.Error(), `user "root"`) {
		t.Errorf("host.CheckContainerSpec(User: root) = %v, want a user error", err)
	}
	spec.User = "0:0"
	if err := host.CheckContainerSpec(spec); err != nil {
		t.Errorf("host.CheckContainerSpec(User: 0:0) = %v", err)
	}
}
func TestValidateDescription(t *testing.T) {
	good := sdk.DescribeResponse{Name: "gh", Label: "GitHub CLI", Modes: []sdk.Mode{sdk.ModeAPIKey}, HostDir: "_gh-config"}
	if err := host.ValidateDescription(&good); err != nil {
		t.Fatalf("good description rejected: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*sdk.DescribeResponse)
		want   string
	}{
		{"upper case name", func(d *sdk.DescribeResponse) { d.Name = "GH" }, "name"},
		{"name with slash", func(d *sdk.DescribeResponse) { d.Name = "a/b" }, "name"},
		{"empty label", func(d *sdk.DescribeResponse) { d.Label = " " }, "label"},
		{"no modes", func(d *sdk.DescribeResponse) { d.Modes = nil }, "no modes"},
		{"unknown mode", func(d *sdk.DescribeResponse) { d.Modes = []sdk.Mode{"magic"} }, "unknown mode"},
		{"duplicate mode", func(d *sdk.DescribeResponse) { d.Modes = []sdk.Mode{sdk.ModeAPIKey, sdk.ModeAPIKey} }, "twice"},
		{"escaping host dir", func(d *sdk.DescribeResponse) { d.HostDir = "../etc" }, "host dir"},
		{"dot host dir", func(d *sdk.DescribeResponse) { d.HostDir = ".." }, "host dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good
			tt.mutate(&d)
			if err := host.ValidateDescription(&d); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// A provider may not name another's conventional shared config dir: the
// host writes its state files there and removes files holding its secret.
func TestHostDirOfAnotherProviderIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, dir string
		ok        bool
	}{
		{"evil", "_claude-config", false},
		{"evil", "_evil-config", true},
		{"evil", "_evil", true},
		{"my-tool", "_my-tool-config", true},
		{"my-tool", "_gh-config", false},
	} {
		err := host.CheckHostDirOwner(tc.name, tc.dir)
		if (err == nil) != tc.ok {
			t.Errorf("host.CheckHostDirOwner(%q, %q) = %v", tc.name, tc.dir, err)
		}
		d := &sdk.DescribeResponse{Name: tc.name, Label: "x", Modes: []sdk.Mode{sdk.ModeAPIKey}, HostDir: tc.dir}
		if err := host.ValidateDescription(d); (err == nil) != tc.ok {
			t.Errorf("host.ValidateDescription with host dir %q for %s = %v", tc.dir, tc.name, err)
		}
	}
}

// The bundled providers' names, the well-known tools' variables, and the
// variables a provider adds beside its credential are all accepted; each
// name's check stands alone.
func TestCheckEnvNameAcceptsCredentialVariables(t *testing.T) {
	for _, name := range []string{
		"ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "OPENAI_API_KEY", "GH_TOKEN", "GH_HOST", "GH_ENTERPRISE_TOKEN",
		"GITLAB_TOKEN", "GITLAB_HOST", "MISTRAL_API_KEY", "SONAR_TOKEN", "SONAR_HOST_URL", "CODERABBIT_API_KEY",
		"OPENROUTER_API_KEY", "BLABLADOR_API_KEY", "BLABLADOR_BASE_URL", "KISSKI_API_KEY", "KISSKI_BASE_URL",
		"ANTHROPIC_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_API_BASE", "AZURE_OPENAI_ENDPOINT",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "HF_TOKEN", "ACME_API_KEY", "PYACME_TOKEN",
	} {
		if err := host.CheckEnvName(name); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
	for _, name := range []string{"CODEX_HOME", "CLAUDE_CONFIG_DIR", "GH_CONFIG_DIR"} {
		if err := host.CheckDirEnvName(name); err != nil {
			t.Errorf("dir_env %s refused: %v", name, err)
		}
	}
	for _, c := range []struct{ provider, dirEnv string }{{"codex", "CODEX_HOME"}, {"my-tool", "MY_TOOL_CONFIG_DIR"}} {
		if err := host.CheckDirEnvOf(c.provider, c.dirEnv); err != nil {
			t.Errorf("%s's %s refused: %v", c.provider, c.dirEnv, err)
		}
	}
	for _, c := range []struct{ provider, dirEnv string }{{"evil", "CODEX_HOME"}, {"evil", "EVILX_HOME"}, {"evil", "EVIL_TOKEN"}} {
		if err := host.CheckDirEnvOf(c.provider, c.dirEnv); err == nil {
			t.Errorf("%s's %s accepted", c.provider, c.dirEnv)
		}
	}
	decl := &sdk.InjectionResponse{Injections: []sdk.Injection{{CredentialType: sdk.TypeOAuth, Files: map[string]string{"config.toml": "token = ${access_token|json}"}, DirEnv: "CODEX_HOME"}}}
	if err := host.ValidateInjectionOf("evil", decl); err == nil || !strings.Contains(err.Error(), "not evil's own directory variable") {
		t.Errorf("evil's CODEX_HOME: %v", err)
	}
	if err := host.ValidateInjectionOf("codex", decl); err != nil {
		t.Errorf("codex's CODEX_HOME: %v", err)
	}
}

// A template in another syntax is refused, and the message spells it the
// way terok does. Before, {{key}}, %s and %(key)s passed and reached the
// tool as they were.
func TestForeignTemplateSyntaxIsRefused(t *testing.T) {
	for tmpl, want := range map[string]string{
		"{{key}}":                    `"{{key}}" is a placeholder of another template syntax, and would reach the tool as it is: terok's templates spell a credential field ${key}`,
		"Bearer {{ .token }}":        "spell a credential field ${token}",
		"{{ access_token | upper }}": "${access_token}",
		"%s":                         `"%s" is a printf placeholder`,
		"token=%(token)s":            "spell a credential field ${token}",
		"$key":                       "$key at byte 0 is another syntax: terok's templates spell a credential field ${key}",
		"x $(token) y":               "spell a credential field ${token}",
		"$":                          "a lone $ at byte 0",
	} {
		err := host.CheckTemplate(tmpl)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("host.CheckTemplate(%q) = %v, want %q", tmpl, err, want)
		}
	}
	for _, tmpl := range []string{"${key}", "a%20space", "100%", "{\"a\":{\"b\":${key|json}}}", "$${key}", "{x}"} {
		if err := host.CheckTemplate(tmpl); err != nil {
			t.Errorf("host.CheckTemplate(%q) = %v", tmpl, err)
		}
	}
}

func TestCheckEnvOf(t *testing.T) {
	for _, tc := range []struct {
		provider, name string
		ok             bool
	}{
		{"claude", "ANTHROPIC_BASE_URL", true},
		{"claude", "CLAUDE_CODE_OAUTH_TOKEN", true},
		{"codex", "OPENAI_BASE_URL", true},
		{"gh", "GH_HOST", true},
		{"gh", "GITHUB_TOKEN", true},
		{"evil", "EVIL_BASE_URL", true},
		{"evil-corp", "EVIL_HOST", true},
		{"evil", "FOO_API_KEY", true}, // a key of its own, in no tool's family
		{"evil", "ANTHROPIC_BASE_URL", false},
		{"evil", "ANTHROPIC_API_KEY", false},
		{"evil", "CLAUDE_CODE_OAUTH_TOKEN", false},
		{"evil", "anthropic_base_url", false},
		{"codex", "ANTHROPIC_BASE_URL", false},
		{"evil", "GITLAB_HOST", false},
		{"evil", "FOO_BASE_URL", false},
		{"evil", "FOO_HOME", false},
		{"anthropic", "ANTHROPIC_BASE_URL", false}, // a name is no claim to a tool's family
	} {
		if err := host.CheckEnvOf(tc.provider, tc.name); (err == nil) != tc.ok {
			t.Errorf("host.CheckEnvOf(%s, %s) = %v, want ok=%v", tc.provider, tc.name, err, tc.ok)
		}
	}
}
func TestValidateRenewalTwoForOneType(t *testing.T) {
	err := host.ValidateRenewal(&sdk.RenewalResponse{Renewals: []sdk.Renewal{goodRenewal(), goodRenewal()}})
	if err == nil || !strings.Contains(err.Error(), "two refresh declarations") {
		t.Errorf("err = %v", err)
	}
}

func goodRenewal() sdk.Renewal {
	return sdk.Renewal{
		CredentialType: sdk.TypeOAuth, Endpoints: []string{"https://auth.example/oauth/token"},
		ClientID: "cid", Encoding: sdk.EncodingJSON, Headers: map[string]string{"User-Agent": "tool/1"},
	}
}

func TestValidateInjection(t *testing.T) {
	twice := &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"A_KEY": "${key}"}},
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"B_KEY": "${key}"}},
	}}
	if err := host.ValidateInjection(twice); err == nil {
		t.Error("a type declared twice was accepted")
	}
	good := &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"A_TOKEN": "Bearer ${key}", "a_org": "x", "A_BASE_URL": "https://a.example"}},
		{CredentialType: sdk.TypeOAuth, Files: map[string]string{"d/auth.json": `{"t":${access_token|json}}`}, DirEnv: "CODEX_HOME"},
	}}
	if err := host.ValidateInjection(good); err != nil {
		t.Errorf("good declaration refused: %v", err)
	}
	bad := &sdk.InjectionResponse{Injections: []sdk.Injection{{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"LD_PRELOAD": "${key}"}}}}
	if err := host.ValidateInjection(bad); err == nil || !strings.Contains(err.Error(), "LD_") {
		t.Errorf("an injection Injection.Validate refuses was accepted: %v", err)
	}
}

// The spec checks' errors are the ones every caller matches with
// errors.Is, whichever package returned them: a spec checked as a whole
// and a run argument or image checked alone.
func TestSpecErrorsMatch(t *testing.T) {
	spec := &sdk.ContainerSpecResponse{Command: []string{"x"}, ConfigPath: "/home/dev/.x", Image: "--privileged"}
	if err := host.CheckContainerSpec(spec); !errors.Is(err, host.ErrBadImage) {
		t.Errorf("CheckContainerSpec(bad image) = %v, want host.ErrBadImage", err)
	}
	spec.Image, spec.RunArgs = "", []string{"--privileged"}
	if err := host.CheckContainerSpec(spec); !errors.Is(err, host.ErrUnsafeRunArg) {
		t.Errorf("CheckContainerSpec(bad run arg) = %v, want host.ErrUnsafeRunArg", err)
	}
	if errors.Is(host.ErrBadImage, host.ErrUnsafeRunArg) || sdk.IsProviderError(host.ErrBadImage) || sdk.IsProviderError(host.ErrUnsafeRunArg) {
		t.Error("the spec errors are confused with each other or with a provider's sentinels")
	}
}

func TestValidateDescriptionNil(t *testing.T) {
	if host.ValidateDescription(nil) == nil {
		t.Error("accepted no description")
	}
}
