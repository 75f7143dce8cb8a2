package e2e

// Logins with the vendors' own released CLIs, fetched and built into images
// by scripts/vendor-bins (pinned versions, cached in
// ~/.cache/terok-test/vendor), and glab's web login with the stand-in in
// internal/testvendor, since glab cannot be fetched here.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	vendorOnce sync.Once
	vendorOut  map[string]string
	vendorErr  error
)

// requireVendorImages fetches the vendor CLIs and builds their images once
// per run, and returns scripts/vendor-bins' NAME=VALUE lines.
func requireVendorImages(t *testing.T) map[string]string {
	t.Helper()
	requirePodman(t)
	vendorOnce.Do(func() { vendorOut, vendorErr = runVendorBins("images") })
	if vendorErr != nil {
		t.Fatalf("fetch the vendor CLIs with scripts/vendor-bins (needs npm, apt-get and podman; run through make test): %v", vendorErr)
	}
	return vendorOut
}

// runVendorBins runs scripts/vendor-bins with args and returns its
// NAME=VALUE lines.
func runVendorBins(args ...string) (map[string]string, error) {
	cmd := exec.Command("../scripts/vendor-bins", args...)
	cmd.Env = os.Environ()
	if os.Getenv("TEROK_VENDOR_CACHE") == "" {
		// scripts/with-keyring gives the tests a throwaway HOME; the
		// downloads belong in the real one, to be there next time.
		if u, err := user.Current(); err == nil && u.HomeDir != "" {
			cmd.Env = append(cmd.Env, "TEROK_VENDOR_CACHE="+filepath.Join(u.HomeDir, ".cache", "terok-test", "vendor"))
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	lines := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			lines[k] = v
		}
	}
	return lines, nil
}

// offlineEnv is a login environment whose containers have no network at
// all (netns none; their loopback still works), so a real vendor CLI
// behaves the same on every machine.
func offlineEnv(t *testing.T) *loginEnv {
	t.Helper()
	base := os.Getenv("CONTAINERS_CONF")
	if base == "" {
		base = "testdata/containers.conf"
	}
	conf, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(conf), "[containers]\n", "[containers]\nnetns = \"none\"\n", 1)
	if !strings.Contains(text, "netns") {
		text += "\n[containers]\nnetns = \"none\"\n"
	}
	path := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return newLoginEnv(t, "CONTAINERS_CONF="+path)
}

// startLogin starts terok in the background and returns its combined
// output as it comes.
func startLogin(t *testing.T, e *loginEnv, args ...string) (*exec.Cmd, *screen) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "terok"), args...)
	cmd.Env = append(os.Environ(), e.opts.env...)
	out := &screen{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, out
}

func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("terok did not finish within a minute")
		return -1
	}
}

// TestVendorCodexBrowserLoginIsReachable runs the real `codex login`: it
// prints its login URL, and its callback server, listening on the
// container's own 127.0.0.1:1455, answers a request made to the host's
// 127.0.0.1:1455 through terok's relay.
func TestVendorCodexBrowserLoginIsReachable(t *testing.T) {
	img := requireVendorImages(t)["codex_image"]
	set := "e2e-vendor-codex-relay"
	seed(t, set, "codex", `{"key":"sk-keepmekeepmekeepmekeep","type":"api_key"}`)
	e := offlineEnv(t)
	cmd, out := startLogin(t, e, "auth", "login", "codex", "--mode", "oauth", "--image", img, "--set", set, "--project", vendorProject)
	if !waitFor(30*time.Second, func() bool { return strings.Contains(out.String(), "https://auth.openai.com/oauth/authorize?") }) {
		t.Fatalf("codex never showed its login URL:\n%s", out)
	}
	if !strings.Contains(out.String(), "redirect_uri=http%3A%2F%2F127.0.0.1%3A1455%2Fauth%2Fcallback") &&
		!strings.Contains(out.String(), "redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback") {
		t.Errorf("codex's URL does not redirect to port 1455:\n%s", out)
	}
	// The browser's redirect, with a state codex did not issue: codex's own
	// server answers (and keeps waiting for the right one).
	status, body, err := get("http://127.0.0.1:1455/auth/callback?code=e2e&state=not-codex-state")
	if err != nil {
		t.Fatalf("the host's 127.0.0.1:1455 did not reach codex: %v\n%s", err, out)
	}
	if status < 400 || !strings.Contains(body, "State mismatch") {
		t.Errorf("answer %d %q, want codex's own State mismatch error", status, body)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	if code := waitExit(t, cmd); code != 130 {
		t.Errorf("exit %d after Ctrl-C, want 130:\n%s", code, out)
	}
	if !strings.Contains(stored(t, set, "codex"), "keepme") {
		t.Error("the previous credential changed")
	}
	e.assertClean(t)
}

// TestVendorCodexAPIKeyLoginIsCaptured runs the real `codex login
// --with-api-key` behind the provider's command (an image whose codex on
// PATH is a wrapper), and stores what it wrote, without a warning about
// the links codex leaves in tmp/arg0-linux.
func TestVendorCodexAPIKeyLoginIsCaptured(t *testing.T) {
	base := requireVendorImages(t)["codex_image"]
	img := codexAPIKeyImage(t, base)
	set := "e2e-vendor-codex-apikey"
	t.Cleanup(func() { _ = deleteStored(set, "codex") })
	e := offlineEnv(t)
	r := terok(t, e.opts, "auth", "login", "codex", "--mode", "oauth", "--image", img, "--set", set, "--project", vendorProject)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	c := storedFields(t, set, "codex")
	if c["type"] != "api_key" || c["key"] != codexWrapperKey || c["auth_mode"] != "apikey" {
		t.Errorf("keyring holds %v", c)
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("warnings on a clean codex login:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "API key saved") || !strings.Contains(r.stderr, "Credentials captured for codex") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	e.assertClean(t)
}

// TestVendorCodexDeviceLoginOffline: with no network, codex's device login
// fails with codex's own message; terok cleans up and keeps the previous
// credential.
func TestVendorCodexDeviceLoginOffline(t *testing.T) {
	img := requireVendorImages(t)["codex_image"]
	set := "e2e-vendor-codex-device"
	seed(t, set, "codex", `{"key":"sk-keepmekeepmekeepmekeep","type":"api_key"}`)
	e := offlineEnv(t)
	r := terok(t, e.opts, "auth", "login", "codex", "--mode", "device", "--image", img, "--set", set, "--project", vendorProject)
	if r.code != 1 || !strings.Contains(r.stderr, "Error logging in") || !strings.Contains(r.stderr, "the Codex login exited with code 1; nothing was captured") {
		t.Errorf("exit %d, want 1 with codex's own error:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(stored(t, set, "codex"), "keepme") {
		t.Error("the previous credential changed")
	}
	e.assertClean(t)
}

// TestVendorGlabWebLoginThroughTheRelay: glab's web login (the stand-in,
// bound to the container's 127.0.0.1:7171) gets the browser's redirect from
// the host's 127.0.0.1:7171, finishes, and its OAuth2 config is stored as
// an OAuth credential with refresh token and expiry.
func TestVendorGlabWebLoginThroughTheRelay(t *testing.T) {
	requirePodman(t)
	set := "e2e-vendor-glab"
	t.Cleanup(func() { _ = deleteStored(set, "glab") })
	e := offlineEnv(t)
	cmd, out := startLogin(t, e, "auth", "login", "glab", "--mode", "oauth", "--image", glabStandInImage(t), "--set", set, "--project", vendorProject)
	if !waitFor(30*time.Second, func() bool { return strings.Contains(out.String(), "redirect_uri=http%3A%2F%2Flocalhost%3A7171") }) {
		t.Fatalf("glab never showed its login URL:\n%s", out)
	}
	answerGlabCallback(t, "", out)
	if code := waitExit(t, cmd); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	c := storedFields(t, set, "glab")
	if c["type"] != "oauth" || c["access_token"] != "e2e-glab-oauth2-access-token" || c["refresh_token"] != "e2e-glab-oauth2-refresh-token" ||
		c["expires_at"] != 1796083200.0 || c["host"] != "gitlab.com" {
		t.Errorf("keyring holds %v", c)
	}
	e.assertClean(t)
}

// TestVendorCallbackPortInUse: a taken callback port stops the login
// before any container starts, naming the port.
func TestVendorCallbackPortInUse(t *testing.T) {
	requirePodman(t)
	ln, err := listenLoopback(7171)
	if err != nil {
		t.Fatalf("this test needs 127.0.0.1:7171 free to take it itself: %v", err)
	}
	defer func() { _ = ln.Close() }()
	e := newLoginEnv(t)
	r := terok(t, e.opts, "auth", "login", "glab", "--mode", "oauth", "--image", glabStandInImage(t), "--set", "e2e-vendor-port", "--project", vendorProject)
	if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:7171") || !strings.Contains(r.stderr, "already taken") ||
		!strings.Contains(r.stderr, "Nothing was started") || strings.Contains(r.stderr, "$ podman run") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	e.assertClean(t)
}

// vendorProject names these tests' login containers (vendorProject-auth-NAME),
// apart from those of other tests that may run on the same podman.
const vendorProject = "e2e-vendor"

// codexWrapperKey is a made-up key the wrapper image logs in with.
const codexWrapperKey = "sk-e2e-vendor-codex-wrapper-0000000000"

// codexAPIKeyImage is the codex image whose `codex login` is the real
// `codex login --with-api-key` reading the test key.
func codexAPIKeyImage(t *testing.T, base string) string {
	return wrapperImage(t, base, "codex", "E2E_CODEX_KEY="+codexWrapperKey,
		"# codex login, with an API key and no network: codex's own --with-api-key\n"+
			"if [ \"$*\" = '-c cli_auth_credentials_store=\"file\" login' ]; then\n"+
			"  printf '%s' \"$E2E_CODEX_KEY\" | /usr/local/bin/codex -c 'cli_auth_credentials_store=\"file\"' login --with-api-key; exit $?\n"+
			"fi\n"+
			"exec /usr/local/bin/codex \"$@\"\n")
}

// wrapperImage builds, once per content, an image FROM base whose NAME on
// PATH is a shell script in front of the real /usr/local/bin/NAME.
func wrapperImage(t *testing.T, base, name, env, script string) string {
	t.Helper()
	wrapper := "#!/bin/sh\n" + script
	containerfile := "FROM " + base + "\nCOPY " + name + " /e2e/" + name + "\nENV PATH=/e2e:/usr/local/bin:/bin " + env + "\n"
	prefix := "localhost/terok-test-vendor-" + name + "-wrapped:"
	img := fmt.Sprintf("%s%x", prefix, sha256.Sum256([]byte(wrapper+containerfile)))[:len(prefix)+12]
	if exec.Command("podman", "image", "exists", img).Run() == nil {
		return img
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("podman", "build", "-q", "-t", img, dir).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", img, err, out)
	}
	return img
}

// TestVendorGhWritesHostsYml: the real gh 2.23 writes hosts.yml (through
// `gh config set`, which works offline, behind the provider's `gh auth
// login`), and terok captures the token from it.
func TestVendorGhWritesHostsYml(t *testing.T) {
	base := requireVendorImages(t)["gh_image"]
	img := wrapperImage(t, base, "gh", "E2E_GH_TOKEN=gho_e2eVendorGhToken000000000000",
		"if [ \"$*\" = \"auth login\" ]; then\n"+
			"  gh config set -h github.com oauth_token \"$E2E_GH_TOKEN\" && gh config set -h github.com user e2e && gh config set -h github.com git_protocol https; exit $?\n"+
			"fi\nexec /usr/local/bin/gh \"$@\"\n")
	set := "e2e-vendor-gh"
	t.Cleanup(func() { _ = deleteStored(set, "gh") })
	e := offlineEnv(t)
	r := terok(t, e.opts, "auth", "login", "gh", "--mode", "oauth", "--image", img, "--set", set, "--project", vendorProject)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	c := storedFields(t, set, "gh")
	if c["type"] != "oauth_token" || c["token"] != "gho_e2eVendorGhToken000000000000" || c["host"] != "github.com" || c["user"] != "e2e" {
		t.Errorf("keyring holds %v", c)
	}
	e.assertClean(t)
}

// TestVendorClaudeWritesIntoTheCapturedDir: the real Claude Code 2.1.332,
// offline and without a terminal, cannot log in; it still writes its
// .claude.json, and with CLAUDE_CONFIG_DIR set by the provider that file is
// in the captured dir (before, it went to $HOME and a Console login's key
// was lost). The wrapper only turns claude's failure into an exit 0 so
// terok lists what claude left; nothing is stored.
func TestVendorClaudeWritesIntoTheCapturedDir(t *testing.T) {
	base := requireVendorImages(t)["claude_image"]
	img := wrapperImage(t, base, "claude", "E2E=1", "/usr/local/bin/claude \"$@\" </dev/null; echo \"claude exited $?\"; exit 0\n")
	set := "e2e-vendor-claude"
	seed(t, set, "claude", `{"key":"sk-ant-api03-keepmekeepmekeepme","type":"api_key"}`)
	e := offlineEnv(t)
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", img, "--set", set, "--project", vendorProject)
	if r.code != 1 || !strings.Contains(r.stderr, "claude exited 1") || !strings.Contains(r.stderr, "no credential found") ||
		!strings.Contains(r.stderr, ".claude.json") {
		t.Errorf("exit %d, want 1 listing claude's .claude.json:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(stored(t, set, "claude"), "keepme") {
		t.Error("the previous credential changed")
	}
	e.assertClean(t)
}

func listenLoopback(port int) (io.Closer, error) {
	return net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
}

// glabStandInImage is internal/testvendor as glab, in an image of its own
// (named after the binary, so a second run imports nothing).
func glabStandInImage(t *testing.T) string {
	t.Helper()
	return importGlabStandIn(t, nil)
}

// importGlabStandIn imports the glab stand-in image with `podman`, run
// through the command prefix asUser (nil: as the test itself), and returns
// its name.
func importGlabStandIn(t *testing.T, asUser []string) string {
	t.Helper()
	vendor := os.Getenv("TEROK_TEST_VENDOR")
	if vendor == "" {
		vendor = filepath.Join(binDir, "testvendor")
		if _, err := os.Stat(vendor); err != nil {
			build := exec.Command("go", "build", "-o", vendor, "../internal/testvendor")
			build.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("build testvendor: %v\n%s", err, out)
			}
		}
	}
	bin, err := os.ReadFile(vendor)
	if err != nil {
		t.Fatal(err)
	}
	podman := func(args ...string) *exec.Cmd {
		argv := append(append(append([]string(nil), asUser...), "podman"), args...)
		return exec.Command(argv[0], argv[1:]...)
	}
	img := fmt.Sprintf("localhost/terok-test-vendor-glab-standin:%x", sha256.Sum256(bin))[:len("localhost/terok-test-vendor-glab-standin:")+12]
	if podman("image", "exists", img).Run() == nil {
		return img
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"home/", "home/dev/", "tmp/", "usr/", "usr/local/", "usr/local/bin/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o1777}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: "usr/local/bin/glab", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(bin); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := podman("import", "--quiet", "--change", "ENV HOME=/home/dev", "--change", "ENV PATH=/usr/local/bin",
		"--change", "ENV TEROK_FAKE=ok", "-", img)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("podman import %s: %v\n%s", img, err, out)
	}
	return img
}

// get fetches url as a browser would, and returns the status and body.
func get(url string) (int, string, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// answerGlabCallback plays the browser's redirect to the host's
// 127.0.0.1:7171 and checks that the glab stand-in in the container
// answered it. The stand-in may print before it serves; a refused
// connection is retried briefly, as a browser's reload would be.
func answerGlabCallback(t *testing.T, where string, out fmt.Stringer) {
	t.Helper()
	var status int
	var body string
	var err error
	waitFor(10*time.Second, func() bool {
		status, body, err = get("http://127.0.0.1:7171/auth/redirect?code=e2e-code&state=s")
		return err == nil
	})
	if err != nil {
		t.Fatalf("the host's 127.0.0.1:7171 did not reach glab%s: %v\n%s", where, err, out)
	}
	if status != 200 || !strings.Contains(body, "you have logged in") {
		t.Errorf("answer %d %q", status, body)
	}
}
