package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/redact"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// gitFactory is a factory whose credentials are in a file store of its
// own, holding gh for github.com, gh for ghe.example.com, glab's OAuth
// login for gitlab.example.com (expired) and a claude key.
func gitFactory(t *testing.T) (*factory, *account.Accounts) {
	t.Helper()
	dir := t.TempDir()
	a := &account.Accounts{Store: &store.File{Dir: filepath.Join(dir, "creds")}, Backend: "file", Index: &account.Index{Path: filepath.Join(dir, "index.json")}}
	ctx := context.Background()
	for slot, c := range map[names.Provider]sdk.Credential{
		"gh":                      {Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_public0123456789", "host": "github.com", "user": "octocat"}},
		"gh:ghe.example.com":      {Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "ghp_enterprise0123456789", "host": "ghe.example.com"}},
		"glab:gitlab.example.com": {Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "glo_x", "refresh_token": "r", "host": "gitlab.example.com", "expires_at": float64(1000)}},
		"claude":                  {Type: sdk.TypeAPIKey, Fields: map[string]any{"key": "sk-ant-api03-notforgit", "host": "github.com"}},
	} {
		if err := a.Save(ctx, names.DefaultSet, slot, c); err != nil {
			t.Fatal(err)
		}
	}
	io, _, _, _ := iostreams.Test()
	return &factory{IO: io, Accounts: func() (*account.Accounts, error) { return a, nil }, Redact: &redact.Writer{W: io.ErrOut}}, a
}

func gitGet(t *testing.T, f *factory, input string) (stdout, stderr string, err error) {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	in.WriteString(input)
	f.IO = io
	err = gitCredentialRun(context.Background(), &gitCredentialOptions{f: f, Operation: "get", Set: names.DefaultSet, now: time.Now})
	return out.String(), errOut.String(), err
}

func TestGitCredentialGet(t *testing.T) {
	f, _ := gitFactory(t)
	for _, tc := range []struct{ in, want string }{
		{"protocol=https\nhost=github.com\n\n", "protocol=https\nhost=github.com\nusername=octocat\npassword=gho_public0123456789\n"},
		{"protocol=https\nhost=GHE.example.com\n\n", "protocol=https\nhost=ghe.example.com\nusername=x-access-token\npassword=ghp_enterprise0123456789\n"},
		{"protocol=https\nhost=gist.github.com\n\n", "protocol=https\nhost=gist.github.com\nusername=octocat\npassword=gho_public0123456789\n"},
		{"url=https://ghe.example.com/o/r.git\n", "protocol=https\nhost=ghe.example.com\nusername=x-access-token\npassword=ghp_enterprise0123456789\n"},
		// Nothing over plain http, nothing for a host terok holds nothing
		// for, nothing from a provider that is not a forge's.
		{"protocol=http\nhost=github.com\n\n", ""},
		{"protocol=https\nhost=other.example.com\n\n", ""},
		{"protocol=https\nhost=ghe.example.com:8443\n\n", ""},
	} {
		out, _, err := gitGet(t, f, tc.in)
		if err != nil || out != tc.want {
			t.Errorf("get %q = %q, %v; want %q", tc.in, out, err, tc.want)
		}
	}
	// An expired OAuth login is not handed over; the user is told why.
	out, errOut, err := gitGet(t, f, "protocol=https\nhost=gitlab.example.com\n\n")
	if err != nil || out != "" || !strings.Contains(errOut, "expired; log in again: terok auth login glab --host gitlab.example.com") {
		t.Errorf("expired: stdout %q, stderr %q, %v", out, errOut, err)
	}
	for _, bad := range []string{"", "protocol=https\nhost=github.com\nhost=ghe.example.com\n", "protocol=https\nhost=github.com/x\n", "protocol=https\nhost=github.com\x00\n"} {
		if out, _, err := gitGet(t, f, bad); err == nil || out != "" {
			t.Errorf("get %q = %q, %v; want an error and nothing on stdout", bad, out, err)
		}
	}
}

func TestGitCredentialStoreAndEraseChangeNothing(t *testing.T) {
	f, a := gitFactory(t)
	for _, op := range []string{"store", "erase"} {
		io, in, out, _ := iostreams.Test()
		in.WriteString("protocol=https\nhost=github.com\nusername=octocat\npassword=gho_other\n\n")
		f.IO = io
		if err := gitCredentialRun(context.Background(), &gitCredentialOptions{f: f, Operation: op, Set: names.DefaultSet, now: time.Now}); err != nil || out.Len() != 0 {
			t.Errorf("%s: %q, %v", op, out, err)
		}
	}
	c, err := a.Store.Get(context.Background(), names.DefaultSet, "gh")
	if err != nil || c.Fields["token"] != "gho_public0123456789" {
		t.Errorf("after store and erase: %v, %v", c.Fields["token"], err)
	}
	if err := gitCredentialRun(context.Background(), &gitCredentialOptions{f: f, Operation: "fill", Set: names.DefaultSet}); err == nil || exitCode(context.Background(), err) != exitUsage {
		t.Errorf("unknown operation: %v", err)
	}
}

func TestSetupGitNeedsAStoredHost(t *testing.T) {
	f, _ := gitFactory(t)
	err := setupGitRun(context.Background(), &setupGitOptions{f: f, Host: "nothing.example.com", Set: names.DefaultSet, Git: "/nonexistent"})
	if err == nil || exitCode(context.Background(), err) != exitUsage || !strings.Contains(err.Error(), "terok auth login gh --host nothing.example.com") {
		t.Errorf("err = %v", err)
	}
	empty, _ := gitFactory(t)
	a, _ := empty.Accounts()
	for _, p := range []names.Provider{"gh", "gh:ghe.example.com", "glab:gitlab.example.com"} {
		if _, err := a.Logout(context.Background(), names.DefaultSet, p); err != nil {
			t.Fatal(err)
		}
	}
	err = setupGitRun(context.Background(), &setupGitOptions{f: empty, Set: names.DefaultSet, Git: "/nonexistent"})
	if err == nil || exitCode(context.Background(), err) != exitNotAuthed {
		t.Errorf("nothing stored: %v", err)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"/usr/bin/terok": "/usr/bin/terok", "/a b/terok": "'/a b/terok'", "/it's/t": `'/it'\''s/t'`, "/x$HOME": "'/x$HOME'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q; want %q", in, got, want)
		}
	}
}
