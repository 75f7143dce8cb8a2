// Package e2e drives the real terok binary as a user would: real plugin
// processes, a real Secret Service (started by scripts/with-keyring) and, for
// terminal tests, a real pseudo-terminal.
//
// The binaries come from TEROK_TEST_BIN and TEROK_TEST_PLUGIN, which
// `make test` sets after its one build; without them the tests build their
// own copies once.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	binDir       string // terok and the bundled plugins
	faultyPlugin string // sdk/internal/testplugin
	// crashyDir holds a terok built with -tags teroktest (the crash
	// tests' hook, cmd/terok/crashhook.go) and the bundled plugins.
	crashyDir string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	flag.Parse()
	binDir, faultyPlugin = os.Getenv("TEROK_TEST_BIN"), os.Getenv("TEROK_TEST_PLUGIN")
	crashyDir = os.Getenv("TEROK_TEST_CRASHY")
	if crashyDir == "" && faultyPlugin != "" {
		// make testbins puts it beside the faulty plugin.
		crashyDir = filepath.Join(filepath.Dir(faultyPlugin), "crashy")
	}
	if testing.Short() {
		return m.Run() // every test here skips in -short mode; build nothing
	}
	if binDir == "" || faultyPlugin == "" {
		tmp, err := os.MkdirTemp("", "terok-e2e-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		binDir, faultyPlugin = tmp, filepath.Join(tmp, "faulty", "terok-provider-faulty")
		crashyDir = filepath.Join(tmp, "crashy")
		// Each package is built in its own module's directory: the faulty
		// plugin lives in the SDK's module, as make testbins builds it.
		for out, pkg := range map[string][2]string{
			"terok":                        {"..", "./cmd/terok"},
			"terok-provider-claude":        {"..", "./plugins/claude"},
			"terok-provider-codex":         {"..", "./plugins/codex"},
			"faulty/terok-provider-faulty": {"../sdk", "./internal/testplugin"},
			"crashy/terok":                 {"..", "-tags=teroktest ./cmd/terok"},
			"crashy/terok-provider-claude": {"..", "./plugins/claude"},
		} {
			args := append([]string{"build", "-o", filepath.Join(tmp, out)}, strings.Fields(pkg[1])...)
			cmd := exec.Command("go", args...)
			cmd.Dir, cmd.Stderr = pkg[0], os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "build %s: %v\n", pkg[1], err)
				return 1
			}
		}
	}
	code := m.Run()
	// Whatever the tests did, no plugin process may outlive them.
	if left := pluginProcesses(); len(left) > 0 {
		time.Sleep(2 * time.Second) // a killed host's plugins need one watchdog tick
		if left = pluginProcesses(); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: plugin processes left after the tests: %v\n", left)
			return 1
		}
	}
	return code
}

// requireKeyring fails unless the test runs against the throwaway Secret
// Service that scripts/with-keyring starts. It skips only when asked to
// with -short (make test-unit), never by default.
func requireKeyring(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("end to end: needs the built binaries and a keyring (run make test)")
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		t.Fatal("the end-to-end tests need a real, throwaway Secret Service. Run them through `make test`, " +
			"which starts one with scripts/with-keyring (needs: apt-get install dbus dbus-bin gnome-keyring).")
	}
}

type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

type runOpts struct {
	stdin string
	env   []string // added to the test's environment
	// concurrent runs check for leftover plugins once all are done, since
	// each would see the others' live plugins.
	concurrent bool
}

// terok runs the terok binary and checks afterwards that no plugin process
// of this test is left.
func terok(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	return run(t, o, append([]string{filepath.Join(binDir, "terok")}, args...)...)
}

// crashyTerok runs the test build of terok (-tags teroktest), the only one
// that TEROK_TEST_REFRESH_KILL_AT can make kill itself.
func crashyTerok(t *testing.T, o runOpts, args ...string) result {
	t.Helper()
	bin := filepath.Join(crashyDir, "terok")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no test build of terok at %s (%v): run make testbins, which builds testbin/crashy, "+
			"or set TEROK_TEST_CRASHY to a directory holding a terok built with -tags teroktest", bin, err)
	}
	return run(t, o, append([]string{bin}, args...)...)
}

// run runs argv, which ends up running terok, and checks afterwards that no
// plugin process of this test is left.
func run(t *testing.T, o runOpts, argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), o.env...)
	cmd.Stdin = strings.NewReader(o.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Errorf("run %s: %v", argv[0], err)
	}
	if !o.concurrent {
		assertNoPluginLeft(t)
	}
	return r
}

// pluginDir makes a plugin dir holding the faulty test plugin under each of
// names (terok-provider-NAME).
func pluginDir(t *testing.T, names ...string) string {
	t.Helper()
	return makePluginDir(t, true, names...)
}

func makePluginDir(t *testing.T, trusted bool, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(faultyPlugin)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, "terok-provider-"+n)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	registerPluginDir(t, dir)
	// Plugins outside terok's own directory run only once trusted.
	if !trusted {
		return dir
	}
	if r := terok(t, runOpts{}, append([]string{"auth", "plugins", "trust"}, paths...)...); r.code != 0 {
		t.Fatalf("trust the test plugins: %s", r.stderr)
	}
	return dir
}

// pluginDirs are the plugin dirs of running tests; allPluginDirs every one
// used, for the check after the last test.
var pluginDirs, allPluginDirs = map[string]bool{}, map[string]bool{}

func registerPluginDir(t *testing.T, dir string) {
	pluginDirs[dir], allPluginDirs[dir] = true, true
	t.Cleanup(func() { delete(pluginDirs, dir) })
}

// pluginProcesses lists running processes whose executable is one of the
// plugins these tests run.
func pluginProcesses() []string {
	procs, _ := filepath.Glob("/proc/[0-9]*/exe")
	var found []string
	for _, p := range procs {
		exe, err := os.Readlink(p)
		if err != nil {
			continue
		}
		exe = strings.TrimSuffix(exe, " (deleted)")
		dir, base := filepath.Dir(exe), filepath.Base(exe)
		if strings.HasPrefix(base, "terok-provider-") && (dir == filepath.Clean(binDir) || pluginDirs[dir] || allPluginDirs[dir] && len(pluginDirs) == 0) {
			found = append(found, fmt.Sprintf("%s (%s)", exe, filepath.Dir(p)))
		}
	}
	return found
}

func assertNoPluginLeft(t *testing.T) {
	t.Helper()
	if left := pluginProcesses(); len(left) > 0 {
		t.Errorf("plugin processes left behind: %v", left)
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

// killMarked kills every process whose environment holds the entry mark.
func killMarked(mark string) {
	envs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, e := range envs {
		data, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(data, []byte{0}) {
			if string(kv) == mark {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(e))); err == nil && pid != os.Getpid() {
					_ = syscall.Kill(pid, syscall.SIGTERM)
				}
				break
			}
		}
	}
}
