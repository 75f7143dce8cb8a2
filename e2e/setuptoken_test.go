package e2e

import (
	"strings"
	"testing"
)

// claudeSetupToken is made up, in the shape `claude setup-token` prints.
const claudeSetupToken = "sk-ant-oat01-E2eSetupToken0123456789abcdefghijklmnopqrstuvwxyz"

// A Claude setup token piped to `login --mode setup-token --with-key` is
// stored in the real keyring as an OAuth token with no refresh, and exec
// hands it to the command in CLAUDE_CODE_OAUTH_TOKEN, never in
// ANTHROPIC_API_KEY; the same token piped as an API key is refused,
// naming the mode that takes it, and leaves the stored one as it was.
func TestClaudeSetupToken(t *testing.T) {
	e := newInjectEnv(t)
	set := "e2e-setup-token"
	cleanupStored(t, set, "claude")
	r := terok(t, e.with(runOpts{stdin: claudeSetupToken + "\n"}), "auth", "login", "claude", "--mode", "setup-token", "--with-key", "--set", set)
	if r.code != 0 || !strings.Contains(r.stderr, "Setup token stored for claude") {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	c := storedFields(t, set, "claude")
	if c["type"] != "oauth_token" || c["token"] != claudeSetupToken || len(c) != 2 {
		t.Fatalf("the keyring holds %v, want an oauth_token with the token alone", redacted(c))
	}

	r = terok(t, e.opts, "auth", "exec", "--set", set, "claude", "--", "sh", "-c",
		`printf 'oauth=%s\n' "$CLAUDE_CODE_OAUTH_TOKEN"; printf 'apikey=%s\n' "${ANTHROPIC_API_KEY-unset}"`)
	if r.code != 0 {
		t.Fatalf("exec: exit %d: %s", r.code, r.stderr)
	}
	if want := "oauth=" + claudeSetupToken + "\napikey=unset\n"; r.stdout != want {
		t.Errorf("the command saw %q, want CLAUDE_CODE_OAUTH_TOKEN set and ANTHROPIC_API_KEY unset", strings.ReplaceAll(r.stdout, claudeSetupToken, "<setup token>"))
	}

	r = terok(t, e.opts, "auth", "status", "--set", set, "claude")
	if r.code != 0 || !strings.Contains(r.stdout, "does not renew itself") || strings.Contains(r.stdout+r.stderr, claudeSetupToken) {
		t.Errorf("status: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	for _, args := range [][]string{{"--with-key"}, {"--mode", "api-key", "--with-key"}} {
		r = terok(t, e.with(runOpts{stdin: claudeSetupToken}), append([]string{"auth", "login", "claude", "--set", set}, args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, "--mode setup-token") || strings.Contains(r.stderr, claudeSetupToken) {
			t.Errorf("login %v with a setup token: exit %d, want a refusal naming --mode setup-token: %s", args, r.code, r.stderr)
		}
	}
	if got := storedFields(t, set, "claude")["type"]; got != "oauth_token" {
		t.Errorf("after the refused logins the keyring holds a %v", got)
	}
}

// redacted shows a stored credential's field names and types, not values.
func redacted(c map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range c {
		if k == "type" {
			out[k], _ = v.(string)
			continue
		}
		out[k] = "…"
	}
	return out
}
