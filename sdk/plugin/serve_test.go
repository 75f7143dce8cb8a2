package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/internal/rpc"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

func TestExitWithParent(t *testing.T) {
	exited := make(chan struct{})
	// A parent pid that is not ours: the watchdog must see it as gone.
	go exitWithParent(os.Getppid()+1, time.Millisecond, func() { close(exited) })
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("watchdog did not fire for a parent that is gone")
	}

	stay := make(chan struct{})
	go exitWithParent(os.Getppid(), time.Millisecond, func() { close(stay) })
	select {
	case <-stay:
		t.Fatal("watchdog fired while the parent is alive")
	case <-time.After(50 * time.Millisecond):
	}
}

// Run by hand, outside terok and without debug mode, returns an error the
// caller can act on instead of exiting the process.
func TestRunNotStartedByTerok(t *testing.T) {
	t.Setenv("TEROK_PROVIDER_PLUGIN", "")
	err := Run(context.Background(), providertest.NewFake("x"))
	if !errors.Is(err, ErrNotStarted) {
		t.Errorf("Run = %v, want ErrNotStarted", err)
	}
}

// Run leaves hclog's default logger alone unless asked.
func TestRunSetsNoGlobalLogger(t *testing.T) {
	t.Setenv("TEROK_PROVIDER_PLUGIN", "")
	before := hclog.L()
	mine := hclog.NewNullLogger()
	_ = Run(context.Background(), providertest.NewFake("x"), WithLogger(mine))
	if hclog.L() != before {
		t.Error("Run set hclog's default logger without SetDefaultLogger(true)")
	}
	_ = Run(context.Background(), providertest.NewFake("x"), WithLogger(mine), SetDefaultLogger(true))
	if hclog.L() != mine {
		t.Error("SetDefaultLogger(true) did not set hclog's default logger")
	}
	hclog.SetDefault(before)
}

// Debug mode prints a line terok can attach with, and stops with its
// context.
func TestDebugPrintsReattachLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 64)}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, providertest.NewFake("acme"), Debug(true), DebugOutput(out)) }()
	var line string
	for line == "" {
		select {
		case l := <-out.lines:
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), host.ReattachEnv+"='"); ok {
				line = strings.TrimSuffix(v, "'")
			}
		case err := <-done:
			t.Fatalf("Run returned before printing the reattach line: %v", err)
		case <-time.After(20 * time.Second):
			t.Fatal("no reattach line")
		}
	}
	var got map[string]host.Reattach
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("reattach line %q: %v", line, err)
	}
	r, ok := got["acme"]
	if !ok || r.Protocol != "grpc" || r.ProtocolVersion != sdk.ProtocolVersion || r.Pid != os.Getpid() || !r.Test || r.Addr.String == "" {
		t.Errorf("reattach = %+v", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return when its context was cancelled")
	}
}

type lineWriter struct{ lines chan string }

func (w *lineWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(string(p), "\n") {
		w.lines <- l
	}
	return len(p), nil
}

// TestRunReturnsWhenHostDies: Run, started as terok starts a plugin, whose
// host then dies, returns ErrHostGone to its caller instead of exiting the
// process behind the caller's back. The plugin runs in a child process
// whose parent (a shell standing in for terok) exits under it.
func TestRunReturnsWhenHostDies(t *testing.T) {
	if out := os.Getenv("TEROK_TEST_RUN_RESULT"); out != "" {
		err := Run(context.Background(), providertest.NewFake("x"), WithLogger(hclog.NewNullLogger()))
		_ = os.WriteFile(out, []byte(fmt.Sprint(errors.Is(err, ErrHostGone), " ", err)), 0o600)
		os.Exit(0)
	}
	result := filepath.Join(t.TempDir(), "result")
	// The shell outlives the plugin's start by a second, then exits: the
	// plugin is re-parented, as when terok is killed.
	cmd := exec.Command("sh", "-c", `"$0" -test.run='^TestRunReturnsWhenHostDies$' >/dev/null 2>&1 & sleep 1`, os.Args[0])
	cmd.Env = append(os.Environ(), "TEROK_TEST_RUN_RESULT="+result,
		rpc.Handshake.MagicCookieKey+"="+rpc.Handshake.MagicCookieValue)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := os.ReadFile(result)
		if err == nil && len(got) > 0 {
			if !strings.HasPrefix(string(got), "true ") {
				t.Fatalf("Run returned %q, want ErrHostGone", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Run never returned after its host died (before, the watchdog exited the process with status 3)")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
