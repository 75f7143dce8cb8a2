package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/zalando/go-keyring"
)

// screen collects what terok writes to its terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *screen) expect(t *testing.T, want string) {
	t.Helper()
	if !waitFor(10*time.Second, func() bool { return strings.Contains(s.String(), want) }) {
		t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s.String())
	}
}

func deleteStored(set, provider string) error { return keyring.Delete("terok", set+"/"+provider) }

// TestTerminalMenuAndMaskedPrompt logs in as a person would: on a real
// pseudo-terminal, choosing from the mode menu and typing the key at a
// prompt that does not echo it.
func TestTerminalMenuAndMaskedPrompt(t *testing.T) {
	requireKeyring(t)
	const set = "e2e-tty"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "login", "claude", "--set", set)
	// A stand-in runtime, so the menu offers OAuth beside the API key
	// whether or not this machine has podman.
	cmd.Env = append(os.Environ(), "TEROK_PODMAN=/bin/true")
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tty.Close() }()
	var out screen
	go func() { _, _ = io.Copy(&out, tty) }()

	out.expect(t, "How do you want to authenticate Claude?")
	out.expect(t, "1. OAuth / interactive login (launches container) (default)")
	out.expect(t, "2. API key (paste key, no container needed)")
	out.expect(t, "Choose [1-2]")
	if _, err := tty.Write([]byte("2\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "https://console.anthropic.com/settings/keys")
	out.expect(t, "Claude API key: ")
	if _, err := tty.Write([]byte(claudeKey + "\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "API key stored for claude (set: e2e-tty)")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("terok: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), claudeKey[:16]) {
		t.Errorf("the key was echoed:\n%s", out.String())
	}
	if got := stored(t, set, "claude"); !strings.Contains(got, claudeKey) {
		t.Errorf("keyring holds %q", got)
	}
	assertNoPluginLeft(t)
}
