package e2e

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// sdkRelease is the SDK's newest tag (sdk/vX.Y.Z): the version the plugin
// guide tells authors to get, and the one the test proxy serves this
// checkout's SDK as.
const sdkRelease = "v0.2.0"

// sdkByProxy serves this checkout's SDK module from a local module proxy
// (GOPROXY=file://…), the way a third party gets a tagged release, and
// makes `plugins new` write no replace. The module is sdk/ once it has its
// own go.mod, else the repository's root module. Dependencies come from the
// module cache of this machine, read as a second proxy, into a private
// module cache: no network, and the shared cache never holds the test's
// version. The checksum database is off: it is not reachable from a
// file:// proxy, the dependencies were verified when they entered this
// machine's cache, and the SDK module is this checkout.
func sdkByProxy(t *testing.T) (newArgs, goEnv []string) {
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sdk", "go.mod")); err == nil {
		dir = filepath.Join(dir, "sdk")
	}
	modPath := modulePath(t, filepath.Join(dir, "go.mod"))
	proxy := moduleProxy(t, modPath, dir, sdkRelease)
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	return nil, []string{
		"GOPROXY=file://" + proxy + ",file://" + cache,
		"GOMODCACHE=" + t.TempDir(),
		"GOSUMDB=off",
		"GOFLAGS=-mod=mod -modcacherw",
	}
}

func modulePath(t *testing.T, gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(p), `"`)
		}
	}
	t.Fatalf("%s names no module", gomod)
	return ""
}

// moduleProxy writes a module proxy directory serving the module at dir
// (its files tracked by git, without nested modules) as modPath@version.
func moduleProxy(t *testing.T, modPath, dir, version string) string {
	out, err := exec.Command("git", "-C", dir, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", dir, err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	var nested []string
	for _, f := range files {
		if path.Base(f) == "go.mod" && f != "go.mod" {
			nested = append(nested, path.Dir(f)+"/")
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	prefix := modPath + "@" + version + "/"
files:
	for _, f := range files {
		for _, n := range nested {
			if strings.HasPrefix(f, n) {
				continue files
			}
		}
		fi, err := os.Lstat(filepath.Join(dir, f))
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or a link: not in a module zip
		}
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(prefix + f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	at := filepath.Join(root, filepath.FromSlash(escapeModulePath(modPath)), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2026-01-01T00:00:00Z"}`),
		version + ".mod":  gomod,
		version + ".zip":  buf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// escapeModulePath is the proxy protocol's case encoding: an upper-case
// letter becomes '!' and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The guide's go get line names the release the tests serve.
func TestGuideNamesTheSDKRelease(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "plugin-guide.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "go get github.com/terok-ai/terok-auth/sdk@" + sdkRelease; !strings.Contains(string(data), want) {
		t.Errorf("docs/plugin-guide.md does not say %q", want)
	}
}
