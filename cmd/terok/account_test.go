package main

import (
	"context"
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
		{Provider: "glab", Set: "default", Authenticated: true, Type: "pat", Backend: "keyring", Error: "read credential default/glab: keyring is locked\nUnlock it"},
	}, now)
	for _, want := range []string{"EXPIRED 2h ago", "in 20m (soon)", "(3h ago)", "not logged in", "logged in (unverified)",
		// The environment's key is what is used: the store's date and
		// expiry do not apply, and the type is spelt as --mode spells it.
		"gh        default  logged in               api-key  env      -                          -\n"} {
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
