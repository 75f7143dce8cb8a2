package refresh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/fakeoauth"
	"github.com/terok-ai/terok-auth/sdk"
)

const (
	set      = names.Set("default")
	provider = names.Provider("claude")
)

// memStore is a Store in memory; failSet makes the next Set calls fail.
type memStore struct {
	mu      sync.Mutex
	m       map[string]sdk.Credential
	failSet []error
	sets    int
}

func newMem(c sdk.Credential) *memStore {
	return &memStore{m: map[string]sdk.Credential{store.Account(set, provider): c}}
}

func (s *memStore) Get(_ context.Context, st names.Set, p names.Provider) (sdk.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[store.Account(st, p)]
	if !ok {
		return c, store.ErrNotFound
	}
	return c, nil
}

func (s *memStore) Set(_ context.Context, st names.Set, p names.Provider, c sdk.Credential) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets++
	if len(s.failSet) > 0 {
		err := s.failSet[0]
		s.failSet = s.failSet[1:]
		return err
	}
	s.m[store.Account(st, p)] = c
	return nil
}

func (s *memStore) Delete(context.Context, names.Set, names.Provider) error { return nil }

func (s *memStore) get() sdk.Credential {
	c, _ := s.Get(context.Background(), set, provider)
	return c
}

func expired(rt string) sdk.Credential {
	return sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "at-old", "refresh_token": rt, "expires_at": time.Now().Add(-time.Minute).Unix(), "scopes": "user:inference",
	}}
}

func decl(eps ...string) sdk.Renewal {
	return sdk.Renewal{CredentialType: sdk.TypeOAuth, Endpoints: eps, ClientID: "cid", Encoding: sdk.EncodingJSON,
		Headers: map[string]string{"User-Agent": "claude-cli/2.0"}}
}

func renewer(t *testing.T, s store.Store) *Renewer {
	return &Renewer{Store: s, LockDir: t.TempDir(), Backoff: time.Millisecond, Timeout: 2 * time.Second}
}

func fake(t *testing.T) *fakeoauth.Server {
	f := fakeoauth.New("rt-0")
	f.UserAgent, f.ClientID, f.Encoding = "claude-cli/2.0", "cid", "json"
	t.Cleanup(f.Close)
	return f
}

func due(c sdk.Credential) bool { return Due(c, time.Now(), DefaultMargin) }

// noSecret fails when err holds a token the test handed out or the fake
// issued.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{"rt-0", "rt-fake", "at-fake", "at-old", "maintenance", "aaaa"} {
		if strings.Contains(remedy.Text(err), s) {
			t.Errorf("error holds %q: %v", s, err)
		}
	}
}

func TestRenewRotatesAndStoresBeforeUse(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-0"))
	r := renewer(t, s)
	var steps []string
	r.Step = func(st string) { steps = append(steps, st) }
	saved := 0
	r.Saved = func(context.Context, names.Set, names.Provider, sdk.Credential) { saved++ }
	c, renewed, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if err != nil || !renewed {
		t.Fatalf("Renew = %v, %v", renewed, err)
	}
	if c.Get("access_token") != fakeoauth.AccessToken(1) || c.Get("refresh_token") != fakeoauth.RefreshToken(1) {
		t.Errorf("got %s / %s", c.Get("access_token"), c.Get("refresh_token"))
	}
	if got := s.get(); got.Get("refresh_token") != f.Live() || got.Get("scopes") != "user:inference" {
		t.Errorf("the store holds refresh token %q (live: %q), scopes %q", got.Get("refresh_token"), f.Live(), got.Get("scopes"))
	}
	if exp, ok := c.ExpiresAt(); !ok || time.Until(exp) < 50*time.Minute {
		t.Errorf("expiry %v, %v: want about an hour from now", exp, ok)
	}
	want := []string{StepLocked, StepRead, StepPost, StepReceived, StepWritten, StepDone}
	if strings.Join(steps, ",") != strings.Join(want, ",") || saved != 1 {
		t.Errorf("steps %v (want %v), saved %d", steps, want, saved)
	}
	// The rotated token is the one used next time; the old one is dead.
	s.m[store.Account(set, provider)] = withExpiry(s.get(), time.Now().Add(-time.Second))
	if _, _, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due); err != nil {
		t.Fatalf("second renewal: %v", err)
	}
	if f.Posts() != 2 || s.get().Get("refresh_token") != fakeoauth.RefreshToken(2) {
		t.Errorf("posts %d, stored %s", f.Posts(), s.get().Get("refresh_token"))
	}
}

func withExpiry(c sdk.Credential, t time.Time) sdk.Credential {
	n := sdk.Credential{Type: c.Type, Fields: map[string]any{}}
	for k, v := range c.Fields {
		n.Fields[k] = v
	}
	n.Fields["expires_at"] = t.Unix()
	return n
}

func TestNotDueMakesNoRequest(t *testing.T) {
	f := fake(t)
	c := expired("rt-0")
	c.Fields["expires_at"] = time.Now().Add(time.Hour).Unix()
	s := newMem(c)
	got, renewed, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if err != nil || renewed || got.Get("access_token") != "at-old" || f.Posts() != 0 {
		t.Errorf("renewed %v, err %v, posts %d", renewed, err, f.Posts())
	}
}

func TestReusedTokenNeedsLogin(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-spent"))
	r := renewer(t, s)
	var refusal *Refusal
	r.Refused = func(_ context.Context, _ names.Set, _ names.Provider, ref *Refusal) { refusal = ref }
	_, _, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, ErrNeedsLogin) || refusal == nil || refusal.Code != "invalid_grant" {
		t.Fatalf("err = %v, refusal %+v", err, refusal)
	}
	if !strings.Contains(remedy.Text(err), "invalid_grant") || !strings.Contains(remedy.Text(err), f.TokenURL()) {
		t.Errorf("the message does not say who refused and why: %v", err)
	}
	noSecret(t, err)
	if s.get().Get("refresh_token") != "rt-spent" || s.sets != 0 {
		t.Errorf("the credential was changed")
	}
}

func TestRevokedNeedsLogin(t *testing.T) {
	f := fake(t)
	f.FailNext(fakeoauth.FailRevoked)
	s := newMem(expired("rt-0"))
	_, _, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("err = %v", err)
	}
	noSecret(t, err)
}

func TestUserAgentIsSent(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-0"))
	d := decl(f.TokenURL())
	d.Headers = nil
	_, _, err := renewer(t, s).Renew(context.Background(), set, provider, d, due)
	if !errors.Is(err, ErrFailed) || !strings.Contains(remedy.Text(err), "HTTP 403") {
		t.Fatalf("without the User-Agent: %v", err)
	}
	noSecret(t, err)
	if _, _, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL()), due); err != nil {
		t.Fatalf("with the User-Agent: %v", err)
	}
}

func TestRetryOnceThenFail(t *testing.T) {
	for _, code := range []string{fakeoauth.Fail500, fakeoauth.Fail429} {
		t.Run(code, func(t *testing.T) {
			f := fake(t)
			f.FailNext(code)
			s := newMem(expired("rt-0"))
			if _, renewed, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL()), due); err != nil || !renewed {
				t.Fatalf("one %s, then success: %v", code, err)
			}
			if f.Posts() != 2 {
				t.Errorf("posts %d, want 2", f.Posts())
			}

			f2 := fake(t)
			f2.FailNext(code, code, code)
			s2 := newMem(expired("rt-0"))
			_, _, err := renewer(t, s2).Renew(context.Background(), set, provider, decl(f2.TokenURL()), due)
			if !errors.Is(err, ErrFailed) || errors.Is(err, ErrNeedsLogin) || !strings.Contains(remedy.Text(err), "HTTP "+code) {
				t.Fatalf("err = %v", err)
			}
			if f2.Posts() != 2 || s2.get().Get("refresh_token") != "rt-0" {
				t.Errorf("posts %d (want 2: one retry), stored %s", f2.Posts(), s2.get().Get("refresh_token"))
			}
			noSecret(t, err)
		})
	}
}

func TestBadAnswersAreRefused(t *testing.T) {
	for _, tc := range []struct{ fail, want string }{
		{fakeoauth.FailNotJSON, "not a JSON object"},
		{fakeoauth.FailHuge, "more than"},
		{fakeoauth.FailNoAccess, "no access token"},
	} {
		t.Run(tc.fail, func(t *testing.T) {
			f := fake(t)
			f.FailNext(tc.fail)
			s := newMem(expired("rt-0"))
			other := fake(t)
			_, _, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL(), other.TokenURL()), due)
			if !errors.Is(err, ErrFailed) || !strings.Contains(remedy.Text(err), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			noSecret(t, err)
			if s.get().Get("access_token") != "at-old" || s.sets != 0 {
				t.Error("the credential was changed")
			}
			if other.Posts() != 0 {
				t.Error("after a 200 that could not be used, another endpoint was asked with the same refresh token")
			}
		})
	}
}

func TestTimeoutNamesTheEndpoint(t *testing.T) {
	f := fake(t)
	f.FailNext(fakeoauth.FailHang)
	s := newMem(expired("rt-0"))
	r := renewer(t, s)
	r.Timeout = 200 * time.Millisecond
	_, _, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, ErrFailed) || !strings.Contains(remedy.Text(err), f.TokenURL()) || !strings.Contains(remedy.Text(err), "no answer within") {
		t.Fatalf("err = %v", err)
	}
	if s.get().Get("refresh_token") != "rt-0" {
		t.Error("the credential was changed")
	}
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "http://" + addr + "/oauth/token"
}

func TestEndpointsInOrder(t *testing.T) {
	f := fake(t)
	offline := closedPort(t)
	s := newMem(expired("rt-0"))
	if _, renewed, err := renewer(t, s).Renew(context.Background(), set, provider, decl(offline, f.TokenURL()), due); err != nil || !renewed {
		t.Fatalf("the second endpoint was not used: %v", err)
	}

	moved := fake(t)
	moved.FailNext(fakeoauth.FailForbidden)
	s2 := newMem(expired("rt-0"))
	_, _, err := renewer(t, s2).Renew(context.Background(), set, provider, decl(offline, moved.TokenURL()), due)
	if !errors.Is(err, ErrFailed) || !strings.Contains(remedy.Text(err), offline) || !strings.Contains(remedy.Text(err), moved.TokenURL()) {
		t.Fatalf("the message does not name every endpoint that failed: %v", err)
	}
	noSecret(t, err)
}

func TestFormEncoding(t *testing.T) {
	f := fakeoauth.New("rt-0")
	defer f.Close()
	f.Encoding, f.ClientID = "form", "41d48f"
	s := newMem(expired("rt-0"))
	d := sdk.Renewal{CredentialType: sdk.TypeOAuth, Endpoints: []string{f.TokenURL()}, ClientID: "41d48f",
		Response: sdk.RenewalFields{ExpiryText: "oauth2_expiry_date", ExpiryTextFormat: sdk.ExpiryRFC822}}
	c, _, err := renewer(t, s).Renew(context.Background(), set, provider, d, due)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC822, c.Get("oauth2_expiry_date")); err != nil {
		t.Errorf("oauth2_expiry_date %q is not RFC 822: %v", c.Get("oauth2_expiry_date"), err)
	}
}

func TestUnsettledWrite(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-0"))
	s.failSet = []error{fmt.Errorf("keyring: %w", store.ErrUnsettled)}
	_, _, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, store.ErrUnsettled) {
		t.Fatalf("err = %v", err)
	}
	noSecret(t, err)
}

func TestFailedWriteIsTriedAgain(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-0"))
	s.failSet = []error{fmt.Errorf("keyring: %w", store.ErrLocked)}
	if _, _, err := renewer(t, s).Renew(context.Background(), set, provider, decl(f.TokenURL()), due); err != nil {
		t.Fatal(err)
	}
	if s.get().Get("refresh_token") != f.Live() {
		t.Error("the rotated token was lost")
	}
}

// One renewal at a time: ten renewers (as ten processes would have) of
// one expired credential make one request and all get its token.
func TestConcurrentRenewalsMakeOneRequest(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-0"))
	dir := t.TempDir()
	var wg sync.WaitGroup
	got := make([]string, 10)
	errs := make([]error, 10)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &Renewer{Store: s, LockDir: dir}
			c, _, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
			got[i], errs[i] = c.Get("access_token"), err
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != fakeoauth.AccessToken(1) {
			t.Errorf("renewer %d: %q, %v", i, got[i], errs[i])
		}
	}
	if f.Posts() != 1 {
		t.Errorf("%d requests, want 1", f.Posts())
	}
}

// versionedStore is a Versioned store where another machine writes
// between the read and the check-and-set.
type versionedStore struct {
	*memStore
	version int
	race    func(*versionedStore)
}

func (v *versionedStore) GetVersioned(ctx context.Context, s names.Set, p names.Provider) (sdk.Credential, int, error) {
	c, err := v.Get(ctx, s, p)
	return c, v.version, err
}

func (v *versionedStore) PutCAS(ctx context.Context, s names.Set, p names.Provider, c sdk.Credential, version int) (int, error) {
	if v.race != nil {
		v.race(v)
		v.race = nil
	}
	if version != v.version {
		return 0, fmt.Errorf("put: %w", store.ErrConflict)
	}
	v.version++
	return v.version, v.Set(ctx, s, p, c)
}

func TestCASConflictTakesTheWinner(t *testing.T) {
	f := fake(t)
	winner := expired("rt-winner")
	winner.Fields["access_token"] = "at-winner"
	winner.Fields["expires_at"] = time.Now().Add(time.Hour).Unix()
	vs := &versionedStore{memStore: newMem(expired("rt-0")), version: 3, race: func(v *versionedStore) {
		v.m[store.Account(set, provider)] = winner
		v.version = 4
	}}
	c, renewed, err := renewer(t, vs).Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if err != nil || renewed || c.Get("access_token") != "at-winner" {
		t.Fatalf("got %q renewed %v err %v; want the winner's token", c.Get("access_token"), renewed, err)
	}
	if f.Posts() != 1 {
		t.Errorf("%d requests: a lost check-and-set must not ask again", f.Posts())
	}

	vs2 := &versionedStore{memStore: newMem(expired(f.Live())), version: 1}
	if _, renewed, err := renewer(t, vs2).Renew(context.Background(), set, provider, decl(f.TokenURL()), due); err != nil || !renewed || vs2.version != 2 {
		t.Fatalf("renewed %v, err %v, version %d", renewed, err, vs2.version)
	}
}

func TestNoRefreshTokenNeedsLogin(t *testing.T) {
	c := expired("")
	delete(c.Fields, "refresh_token")
	_, _, err := renewer(t, newMem(c)).Renew(context.Background(), set, provider, decl("https://a.example/t"), due)
	if !errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("err = %v", err)
	}
}

func TestOverride(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	d := decl("https://platform.claude.com/v1/oauth/token")
	if got, err := WithOverride(getenv, provider, d); err != nil || got.Endpoints[0] != d.Endpoints[0] {
		t.Fatalf("without the variable: %v %v", got.Endpoints, err)
	}
	if OverrideEnv(provider) != "TEROK_CLAUDE_TOKEN_URL" {
		t.Errorf("OverrideEnv = %s", OverrideEnv(provider))
	}
	env["TEROK_CLAUDE_TOKEN_URL"] = "http://127.0.0.1:1234/t, http://[::1]:1/t,http://localhost:9/x"
	if got, err := WithOverride(getenv, provider, d); err != nil || len(got.Endpoints) != 3 {
		t.Fatalf("loopback override: %v %v", got.Endpoints, err)
	}
	for _, bad := range []string{"https://evil.example/t", "http://10.0.0.1/t", "http://127.0.0.1.evil.example/t", "file:///x"} {
		env["TEROK_CLAUDE_TOKEN_URL"] = bad
		if _, err := WithOverride(getenv, provider, d); err == nil || !strings.Contains(remedy.Text(err), "loopback") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}

func TestOAuthError(t *testing.T) {
	for in, want := range map[string]string{
		`{"error":"invalid_grant"}`:                        "invalid_grant",
		`{"error":{"code":"refresh_token_reused"}}`:        "refresh_token_reused",
		`{"error":"has spaces and rt-0"}`:                  "",
		`not json`:                                         "",
		`{"error":"` + strings.Repeat("a", 100) + `"}`:     "",
		`{"error":{"type":"invalid_request_error"}}`:       "invalid_request_error",
		`{"code":"token_revoked","message":"secret rt-0"}`: "token_revoked",
	} {
		if got := oauthError([]byte(in)); got != want {
			t.Errorf("oauthError(%s) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","refresh_token":"r","expires_in":3600}`))
	f.Add([]byte(`{"access_token":"a","expires_in":"1e400"}`))
	f.Add([]byte(`{"access_token":1}`))
	f.Add([]byte(`{"error":"invalid_grant"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &Renewer{}
		m, err := r.read("https://a.example/t", 200, data)
		if err != nil {
			if strings.Contains(remedy.Text(err), string(data)) && len(data) > 8 {
				t.Fatalf("the error repeats the answer: %v", err)
			}
			return
		}
		c, err := merge(expired("rt-0"), sdk.RenewalFields{ExpiryFromJWT: true, IDToken: "id_token", ExpiresAt: "expires_at"}, m, time.Now())
		if err != nil {
			return
		}
		if c.Get("access_token") == "" || c.Validate() != nil {
			t.Fatalf("merged an unusable credential")
		}
	})
}

// heldLeaser is a shared store where another machine holds the lease for
// good, and its age cannot be told.
type heldLeaser struct {
	*versionedStore
	takes int
}

func (h *heldLeaser) TakeLease(context.Context, names.Set, names.Provider, time.Duration) (*store.Lease, error) {
	h.takes++
	return nil, fmt.Errorf("take: %w", &store.Error{Op: "renew", Account: "default/claude", Kind: store.ErrLeaseHeld,
		Err: &store.LeaseHolder{Host: "far-away", PID: 7, TTL: 200 * time.Millisecond}})
}

// A holder that never finishes, and whose lease cannot be aged, is waited
// for as long as its lease lasts and a little, then the renewal fails
// without asking the endpoint; the credential is kept.
func TestLeaseNeverGivenUp(t *testing.T) {
	defer func(s time.Duration) { leaseSlack = s }(leaseSlack)
	leaseSlack = 100 * time.Millisecond
	f := fake(t)
	h := &heldLeaser{versionedStore: &versionedStore{memStore: newMem(expired("rt-0")), version: 1}}
	r := renewer(t, h)
	r.Poll = 20 * time.Millisecond
	c, renewed, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, ErrFailed) || !strings.Contains(remedy.Text(err), "far-away (pid 7) is renewing it") || renewed || c.Get("refresh_token") != "rt-0" {
		t.Fatalf("%q renewed %v err %v", c.Get("refresh_token"), renewed, err)
	}
	if f.Posts() != 0 || h.takes < 2 {
		t.Errorf("%d requests, %d tries of the lease", f.Posts(), h.takes)
	}
	noSecret(t, err)
}
