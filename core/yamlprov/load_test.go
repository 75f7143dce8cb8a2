package yamlprov

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

func TestParsePath(t *testing.T) {
	good := map[string]string{
		"a":                "a",
		"a.b.c":            "a b c",
		"*.oauth_token":    "* oauth_token",
		"hosts.*.token":    "hosts * token",
		"[github.com].x":   "github.com x",
		"x.[a.b]":          "x a.b",
		"$key":             "",
		".":                "",
		"claudeAiOauth.at": "claudeAiOauth at",
	}
	for in, want := range good {
		segs, err := parsePath(in)
		var keys []string
		for _, s := range segs {
			keys = append(keys, s.key)
		}
		if err != nil || strings.Join(keys, " ") != want {
			t.Errorf("parsePath(%q) = %v, %v", in, keys, err)
		}
	}
	for _, bad := range []string{"", "a..b", ".a", "a.", "[a", "[]", "[a]b", "a[b]", "a.[b"} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("parsePath(%q) accepted", bad)
		}
	}
}

func TestParseDoc(t *testing.T) {
	tests := []struct {
		format, in string
		path       string
		want       string
	}{
		{"json", `{"a":{"b":12345678901234}}`, "a.b", "12345678901234"},
		{"yaml", "a:\n  b: hello\n", "a.b", "hello"},
		{"dotenv", "# c\nexport MISTRAL_API_KEY=\"k1 x\"\nB=plain # comment\n", "MISTRAL_API_KEY", "k1 x"},
		{"dotenv", "B=plain # comment\n", "B", "plain"},
		{"ini", "top = 1\n[default]\naws_access_key_id = AKIA\n; c\n", "default.aws_access_key_id", "AKIA"},
		{"ini", "top: 'quoted'\n", "top", "quoted"},
		{"text", "  tok-123\n", ".", "tok-123"},
	}
	for _, tt := range tests {
		doc, err := parseDoc(tt.format, []byte(tt.in))
		if err != nil {
			t.Errorf("%s %q: %v", tt.format, tt.in, err)
			continue
		}
		v := doc
		if tt.path != "." {
			segs, _ := parsePath(tt.path)
			v, _ = lookup(doc, segs, "")
		}
		if s, _ := scalar(v); s != tt.want {
			t.Errorf("%s %q: %s = %q, want %q", tt.format, tt.in, tt.path, s, tt.want)
		}
	}
	for format, bad := range map[string]string{"json": "{", "yaml": "a: [", "dotenv": "no equals sign", "ini": "[unclosed\n", "xml": "<a/>"} {
		if _, err := parseDoc(format, []byte(bad)); err == nil {
			t.Errorf("%s accepted %q", format, bad)
		}
	}
}

// A platform team's OAuth tool, described without code: capture from an
// INI file with an RFC 3339 expiry, and a second rule as fallback.
func TestDeclarativeCapture(t *testing.T) {
	f, err := Load("acme.yaml", []byte(`
name: acme
label: Acme
modes: [oauth, device, api_key]
host_dir: _acme
container_mount: /home/dev/.acme
command: acme login
device_command: [acme, login, --device]
post_capture_state: {state.json: '{"onboarded": true}'}
capture:
  - file: credentials.ini
    format: ini
    type: oauth
    fields: {access_token: default.access, refresh_token: default.refresh}
    expires_at: {path: default.expires, unit: rfc3339}
  - file: token.txt
    format: text
    type: api_key
    fields: {key: "."}
    modes: [device]
`))
	if err != nil {
		t.Fatal(err)
	}
	p := New(f)
	ctx := context.Background()
	resp, err := p.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: map[string][]byte{
		"credentials.ini": []byte("[default]\naccess = at-1\nrefresh = rt-1\nexpires = 2026-12-01T00:00:00Z\n"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := resp.Credential.ExpiresAt()
	if resp.Credential.Type != "oauth" || resp.Credential.Get("access_token") != "at-1" || resp.Credential.Get("refresh_token") != "rt-1" || exp.Unix() != 1796083200 {
		t.Errorf("captured %#v", resp.Credential.Fields)
	}
	if string(resp.StateFiles["state.json"]) != `{"onboarded": true}` {
		t.Errorf("state = %q", resp.StateFiles)
	}
	// The text rule is for device logins only.
	_, err = p.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: map[string][]byte{"token.txt": []byte("tok")}})
	if !errors.Is(err, sdk.ErrNothingCaptured) {
		t.Errorf("oauth capture from the device-only rule: %v", err)
	}
	resp, err = p.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.ModeDevice, Files: map[string][]byte{"token.txt": []byte("tok\n")}})
	if err != nil || resp.Credential.Get("key") != "tok" {
		t.Errorf("device capture: %v, %v", resp, err)
	}
	spec, _ := p.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: sdk.ModeDevice})
	if strings.Join(spec.Command, " ") != "acme login --device" {
		t.Errorf("device command = %v", spec.Command)
	}
}

func TestAcceptKeyRules(t *testing.T) {
	f, err := Load("x.yaml", []byte(`
name: x
label: X
host_dir: _x
key: {format: "x-[0-9]{4}", format_hint: "looks like x-1234", type: pat, extra: {host: example.com}}
auth_key: {config_path: conf/config.json, template: '{"token_env": "X_TOKEN"}'}
`))
	if err != nil {
		t.Fatal(err)
	}
	p := New(f)
	for key, want := range map[string]string{"": "no API key entered", "x-12": "looks like x-1234", "x-1234x": "looks like x-1234", "x-12 34": "spaces"} {
		if _, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: key}); !errors.Is(err, sdk.ErrInvalidKey) || !strings.Contains(err.Error(), want) {
			t.Errorf("AcceptKey(%q) = %v, want %q", key, err, want)
		}
	}
	resp, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "x-1234"})
	if err != nil || resp.Credential.Type != "pat" || resp.Credential.Get("token") != "x-1234" || resp.Credential.Get("host") != "example.com" {
		t.Fatalf("%v %v", resp, err)
	}
	// The key file is a stand-in: it never holds the key.
	if got := string(resp.KeyFiles["conf/config.json"]); got != `{"token_env": "X_TOKEN"}` {
		t.Errorf("key file = %q", got)
	}
}

// FuzzLoad feeds arbitrary bytes to the loader: it must not panic, and a
// file it accepts must make a provider that answers Describe validly.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "broken", "*.yaml"))
	bundledFiles, _ := filepath.Glob(filepath.Join("..", "..", "providers.d", "*.yaml"))
	for _, s := range append(seeds, bundledFiles...) {
		if data, err := os.ReadFile(s); err == nil && len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Load("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		d, err := New(file).Describe(context.Background(), &sdk.DescribeRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if err := host.ValidateDescription(d); err != nil {
			t.Fatalf("accepted a file whose description is invalid: %v", err)
		}
		checkInjectionOfLoaded(t, file)
		if len(file.Refresh) > 0 {
			// What Load takes, the host takes: no endpoint that is not
			// https, no header a declaration may not set.
			r, err := New(file).Renewal(context.Background(), &sdk.RenewalRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if err := host.ValidateRenewal(r); err != nil {
				t.Fatalf("accepted a refresh: block the host refuses: %v", err)
			}
		}
	})
}
