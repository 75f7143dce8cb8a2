package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/internal/fakeoauth"
)

// claudeUserAgent is what the claude plugin declares (plugins/claude
// renewal.go); the fake refuses any other, as Anthropic's endpoint turns
// away clients it does not know.
const claudeUserAgent = "claude-cli/2.1.332 (external, cli)"

func claudeFake(t *testing.T) *fakeoauth.Server {
	f := fakeoauth.New("rt-0")
	f.Encoding, f.ClientID, f.UserAgent = "json", "9d1c250a-e61b-44d9-88ed-5944d1962f5e", claudeUserAgent
	t.Cleanup(f.Close)
	return f
}

func seedExpiredClaude(t *testing.T, set, rt string) {
	t.Helper()
	v := fmt.Sprintf(`{"type":"oauth","access_token":"at-old","refresh_token":%q,"expires_at":%d}`, rt, time.Now().Add(-time.Minute).Unix())
	if err := keyring.Set("terok", set+"/claude", v); err != nil {
		t.Fatal(err)
	}
}

func storedRefreshToken(t *testing.T, set string) string {
	t.Helper()
	v, err := keyring.Get("terok", set+"/claude")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		t.Fatalf("the keyring holds something that is not a credential: %v", err)
	}
	rt, _ := c["refresh_token"].(string)
	return rt
}

// Ten `terok auth exec claude` started at once, of one expired login, make
// one request to the token endpoint, and all ten commands get the new
// access token in CLAUDE_CODE_OAUTH_TOKEN: the real binary, the real
// claude plugin process, the real keyring.
func TestConcurrentExecsRenewOnce(t *testing.T) {
	f := claudeFake(t)
	e := newInjectEnv(t, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())
	set := "e2e-renew-race"
	cleanupStored(t, set, "claude")
	seedExpiredClaude(t, set, "rt-0")
	var wg sync.WaitGroup
	results := make([]result, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = terok(t, e.with(runOpts{concurrent: true}), "auth", "exec", "--set", set, "claude", "--",
				"sh", "-c", `printf %s "$CLAUDE_CODE_OAUTH_TOKEN"`)
		}()
	}
	wg.Wait()
	assertNoPluginLeft(t)
	for i, r := range results {
		if r.code != 0 || r.stdout != fakeoauth.AccessToken(1) {
			t.Errorf("exec %d: exit %d, CLAUDE_CODE_OAUTH_TOKEN %q: %s", i, r.code, r.stdout, r.stderr)
		}
	}
	if f.Posts() != 1 {
		t.Errorf("%d requests to the token endpoint, want exactly 1", f.Posts())
	}
	if rt := storedRefreshToken(t, set); rt != f.Live() {
		t.Errorf("the keyring holds refresh token %q, the endpoint accepts %q", rt, f.Live())
	}
}

// terok killed with SIGKILL at each step of a renewal leaves a credential
// the endpoint still accepts: the old one while the endpoint has not seen
// the request, the rotated one once it is written.
//
// Not tested, because nothing can make it hold: a kill between the
// endpoint's answer and the write (refresh.StepReceived). The endpoint has
// spent the old token, and the new one existed only in the killed
// process; the next renewal is refused and says to log in again.
func TestKilledRenewalLeavesAUsableCredential(t *testing.T) {
	for _, step := range []string{"locked", "read", "post", "written", "confirmed"} {
		t.Run(step, func(t *testing.T) {
			f := claudeFake(t)
			if step == "post" {
				// Killed while the request is in flight: the endpoint
				// never answers it, as one that lost the connection.
				f.FailNext(fakeoauth.FailHang)
			}
			e := newInjectEnv(t, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())
			set := "e2e-renew-kill-" + step
			cleanupStored(t, set, "claude")
			seedExpiredClaude(t, set, "rt-0")
			kill := "TEROK_TEST_REFRESH_KILL_AT=" + step
			if step == "post" {
				kill = "TEROK_TEST_REFRESH_KILL_AFTER=1s"
			}
			r := crashyTerok(t, e.with(runOpts{env: []string{kill}, concurrent: true}), "auth", "exec", "--set", set, "claude", "--", "true")
			if r.code != -1 {
				t.Fatalf("terok was not killed: exit %d: %s", r.code, r.stderr)
			}
			// The killed host's plugin goes at its watchdog's next tick.
			waitFor(5*time.Second, func() bool { return len(pluginProcesses()) == 0 })
			assertNoPluginLeft(t)
			if rt := storedRefreshToken(t, set); !f.Accepts(rt) {
				t.Fatalf("the keyring holds refresh token %q, which the endpoint refuses (it accepts %q)", rt, f.Live())
			}
			// And the next run works with it.
			r = terok(t, e.opts, "auth", "exec", "--set", set, "claude", "--", "sh", "-c", `printf %s "$CLAUDE_CODE_OAUTH_TOKEN"`)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "at-") {
				t.Errorf("after the kill: exit %d %q: %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// The terok that is released has no crash hook: told to kill itself at a
// step of the renewal, it renews and runs the command, and its binary does
// not even hold the variable's name.
func TestReleaseBinaryIgnoresTheCrashHook(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(binDir, "terok"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("TEROK_TEST_REFRESH_KILL")) {
		t.Error("the release binary holds TEROK_TEST_REFRESH_KILL_*: the crash hook is built in (cmd/terok/crashhook.go needs -tags teroktest)")
	}
	f := claudeFake(t)
	e := newInjectEnv(t, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())
	set := "e2e-renew-no-hook"
	cleanupStored(t, set, "claude")
	seedExpiredClaude(t, set, "rt-0")
	r := terok(t, e.with(runOpts{env: []string{"TEROK_TEST_REFRESH_KILL_AT=locked", "TEROK_TEST_REFRESH_KILL_AFTER=1ms"}}),
		"auth", "exec", "--set", set, "claude", "--", "sh", "-c", `printf %s "$CLAUDE_CODE_OAUTH_TOKEN"`)
	if r.code != 0 || r.stdout != fakeoauth.AccessToken(1) {
		t.Fatalf("exit %d, CLAUDE_CODE_OAUTH_TOKEN %q: %s", r.code, r.stdout, r.stderr)
	}
	if rt := storedRefreshToken(t, set); rt != f.Live() {
		t.Errorf("the keyring holds refresh token %q, the endpoint accepts %q", rt, f.Live())
	}
}

// One `terok auth exec claude` of a subscription login past its expiry
// renews it through the claude plugin's own declaration (JSON body,
// Claude Code's client id and User-Agent, which the fake insists on),
// against the endpoint list the test override replaces
// (TEROK_CLAUDE_TOKEN_URL), and the command sees the new access token in
// CLAUDE_CODE_OAUTH_TOKEN and no ANTHROPIC_API_KEY. It prints the token's
// hash, as a command that must not echo a secret would.
func TestExecRenewsAnExpiredClaudeLogin(t *testing.T) {
	f := claudeFake(t)
	e := newInjectEnv(t, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())
	set := "e2e-renew-claude-one"
	cleanupStored(t, set, "claude")
	seedExpiredClaude(t, set, "rt-0")
	r := terok(t, e.opts, "auth", "exec", "--set", set, "claude", "--", "sh", "-c",
		`printf '%s' "$CLAUDE_CODE_OAUTH_TOKEN" | sha256sum | cut -c1-64; printf 'apikey=%s\n' "${ANTHROPIC_API_KEY-unset}"`)
	sum := sha256.Sum256([]byte(fakeoauth.AccessToken(1)))
	if want := hex.EncodeToString(sum[:]) + "\napikey=unset\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("exit %d, the command saw %q, want the hash of the renewed token and no API key: %s", r.code, r.stdout, r.stderr)
	}
	if f.Posts() != 1 {
		t.Errorf("%d requests to the token endpoint, want 1", f.Posts())
	}
	c := storedFields(t, set, "claude")
	exp, _ := c["expires_at"].(float64)
	if c["access_token"] != fakeoauth.AccessToken(1) || c["refresh_token"] != f.Live() || time.Unix(int64(exp), 0).Before(time.Now()) {
		t.Errorf("the keyring holds %v (expires %v), want the renewed login", redacted(c), exp)
	}
}
