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
// pseudo-terminal, pressing Enter at the mode menu and typing the key at a
// prompt that does not echo it. With no login image set, Enter picks the
// API key, and the menu says why OAuth cannot run yet.
func TestTerminalMenuAndMaskedPrompt(t *testing.T) {
	requireKeyring(t)
	const set = "e2e-tty"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "login", "claude", "--set", set)
	// A stand-in runtime, so the menu offers OAuth beside the API key
	// whether or not this machine has podman.
	cmd.Env = append(os.Environ(), "TEROK_PODMAN=/bin/true", "TEROK_AUTH_IMAGE=")
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tty.Close() }()
	var out screen
	go func() { _, _ = io.Copy(&out, tty) }()

	out.expect(t, "How do you want to authenticate Claude?")
	out.expect(t, "1. API key (paste key, no container needed) (default)")
	out.expect(t, "2. Setup token (paste a long-lived token the tool printed, no container needed)")
	out.expect(t, "3. OAuth / interactive login (launches container) — cannot run yet: no login image is set")
	out.expect(t, "Choose [1-3]")
	if _, err := tty.Write([]byte("\r")); err != nil { // Enter: the default
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

// startPTY starts terok on a new pseudo-terminal and returns what it shows.
func startPTY(t *testing.T, env []string, args ...string) (*exec.Cmd, *os.File, *screen) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "terok"), args...)
	cmd.Env = append(os.Environ(), env...)
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tty.Close(); _ = cmd.Process.Kill() })
	out := &screen{}
	go func() { _, _ = io.Copy(out, tty) }()
	return cmd, tty, out
}

// TestTerminalOAuthRunsTheContainerWithATTY picks OAuth from the mode menu
// on a real terminal: the container then gets one too (-it).
func TestTerminalOAuthRunsTheContainerWithATTY(t *testing.T) {
	requirePodman(t)
	set := "e2e-tty-oauth"
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newLoginEnv(t)
	cmd, tty, out := startPTY(t, e.opts.env, "auth", "login", "claude", "--image", vendorImage+":ok", "--set", set)
	out.expect(t, "1. OAuth / interactive login (launches container) (default)")
	out.expect(t, "Choose [1-3]")
	if _, err := tty.Write([]byte("\r")); err != nil { // the default
		t.Fatal(err)
	}
	out.expect(t, "$ podman run --rm -it --name host-auth-claude")
	out.expect(t, "testvendor: claude")
	out.expect(t, "Credentials captured for claude (set: "+set+")")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("terok: %v\n%s", err, out.String())
	}
	if !strings.Contains(stored(t, set, "claude"), vendorClaudeAccess) {
		t.Errorf("keyring holds %q", stored(t, set, "claude"))
	}
	e.assertClean(t)
}

// TestProviderMenu runs `terok auth` with no provider: the menu lists every
// provider with its modes, marks the ones logged in, and logs in to those
// chosen.
func TestProviderMenu(t *testing.T) {
	requirePodman(t)
	set := "e2e-menu"
	seed(t, set, "codex", `{"key":"sk-proj-seededseededseededseeded","type":"api_key"}`)
	t.Cleanup(func() { _ = deleteStored(set, "claude") })
	e := newLoginEnv(t, "TEROK_AUTH_IMAGE="+vendorImage+":ok")
	cmd, tty, out := startPTY(t, e.opts.env, "auth", "--set", set)
	out.expect(t, "2. Claude (claude): oauth, api-key, setup-token\r\n")
	out.expect(t, "4. Codex (codex): oauth, device, api-key  ✓ logged in")
	out.expect(t, "5. GitHub CLI (gh): oauth, api-key\r\n")
	out.expect(t, "Log in to (numbers or names, comma-separated): ")
	if _, err := tty.Write([]byte("99\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "99 is not in the menu (1-10)")
	if _, err := tty.Write([]byte("claude\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "How do you want to authenticate Claude?")
	if _, err := tty.Write([]byte("1\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "Credentials captured for claude (set: "+set+")")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("terok: %v\n%s", err, out.String())
	}
	e.assertClean(t)
}
