package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/internal/archivetest"
)

// installEnv is a terok environment with its own data and config dirs.
type installEnv struct {
	t    *testing.T
	env  map[string]string
	data string
}

func newInstallEnv(t *testing.T) *installEnv {
	root := t.TempDir()
	e := &installEnv{t: t, data: filepath.Join(root, "data")}
	e.env = map[string]string{
		"HOME":              root,
		"XDG_DATA_HOME":     e.data,
		"XDG_CONFIG_HOME":   filepath.Join(root, "config"),
		"TEROK_PLUGIN_PATH": filepath.Join(root, "empty"),
		"TMPDIR":            filepath.Join(root, "tmp"),
	}
	return e
}

func (e *installEnv) pluginDir() string { return filepath.Join(e.data, "terok", "plugins") }

func (e *installEnv) assertNothingInstalled() {
	e.t.Helper()
	entries, _ := os.ReadDir(e.pluginDir())
	if len(entries) > 0 {
		e.t.Errorf("left in the plugin dir: %v", entries)
	}
	if lock, err := os.ReadFile(filepath.Join(e.env["XDG_CONFIG_HOME"], "terok", "plugins.lock")); err == nil && strings.Contains(string(lock), "acme") {
		e.t.Errorf("pinned although refused: %s", lock)
	}
}

func TestInstallFromArchive(t *testing.T) {
	e := newInstallEnv(t)
	rel := t.TempDir()
	archive := "terok-provider-acme_1.0.0_" + archivetest.Platform + ".tar.gz"
	data := archivetest.TarGz(t, archivetest.Entry{Name: "terok-provider-acme", Body: "#!/bin/sh\n"}, archivetest.Entry{Name: "README.md", Body: "x"})
	archivetest.Write(t, filepath.Join(rel, archive), data)
	archivetest.Write(t, filepath.Join(rel, "SHA256SUMS"), []byte(archivetest.SumLine("other.zip", []byte("o"))+archivetest.SumLine(archive, data)))

	code, _, stderr := run(t, e.env, "auth", "plugins", "install", filepath.Join(rel, archive))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	bin := filepath.Join(e.pluginDir(), "terok-provider-acme")
	if got, err := os.ReadFile(bin); err != nil || string(got) != "#!/bin/sh\n" {
		t.Fatalf("installed binary: %q, %v", got, err)
	}
	if fi, err := os.Stat(e.pluginDir()); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("plugin dir: %v, %v (want created 0700)", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(e.pluginDir(), "README.md")); err == nil {
		t.Error("installed a file other than the plugin")
	}
	code, out, _ := run(t, e.env, "auth", "plugins", "list", "--json")
	if code != 0 || !strings.Contains(out, `"status": "trusted"`) || !strings.Contains(out, bin) {
		t.Errorf("after install, plugins list: exit %d\n%s", code, out)
	}

	code, _, stderr = run(t, e.env, "auth", "plugins", "remove", "acme")
	if code != 0 || !strings.Contains(stderr, "1 pin dropped") {
		t.Fatalf("remove: exit %d: %s", code, stderr)
	}
	e.assertNothingInstalled()
	code, _, stderr = run(t, e.env, "auth", "plugins", "remove", "acme")
	if code == 0 || !strings.Contains(stderr, "no plugin acme in "+e.pluginDir()) {
		t.Errorf("second remove: exit %d: %s", code, stderr)
	}
}

func TestInstallRefusesWhatDoesNotVerify(t *testing.T) {
	archive := "terok-provider-acme_1.0.0_" + archivetest.Platform + ".zip"
	for _, c := range []struct {
		name string
		sums func(data []byte) string // "" = no SHA256SUMS
		edit func(data []byte) []byte
		want string
	}{
		{"wrong checksum", func([]byte) string { return archivetest.SumLine(archive, []byte("something else")) }, nil, "does not match SHA256SUMS"},
		{"tampered archive", func(d []byte) string { return archivetest.SumLine(archive, d) }, func(d []byte) []byte {
			d = append([]byte(nil), d...)
			d[len(d)/2] ^= 0xff
			return d
		}, "does not match SHA256SUMS"},
		{"missing entry", func([]byte) string {
			return archivetest.SumLine("terok-provider-acme_0.9.0_"+archivetest.Platform+".zip", []byte("x"))
		}, nil, "has no entry for " + archive},
		{"no SHA256SUMS", func([]byte) string { return "" }, nil, "no SHA256SUMS beside"},
		{"garbage SHA256SUMS", func([]byte) string { return "hello world\n" }, nil, "line 1 is not"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newInstallEnv(t)
			rel := t.TempDir()
			data := archivetest.Zip(t, archivetest.Entry{Name: "terok-provider-acme", Body: "bin"})
			if s := c.sums(data); s != "" {
				archivetest.Write(t, filepath.Join(rel, "SHA256SUMS"), []byte(s))
			}
			if c.edit != nil {
				data = c.edit(data)
			}
			archivetest.Write(t, filepath.Join(rel, archive), data)
			code, _, stderr := run(t, e.env, "auth", "plugins", "install", filepath.Join(rel, archive))
			if code == 0 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want a refusal containing %q", code, stderr, c.want)
			}
			e.assertNothingInstalled()
		})
	}
}

func TestInstallLocalBinary(t *testing.T) {
	e := newInstallEnv(t)
	src := filepath.Join(t.TempDir(), "terok-provider-acme")
	archivetest.Write(t, src, []byte("bin"))
	code, _, stderr := run(t, e.env, "auth", "plugins", "install", src)
	if code != 0 || !strings.Contains(stderr, "No SHA256SUMS beside") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// With a SHA256SUMS beside it, it must match.
	archivetest.Write(t, filepath.Join(filepath.Dir(src), "SHA256SUMS"), []byte(archivetest.SumLine("terok-provider-acme", []byte("other"))))
	code, _, stderr = run(t, e.env, "auth", "plugins", "install", src)
	if code == 0 || !strings.Contains(stderr, "does not match SHA256SUMS") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, e.env, "auth", "plugins", "install", "http://127.0.0.1:1/terok-provider-acme"); code == 0 || !strings.Contains(stderr, "only https URLs") {
		t.Errorf("http: exit %d: %s", code, stderr)
	}
}

// An https source, from a loopback server whose certificate only the
// test's client trusts (terok itself trusts the system's roots, and
// SSL_CERT_FILE, as every Go program on Linux does).
func TestInstallFromHTTPS(t *testing.T) {
	archive := "terok-provider-acme_2.0.0_" + archivetest.Platform + ".tar.gz"
	data := archivetest.TarGz(t, archivetest.Entry{Name: "terok-provider-acme", Body: "v2"})
	sums := archivetest.SumLine(archive, data)
	mux := http.NewServeMux()
	mux.HandleFunc("/releases/v2/"+archive, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(data) })
	mux.HandleFunc("/releases/v2/SHA256SUMS", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(sums)) })
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()

	e := newInstallEnv(t)
	io, _, _, errOut := iostreams.Test()
	f := &factory{IO: io, Getenv: func(k string) string { return e.env[k] }, Host: &pluginhost.Host{}}
	if err := f.setup(nil); err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	client.CheckRedirect = pluginhost.HTTPSOnly
	err := pluginsInstallRun(context.Background(), f, &installOptions{Source: srv.URL + "/releases/v2/" + archive, Client: client})
	if err != nil {
		t.Fatalf("install: %v\n%s", err, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(e.pluginDir(), "terok-provider-acme")); string(got) != "v2" {
		t.Errorf("installed %q", got)
	}

	// The same URL with a client that does not trust the server: refused.
	e2 := newInstallEnv(t)
	f.Dirs.Data = filepath.Join(e2.data, "terok")
	err = pluginsInstallRun(context.Background(), f, &installOptions{Source: srv.URL + "/releases/v2/" + archive, Client: &http.Client{}})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted server: %v", err)
	}
	e2.assertNothingInstalled()
}

// TestInstallRefusesToShadowAProviderWithoutReplace: a bare binary named
// after a provider terok has (the bundled gh, a codex on the plugin path,
// an acme installed before) is refused, nothing is written and the message
// names the flag; with --replace it installs and says what it replaced.
func TestInstallRefusesToShadowAProviderWithoutReplace(t *testing.T) {
	e := newInstallEnv(t)
	path := filepath.Join(t.TempDir(), "path")
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "terok-provider-codex"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.env["TEROK_PLUGIN_PATH"] = path
	src := t.TempDir()
	for name, what := range map[string]string{
		"gh":    "the bundled provider gh (bundled:gh.yaml)",
		"codex": "the installed plugin codex (" + filepath.Join(path, "terok-provider-codex") + ")",
	} {
		bin := filepath.Join(src, "terok-provider-"+name)
		archivetest.Write(t, bin, []byte("evil "+name))
		code, _, stderr := run(t, e.env, "auth", "plugins", "install", bin)
		if code != exitUsage || !strings.Contains(stderr, "would replace "+what) || !strings.Contains(stderr, "--replace") {
			t.Errorf("install %s: exit %d, %s", name, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(e.pluginDir(), "terok-provider-"+name)); err == nil {
			t.Errorf("install %s wrote the plugin although it refused", name)
		}
		code, _, stderr = run(t, e.env, "auth", "plugins", "install", "--replace", bin)
		if code != 0 || !strings.Contains(stderr, "Replacing "+what) {
			t.Errorf("install --replace %s: exit %d, %s", name, code, stderr)
		}
	}
	// An upgrade replaces the one installed before: it says so, too.
	acme := filepath.Join(src, "terok-provider-acme")
	archivetest.Write(t, acme, []byte("v1"))
	if code, _, stderr := run(t, e.env, "auth", "plugins", "install", acme); code != 0 {
		t.Fatalf("first install: exit %d, %s", code, stderr)
	}
	archivetest.Write(t, acme, []byte("v2"))
	installed := filepath.Join(e.pluginDir(), "terok-provider-acme")
	if code, _, stderr := run(t, e.env, "auth", "plugins", "install", acme); code != exitUsage || !strings.Contains(stderr, "would replace the installed plugin acme ("+installed+")") {
		t.Errorf("second install: exit %d, %s", code, stderr)
	}
	if got, _ := os.ReadFile(installed); string(got) != "v1" {
		t.Errorf("a refused install changed the plugin: %q", got)
	}
}

// TestInstallRefusesAnArchiveHoldingAnotherPlugin: the archive SHA256SUMS
// vouches for is terok-provider-acme's; what it holds is claude.
func TestInstallRefusesAnArchiveHoldingAnotherPlugin(t *testing.T) {
	e := newInstallEnv(t)
	rel := t.TempDir()
	archive := "terok-provider-acme_1.0.0_" + archivetest.Platform + ".tar.gz"
	data := archivetest.TarGz(t, archivetest.Entry{Name: "terok-provider-claude", Body: "#!/bin/sh\n"})
	archivetest.Write(t, filepath.Join(rel, archive), data)
	archivetest.Write(t, filepath.Join(rel, "SHA256SUMS"), []byte(archivetest.SumLine(archive, data)))
	code, _, stderr := run(t, e.env, "auth", "plugins", "install", "--replace", filepath.Join(rel, archive))
	if code == 0 || !strings.Contains(stderr, "holds terok-provider-claude, not terok-provider-acme") {
		t.Errorf("exit %d, %s", code, stderr)
	}
	e.assertNothingInstalled()
}
