package yamlprov

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	providersd "github.com/terok-ai/terok-auth/providers.d"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// bundled loads every bundled provider file.
func bundled(t *testing.T) map[string]*File {
	t.Helper()
	files, err := fs.Glob(providersd.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bundled providers: %v", err)
	}
	out := map[string]*File{}
	for _, name := range files {
		data, err := fs.ReadFile(providersd.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Load(name, data)
		if err != nil {
			t.Fatalf("bundled %s: %v", name, err)
		}
		if f.Name+".yaml" != name {
			t.Errorf("%s describes %q; bundled files are named after their provider", name, f.Name)
		}
		out[f.Name] = f
	}
	return out
}

func TestBundledProvidersKeepTheContract(t *testing.T) {
	for name, f := range bundled(t) {
		t.Run(name, func(t *testing.T) { providertest.Run(t, New(f)) })
	}
}

// sampleKeys are keys each bundled provider accepts, for the goldens.
var sampleKeys = map[string]string{"gh": "ghp_0123456789abcdefABCDEF0123456789abcd", "openrouter": "sk-or-v1-0123456789abcdef0123456789abcdef"}

// TestBundledGolden records, per bundled provider, everything the host sees
// of it without a container: description, key prompt, an accepted key with
// its key files, and the container spec of each container mode.
func TestBundledGolden(t *testing.T) {
	ctx := context.Background()
	for name, f := range bundled(t) {
		t.Run(name, func(t *testing.T) {
			p := New(f)
			got := map[string]any{}
			d, _ := p.Describe(ctx, &sdk.DescribeRequest{})
			got["describe"] = d
			got["injection"], _ = p.Injection(ctx, &sdk.InjectionRequest{})
			for _, m := range d.Modes {
				switch m {
				case sdk.ModeAPIKey:
					kp, _ := p.KeyPrompt(ctx, &sdk.KeyPromptRequest{})
					got["key_prompt"] = kp
					key := sampleKeys[name]
					if key == "" {
						key = "sample-" + name + "-key-0123456789"
					}
					ak, err := p.AcceptKey(ctx, &sdk.AcceptKeyRequest{Key: key})
					if err != nil {
						t.Fatalf("AcceptKey(%q): %v", key, err)
					}
					files := map[string]string{}
					for path, data := range ak.KeyFiles {
						files[path] = string(data)
					}
					got["accept_key"] = map[string]any{"credential": ak.Credential, "key_files": files}
				default:
					spec, err := p.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: m})
					if err != nil {
						t.Fatal(err)
					}
					got["container_spec_"+string(m)] = spec
				}
			}
			golden(t, filepath.Join("testdata", "bundled", name+".json"), got)
		})
	}
}

func TestBundledCaptureGolden(t *testing.T) {
	providers := bundled(t)
	dirs, _ := filepath.Glob(filepath.Join("testdata", "capture", "*"))
	if len(dirs) == 0 {
		t.Fatal("no capture goldens")
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			providertest.CaptureGolden(t, New(providers[name]), sdk.ModeOAuth, dir)
		})
	}
}

// golden compares v, as indented JSON, with the file at path
// (TEROK_UPDATE_GOLDEN=1 rewrites it).
func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if os.Getenv(providertest.UpdateEnv) == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with %s=1 to create it)", err, providertest.UpdateEnv)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", path, got, want)
	}
}

// login gh --host and login glab --host reach the vendor's CLI as its own
// --hostname, so the user is not asked again which host to log in to.
func TestBundledLoginsTakeTheHost(t *testing.T) {
	files := bundled(t)
	for name, want := range map[string][]string{
		"gh":   {"gh", "auth", "login", "--hostname", "ghe.example.com"},
		"glab": {"glab", "auth", "login", "--hostname", "gitlab.example.com"},
	} {
		host := want[len(want)-1]
		p := New(files[name])
		spec, err := p.ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth, Host: host})
		if err != nil || !slices.Equal(spec.Command, want) {
			t.Errorf("%s --host %s: %v, %v; want %v", name, host, spec, err, want)
		}
		spec, err = p.ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth})
		if err != nil || !slices.Equal(spec.Command, want[:3]) {
			t.Errorf("%s without a host: %v, %v; want %v", name, spec, err, want[:3])
		}
	}
}
