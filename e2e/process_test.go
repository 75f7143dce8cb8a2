package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startHung starts `terok auth login hangy`, whose plugin never answers,
// and waits until the plugin process runs.
func startHung(t *testing.T) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	dir := pluginDir(t, "hangy")
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "login", "hangy", "--with-key")
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
	return cmd, &stderr
}

func TestCtrlCStopsThePluginAndExits130(t *testing.T) {
	requireKeyring(t)
	cmd, stderr := startHung(t)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit = %v, want 130; stderr: %s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "Interrupted") {
		t.Errorf("stderr = %q", stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to stop after Ctrl-C", d)
	}
	assertNoPluginLeft(t)
}

// TestPluginExitsWhenTerokIsKilled: kill -9 gives terok no chance to stop
// its plugins, so each plugin must notice by itself.
func TestPluginExitsWhenTerokIsKilled(t *testing.T) {
	requireKeyring(t)
	cmd, _ := startHung(t)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !waitFor(5*time.Second, func() bool { return len(pluginProcesses()) == 0 }) {
		t.Errorf("plugin still running 5s after terok was killed: %v", pluginProcesses())
	}
}

func TestNoSecretInTraceLogs(t *testing.T) {
	requireKeyring(t)
	const set = "e2e-trace"
	r := terok(t, runOpts{stdin: claudeKey, env: []string{"TEROK_LOG_LEVEL=trace"}}, "auth", "login", "claude", "--with-key", "--set", set)
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// The plugin's own log lines reach the host's log...
	if !strings.Contains(r.stderr, "terok.claude") || !strings.Contains(r.stderr, "[TRACE]") {
		t.Errorf("no trace lines from the plugin in %q", r.stderr)
	}
	// ...and the key appears in none of them.
	if strings.Contains(r.stderr, claudeKey) || strings.Contains(r.stderr, claudeKey[:20]) {
		t.Error("the key appears in the trace log")
	}
}
