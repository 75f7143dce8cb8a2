package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/redact"
)

// The tests here attack the host boundary: a plugin's directory that
// another user owns, a binary swapped while terok starts it, a plugin that
// reads its environment or leaves processes behind, hostile provider files,
// a keyring that answers late, and keys a logger escapes.

// TestPluginInAnotherUsersDirectoryIsRefused: mode 0755 is not enough; the
// user owning the directory could swap the plugin at will.
func TestPluginInAnotherUsersDirectoryIsRefused(t *testing.T) {
	requireKeyring(t)
	if os.Geteuid() != 0 {
		t.Fatal("this test gives a directory to another user, which needs root (the test machine runs as root)")
	}
	dir := pluginDir(t, "good")
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	set := "e2e-otheruser"
	t.Cleanup(func() { _ = deleteStored(set, "good") })
	r := terok(t, runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "good", "--with-key", "--set", set)
	if r.code != 1 || !strings.Contains(r.stderr, "the directory "+dir+" belongs to another user (uid 65534)") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if got := stored(t, set, "good"); got != "" {
		t.Errorf("stored %q through a plugin in another user's directory", got)
	}
}

// TestSwappedPluginNeverRuns races terok: while logins start the trusted
// plugin, the binary at its path is swapped back and forth with an
// unpinned one. Whatever the timing, the unpinned one never runs: a login
// either runs the pinned binary or refuses the changed one.
func TestSwappedPluginNeverRuns(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "good")
	path := filepath.Join(dir, "terok-provider-good")
	pinned, unpinned := filepath.Join(dir, "pinned"), filepath.Join(dir, "unpinned")
	ran := filepath.Join(dir, "unpinned-ran")
	if err := os.Link(path, pinned); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unpinned, []byte("#!/bin/sh\necho ran >> "+ran+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	set := "e2e-swap"
	t.Cleanup(func() { _ = deleteStored(set, "good") })

	stop := make(chan struct{})
	var swaps atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tmp := filepath.Join(dir, "swap.tmp")
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			src := pinned
			if i%2 == 1 {
				src = unpinned
			}
			_ = os.Remove(tmp)
			if os.Link(src, tmp) == nil && os.Rename(tmp, path) == nil {
				swaps.Add(1)
			}
			time.Sleep(time.Duration(i%7) * 100 * time.Microsecond)
		}
	}()
	ok, refused := 0, 0
	for range 30 {
		r := terok(t, runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "good", "--with-key", "--set", set)
		switch {
		case r.code == 0:
			ok++
		case strings.Contains(r.stderr, "SHA-256 changed"):
			refused++
		default:
			// The pinned binary ran, and failed to start after it was
			// unlinked: still not the unpinned one.
			t.Logf("exit %d: %s", r.code, r.stderr)
		}
	}
	close(stop)
	wg.Wait()
	if data, err := os.ReadFile(ran); err == nil {
		t.Errorf("the unpinned binary ran %d times", bytes.Count(data, []byte("ran")))
	}
	t.Logf("%d swaps; %d logins ran the pinned plugin, %d refused the changed one", swaps.Load(), ok, refused)
	if ok == 0 || refused == 0 {
		t.Errorf("the race was not exercised: %d logins succeeded, %d refused", ok, refused)
	}
}

// TestPluginSeesNoHostSecrets: the environment a plugin gets holds none of
// terok's secrets, the env override of an API key included.
func TestPluginSeesNoHostSecrets(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "envdump")
	set := "e2e-envdump"
	t.Cleanup(func() { _ = deleteStored(set, "envdump") })
	r := terok(t, runOpts{stdin: "good-1", env: []string{
		"TEROK_PLUGIN_PATH=" + dir, "TEROK_CLAUDE_API_KEY=" + claudeKey,
		"TEROK_ENVDUMP_API_KEY=good-planted-override", "SOME_CLOUD_TOKEN=planted-cloud-token",
	}}, "auth", "login", "envdump", "--with-key", "--set", set)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "terok-provider-envdump.env"))
	if err != nil {
		t.Fatalf("the plugin wrote no environment: %v", err)
	}
	env := string(data)
	// Only names are shown on failure: the values are this machine's.
	var names []string
	for _, kv := range strings.Split(env, "\n") {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	for _, secret := range []string{claudeKey, "TEROK_CLAUDE_API_KEY", "planted", "SOME_CLOUD_TOKEN", "TEROK_ENVDUMP_API_KEY"} {
		if strings.Contains(env, secret) {
			t.Errorf("the plugin's environment holds %q; its variables: %v", secret, names)
		}
	}
	if !strings.Contains(env, "PATH=") || !strings.Contains(env, "TEROK_LOG_LEVEL=") {
		t.Errorf("the plugin's environment lacks what it needs; its variables: %v", names)
	}
}

// TestPluginChildrenDieWithTerok: processes a plugin starts, in sessions of
// their own, one of them orphaned, do not outlive terok.
func TestPluginChildrenDieWithTerok(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "spawner")
	set := "e2e-spawner"
	t.Cleanup(func() { _ = deleteStored(set, "spawner") })
	r := terok(t, runOpts{stdin: "good-1", env: []string{"TEROK_PLUGIN_PATH=" + dir}}, "auth", "login", "spawner", "--with-key", "--set", set)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "terok-provider-spawner.pids"))
	if err != nil {
		t.Fatalf("the plugin started nothing: %v", err)
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		t.Fatalf("pids: %q", data)
	}
	for i, what := range []string{"child in its own session", "orphan in its own session"} {
		pid, err := strconv.Atoi(fields[i])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
		if !waitFor(2*time.Second, func() bool { return !processAlive(pid) }) {
			t.Errorf("the plugin's %s (pid %d) survived terok", what, pid)
		}
	}
}

// TestPlainGoPluginDiesWhenTerokIsKilled: a plugin built on plain go-plugin
// has no watchdog of its own; the kernel kills it when terok dies.
func TestPlainGoPluginDiesWhenTerokIsKilled(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "plainhang")
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "login", "plainhang", "--with-key")
	cmd.Env = append(os.Environ(), "TEROK_PLUGIN_PATH="+dir, "TEROK_PLUGIN_TIMEOUT=60s")
	cmd.Stdin = strings.NewReader("good-key")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	if !waitFor(10*time.Second, func() bool { return len(pluginProcesses()) > 0 }) {
		t.Fatalf("the plugin never started: %s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// No watchdog tick to wait for: the kernel kills it with terok.
	if !waitFor(time.Second, func() bool { return len(pluginProcesses()) == 0 }) {
		t.Errorf("plain go-plugin plugin still running 1s after terok was killed: %v", pluginProcesses())
	}
}

// processAlive: the process exists and is not a zombie.
func processAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(data), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// TestEscapedKeyInPluginLogIsMasked: a plugin logs the key it was given;
// keys with characters a logger escapes (quotes, backslashes, tabs,
// non-ASCII) are masked in their escaped form too.
func TestEscapedKeyInPluginLogIsMasked(t *testing.T) {
	requireKeyring(t)
	dir := pluginDir(t, "leaky")
	set := "e2e-leaky-escaped"
	t.Cleanup(func() { _ = deleteStored(set, "leaky") })
	for _, key := range []string{
		`good-"quoted"-secret-4711`,
		`good-back\slash\secret-4711`,
		"good-tab\tsecret-4711",
		"good-ünïcödé-secret-4711",
		`good-all-"\` + "\t" + `é-secret-4711`,
	} {
		for _, level := range []string{"warn", "trace"} {
			r := terok(t, runOpts{stdin: key, env: []string{"TEROK_PLUGIN_PATH=" + dir, "TEROK_LOG_LEVEL=" + level}},
				"auth", "login", "leaky", "--with-key", "--set", set)
			if r.code != 0 {
				t.Fatalf("%q: exit %d: %s", key, r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "received a key") || !strings.Contains(r.stderr, redact.Mask) {
				t.Errorf("%q at %s: the plugin's line was not forwarded, masked: %q", key, level, r.stderr)
			}
			for _, form := range redact.Forms(key) {
				if strings.Contains(r.stderr, form) {
					t.Errorf("%q at %s: the key reached the log as %q", key, level, form)
				}
			}
			if strings.Contains(r.stderr, "secret-4711") {
				t.Errorf("%q at %s: part of the key reached the log: %q", key, level, r.stderr)
			}
		}
	}
}

// TestHostileProviderFilesDoNotHangOrLeak: a provider directory holding a
// FIFO, a link to /dev/zero and a link to /etc/shadow. status, login,
// providers and validate neither hang nor quote the shadow file; each
// names the refused file and why.
func TestHostileProviderFilesDoNotHangOrLeak(t *testing.T) {
	requireKeyring(t)
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "x.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero.yaml": "/dev/zero", "shadow.yaml": "/etc/shadow"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	shadow, err := os.ReadFile("/etc/shadow")
	if err != nil || len(shadow) < 8 {
		t.Fatalf("this test needs a readable /etc/shadow (it runs as root): %v", err)
	}
	firstLine, _, _ := strings.Cut(string(shadow), "\n")
	set := "e2e-hostile-yaml"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	o := runOpts{env: []string{"TEROK_PROVIDERS_PATH=" + dir}}
	for _, args := range [][]string{
		{"auth", "providers"},
		{"auth", "status", "--set", set},
		{"auth", "login", "claude", "--with-key", "--set", set},
		{"auth", "providers", "validate", filepath.Join(dir, "x.yaml")},
		{"auth", "providers", "validate", filepath.Join(dir, "zero.yaml")},
	} {
		o.stdin = claudeKey
		r := terok(t, o, args...)
		what := strings.Join(args, " ")
		if r.elapsed > 10*time.Second {
			t.Errorf("%s took %s", what, r.elapsed)
		}
		out := r.stdout + r.stderr
		if strings.Contains(out, firstLine) || strings.Contains(out, firstLine[:8]) {
			t.Errorf("%s quotes /etc/shadow", what)
		}
		if len(args) > 2 && args[2] == "validate" {
			if r.code == 0 || !strings.Contains(out, args[3]+": not a regular file") {
				t.Errorf("%s: exit %d: %s", what, r.code, out)
			}
			continue
		}
		for _, says := range []string{
			filepath.Join(dir, "x.yaml") + ": not a regular file (it is a named pipe)",
			filepath.Join(dir, "zero.yaml") + ": not a regular file (it is a character device)",
			filepath.Join(dir, "shadow.yaml") + ": not a valid provider file. It is a link to a file that not everyone may read",
		} {
			if !strings.Contains(out, says) {
				t.Errorf("%s: exit %d, no %q in: %s", what, r.code, says, out)
			}
		}
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s", what, r.code, r.stderr)
		}
	}
	if got := stored(t, set, "claude"); !strings.Contains(got, claudeKey) {
		t.Errorf("login next to the hostile files stored %q", got)
	}
}

// TestConfigFileThatIsAFIFOIsRefused: a named pipe as the config file
// does not hang every command.
func TestConfigFileThatIsAFIFOIsRefused(t *testing.T) {
	requireKeyring(t)
	cfg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfg, "terok"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(cfg, "terok", "config.yml"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := terok(t, runOpts{env: []string{"XDG_CONFIG_HOME=" + cfg}}, "auth", "status")
	if r.code == 0 || r.elapsed > 10*time.Second || !strings.Contains(r.stderr, "config.yml: not a regular file (it is a named pipe)") {
		t.Errorf("exit %d after %s: %s", r.code, r.elapsed, r.stderr)
	}
}

// TestSlowKeyringLoginsTellTheTruth: logins against the real keyring with a
// timeout too short for it (TEROK_KEYRING_TIMEOUT=5ms), many at once. Each
// reports what happened: success only when the key is stored, and then
// indexed; exit 1 only when nothing was changed; exit 5 when it cannot be
// known, saying how to check. Never "failed" while the key was stored.
func TestSlowKeyringLoginsTellTheTruth(t *testing.T) {
	requireKeyring(t)
	const n = 20
	sets := make([]string, n)
	keys := make([]string, n)
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		sets[i] = fmt.Sprintf("e2e-slow-%d", i)
		keys[i] = fmt.Sprintf("%s%03d", claudeKey[:len(claudeKey)-3], i)
		seed(t, sets[i], "claude", `{"key":"sk-ant-old","type":"api_key"}`)
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = terok(t, runOpts{stdin: keys[i], env: []string{"TEROK_KEYRING_TIMEOUT=5ms"}, concurrent: true},
				"auth", "login", "claude", "--with-key", "--set", sets[i])
		}()
	}
	wg.Wait()
	assertNoPluginLeft(t)
	counts := map[int]int{}
	for i, r := range results {
		counts[r.code]++
		got := stored(t, sets[i], "claude")
		isNew := strings.Contains(got, keys[i])
		switch r.code {
		case 0:
			if !isNew {
				t.Errorf("login %d reported success, but the keyring holds %q", i, got)
			}
			st, _ := statusOf(t, runOpts{}, "claude", "--set", sets[i])
			if !st.Authenticated || st.StoredAt == nil {
				t.Errorf("login %d succeeded, but the index has no entry: %+v", i, st)
			}
		case 1:
			if isNew {
				t.Errorf("login %d failed (exit 1), but the new key was stored: %s", i, r.stderr)
			}
			if !strings.Contains(r.stderr, "Nothing was changed") {
				t.Errorf("login %d: exit 1 without saying nothing was changed: %s", i, r.stderr)
			}
		case 5:
			if !strings.Contains(r.stderr, "terok cannot tell whether the new credential was stored") ||
				!strings.Contains(r.stderr, "terok auth status claude --set "+sets[i]) {
				t.Errorf("login %d: exit 5 without saying how to check: %s", i, r.stderr)
			}
		default:
			t.Errorf("login %d: exit %d: %s", i, r.code, r.stderr)
		}
	}
	t.Logf("exit codes: %v", counts)
}
