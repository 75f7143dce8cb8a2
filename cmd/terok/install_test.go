package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/pluginhost"
)

// entry is one archive member for the tests.
type entry struct {
	name string
	body string
	typ  byte // tar type; 0 = regular file
	link string
}

func tarGz(t testing.TB, entries ...entry) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o755, Size: int64(len(e.body)), Typeflag: e.typ, Linkname: e.link}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t testing.TB, entries ...entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(0o755)
		if e.typ == tar.TypeSymlink {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body + e.link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sumLine(name string, data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:]) + "  " + name + "\n"
}

var platform = runtime.GOOS + "_" + runtime.GOARCH

func TestExtractPlugin(t *testing.T) {
	bin := entry{name: "terok-provider-acme", body: "#!binary"}
	for _, c := range []struct {
		name    string
		archive string
		data    func(t *testing.T) []byte
		want    string // error substring; "" = ok
	}{
		{"tar at root", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, bin, entry{name: "README.md", body: "hi"}, entry{name: "LICENSE", body: "MIT"})
		}, ""},
		{"tar in one dir", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, entry{name: "acme_1.0/", typ: tar.TypeDir}, entry{name: "acme_1.0/terok-provider-acme", body: "x"})
		}, ""},
		{"zip", "terok-provider-acme.zip", func(t *testing.T) []byte { return zipOf(t, bin, entry{name: "README.md", body: "x"}) }, ""},
		{"traversal", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, bin, entry{name: "../../.bashrc", body: "evil"})
		}, "points outside it"},
		{"traversal in zip", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return zipOf(t, bin, entry{name: "x/../../evil", body: "evil"})
		}, "points outside it"},
		{"absolute", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, bin, entry{name: "/etc/cron.d/evil", body: "evil"})
		}, `entry named "/etc/cron.d/evil"`},
		{"symlinked plugin", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, entry{name: "terok-provider-acme", typ: tar.TypeSymlink, link: "/usr/bin/python3"})
		}, "is a link or special file"},
		{"hard link as the plugin", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, entry{name: "terok-provider-acme", typ: tar.TypeLink, link: "/etc/passwd"})
		}, "is a link or special file"},
		{"symlinked plugin in zip", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return zipOf(t, entry{name: "terok-provider-acme", typ: tar.TypeSymlink, link: "/etc/passwd"})
		}, "is a link or special file"},
		{"two plugins", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, bin, entry{name: "terok-provider-other", body: "y"})
		}, "more than one plugin binary"},
		{"no plugin", "terok-provider-acme.tar.gz", func(t *testing.T) []byte { return tarGz(t, entry{name: "README.md", body: "x"}) }, "holds no terok-provider-NAME"},
		{"plugin too deep", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return tarGz(t, entry{name: "a/b/terok-provider-acme", body: "x"})
		}, "holds no terok-provider-NAME"},
		{"not gzip", "terok-provider-acme.tar.gz", func(*testing.T) []byte { return []byte("plain text") }, "not a gzip archive"},
		{"not zip", "terok-provider-acme.zip", func(*testing.T) []byte { return []byte("plain text") }, "not a valid zip archive"},
		{"other platform", "terok-provider-acme_1.0.0_windows_arm64.zip", func(t *testing.T) []byte { return zipOf(t, bin) }, "is built for windows/arm64"},
		{"this platform", "terok-provider-acme_1.0.0_" + platform + ".tar.gz", func(t *testing.T) []byte { return tarGz(t, bin) }, ""},
		{"archive named for another plugin", "terok-provider-acme_1.0.0_" + platform + ".tar.gz", func(t *testing.T) []byte {
			return tarGz(t, entry{name: "terok-provider-claude", body: "evil"})
		}, "holds terok-provider-claude, not terok-provider-acme"},
		{"zip named for another plugin", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return zipOf(t, entry{name: "acme/terok-provider-codex", body: "evil"})
		}, "holds terok-provider-codex, not terok-provider-acme"},
		{"archive named for no plugin", "release.tar.gz", func(t *testing.T) []byte { return tarGz(t, bin) }, "is not named terok-provider-NAME_VERSION_OS_ARCH.tar.gz"},
		{"a binary", "terok-provider-acme", func(*testing.T) []byte { return []byte("bin") }, ""},
		{"neither", "acme.exe", func(*testing.T) []byte { return []byte("bin") }, "neither a plugin binary"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := extractPlugin(&release{name: c.archive, data: c.data(t)})
			if c.want == "" {
				if err != nil || p.name != "acme" {
					t.Fatalf("extract = %+v, %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("extract = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestParseSums(t *testing.T) {
	good := sumLine("a.tar.gz", []byte("a")) + strings.ToUpper(sumLine("B.ZIP", []byte("b"))[:64]) + " *b.zip\n\n"
	m, err := parseSums([]byte(good))
	if err != nil || len(m) != 2 || m["b.zip"] != strings.ToLower(m["b.zip"]) {
		t.Fatalf("parseSums(good) = %v, %v", m, err)
	}
	for _, bad := range []string{
		"nothex  a.tar.gz\n",
		"abcd  a.tar.gz\n",
		sumLine("a", []byte("a"))[:64] + "\n",
		sumLine("../a.tar.gz", []byte("a")),
		sumLine("a.tar.gz", []byte("a")) + sumLine("a.tar.gz", []byte("b")),
	} {
		if _, err := parseSums([]byte(bad)); err == nil {
			t.Errorf("parseSums(%q) accepted it", bad)
		}
	}
}

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
	archive := "terok-provider-acme_1.0.0_" + platform + ".tar.gz"
	data := tarGz(t, entry{name: "terok-provider-acme", body: "#!/bin/sh\n"}, entry{name: "README.md", body: "x"})
	write(t, filepath.Join(rel, archive), data)
	write(t, filepath.Join(rel, "SHA256SUMS"), []byte(sumLine("other.zip", []byte("o"))+sumLine(archive, data)))

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
	archive := "terok-provider-acme_1.0.0_" + platform + ".zip"
	for _, c := range []struct {
		name string
		sums func(data []byte) string // "" = no SHA256SUMS
		edit func(data []byte) []byte
		want string
	}{
		{"wrong checksum", func([]byte) string { return sumLine(archive, []byte("something else")) }, nil, "does not match SHA256SUMS"},
		{"tampered archive", func(d []byte) string { return sumLine(archive, d) }, func(d []byte) []byte {
			d = append([]byte(nil), d...)
			d[len(d)/2] ^= 0xff
			return d
		}, "does not match SHA256SUMS"},
		{"missing entry", func([]byte) string { return sumLine("terok-provider-acme_0.9.0_"+platform+".zip", []byte("x")) }, nil, "has no entry for " + archive},
		{"no SHA256SUMS", func([]byte) string { return "" }, nil, "no SHA256SUMS beside"},
		{"garbage SHA256SUMS", func([]byte) string { return "hello world\n" }, nil, "line 1 is not"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newInstallEnv(t)
			rel := t.TempDir()
			data := zipOf(t, entry{name: "terok-provider-acme", body: "bin"})
			if s := c.sums(data); s != "" {
				write(t, filepath.Join(rel, "SHA256SUMS"), []byte(s))
			}
			if c.edit != nil {
				data = c.edit(data)
			}
			write(t, filepath.Join(rel, archive), data)
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
	write(t, src, []byte("bin"))
	code, _, stderr := run(t, e.env, "auth", "plugins", "install", src)
	if code != 0 || !strings.Contains(stderr, "No SHA256SUMS beside") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// With a SHA256SUMS beside it, it must match.
	write(t, filepath.Join(filepath.Dir(src), "SHA256SUMS"), []byte(sumLine("terok-provider-acme", []byte("other"))))
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
	archive := "terok-provider-acme_2.0.0_" + platform + ".tar.gz"
	data := tarGz(t, entry{name: "terok-provider-acme", body: "v2"})
	sums := sumLine(archive, data)
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
	client.CheckRedirect = httpsOnly
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

func write(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzExtractPlugin(f *testing.F) {
	f.Add("terok-provider-acme.tar.gz", tarGz(f, entry{name: "terok-provider-acme", body: "x"}, entry{name: "../x", body: "y"}))
	f.Add("terok-provider-acme_1_"+platform+".zip", zipOf(f, entry{name: "terok-provider-acme", body: "x"}))
	f.Add("terok-provider-acme.tar.gz", tarGz(f, entry{name: "terok-provider-claude", body: "x"}))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		p, err := extractPlugin(&release{name: name, data: data})
		if err == nil && (p == nil || !strings.HasPrefix(pluginhost.Prefix+p.name, pluginhost.Prefix) || strings.ContainsAny(p.name, "/.")) {
			t.Errorf("extracted %+v", p)
		}
		// Whatever is inside, what installs is what the name says.
		if want, ok := archiveProvider(name); err == nil && ok && (strings.HasSuffix(name, ".zip") || strings.HasSuffix(name, ".gz")) && p.name != want {
			t.Errorf("%s installed %s", name, p.name)
		}
	})
}

func FuzzParseSums(f *testing.F) {
	f.Add([]byte(sumLine("a.tar.gz", []byte("a"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseSums(data)
		if err != nil {
			return
		}
		for name, sum := range m {
			if len(sum) != 64 || strings.ContainsAny(name, "/\\") || name == "" {
				t.Errorf("accepted %q %q", name, sum)
			}
		}
	})
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
		write(t, bin, []byte("evil "+name))
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
	write(t, acme, []byte("v1"))
	if code, _, stderr := run(t, e.env, "auth", "plugins", "install", acme); code != 0 {
		t.Fatalf("first install: exit %d, %s", code, stderr)
	}
	write(t, acme, []byte("v2"))
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
	archive := "terok-provider-acme_1.0.0_" + platform + ".tar.gz"
	data := tarGz(t, entry{name: "terok-provider-claude", body: "#!/bin/sh\n"})
	write(t, filepath.Join(rel, archive), data)
	write(t, filepath.Join(rel, "SHA256SUMS"), []byte(sumLine(archive, data)))
	code, _, stderr := run(t, e.env, "auth", "plugins", "install", "--replace", filepath.Join(rel, archive))
	if code == 0 || !strings.Contains(stderr, "holds terok-provider-claude, not terok-provider-acme") {
		t.Errorf("exit %d, %s", code, stderr)
	}
	e.assertNothingInstalled()
}
