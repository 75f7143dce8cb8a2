package pluginhost

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/terok-ai/terok-auth/core/trust"
)

// script writes an executable shell script. The scripts below are no
// plugins: they do their one thing and exit, and the host's start fails;
// what they left behind is what the tests look at.
func script(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestSwappedBinaryNeverRuns: the binary is replaced after it was checked
// and hashed and before it is executed (the race a hook lets the test hit
// every time); what runs is still the pinned binary.
func TestSwappedBinaryNeverRuns(t *testing.T) {
	dir := t.TempDir()
	// A script's pin covers its whole directory: give it one of its own.
	plugDir := filepath.Join(dir, "plugin")
	if err := os.Mkdir(plugDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(plugDir, "terok-provider-x")
	ran := filepath.Join(dir, "ran")
	script(t, path, "echo pinned > "+ran)
	evil := filepath.Join(dir, "evil")
	script(t, evil, "echo unpinned > "+ran)
	ts := &trust.Store{Path: filepath.Join(dir, "plugins.lock")}
	if _, err := ts.Trust(context.Background(), "x", path); err != nil {
		t.Fatal(err)
	}
	testHookBeforeExec = func(string) {
		if err := os.Rename(evil, path); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { testHookBeforeExec = nil })
	h := &Host{Trust: ts, StartTimeout: 5 * time.Second}
	defer h.Close()
	if _, _, err := h.Start(context.Background(), Plugin{Name: "x", Path: path}); err == nil {
		t.Fatal("a shell script passed the plugin handshake")
	}
	got, err := os.ReadFile(ran)
	if err != nil {
		t.Fatalf("nothing ran: %v", err)
	}
	if strings.TrimSpace(string(got)) != "pinned" {
		t.Errorf("the swapped-in, unpinned binary ran: %q", got)
	}
	// The next start checks the path again, and refuses what is there now.
	testHookBeforeExec = nil
	if _, _, err := h.Start(context.Background(), Plugin{Name: "x", Path: path}); err == nil || !strings.Contains(err.Error(), "SHA-256 changed") {
		t.Errorf("second start: %v", err)
	}
}

// TestPluginEnvironmentIsScrubbed: secrets in terok's environment do not
// reach a plugin; what a plugin needs does.
func TestPluginEnvironmentIsScrubbed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "terok-provider-x")
	out := filepath.Join(dir, "env")
	script(t, path, "env > "+out)
	t.Setenv("TEROK_CLAUDE_API_KEY", "sk-ant-planted-secret")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "planted-aws-secret")
	t.Setenv("LC_TIME", "C")
	h := &Host{StartTimeout: 5 * time.Second, Env: []string{"TEROK_LOG_LEVEL=debug"}}
	defer h.Close()
	_, _, _ = h.Start(context.Background(), Plugin{Name: "x", Path: path})
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	env := string(data)
	for _, bad := range []string{"planted", "TEROK_CLAUDE_API_KEY", "AWS_SECRET_ACCESS_KEY"} {
		if strings.Contains(env, bad) {
			t.Errorf("the plugin's environment holds %s:\n%s", bad, env)
		}
	}
	for _, want := range []string{"PATH=", "LC_TIME=C", "TEROK_LOG_LEVEL=debug", "PLUGIN_PROTOCOL_VERSIONS=", "TEROK_PLUGIN_HOST="} {
		if !strings.Contains(env, want) {
			t.Errorf("the plugin's environment lacks %s:\n%s", want, env)
		}
	}
}

// TestCloseKillsWhatPluginsLeftBehind: a plugin's children, in a session of
// their own and orphaned, die when the host closes.
func TestCloseKillsWhatPluginsLeftBehind(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "terok-provider-x")
	pids := filepath.Join(dir, "pids")
	// The script waits until the sleeper leads its own session (field 6 of
	// its stat), or the kill of the script's process group could catch it.
	script(t, path, "setsid sleep 600 >/dev/null 2>&1 </dev/null & pid=$!\n"+
		`until [ "$(cut -d' ' -f6 /proc/$pid/stat)" = "$pid" ]; do :; done`+"\necho $pid > "+pids)
	h := &Host{StartTimeout: 5 * time.Second, AdoptOrphans: true}
	_, _, _ = h.Start(context.Background(), Plugin{Name: "x", Path: path})
	data, err := os.ReadFile(pids)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	if !runs(pid) {
		t.Fatal("the sleeper is not running before Close")
	}
	h.Close()
	if runs(pid) {
		t.Errorf("process %d, started by a plugin in a session of its own, survived Close", pid)
	}
}

// TestSubreaperOnlyWhenAsked: starting a plugin changes nothing
// process-wide unless the host was told to adopt orphans. It runs in a
// fresh test process, since the setting cannot be undone.
func TestSubreaperOnlyWhenAsked(t *testing.T) {
	if mode := os.Getenv("TEROK_TEST_SUBREAPER"); mode != "" {
		dir := t.TempDir()
		path := filepath.Join(dir, "terok-provider-x")
		script(t, path, "exit 0")
		h := &Host{StartTimeout: 5 * time.Second, AdoptOrphans: mode == "adopt"}
		defer h.Close()
		_, _, _ = h.Start(context.Background(), Plugin{Name: "x", Path: path})
		var on int32
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetChildSubreaper, uintptr(unsafe.Pointer(&on)), 0); errno != 0 {
			t.Fatal(errno)
		}
		if want := mode == "adopt"; (on != 0) != want {
			t.Fatalf("subreaper = %d after a start with AdoptOrphans %v", on, want)
		}
		return
	}
	for _, mode := range []string{"plain", "adopt"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSubreaperOnlyWhenAsked$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TEROK_TEST_SUBREAPER="+mode)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", mode, err, out)
		}
	}
}

const prGetChildSubreaper = 37 // PR_GET_CHILD_SUBREAPER
