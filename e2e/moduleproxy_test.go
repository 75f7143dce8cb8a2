package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
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
const sdkRelease = "v0.3.0"

// sdkByProxy serves this checkout's SDK module from a local module proxy
// (GOPROXY=file://…), the way a third party gets a tagged release, and
// makes `plugins new` write no replace. The module is sdk/ once it has its
// own go.mod, else the repository's root module. The local proxy serves the
// SDK alone; every other module comes from the proxy this machine's go
// uses, as it would for a third party, into a private module cache that
// starts empty: the test needs no warm cache (a fresh machine has none),
// and the shared cache never holds the test's version of the SDK. Sums
// are checked as go checks them: against go.sum and the checksum database,
// except for the SDK, which is this checkout and in no database.
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
	return nil, sdkProxyEnv(t, modPath, proxy, goEnvOf(t))
}

// goEnvOf reads the go settings sdkProxyEnv builds on, as go sees them
// (the environment, then go env -w's file, then go's defaults).
func goEnvOf(t *testing.T) func(string) string {
	out, err := exec.Command("go", "env", "-json", "GOPROXY", "GONOSUMDB", "GOFLAGS").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var env map[string]string
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatalf("go env -json: %v", err)
	}
	return func(k string) string { return env[k] }
}

// sdkProxyEnv is the environment of the plugin's go commands: the local
// proxy first, for the SDK alone (a file:// proxy answers "not found" for
// every other module, and go then asks the next one), then this machine's
// own proxy list; the SDK exempt from the checksum database and nothing
// else; the caller's GOFLAGS kept.
func sdkProxyEnv(t *testing.T, modPath, proxy string, goenv func(string) string) []string {
	upstream := goenv("GOPROXY")
	if upstream == "" || upstream == "off" {
		t.Fatalf("GOPROXY is %q: a plugin author gets the SDK's dependencies through a module proxy; unset it or name one", upstream)
	}
	nosum := modPath
	if v := goenv("GONOSUMDB"); v != "" {
		nosum = v + "," + modPath
	}
	return []string{
		"GOPROXY=file://" + filepath.ToSlash(proxy) + "," + upstream,
		"GONOSUMDB=" + nosum,
		"GOMODCACHE=" + t.TempDir(),
		"GOFLAGS=" + strings.TrimSpace(goenv("GOFLAGS")+" -mod=mod -modcacherw"),
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

// The local proxy serves the SDK alone: every other module falls through
// to the machine's own proxy, and only the SDK skips the checksum database
// (TestPluginAuthorJourney failed on a fresh machine when the module cache
// stood in for the proxy).
func TestSDKProxyServesOnlyTheSDK(t *testing.T) {
	goenv := map[string]string{"GOPROXY": "https://proxy.example,direct", "GONOSUMDB": "corp.example", "GOFLAGS": "-buildvcs=false"}
	env := sdkProxyEnv(t, "github.com/terok-ai/terok-auth/sdk", "/tmp/p", func(k string) string { return goenv[k] })
	got := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for k, want := range map[string]string{
		"GOPROXY":   "file:///tmp/p,https://proxy.example,direct",
		"GONOSUMDB": "corp.example,github.com/terok-ai/terok-auth/sdk",
		"GOFLAGS":   "-buildvcs=false -mod=mod -modcacherw",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	if _, ok := got["GOSUMDB"]; ok {
		t.Errorf("GOSUMDB is set (%q): the dependencies' sums must be checked as go checks them", got["GOSUMDB"])
	}
	if entries, err := os.ReadDir(got["GOMODCACHE"]); err != nil || len(entries) > 0 {
		t.Errorf("GOMODCACHE = %q (%v, %d entries), want a private, empty one", got["GOMODCACHE"], err, len(entries))
	}
}
