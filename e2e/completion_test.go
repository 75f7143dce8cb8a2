package e2e

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/creack/pty"
)

// TestBashCompletesProviderNames types `terok auth login <TAB><TAB>` into a
// real bash on a real terminal, with terok's completion loaded: bash offers
// the provider names, with their labels.
func TestBashCompletesProviderNames(t *testing.T) {
	requireKeyring(t) // the end-to-end environment make test sets up
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("this test needs bash")
	}
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Fatalf("this test needs bash-completion (%v); make test installs it (scripts/deps test), or: apt-get install bash-completion", err)
	}
	home := t.TempDir()
	cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
	cmd.Env = append(os.Environ(), "HOME="+home, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TEROK_PLUGIN_PATH="+t.TempDir(), "TEROK_CREDENTIAL_STORE=file", "PS1=$ ", "TERM=dumb", "INPUTRC=/dev/null")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tty.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	out := &screen{}
	go func() { _, _ = io.Copy(out, tty) }()
	// Cobra's bash script relies on bash-completion, as users' shells have.
	script := ". " + bashCompletion + "\n" +
		"source <(" + filepath.Join(binDir, "terok") + " completion bash)\n" +
		"echo loaded-$((40+2))\n"
	if _, err := tty.Write([]byte(script)); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "loaded-42")
	if _, err := tty.Write([]byte("terok auth login \t\t")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "openrouter")
	out.expect(t, "gh")
	out.expect(t, "(GitHub CLI)")
}
