package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/fakeoauth"
	"github.com/terok-ai/terok-auth/sdk"
)

const glabClientID = "41d48f9422ebd655dd9cf2947d6979681dfaddc6d0c56f7628f6ada59559af1e"

// expiredGlab stores an expired glab OAuth2 login in env's file store.
func expiredGlab(t *testing.T, env map[string]string, rt string) *store.File {
	t.Helper()
	s := &store.File{Dir: filepath.Join(env["HOME"], ".local", "share", "terok", "credentials")}
	c := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "at-old", "refresh_token": rt, "host": "gitlab.com",
		"expires_at": time.Now().Add(-time.Hour).Unix(), "oauth2_expiry_date": "01 Jan 26 00:00 UTC",
	}}
	if err := s.Set(context.Background(), "default", "glab", c); err != nil {
		t.Fatal(err)
	}
	return s
}

func glabFake(t *testing.T) *fakeoauth.Server {
	f := fakeoauth.New("rt-0")
	f.Encoding, f.ClientID = "form", glabClientID
	t.Cleanup(f.Close)
	return f
}

// exec of an expired glab login renews it first, the way glab does, and
// the command gets the new token; the rotated refresh token is stored.
func TestExecRenewsAnExpiredLogin(t *testing.T) {
	f := glabFake(t)
	env := isolated(t, "TEROK_GLAB_TOKEN_URL", f.TokenURL())
	s := expiredGlab(t, env, "rt-0")
	code, out, errOut := run(t, env, "auth", "exec", "glab", "--", "sh", "-c", `cat "$GLAB_CONFIG_DIR/config.yml"`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, fakeoauth.AccessToken(1)) || !strings.Contains(out, fakeoauth.RefreshToken(1)) {
		t.Errorf("the command did not get the new tokens:\n%s", out)
	}
	if strings.Contains(errOut, "warning") {
		t.Errorf("warnings: %s", errOut)
	}
	c, err := s.Get(context.Background(), "default", "glab")
	if err != nil || c.Get("refresh_token") != f.Live() || f.Posts() != 1 {
		t.Fatalf("stored %q (live %q), posts %d, %v", c.Get("refresh_token"), f.Live(), f.Posts(), err)
	}
	if _, err := time.Parse(time.RFC822, c.Get("oauth2_expiry_date")); err != nil {
		t.Errorf("oauth2_expiry_date: %v", err)
	}
	code, out, _ = run(t, env, "auth", "status", "glab")
	if code != 0 || !strings.Contains(out, "renews itself") {
		t.Errorf("status (exit %d) does not say it renews itself:\n%s", code, out)
	}
	// A second run within the margin makes no request.
	if code, _, errOut := run(t, env, "auth", "token", "glab"); code != 0 || f.Posts() != 1 {
		t.Errorf("token: exit %d, posts %d: %s", code, f.Posts(), errOut)
	}
}

// A refused refresh ends exec with exit 4 and a message saying to log in
// again, and status says so without asking the endpoint.
func TestRefusedRefreshNeedsLogin(t *testing.T) {
	f := glabFake(t)
	env := isolated(t, "TEROK_GLAB_TOKEN_URL", f.TokenURL())
	expiredGlab(t, env, "rt-revoked")
	if code, _, errOut := run(t, env, "auth", "status"); code != 0 {
		t.Fatalf("status: %s", errOut)
	}
	code, _, errOut := run(t, env, "auth", "exec", "glab", "--", "true")
	if code != exitNotAuthed || !strings.Contains(errOut, "refused (invalid_grant): log in again with: terok auth login glab") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(errOut, "rt-revoked") || strings.Contains(errOut, "at-old") {
		t.Errorf("a token in the message: %s", errOut)
	}
	posts := f.Posts()
	_, out, _ := run(t, env, "auth", "status", "glab")
	if !strings.Contains(out, "expired: the refresh was refused (invalid_grant): log in again") || f.Posts() != posts {
		t.Errorf("status:\n%s(posts %d, was %d)", out, f.Posts(), posts)
	}
	if code, _, _ := run(t, env, "auth", "token", "glab"); code != exitNotAuthed {
		t.Errorf("token: exit %d, want 4", code)
	}
	if code, _, _ := run(t, env, "auth", "env", "glab"); code != exitNotAuthed {
		t.Errorf("env: exit %d, want 4", code)
	}
}

func TestRefreshCommand(t *testing.T) {
	f := glabFake(t)
	env := isolated(t, "TEROK_GLAB_TOKEN_URL", f.TokenURL())
	s := expiredGlab(t, env, "rt-0")
	code, out, errOut := run(t, env, "auth", "refresh", "glab")
	if code != 0 || !strings.Contains(out, "glab: renewed, expires in") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	// On demand means now, whatever the expiry.
	if code, _, errOut := run(t, env, "auth", "refresh"); code != 0 || f.Posts() != 2 {
		t.Fatalf("refresh without names: exit %d, posts %d: %s", code, f.Posts(), errOut)
	}
	c, _ := s.Get(context.Background(), "default", "glab")
	if c.Get("refresh_token") != f.Live() {
		t.Error("the rotated token was not stored")
	}
	f.FailNext(fakeoauth.Fail500, fakeoauth.Fail500)
	code, _, errOut = run(t, env, "auth", "refresh", "glab")
	if code != exitError || !strings.Contains(errOut, "HTTP 500") || !strings.Contains(errOut, f.TokenURL()) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	env["TEROK_GLAB_TOKEN_URL"] = "https://evil.example/token"
	if code, _, errOut := run(t, env, "auth", "refresh", "glab"); code == 0 || !strings.Contains(errOut, "only a loopback URL") {
		t.Errorf("a non-loopback override was taken: exit %d %s", code, errOut)
	}
}

// A tool that renews its own login during exec (glab rewrites its
// config.yml, codex its auth.json) leaves the only copy of the rotated
// refresh token in the private directory: terok reads it back through the
// provider's Capture and stores it, also when the command fails.
func TestExecWritesBackARenewalByTheTool(t *testing.T) {
	env := isolated(t)
	s := &store.File{Dir: filepath.Join(env["HOME"], ".local", "share", "terok", "credentials")}
	c := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "at-1", "refresh_token": "rt-1", "host": "gitlab.com", "user": "me",
		"expires_at": time.Now().Add(time.Hour).Unix(),
	}}
	if err := s.Set(context.Background(), "default", "glab", c); err != nil {
		t.Fatal(err)
	}
	// What glab's marshal writes after its own refresh.
	yml := "hosts:\n  gitlab.com:\n    is_oauth2: \"true\"\n    token: at-2\n    oauth2_refresh_token: rt-2\n" +
		"    oauth2_expiry_date: " + time.Now().Add(2*time.Hour).UTC().Format(time.RFC822) + "\n    user: me\n"
	src := filepath.Join(t.TempDir(), "renewed.yml")
	if err := os.WriteFile(src, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `cp "` + src + `" "$GLAB_CONFIG_DIR/config.yml"; exit 3`
	code, _, errOut := run(t, env, "auth", "exec", "glab", "--", "sh", "-c", script)
	if code != 3 {
		t.Fatalf("exit %d, want the command's 3: %s", code, errOut)
	}
	got, err := s.Get(context.Background(), "default", "glab")
	if err != nil || got.Get("refresh_token") != "rt-2" || got.Get("access_token") != "at-2" || got.Get("user") != "me" {
		t.Fatalf("stored %v, %v: the tool's renewal was lost (%s)", got.Fields, err, errOut)
	}
	// A run that changes nothing stores nothing, and warns of nothing.
	code, _, errOut = run(t, env, "auth", "exec", "glab", "--", "true")
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
