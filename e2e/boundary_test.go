package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The host boundary under attack (issue 9): hostile provider files, a
// hostile login container, signals and a second login. Each test fails on
// a terok that lets the attack through.

// boundaryImage holds login images whose vendor stand-in attacks the host
// (see internal/testvendor/hostile.go).
const boundaryImage = "localhost/terok-e2e-boundary"

var (
	boundaryOnce sync.Once
	boundaryErr  error
)

// requireBoundaryImages builds the hostile images once, from the rootfs the
// vendor images are made of.
func requireBoundaryImages(t *testing.T) {
	t.Helper()
	requirePodman(t)
	boundaryOnce.Do(func() {
		for _, b := range []string{"deep", "badname", "leak"} {
			out, err := exec.Command("podman", "import", "--quiet",
				"--change", "ENV HOME=/home/dev", "--change", "ENV PATH=/usr/local/bin", "--change", "ENV TEROK_FAKE="+b,
				filepath.Join(binDir, "vendor-rootfs.tar"), boundaryImage+":"+b).CombinedOutput()
			if err != nil {
				boundaryErr = fmt.Errorf("podman import %s: %w\n%s", b, err, out)
				return
			}
		}
	})
	if boundaryErr != nil {
		t.Fatal(boundaryErr)
	}
}

// newBoundaryEnv is newLoginEnv with a short TMPDIR: t.TempDir() is named
// after the test, and these tests' long names would push the plugins'
// unix socket paths (made under TMPDIR) past the 108 bytes a socket path
// may have.
func newBoundaryEnv(t *testing.T, extra ...string) *loginEnv {
	t.Helper()
	tmp, err := os.MkdirTemp("", "e2eb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(tmp) })
	e := &loginEnv{tmp: tmp, mounts: t.TempDir()}
	e.opts = runOpts{env: append([]string{"TMPDIR=" + e.tmp, "TEROK_MOUNTS_DIR=" + e.mounts}, extra...)}
	return e
}

// hostileYAML is a provider file whose login container would reach the
// host, with field set as given.
func hostileYAML(t *testing.T, field string) string {
	t.Helper()
	dir := t.TempDir()
	yaml := "name: hostile\nlabel: Hostile\nmodes: [oauth]\nhost_dir: _hostile-config\ncontainer_mount: /home/dev/.claude\n" +
		"command: claude\n" + field + "\ncapture:\n  - {file: .credentials.json, format: json, type: oauth, fields: {access_token: claudeAiOauth.accessToken}}\n"
	if err := os.WriteFile(filepath.Join(dir, "hostile.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// podmanEvents counts the containers created while f runs.
func containersCreatedDuring(t *testing.T, f func()) int {
	t.Helper()
	since := time.Now().Add(-time.Second).Format(time.RFC3339)
	f()
	out, err := exec.Command("podman", "events", "--stream=false", "--since", since, "--filter", "event=create", "--filter", "label=io.terok.auth.provider=hostile", "--format", "{{.Name}}").Output()
	if err != nil {
		t.Fatalf("podman events: %v", err)
	}
	return len(strings.Fields(string(out)))
}

func TestHostileProviderFilesAreRefusedBeforeAnythingRuns(t *testing.T) {
	requirePodman(t)
	for _, tc := range []struct {
		name, field, want string
	}{
		{"image that is a mount option", `image: "--volume=/etc:/host"`, `"--volume=/etc:/host" starts with '-' and would be read as an option`},
		{"image that is --privileged", `image: "--privileged"`, `"--privileged" starts with '-'`},
		{"image that reads a host path", `image: "oci-archive:/etc/shadow"`, "oci-archive: transport"},
		{"env passthrough", "image: " + vendorImage + ":ok\nextra_run_args: [\"-e\", \"E2E_HOST_SECRET\"]", "needs NAME=VALUE"},
		{"env-host", "image: " + vendorImage + ":ok\nextra_run_args: [\"--env-host\"]", `"--env-host"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := hostileYAML(t, tc.field)
			set := "e2e-boundary-yaml"
			t.Cleanup(func() { _ = deleteStored(set, "hostile") })
			e := newBoundaryEnv(t, "TEROK_PROVIDERS_PATH="+dir, "E2E_HOST_SECRET=host-secret-must-stay")
			r := terok(t, e.opts, "auth", "providers", "validate", filepath.Join(dir, "hostile.yaml"))
			if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("validate: exit %d:\n%s", r.code, r.stderr)
			}
			var login result
			created := containersCreatedDuring(t, func() {
				login = terok(t, e.opts, "auth", "login", "hostile", "--mode", "oauth", "--set", set, "--project", set)
			})
			if login.code == 0 || !strings.Contains(login.stderr, tc.want) {
				t.Errorf("login: exit %d:\n%s", login.code, login.stderr)
			}
			if created != 0 {
				t.Errorf("%d containers were created", created)
			}
			if got := stored(t, set, "hostile"); got != "" {
				t.Errorf("the store holds %s", got)
			}
			assertCleanNamed(t, e, set+"-auth-hostile")
		})
	}
}

func TestImageOptionFromTheUserIsRefused(t *testing.T) {
	requirePodman(t)
	set := "e2e-boundary-image"
	seed(t, set, "claude", `{"key":"sk-ant-api03-keepmekeepmekeepme","type":"api_key"}`)
	for _, how := range [][]string{{"--image", "--volume=/etc:/host"}, {"--image=--privileged"}} {
		e := newBoundaryEnv(t)
		r := terok(t, e.opts, append([]string{"auth", "login", "claude", "--mode", "oauth", "--set", set}, how...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "would be read as an option") {
			t.Errorf("%v: exit %d:\n%s", how, r.code, r.stderr)
		}
		assertCleanAfter(t, e, set)
	}
	e := newBoundaryEnv(t, "TEROK_AUTH_IMAGE=--volume=/:/host")
	if r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--set", set); r.code != 2 || !strings.Contains(r.stderr, "TEROK_AUTH_IMAGE") {
		t.Errorf("TEROK_AUTH_IMAGE: exit %d:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(stored(t, set, "claude"), "keepme") {
		t.Error("the previous credential changed")
	}
}

// TestLoginContainerNeverGetsTheHostEnvironment runs a login whose vendor
// stand-in stores, as its token, every variable that came from the host,
// under a containers.conf that asks podman to copy the whole environment
// (env_host, which newer podman honours) and with a proxy set, which podman
// copies by default.
func TestLoginContainerNeverGetsTheHostEnvironment(t *testing.T) {
	requireBoundaryImages(t)
	conf := filepath.Join(t.TempDir(), "containers.conf")
	base, err := os.ReadFile(os.Getenv("CONTAINERS_CONF"))
	if err != nil {
		t.Fatalf("the e2e tests run with CONTAINERS_CONF set (make test): %v", err)
	}
	if err := os.WriteFile(conf, bytes.Replace(base, []byte("[containers]\n"), []byte("[containers]\nenv_host = true\n"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	set := "e2e-boundary-env"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newBoundaryEnv(t, "CONTAINERS_CONF="+conf, "E2E_HOST_SECRET=host-secret-must-stay",
		"TEROK_CLAUDE_API_KEY=sk-ant-api03-hostenvhostenvhostenv", "http_proxy=http://user:proxypass@127.0.0.1:9")
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", boundaryImage+":leak", "--set", set, "--project", set)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if got := storedFields(t, set, "claude")["access_token"]; got != "sk-ant-oat01-LEAK[]" {
		t.Errorf("the container saw the host's environment: %v", got)
	}
	assertCleanAfter(t, e, set)
}

// assertCleanAfter checks that a claude login of project set left no
// private dir and no container. It looks only at this test's own
// container: other tests (and other people's) may run logins on the same
// podman meanwhile, and must not be disturbed.
func assertCleanAfter(t *testing.T, e *loginEnv, set string) {
	t.Helper()
	assertCleanNamed(t, e, set+"-auth-claude")
}

func assertCleanNamed(t *testing.T, e *loginEnv, name string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(e.tmp, "terok-auth-*")); len(left) > 0 {
		t.Errorf("private login dirs left behind: %v", left)
	}
	if exec.Command("podman", "container", "exists", name).Run() == nil {
		t.Errorf("the login container %s was left behind", name)
		_ = exec.Command("podman", "rm", "-f", name).Run()
	}
}

// podmanClients lists the podman processes whose command line names the
// container.
func podmanClients(name string) []string {
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var found []string
	for _, c := range cmdlines {
		data, err := os.ReadFile(c)
		if err != nil {
			continue
		}
		args := strings.Split(string(data), "\x00")
		if len(args) > 1 && filepath.Base(args[0]) == "podman" && bytes.Contains(data, []byte("\x00"+name+"\x00")) {
			found = append(found, filepath.Dir(c))
		}
	}
	return found
}

// startGroupLogin is startContainerLogin with terok leading a process
// group of its own, as a shell's job does: a closed terminal sends SIGHUP
// to the whole group, podman and plugins included.
func startGroupLogin(t *testing.T, e *loginEnv, set string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":sleep", "--set", set, "--project", set)
	cmd.Env = append(os.Environ(), e.opts.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	if !waitFor(20*time.Second, func() bool { return len(podmanClients(set+"-auth-claude")) > 0 && podmanRunning(set+"-auth-claude") }) {
		t.Fatalf("the login container never ran:\n%s", stderr.String())
	}
	return cmd, &stderr
}

func podmanRunning(name string) bool {
	out, _ := exec.Command("podman", "ps", "--filter", "name=^"+name+"$", "--format", "{{.Names}}").Output()
	return strings.TrimSpace(string(out)) == name
}

func TestClosedTerminalDuringOAuthLoginGetsCtrlCsCleanup(t *testing.T) {
	requirePodman(t)
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		code  int
		group bool
	}{
		{"SIGHUP to terok", syscall.SIGHUP, 129, false},
		{"SIGHUP to the process group", syscall.SIGHUP, 129, true},
		{"SIGQUIT to terok", syscall.SIGQUIT, 131, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := "e2e-boundary-" + strconv.Itoa(int(tc.sig)) + strconv.FormatBool(tc.group)
			seed(t, set, "claude", `{"key":"sk-ant-api03-keepmekeepmekeepme","type":"api_key"}`)
			e := newBoundaryEnv(t)
			var cmd *exec.Cmd
			var stderr *bytes.Buffer
			if tc.group {
				cmd, stderr = startGroupLogin(t, e, set)
			} else {
				cmd, stderr = startContainerLogin(t, e, set)
			}
			name := set + "-auth-claude"
			if dirs, _ := filepath.Glob(filepath.Join(e.tmp, "terok-auth-*")); len(dirs) != 1 || len(podmanClients(name)) == 0 {
				t.Fatalf("mid-login: private dirs %v, podman clients %v", dirs, podmanClients(name))
			}
			if tc.group {
				_ = syscall.Kill(-cmd.Process.Pid, tc.sig)
			} else {
				_ = cmd.Process.Signal(tc.sig)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("exit = %v, want %d after the cleanup:\n%s", err, tc.code, stderr)
			}
			if !strings.Contains(stderr.String(), "Authentication interrupted.") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if exec.Command("podman", "container", "exists", name).Run() == nil {
				t.Errorf("the container %s is still there", name)
			}
			if left := podmanClients(name); len(left) > 0 {
				t.Errorf("podman clients left: %v", left)
			}
			if !strings.Contains(stored(t, set, "claude"), "keepme") {
				t.Error("the previous credential changed")
			}
			assertCleanAfter(t, e, set)
			assertNoPluginLeft(t)
		})
	}
}

func TestSecondLoginForTheSameProjectLeavesTheFirstRunning(t *testing.T) {
	requirePodman(t)
	set := "e2e-boundary-twice"
	seed(t, set, "claude", `{"key":"sk-ant-api03-keepmekeepmekeepme","type":"api_key"}`)
	e := newBoundaryEnv(t)
	first, stderr := startContainerLogin(t, e, set)
	name := set + "-auth-claude"
	o := e.opts
	o.concurrent = true // the first login's plugin runs on
	r := terok(t, o, "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":ok", "--set", set, "--project", set)
	want := fmt.Sprintf("a login for claude (project %s) is already running (pid %d)", set, first.Process.Pid)
	if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "Removing existing auth container") {
		t.Errorf("second login: exit %d, want 1 and %q:\n%s", r.code, want, r.stderr)
	}
	out, _ := exec.Command("podman", "ps", "--filter", "name=^"+name+"$", "--format", "{{.Names}}").Output()
	if strings.TrimSpace(string(out)) != name {
		t.Errorf("the first login's container is gone")
	}
	_ = first.Process.Signal(syscall.SIGINT)
	if err := first.Wait(); err == nil || !strings.Contains(stderr.String(), "Authentication interrupted.") {
		t.Errorf("first login: %v\n%s", err, stderr)
	}
	if !strings.Contains(stored(t, set, "claude"), "keepme") {
		t.Error("the previous credential changed")
	}
	assertCleanAfter(t, e, set)
	assertNoPluginLeft(t)
}

func TestDeepTreeFromTheContainerIsBoundedAndWiped(t *testing.T) {
	requireBoundaryImages(t)
	set := "e2e-boundary-deep"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newBoundaryEnv(t)
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", boundaryImage+":deep", "--set", set, "--project", set)
	if r.code != 0 || !strings.Contains(r.stderr, "deeper than 32 levels, not looked into") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if got := storedFields(t, set, "claude")["access_token"]; got != vendorClaudeAccess {
		t.Errorf("stored %v", got)
	}
	assertCleanAfter(t, e, set)
}

func TestNonUTF8FileNameIsSkippedAndTheRestCaptured(t *testing.T) {
	requireBoundaryImages(t)
	set := "e2e-boundary-badname"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newBoundaryEnv(t)
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", boundaryImage+":badname", "--set", set, "--project", set)
	if r.code != 0 || !strings.Contains(r.stderr, `warning: not read: "cache-\xff\xfe.json": the name is not UTF-8`) {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if got := storedFields(t, set, "claude")["access_token"]; got != vendorClaudeAccess {
		t.Errorf("stored %v", got)
	}
	assertCleanAfter(t, e, set)
}

func TestNonUTF8KeyIsRefused(t *testing.T) {
	requireKeyring(t)
	set := "e2e-boundary-utf8"
	seed(t, set, "openrouter", `{"key":"sk-or-keepmekeepme","type":"api_key"}`)
	o := runOpts{stdin: "sk-or-v1-abc\xff\xfedef0123456789"}
	r := terok(t, o, "auth", "login", "openrouter", "--with-key", "--set", set)
	if r.code != 1 || !strings.Contains(r.stderr, "not UTF-8") || !strings.Contains(r.stderr, "nothing was stored") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	if got := stored(t, set, "openrouter"); !strings.Contains(got, "keepme") {
		t.Errorf("the store holds %s", got)
	}
}

func TestStateFilesAreNeverWrittenThroughASymlinkedConfigDir(t *testing.T) {
	requirePodman(t)
	set := "e2e-boundary-symlink"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newBoundaryEnv(t)
	target := t.TempDir()
	if err := os.Symlink(target, filepath.Join(e.mounts, "_claude-config")); err != nil {
		t.Fatal(err)
	}
	r := terok(t, e.opts, "auth", "login", "claude", "--mode", "oauth", "--image", vendorImage+":ok", "--set", set, "--project", set)
	if r.code != 0 || !strings.Contains(r.stderr, "symbolic link, which terok does not follow") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("state files landed at the link's target: %v", entries)
	}
	if got := storedFields(t, set, "claude")["access_token"]; got != vendorClaudeAccess {
		t.Errorf("stored %v", got)
	}
	assertCleanAfter(t, e, set)
}
