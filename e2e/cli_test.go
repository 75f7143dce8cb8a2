package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// The rough edges of issue 12 that only show end to end: at a real
// terminal, with a real keyring, or without one.

const openrouterKey = "sk-or-v1-0123456789abcdef0123456789abcdef"

// A mistyped key gets a second try, and a second login asks before it
// replaces what the first stored.
func TestTerminalRetriesAKeyAndAsksBeforeReplacing(t *testing.T) {
	requireKeyring(t)
	const set = "e2e-h5-retry"
	t.Cleanup(func() { _ = deleteStored(set, "openrouter") })
	cmd, tty, out := startPTY(t, nil, "auth", "login", "openrouter", "--set", set)
	out.expect(t, "OpenRouter API key: ")
	if _, err := tty.Write([]byte("wrongkey\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "starts with sk-or-")
	out.expect(t, "Try again (2 of 3)")
	if _, err := tty.Write([]byte(openrouterKey + "\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "API key stored for openrouter (set: "+set+")")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("terok: %v\n%s", err, out.String())
	}
	if got := stored(t, set, "openrouter"); !strings.Contains(got, openrouterKey) {
		t.Fatalf("keyring holds %q", got)
	}

	cmd, tty, out = startPTY(t, nil, "auth", "login", "openrouter", "--set", set)
	out.expect(t, "openrouter is already logged in (set: "+set+", api-key).")
	out.expect(t, "2. Keep it (default)")
	if _, err := tty.Write([]byte("\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "Kept the stored credential of openrouter (set: "+set+")")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("terok: %v\n%s", err, out.String())
	}
	if got := stored(t, set, "openrouter"); !strings.Contains(got, openrouterKey) {
		t.Errorf("keyring holds %q", got)
	}
}

// Ctrl-C after the menu stored one provider says it was stored, not that
// nothing was changed.
func TestInterruptAfterAMenuLoginSaysWhatWasStored(t *testing.T) {
	requireKeyring(t)
	const set = "e2e-h5-interrupt"
	t.Cleanup(func() { _ = deleteStored(set, "openrouter") })
	// A stand-in runtime, so claude asks how to log in.
	cmd, tty, out := startPTY(t, []string{"TEROK_PODMAN=/bin/true"}, "auth", "--set", set)
	out.expect(t, "Log in to (numbers or names, comma-separated): ")
	if _, err := tty.Write([]byte("openrouter, claude\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "OpenRouter API key: ")
	if _, err := tty.Write([]byte(openrouterKey + "\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "API key stored for openrouter")
	out.expect(t, "How do you want to authenticate Claude?")
	if _, err := tty.Write([]byte{3}); err != nil { // Ctrl-C
		t.Fatal(err)
	}
	out.expect(t, "Interrupted. Done before that: stored openrouter (set: "+set+"); nothing else was changed.")
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, out.String())
	}
}

// Without a keyring, status fails once with what to do; a name that is
// not a provider is a usage error, not "not logged in".
func TestStatusWithoutAKeyringAndUnknownProviders(t *testing.T) {
	requireKeyring(t)
	noBus := runOpts{env: []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}}
	r := terok(t, noBus, "auth", "status")
	if r.code != 1 || strings.Count(r.stderr, "could not read the credential store") != 1 || strings.Count(r.stderr, "Secret Service") < 1 {
		t.Errorf("status without a keyring: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"auth", "status", "claud"}, {"auth", "logout", "claud"}, {"auth", "token", "claud"}} {
		r := terok(t, runOpts{}, args...)
		if r.code != 2 || !strings.Contains(r.stderr, `did you mean "claude"?`) {
			t.Errorf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
}

// A set that exists only in the keyring (another machine's terok put it
// there, or the index was lost) is listed by sets, and status of it works.
func TestSetsShowsASetOnlyTheKeyringHolds(t *testing.T) {
	requireKeyring(t)
	set := "e2e-keyring-only"
	seed(t, set, "gh", `{"type":"oauth_token","token":"ghp_keyringonly0123456789abcdef","host":"github.com"}`)
	r := terok(t, runOpts{}, "auth", "sets", "--json")
	if r.code != 0 {
		t.Fatalf("sets: exit %d: %s", r.code, r.stderr)
	}
	var sets []struct {
		Name      string   `json:"name"`
		Providers []string `json:"providers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sets); err != nil {
		t.Fatalf("sets --json: %v\n%s", err, r.stdout)
	}
	found := false
	for _, s := range sets {
		if s.Name == set {
			found = strings.Join(s.Providers, ",") == "gh"
		}
	}
	if !found {
		t.Errorf("sets does not list %s/gh, which only the keyring holds:\n%s", set, r.stdout)
	}
	if r := terok(t, runOpts{}, "auth", "status", "gh", "--set", set); r.code != 0 {
		t.Errorf("status of the keyring-only set: exit %d: %s", r.code, r.stderr)
	}
}
