package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tokens internal/testvendor writes.
const (
	vendorClaudeAccess  = "sk-ant-oat01-E2E-ACCESS-TOKEN-0000000000"
	vendorClaudeRefresh = "sk-ant-ort01-E2E-REFRESH-TOKEN-000000000"
	vendorCodexAccess   = "e2e-codex-access.eyJleHAiOjE3NjcyMjU2MDB9.sig"
	vendorCodexRefresh  = "e2e-codex-refresh-token"
	vendorImage         = "localhost/terok-e2e-vendor"
)

var (
	imagesOnce sync.Once
	imagesErr  error
)

// requirePodman fails (never skips) without a working podman, and builds
// the test images once: FROM scratch, holding the static testvendor binary
// as claude and codex, one tag per behaviour.
func requirePodman(t testing.TB) {
	t.Helper()
	requireKeyring(t)
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("these tests need podman: run them with `make test`, which installs it (apt-get install podman runc)")
	}
	lockPodman(t)
	imagesOnce.Do(func() { imagesErr = buildImages() })
	if imagesErr != nil {
		t.Fatalf("build the test images: %v", imagesErr)
	}
}

var behaviours = []string{"ok", "slow", "exit1", "exit130", "garbage", "nothing", "huge", "sleep"}

func buildImages() error {
	vendor := os.Getenv("TEROK_TEST_VENDOR")
	if vendor == "" {
		vendor = filepath.Join(binDir, "testvendor")
		cmd := exec.Command("go", "build", "-o", vendor, "../internal/testvendor")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build testvendor: %w\n%s", err, out)
		}
	}
	bin, err := os.ReadFile(vendor)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []struct {
		name string
		mode int64
	}{{"home/", 0o755}, {"home/dev/", 0o777}, {"tmp/", 0o1777}, {"usr/", 0o755}, {"usr/local/", 0o755}, {"usr/local/bin/", 0o755}} {
		if err := tw.WriteHeader(&tar.Header{Name: d.name, Typeflag: tar.TypeDir, Mode: d.mode}); err != nil {
			return err
		}
	}
	for _, name := range []string{"usr/local/bin/claude", "usr/local/bin/codex", "usr/local/bin/acme"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(bin))}); err != nil {
			return err
		}
		if _, err := tw.Write(bin); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rootfs := filepath.Join(binDir, "vendor-rootfs.tar")
	if err := os.WriteFile(rootfs, buf.Bytes(), 0o644); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(behaviours))
	for i, b := range behaviours {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := exec.Command("podman", "import", "--quiet",
				"--change", "ENV HOME=/home/dev", "--change", "ENV PATH=/usr/local/bin", "--change", "ENV TEROK_FAKE="+b,
				rootfs, vendorImage+":"+b).CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("podman import %s: %w\n%s", b, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// loginEnv is what every container login test runs terok with: its own
// temp dir (to see that nothing is left in it) and mounts dir.
type loginEnv struct {
	tmp, mounts string
	opts        runOpts
}

func newLoginEnv(t *testing.T, extra ...string) *loginEnv {
	e := &loginEnv{tmp: t.TempDir(), mounts: t.TempDir()}
	e.opts = runOpts{env: append([]string{"TMPDIR=" + e.tmp, "TEROK_MOUNTS_DIR=" + e.mounts}, extra...)}
	return e
}

func (e *loginEnv) assertClean(t *testing.T) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(e.tmp, "terok-auth-*")); len(left) > 0 {
		t.Errorf("private login dirs left behind: %v", left)
	}
	// Only this test's containers: another run's may be on the machine.
	if names := authContainersUnder(t, e.tmp); len(names) > 0 {
		t.Errorf("auth containers left behind: %s", strings.Join(names, " "))
		_ = exec.Command("podman", append([]string{"rm", "-f"}, names...)...).Run()
	}
}

func storedFields(t *testing.T, set, provider string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(stored(t, set, provider)), &m); err != nil {
		t.Fatalf("%s/%s in the keyring: %v", set, provider, err)
	}
	return m
}

func TestOAuthLoginClaude(t *testing.T) {
	requirePodman(t)
	e := newLoginEnv(t)
	set := "e2e-oauth-claude"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":ok", "--set", set)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	c := storedFields(t, set, "claude")
	if c["type"] != "oauth" || c["access_token"] != vendorClaudeAccess || c["refresh_token"] != vendorClaudeRefresh || c["expires_at"] != 1767225600.0 || c["subscription_type"] != "max" {
		t.Errorf("keyring holds %v", c)
	}
	state, err := os.ReadFile(filepath.Join(e.mounts, "_claude-config", ".claude.json"))
	if err != nil || !strings.Contains(string(state), `"hasCompletedOnboarding": true`) {
		t.Errorf("state file: %q, %v", state, err)
	}
	for _, want := range []string{"Authenticating Claude (host-wide)", "exit Claude with /exit", "$ podman run --rm -i --name host-auth-claude",
		"--label io.terok.auth=1", "/home/dev/.claude:Z", vendorImage + ":ok claude", "Credentials captured for claude (set: " + set + ")"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want it clean", r.stdout)
	}
	e.assertClean(t)
}

func TestOAuthAndDeviceLoginCodex(t *testing.T) {
	requirePodman(t)
	for _, tc := range []struct {
		mode, printed, notPrinted string
	}{
		{"oauth", "-- " + vendorImage + `:ok codex -c 'cli_auth_credentials_store="file"' login`, "--device-auth"},
		{"device", "-- " + vendorImage + `:ok codex -c 'cli_auth_credentials_store="file"' login --device-auth`, "1455"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newLoginEnv(t)
			set := "e2e-codex-" + tc.mode
			t.Cleanup(func() { _ = deleteStored(set, "codex") })
			r := terok(t, e.opts, "auth", "login", "codex", "--mode", tc.mode, "--image", vendorImage+":ok", "--set", set, "--project", "e2eproj")
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			c := storedFields(t, set, "codex")
			if c["type"] != "oauth" || c["access_token"] != vendorCodexAccess || c["refresh_token"] != vendorCodexRefresh ||
				c["account_id"] != "e2e-account" || c["expires_at"] != 1767225600.0 {
				t.Errorf("keyring holds %v", c)
			}
			if !strings.Contains(r.stderr, tc.printed) || strings.Contains(r.stderr, tc.notPrinted) ||
				(tc.mode == "oauth") != strings.Contains(r.stderr, "Browser callback: localhost:1455") || strings.Contains(r.stderr, "-p 127.0.0.1:1455") || !strings.Contains(r.stderr, "--name e2eproj-auth-codex") ||
				!strings.Contains(r.stderr, "Authenticating Codex for project: e2eproj") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			e.assertClean(t)
		})
	}
}

func TestContainerFaults(t *testing.T) {
	requirePodman(t)
	const set = "e2e-cfaults"
	const previous = `{"key":"sk-ant-api03-previouspreviousprevious","type":"api_key"}`
	good := pluginDir(t, "capcrash")
	tests := []struct {
		name     string
		provider string
		image    string
		env      []string
		code     int
		want     []string
	}{
		{"podman missing", "claude", "ok", []string{"TEROK_PODMAN=/nonexistent/podman"}, 1, []string{"podman not found", "apt-get install podman", "--mode api-key"}},
		{"image missing", "claude", "no-such-tag", nil, 1, []string{"exit 125", "If the image " + vendorImage + ":no-such-tag is missing"}},
		{"exits 1", "claude", "exit1", nil, 1, []string{"login failed: the server said no", "exited with code 1; nothing was captured"}},
		{"exits 130", "claude", "exit130", nil, 130, []string{"was stopped before it finished; nothing was captured"}},
		{"writes garbage", "claude", "garbage", nil, 1, []string{"no credential found", "Files found: .credentials.json, settings.json", "not valid JSON"}},
		{"writes nothing", "claude", "nothing", nil, 1, []string{"It left no files at all"}},
		{"writes 100 MB", "claude", "huge", nil, 1, []string{"not read: cache.bin: 100 MiB, over the 1 MiB limit per file", "no credential found"}},
		{"plugin crashes in Capture", "capcrash", "ok", []string{"TEROK_PLUGIN_PATH=" + good}, 1, []string{"plugin capcrash stopped answering during Capture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed(t, set, tt.provider, previous)
			e := newLoginEnv(t, tt.env...)
			start := time.Now()
			r := terok(t, e.opts, "auth", "login", tt.provider, "--mode", "oauth", "--image", vendorImage+":"+tt.image, "--set", set)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if got := stored(t, set, tt.provider); got != previous {
				t.Errorf("the previous credential became %q", got)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %s", d)
			}
			e.assertClean(t)
		})
	}
}

// startContainerLogin starts a login whose container waits, and returns
// once the container runs.
func startContainerLogin(t *testing.T, e *loginEnv, set string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":sleep", "--set", set, "--project", set)
	cmd.Env = append(os.Environ(), e.opts.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	running := func() bool {
		out, _ := exec.Command("podman", "ps", "--filter", "name="+set+"-auth-claude", "--format", "{{.Names}}").Output()
		return strings.TrimSpace(string(out)) != ""
	}
	if !waitFor(20*time.Second, running) {
		t.Fatalf("the login container never ran:\n%s", stderr.String())
	}
	return cmd, &stderr
}

func TestSignalsStopTheContainerAndCleanUp(t *testing.T) {
	requirePodman(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			set := "e2e-sig-" + strings.ToLower(strings.ReplaceAll(sig.String(), " ", ""))
			seed(t, set, "claude", `{"key":"sk-ant-api03-keepmekeepmekeepme","type":"api_key"}`)
			e := newLoginEnv(t)
			cmd, stderr := startContainerLogin(t, e, set)
			start := time.Now()
			_ = cmd.Process.Signal(sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if want := 128 + int(sig); !errors.As(err, &ee) || ee.ExitCode() != want {
				t.Errorf("exit = %v, want %d:\n%s", err, want, stderr)
			}
			if !strings.Contains(stderr.String(), "Authentication interrupted.") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %s to stop", d)
			}
			if !strings.Contains(stored(t, set, "claude"), "keepme") {
				t.Error("the previous credential changed")
			}
			e.assertClean(t)
			assertNoPluginLeft(t)
		})
	}
}

// TestNoSecretInAnyArgv watches every process's command line while a login
// runs, from the container writing the tokens until terok has stored them.
func TestNoSecretInAnyArgv(t *testing.T) {
	requirePodman(t)
	set := "e2e-argv"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newLoginEnv(t, "TEROK_LOG_LEVEL=trace")
	stop := make(chan struct{})
	leaks := make(chan string, 1)
	scans := 0
	go func() {
		defer close(leaks)
		for {
			select {
			case <-stop:
				return
			default:
			}
			scans++
			files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, f := range files {
				data, _ := os.ReadFile(f)
				if bytes.Contains(data, []byte(vendorClaudeAccess)) || bytes.Contains(data, []byte(vendorClaudeRefresh)) {
					leaks <- f + ": " + strings.ReplaceAll(string(data), "\x00", " ")
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":slow", "--set", set)
	close(stop)
	if leak, ok := <-leaks; ok {
		t.Errorf("a token was on a command line: %s", leak)
	}
	if r.code != 0 || !strings.Contains(stored(t, set, "claude"), vendorClaudeAccess) {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "[TRACE]") {
		t.Error("no trace log; the check below would prove nothing")
	}
	if strings.Contains(r.stderr, vendorClaudeAccess) || strings.Contains(r.stderr, vendorClaudeRefresh) {
		t.Error("a token is in the trace log")
	}
	if scans < 20 {
		t.Errorf("only %d scans of the process list during the login", scans)
	}
	e.assertClean(t)
}

func TestStaleContainerIsSwept(t *testing.T) {
	requirePodman(t)
	name := "e2e-stale-auth-claude"
	if out, err := exec.Command("podman", "create", "--name", name, "--label", "io.terok.auth=1",
		"--label", "io.terok.auth.pid=2147483646", vendorImage+":ok", "claude").CombinedOutput(); err != nil {
		t.Fatalf("podman create: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", name).Run() }) // if terok did not sweep it
	set := "e2e-sweep"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newLoginEnv(t)
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":ok", "--set", set)
	if r.code != 0 || !strings.Contains(r.stderr, "Removed auth container "+name+", left by a terok that did not finish") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	if exec.Command("podman", "container", "exists", name).Run() == nil {
		t.Error("the stale container is still there")
	}
	e.assertClean(t)
}
