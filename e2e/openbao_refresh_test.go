package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/internal/baotest"
	"github.com/terok-ai/terok-auth/internal/fakeoauth"
)

// Renewal across machines: two terok homes against one real OpenBao dev
// server renew one expired Claude login, through the real binary and the
// real claude plugin, against a token endpoint that rotates refresh
// tokens and refuses a reused one.

// seedExpiredInBao stores an expired Claude login with refresh token rt,
// as a login on some machine would have.
func seedExpiredInBao(t *testing.T, s *baotest.Server, rt string) {
	t.Helper()
	v := fmt.Sprintf(`{"type":"oauth","access_token":"at-old","refresh_token":%q,"expires_at":%d}`, rt, time.Now().Add(-time.Minute).Unix())
	s.Bao(t, v, "kv", "put", "-mount=secret", "terok/default/claude", "-")
}

func refreshTokenInBao(t *testing.T, s *baotest.Server) string {
	t.Helper()
	var c map[string]any
	out := s.Bao(t, "", "kv", "get", "-mount=secret", "-format=json", "terok/default/claude")
	var sec struct {
		Data struct {
			Data map[string]any `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &sec); err != nil {
		t.Fatalf("bao kv get: %v", err)
	}
	c = sec.Data.Data
	rt, _ := c["refresh_token"].(string)
	return rt
}

// `terok auth token claude` on both homes at the same moment, round after
// round: one request to the endpoint per round, both print the token it
// issued, the server holds its rotated refresh token, and neither home
// thinks a new login is needed.
func TestOpenBaoTwoHomesRenewOnce(t *testing.T) {
	s := startBaoE2E(t)
	f := claudeFake(t)
	// The endpoint takes its time, so the two commands surely overlap:
	// without the lease, the second asks with the refresh token the
	// first just spent.
	f.Delay = 700 * time.Millisecond
	homes := [][]string{baoHome(t, s, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL()), baoHome(t, s, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())}
	const rounds = 5
	for round := 1; round <= rounds; round++ {
		seedExpiredInBao(t, s, f.Live())
		var wg sync.WaitGroup
		start := make(chan struct{})
		out := make([]result, len(homes))
		for i, env := range homes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out[i] = terok(t, runOpts{env: env, concurrent: true}, "auth", "token", "claude")
			}()
		}
		close(start)
		wg.Wait()
		assertNoPluginLeft(t)
		if f.Posts() != round {
			t.Fatalf("round %d: %d requests to the endpoint so far, want %d", round, f.Posts(), round)
		}
		for i, r := range out {
			if r.code != 0 || strings.TrimSpace(r.stdout) != fakeoauth.AccessToken(round) {
				t.Fatalf("round %d, home %d: exit %d, token %q: %s", round, i, r.code, r.stdout, r.stderr)
			}
		}
		if rt := refreshTokenInBao(t, s); rt != f.Live() {
			t.Fatalf("round %d: the server holds refresh token %q, the endpoint accepts %q", round, rt, f.Live())
		}
	}
	for i, env := range homes {
		r := terok(t, runOpts{env: env}, "auth", "status", "claude")
		if r.code != 0 || strings.Contains(r.stdout, "log in again") || strings.Contains(r.stdout, "refused") {
			t.Errorf("status on home %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
}

// A terok killed with SIGKILL while it holds the renewal lease, before it
// asked the endpoint, leaves a lease behind: the other home takes it over
// at once (its holder's process is gone) and renews with one request.
func TestOpenBaoKilledLeaseHolder(t *testing.T) {
	s := startBaoE2E(t)
	f := claudeFake(t)
	a := baoHome(t, s, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())
	b := baoHome(t, s, "TEROK_CLAUDE_TOKEN_URL="+f.TokenURL())
	seedExpiredInBao(t, s, "rt-0")
	r := crashyTerok(t, runOpts{env: append(a, "TEROK_TEST_REFRESH_KILL_AT=leased"), concurrent: true}, "auth", "token", "claude")
	if r.code != -1 {
		t.Fatalf("terok was not killed: exit %d: %s", r.code, r.stderr)
	}
	waitFor(5*time.Second, func() bool { return len(pluginProcesses()) == 0 })
	assertNoPluginLeft(t)
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=state", "terok/default/.renewing/claude"); strings.TrimSpace(out) != "held" {
		t.Fatalf("the killed terok left no lease: %q", out)
	}
	r = terok(t, runOpts{env: b}, "auth", "token", "claude")
	if r.code != 0 || strings.TrimSpace(r.stdout) != fakeoauth.AccessToken(1) || f.Posts() != 1 {
		t.Fatalf("after the kill: exit %d %q, %d requests: %s", r.code, r.stdout, f.Posts(), r.stderr)
	}
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=state", "terok/default/.renewing/claude"); strings.TrimSpace(out) != "released" {
		t.Errorf("the lease after the renewal: %q", out)
	}
}
