package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/usage"
)

// parse runs cmd's flag and argument handling only.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage.Wrap(err) })
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestLogoutFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    logoutOptions
		wantErr string
	}{
		{[]string{"claude", "codex"}, logoutOptions{Providers: []names.Provider{"claude", "codex"}, Set: "default"}, ""},
		{[]string{"--all", "--set", "work"}, logoutOptions{All: true, Set: "work"}, ""},
		{nil, logoutOptions{}, "name the providers to log out of, or use --all"},
		{[]string{"--all", "claude"}, logoutOptions{}, "give provider names or --all, not both"},
		{[]string{"Claude"}, logoutOptions{}, `invalid provider name "Claude": use lower-case letters, digits, '-' and '_', starting with a letter, at most 63 characters`},
	}
	for _, tt := range tests {
		var got *logoutOptions
		io, _, _, _ := iostreams.Test()
		err := parse(t, newLogoutCmd(&factory{IO: io}, func(_ context.Context, o *logoutOptions) error { got = o; return nil }), tt.args...)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || exitCode(context.Background(), err) != exitUsage {
				t.Errorf("%v: err = %v, want usage error %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got.Providers, tt.want.Providers) || got.All != tt.want.All || got.Set != tt.want.Set {
			t.Errorf("%v: %+v, %v", tt.args, got, err)
		}
	}
}

func TestTokenAndStatusFlags(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	var tok *tokenOptions
	if err := parse(t, newTokenCmd(&factory{IO: io}, func(_ context.Context, o *tokenOptions) error { tok = o; return nil }), "codex", "--field", "refresh_token", "--set", "s1"); err != nil ||
		tok.Provider != "codex" || tok.Field != "refresh_token" || tok.Set != "s1" {
		t.Errorf("token: %+v, %v", tok, err)
	}
	if err := parse(t, newTokenCmd(&factory{IO: io}, nil)); err == nil || exitCode(context.Background(), err) != exitUsage {
		t.Errorf("token without provider: %v", err)
	}
	var st *statusOptions
	if err := parse(t, newStatusCmd(&factory{IO: io}, func(_ context.Context, o *statusOptions) error { st = o; return nil }), "claude", "codex", "--json"); err != nil ||
		!slices.Equal(st.Providers, []names.Provider{"claude", "codex"}) || !st.JSON || st.Set != "default" {
		t.Errorf("status: %+v, %v", st, err)
	}
	if err := parse(t, newStatusCmd(&factory{IO: io}, nil), "--set", "a/b"); err == nil || exitCode(context.Background(), err) != exitUsage {
		t.Errorf("status with a bad set: %v", err)
	}
}

func TestStatusTable(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	io, _, out, errOut := iostreams.Test()
	printStatus(&factory{IO: io}, []account.Status{
		{Provider: "claude", Set: "default", Authenticated: true, Type: "oauth", Backend: "keyring", StoredAt: at(-3 * time.Hour), ExpiresAt: at(-2 * time.Hour), Expired: true},
		{Provider: "codex", Set: "default", Authenticated: true, Type: "oauth", Backend: "file", ExpiresAt: at(20 * time.Minute), ExpiringSoon: true, Warning: "stored in a plain file, not encrypted"},
		{Provider: "gh", Set: "default", Authenticated: true, Type: "api_key", Backend: "keyring", EnvOverride: "TEROK_GH_API_KEY"},
		{Provider: "vibe", Set: "default"},
		{Provider: "claude", Set: "work", Authenticated: true, Type: "oauth_token", Backend: "keyring"},
		{Provider: "glab", Set: "default", Unverified: true, Type: "pat", Backend: "keyring", Error: "read credential default/glab: keyring is locked\nUnlock it"},
	}, now)
	for _, want := range []string{"EXPIRED 2h ago", "in 20m (soon)", "(3h ago)", "not logged in", "logged in (unverified)",
		// A setup token: no expiry known, no refresh.
		"oauth-token  keyring  -                          does not renew itself\n",
		// The environment's key is what is used: the store's date and
		// expiry do not apply, and the type is spelt as --mode spells it.
		"gh        default  logged in               api-key      env      -                          -\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"codex: stored in a plain file, not encrypted", "gh: TEROK_GH_API_KEY is set and wins"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("warnings lack %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut.String(), "glab") {
		t.Error("the store's error is printed with the table; it belongs in the one error statusRun returns")
	}
}

// Without a keyring, status says so once and fails, rather than warn once
// per provider and exit 0.
func TestStatusStoreUnreadableIsOneError(t *testing.T) {
	var statuses []account.Status
	for _, p := range []names.Provider{"claude", "codex", "gh"} {
		statuses = append(statuses, account.Status{Provider: p, Set: "default", Error: "read credential default/" + string(p) + ": no Secret Service\nStart one"})
	}
	statuses = append(statuses, account.Status{Provider: "vibe", Set: "default", Authenticated: true, EnvOverride: "TEROK_VIBE_API_KEY", Error: "read credential default/vibe: no Secret Service"})
	err := storeUnreadable(statuses)
	if err == nil || exitCode(context.Background(), err) != exitError {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	if strings.Count(msg, "no Secret Service") != 1 || !strings.Contains(msg, "claude, codex, gh,") || strings.Contains(msg, "vibe") || !strings.Contains(msg, "Start one") {
		t.Errorf("err = %q", msg)
	}
	io, _, out, _ := iostreams.Test()
	printStatus(&factory{IO: io}, statuses[:1], time.Now())
	if !strings.Contains(out.String(), "claude    default  unknown") {
		t.Errorf("table:\n%s", out)
	}
}

func TestPickProviders(t *testing.T) {
	menu := []names.Provider{"claude", "codex", "gh"}
	for in, want := range map[string]string{"1": "claude", "1,3": "claude,gh", "codex, 1": "codex,claude", "GH 2 2": "gh,codex"} {
		got, err := pickProviders(in, menu)
		if err != nil || strings.Join(names.Strings(got), ",") != want {
			t.Errorf("pickProviders(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", " , ", "0", "4", "vibe", "1,x"} {
		if _, err := pickProviders(bad, menu); err == nil {
			t.Errorf("pickProviders(%q) accepted", bad)
		}
	}
}

func TestAuthMenuNeedsATerminal(t *testing.T) {
	code, _, stderr := run(t, nil, "auth")
	if code != exitUsage || !strings.Contains(stderr, "terok auth login PROVIDER") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, nil, "auth", "frob")
	if code != exitUsage || !strings.Contains(stderr, `unknown command "frob"`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// After login --store file, token, env and status without the flag find the
// credential where the index says it was stored (before, token failed with
// a keyring error, exit 1), and status says authenticated only without an
// error. --store keyring still pins the keyring, and its error says where
// the credential is.
func TestStoreFileIsRemembered(t *testing.T) {
	env := isolated(t)
	delete(env, "TEROK_CREDENTIAL_STORE")
	// A keyring that cannot be reached: a dead session bus.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	const key = "sk-or-v1-0123456789abcdef0123456789abcdef"
	io, in, _, errOut := iostreams.Test()
	in.WriteString(key)
	if code := Main(context.Background(), io, []string{"auth", "login", "openrouter", "--with-key", "--store", "file"}, func(k string) string { return env[k] }); code != exitOK {
		t.Fatalf("login: exit %d: %s", code, errOut)
	}
	if want := "Other commands find it in the file store without --store; to make the file store the default, put `store: file` in "; !strings.Contains(errOut.String(), want) {
		t.Errorf("login does not say how to make the choice permanent: %s", errOut)
	}
	if code, out, stderr := run(t, env, "auth", "token", "openrouter"); code != exitOK || strings.TrimSpace(out) != key {
		t.Errorf("token without --store: exit %d %q %s", code, out, stderr)
	}
	code, out, stderr := run(t, env, "auth", "status", "--json", "openrouter")
	var st []account.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != exitOK || len(st) != 1 || !st[0].Authenticated || st[0].Backend != "file" || st[0].Error != "" {
		t.Errorf("status: exit %d %s %s", code, out, stderr)
	}
	code, _, stderr = run(t, env, "auth", "token", "openrouter", "--store", "keyring")
	if code == exitOK || !strings.Contains(stderr, "openrouter (set: default) was stored in the file store, not the keyring store chosen now: pass --store file") {
		t.Errorf("token --store keyring: exit %d %s", code, stderr)
	}
	code, out, _ = run(t, env, "auth", "status", "--json", "openrouter", "--store", "keyring")
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st) != 1 || st[0].Error != "" && st[0].Authenticated {
		t.Errorf("status --store keyring says authenticated beside an error: exit %d %s", code, out)
	}
}

// --set with a set that holds nothing is an unknown set: exit 2, as help
// exit-codes promises (before: 4). The --key refusal's suggestion names the
// provider (before: terok auth login --with-key).
func TestUnknownSetAndKeyFlagSuggestion(t *testing.T) {
	env := isolated(t)
	for _, args := range [][]string{
		{"auth", "token", "openrouter", "--set", "nosuch"},
		{"auth", "env", "openrouter", "--set", "nosuch"},
		{"auth", "exec", "openrouter", "--set", "nosuch", "--", "true"},
	} {
		code, _, stderr := run(t, env, args...)
		if code != exitUsage || !strings.Contains(stderr, `unknown set "nosuch": nothing is stored in it`) || !strings.Contains(stderr, "terok auth login openrouter --set nosuch") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if code, _, stderr := run(t, env, "auth", "token", "openrouter"); code != exitNotAuthed {
		t.Errorf("nothing stored in the default set: exit %d (want 4): %s", code, stderr)
	}
	for args, want := range map[string]string{
		"auth login openrouter --key abc": `printf '%s' "$KEY" | terok auth login openrouter --with-key`,
		"auth login --key abc gh":         `printf '%s' "$KEY" | terok auth login gh --with-key`,
		"auth login --key abc":            `printf '%s' "$KEY" | terok auth login PROVIDER --with-key`,
	} {
		code, _, stderr := run(t, env, strings.Fields(args)...)
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d: %s", args, code, stderr)
		}
	}
}

// Without a keyring, doctor says so once, in the store's check, with its
// remedy; before, a stray "could not be listed" warning printed the remedy
// a second time.
func TestDoctorWithoutAKeyringSaysItOnce(t *testing.T) {
	env := isolated(t, "TEROK_PODMAN", "/nonexistent/podman")
	delete(env, "TEROK_CREDENTIAL_STORE")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	code, out, stderr := run(t, env, "auth", "doctor")
	if code != exitError || !strings.Contains(out, "FAIL  credential store (keyring)") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(stderr, "warning") || strings.Count(out+stderr, "No Secret Service answered") != 1 {
		t.Errorf("doctor repeats itself or warns:\nstdout:\n%s\nstderr:\n%s", out, stderr)
	}
}
