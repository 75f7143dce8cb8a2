package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// TestExecAtATerminal runs `terok auth exec` on a real pseudo-terminal,
// where Ctrl-C and Ctrl-\ come from the terminal to the whole foreground
// process group: terok and the command alike. terok must not send them a
// second time, must wait for a command that handles them, and must remove
// the private directory however the command ends.
func TestExecAtATerminal(t *testing.T) {
	e := newInjectEnv(t)
	const set = "e2e-exec-tty"
	cleanupStored(t, set, "codex")
	cred := `{"type":"oauth","access_token":"ExecTTY.access","refresh_token":"ExecTTY-refresh","id_token":"i","account_id":"a"}`
	if err := keyring.Set("terok", set+"/codex", cred); err != nil {
		t.Fatal(err)
	}
	// start runs script under terok auth exec on a new terminal and waits
	// for it to say ready; done gets terok's exit code.
	start := func(t *testing.T, script string) (cmd *exec.Cmd, tty *os.File, out *screen, dir string, done chan int) {
		t.Helper()
		dir = t.TempDir()
		cmd, tty, out = startPTY(t, append(append([]string(nil), e.opts.env...), "OUT="+dir),
			"auth", "exec", "--set", set, "codex", "--", "sh", "-c", `echo "$CODEX_HOME" > "$OUT/dir"; `+script)
		done = make(chan int, 1)
		go func() {
			err := cmd.Wait()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					code = 1000 + int(ws.Signal()) // terok itself killed: never right
				}
			}
			done <- code
		}()
		out.expect(t, "ready")
		return cmd, tty, out, dir, done
	}
	privateDirGone := func(t *testing.T, out string) {
		t.Helper()
		dir, err := os.ReadFile(filepath.Join(out, "dir"))
		if err != nil || !strings.Contains(string(dir), "terok-exec-") {
			t.Fatalf("the command did not see its private dir: %q, %v", dir, err)
		}
		if _, err := os.Stat(strings.TrimSpace(string(dir))); !os.IsNotExist(err) {
			t.Errorf("private dir %s left behind (%v)", dir, err)
		}
	}
	waitExit := func(t *testing.T, done chan int, out *screen) int {
		t.Helper()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatalf("terok did not exit; the terminal shows:\n%s", out)
			return -1
		}
	}

	t.Run("Ctrl-C ends a command that does not handle it", func(t *testing.T) {
		_, tty, out, dir, done := start(t, `echo ready; exec sleep 30`)
		if _, err := tty.Write([]byte{0x03}); err != nil {
			t.Fatal(err)
		}
		if code := waitExit(t, done, out); code != 130 {
			t.Errorf("exit %d, want 130; the terminal shows:\n%s", code, out)
		}
		privateDirGone(t, dir)
	})

	t.Run("a command that handles Ctrl-C gets it once and terok waits", func(t *testing.T) {
		_, tty, out, dir, done := start(t, `trap 'echo INT >> "$OUT/ints"' INT; echo ready; while :; do sleep 0.1; done`)
		if _, err := tty.Write([]byte{0x03}); err != nil {
			t.Fatal(err)
		}
		ints := filepath.Join(dir, "ints")
		if !waitFor(10*time.Second, func() bool { _, err := os.Stat(ints); return err == nil }) {
			t.Fatalf("the command's trap never ran; the terminal shows:\n%s", out)
		}
		time.Sleep(500 * time.Millisecond)
		select {
		case code := <-done:
			t.Fatalf("terok exited %d while its command was still running", code)
		default:
		}
		if b, _ := os.ReadFile(ints); strings.Count(string(b), "INT") != 1 {
			t.Errorf("the command got SIGINT %d times for one Ctrl-C", strings.Count(string(b), "INT"))
		}
		// Ctrl-\ ends it (sh does not handle SIGQUIT): 128+3.
		if _, err := tty.Write([]byte{0x1c}); err != nil {
			t.Fatal(err)
		}
		if code := waitExit(t, done, out); code != 131 {
			t.Errorf("exit %d after Ctrl-\\, want 131; the terminal shows:\n%s", code, out)
		}
		privateDirGone(t, dir)
	})

	t.Run("a hang-up ends both", func(t *testing.T) {
		cmd, _, out, dir, done := start(t, `echo ready; exec sleep 30`)
		// A terminal that goes away sends SIGHUP to its session's leader,
		// terok, and not to the command: terok must pass it on. (Closing
		// the pty's master would be the real thing, but the kernel these
		// tests run on does not hang the slave up on it.)
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if code := waitExit(t, done, out); code != 129 {
			t.Errorf("exit %d after a hang-up, want 129", code)
		}
		privateDirGone(t, dir)
	})
}
