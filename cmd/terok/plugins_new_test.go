package main

import (
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The template renders to gofmt-clean Go with the name substituted
// everywhere; building and testing what it writes is e2e/pluginauthor_test.go.
func TestPluginsNewWritesAModule(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	code, _, stderr := run(t, nil, "auth", "plugins", "new", "gemini-x", dir, "--module", "example.org/me/gemini")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"go.mod", "main.go", "provider/provider.go", "provider/provider_test.go", "release.sh", "README.md", ".gitignore",
		"provider/testdata/capture/session/files/credentials.json", "provider/testdata/capture/session/want.json", "provider/testdata/capture/no-session/want.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(string(data), "[[") {
			t.Errorf("%s has an unrendered template action", name)
		}
		if strings.HasSuffix(name, ".go") {
			if out, err := format.Source(data); err != nil || string(out) != string(data) {
				t.Errorf("%s is not gofmt-clean Go: %v", name, err)
			}
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.HasPrefix(string(gomod), "module example.org/me/gemini\n") || strings.Contains(string(gomod), "replace") {
		t.Errorf("go.mod:\n%s", gomod)
	}
	prov, _ := os.ReadFile(filepath.Join(dir, "provider/provider.go"))
	if !strings.Contains(string(prov), `const Name = "gemini-x"`) || !strings.Contains(string(prov), "`^gemini_x_[0-9a-f]{32}$`") {
		t.Errorf("provider.go does not carry the name:\n%s", prov)
	}
	if fi, err := os.Stat(filepath.Join(dir, "release.sh")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("release.sh is not executable: %v", err)
	}

	// Not over an existing module, not with a bad name, not with a
	// replace that is no checkout.
	for _, args := range [][]string{
		{"auth", "plugins", "new", "gemini-x", dir},
		{"auth", "plugins", "new", "Gemini", filepath.Join(t.TempDir(), "q")},
		{"auth", "plugins", "new", "gemini", filepath.Join(t.TempDir(), "q"), "--sdk-replace", t.TempDir()},
	} {
		if code, _, stderr := run(t, nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}
