package sdk

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRenderInjection(t *testing.T) {
	oauth := Credential{Type: TypeOAuth, Fields: map[string]any{
		"access_token": `a"b\c`, "refresh_token": "r$1", "expires_at": json.Number("1700000000"),
	}}
	in := Injection{
		CredentialType: TypeOAuth,
		Env:            map[string]string{"TOKEN": "${access_token}", "PRICE": "$$5", "ID": "${id_token?}", "EXP": "${expires_at}"},
		Files:          map[string]string{"sub/auth.json": `{"a":${access_token|json},"i":${id_token?|json},"e":${expires_at|json}}`},
		DirEnv:         "TOOL_HOME",
	}
	r, err := in.Render(oauth)
	if err != nil {
		t.Fatal(err)
	}
	if r.Env["TOKEN"] != `a"b\c` || r.Env["PRICE"] != "$5" || r.Env["EXP"] != "1700000000" {
		t.Errorf("env = %v", r.Env)
	}
	if _, ok := r.Env["ID"]; ok {
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
	in := Injection{CredentialType: TypeAPIKey, Env: map[string]string{"K": "${key}"}}
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
		"no type":          {Env: map[string]string{"A": "${key}"}},
		"empty":            ok(Injection{}),
		"bad name":         ok(Injection{Env: map[string]string{"1A": "${key}"}}),
		"name with dash":   ok(Injection{Env: map[string]string{"A-B": "${key}"}}),
		"PATH":             ok(Injection{Env: map[string]string{"PATH": "${key}"}}),
		"LD_PRELOAD":       ok(Injection{Env: map[string]string{"LD_PRELOAD": "${key}"}}),
		"terok namespace":  ok(Injection{Env: map[string]string{"TEROK_X": "${key}"}}),
		"lone dollar":      ok(Injection{Env: map[string]string{"A": "$key"}}),
		"trailing dollar":  ok(Injection{Env: map[string]string{"A": "x$"}}),
		"unclosed":         ok(Injection{Env: map[string]string{"A": "${key"}}),
		"empty ref":        ok(Injection{Env: map[string]string{"A": "${}"}}),
		"bad field":        ok(Injection{Env: map[string]string{"A": "${a.b}"}}),
		"unknown filter":   ok(Injection{Env: map[string]string{"A": "${key|base64}"}}),
		"type field":       ok(Injection{Env: map[string]string{"A": "${type}"}}),
		"file without dir": ok(Injection{Files: map[string]string{"a": "${key}"}}),
		"absolute file":    ok(Injection{Files: map[string]string{"/etc/x": "${key}"}, DirEnv: "D"}),
		"escaping file":    ok(Injection{Files: map[string]string{"../x": "${key}"}, DirEnv: "D"}),
		"dir env reserved": ok(Injection{Files: map[string]string{"x": "${key}"}, DirEnv: "HOME"}),
		"dir env twice":    ok(Injection{Env: map[string]string{"D": "${key}"}, Files: map[string]string{"x": "${key}"}, DirEnv: "D"}),
		"huge template":    ok(Injection{Env: map[string]string{"A": strings.Repeat("x", maxTemplateLength+1)}}),
	}
	for name, in := range bad {
		if err := in.Validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, in)
		}
	}
	twice := &InjectionResponse{Injections: []Injection{
		{CredentialType: TypeAPIKey, Env: map[string]string{"A": "${key}"}},
		{CredentialType: TypeAPIKey, Env: map[string]string{"B": "${key}"}},
	}}
	if err := ValidateInjection(twice); err == nil {
		t.Error("a type declared twice was accepted")
	}
	good := &InjectionResponse{Injections: []Injection{
		{CredentialType: TypeAPIKey, Env: map[string]string{"A": "Bearer ${key}", "a_b2": "x"}},
		{CredentialType: TypeOAuth, Files: map[string]string{"d/auth.json": "{}"}, DirEnv: "CODEX_HOME"},
	}}
	if err := ValidateInjection(good); err != nil {
		t.Errorf("good declaration refused: %v", err)
	}
	if in, ok := good.For(TypeOAuth); !ok || in.DirEnv != "CODEX_HOME" {
		t.Error("For did not find the oauth injection")
	}
}

// FuzzInjectionTemplate: templates come from plugins and YAML files, so
// parsing and rendering any of them must not panic, and what parses renders
// without a stray ${ left from the template.
func FuzzInjectionTemplate(f *testing.F) {
	for _, s := range []string{"${key}", "$$", "${a?|json}", "x${", "${a|b}", "Bearer ${token}", "{\"a\":${x|json}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		in := Injection{CredentialType: "t", Env: map[string]string{"V": tmpl}}
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
