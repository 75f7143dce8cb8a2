//go:build unix

package refresh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/baotest"
	"github.com/terok-ai/terok-auth/internal/fakeoauth"
	"github.com/terok-ai/terok-auth/sdk"
)

// Renewals across machines, through the team store: two terok homes (a
// store client and a lock directory each, as two machines have) against
// one real OpenBao dev server and a token endpoint that rotates refresh
// tokens and refuses a reused one.

func startBao(t *testing.T) *baotest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real OpenBao server (run make test)")
	}
	return baotest.Start(t)
}

// home is one machine's store client: a client of its own, named as
// another host.
func home(t testing.TB, s *baotest.Server, host string) *store.OpenBao {
	t.Helper()
	o, err := store.NewOpenBao(store.OpenBaoOptions{
		Getenv: func(k string) string {
			return map[string]string{"BAO_ADDR": s.Addr, "BAO_TOKEN": s.Token}[k]
		},
		Home: t.TempDir(), Timeout: 5 * time.Second, Writer: "terok test",
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Host = host
	return o
}

// seedExpired makes the stored credential expired, holding refresh token
// rt, with a check-and-set over what is there.
func seedExpired(t *testing.T, o *store.OpenBao, rt string) {
	t.Helper()
	ctx := context.Background()
	_, v, err := o.GetVersioned(ctx, set, provider)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := o.PutCAS(ctx, set, provider, expired(rt), v); err != nil {
		t.Fatal(err)
	}
}

type outcome struct {
	c       sdk.Credential
	renewed bool
	err     error
}

// Two machines renew one expired credential at the same moment, 20 times
// over: each round, exactly one request reaches the endpoint, both end
// with the token it issued, and the store holds its rotated refresh
// token. No refusal is ever recorded.
func TestTwoMachinesRenewOnce(t *testing.T) {
	s := startBao(t)
	f := fake(t)
	seedExpired(t, home(t, s, "seeder"), "rt-0")
	dirs := []string{t.TempDir(), t.TempDir()}
	var refusedMu sync.Mutex
	var refused []string
	const rounds = 20
	for round := 1; round <= rounds; round++ {
		var wg sync.WaitGroup
		start := make(chan struct{})
		out := make([]outcome, 2)
		for i := range out {
			r := &Renewer{Store: home(t, s, []string{"machine-a", "machine-b"}[i]), LockDir: dirs[i], Timeout: 5 * time.Second,
				Poll: 20 * time.Millisecond,
				Refused: func(_ context.Context, _ names.Set, _ names.Provider, ref *Refusal) {
					refusedMu.Lock()
					refused = append(refused, ref.Code)
					refusedMu.Unlock()
				}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, renewed, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
				out[i] = outcome{c, renewed, err}
			}()
		}
		close(start)
		wg.Wait()
		if f.Posts() != round {
			t.Fatalf("round %d: %d requests to the endpoint so far, want %d", round, f.Posts(), round)
		}
		renewed := 0
		for i, o := range out {
			if o.err != nil || o.c.Get("access_token") != fakeoauth.AccessToken(round) {
				t.Fatalf("round %d, machine %d: %q, %v", round, i, o.c.Get("access_token"), o.err)
			}
			if o.renewed {
				renewed++
			}
		}
		if renewed != 1 {
			t.Errorf("round %d: %d machines say they renewed, want 1", round, renewed)
		}
		got, err := home(t, s, "checker").Get(context.Background(), set, provider)
		if err != nil || got.Get("refresh_token") != f.Live() || got.Get("access_token") != fakeoauth.AccessToken(round) {
			t.Fatalf("round %d: the store holds %q (%v); the endpoint accepts %q", round, got.Get("refresh_token"), err, f.Live())
		}
		// Expired again, with the live refresh token, for the next round.
		seedExpired(t, home(t, s, "seeder"), f.Live())
	}
	if len(refused) > 0 {
		t.Errorf("refusals recorded: %v", refused)
	}
}

// While another machine holds the lease, a renewal asks nothing: it
// waits, and gives up when its context ends.
func TestLeaseHeldMeansNoRequest(t *testing.T) {
	s := startBao(t)
	f := fake(t)
	o := home(t, s, "machine-a")
	seedExpired(t, o, "rt-0")
	held, err := home(t, s, "machine-b").TakeLease(context.Background(), set, provider, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var told []string
	r := &Renewer{Store: o, LockDir: t.TempDir(), Poll: 50 * time.Millisecond,
		Waiting: func(_ context.Context, _ names.Set, _ names.Provider, h *store.LeaseHolder) {
			told = append(told, h.Error())
		}}
	_, _, err = r.Renew(ctx, set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(remedy.Text(err), "machine-b") {
		t.Errorf("err = %v; want a wait for machine-b that ran out", err)
	}
	if len(told) != 1 || !strings.Contains(told[0], "machine-b (pid ") {
		t.Errorf("told of the wait: %q", told)
	}
	if f.Posts() != 0 {
		t.Errorf("%d requests while another machine held the lease", f.Posts())
	}
	// Given up, the lease is free again.
	if err := held.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c, renewed, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due); err != nil || !renewed || c.Get("access_token") != fakeoauth.AccessToken(1) {
		t.Fatalf("after the release: %q %v %v", c.Get("access_token"), renewed, err)
	}
}

// A lease whose holder never gave it up (a machine that died) is taken
// over once it is older than its ttl, by the server's clock.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	s := startBao(t)
	f := fake(t)
	o := home(t, s, "machine-a")
	seedExpired(t, o, "rt-0")
	if _, err := home(t, s, "machine-b").TakeLease(context.Background(), set, provider, time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := &Renewer{Store: o, LockDir: t.TempDir(), Poll: 50 * time.Millisecond}
	c, renewed, err := r.Renew(ctx, set, provider, decl(f.TokenURL()), due)
	if err != nil || !renewed || c.Get("access_token") != fakeoauth.AccessToken(1) || f.Posts() != 1 {
		t.Fatalf("%q renewed %v err %v, %d requests", c.Get("access_token"), renewed, err, f.Posts())
	}
	// The taker let it go when done.
	l, err := home(t, s, "machine-c").TakeLease(context.Background(), set, provider, time.Minute)
	if err != nil {
		t.Fatalf("the lease was not released: %v", err)
	}
	_ = l.Release(context.Background())
}

// TestMain is also the holder TestKilledHoldersLeaseIsTakenOver kills:
// with TEROK_TEST_HOLD_LEASE=1 it takes the lease for ten minutes, says
// so, and waits.
func TestMain(m *testing.M) {
	if os.Getenv("TEROK_TEST_HOLD_LEASE") == "1" {
		os.Exit(holdLease())
	}
	os.Exit(m.Run())
}

func holdLease() int {
	o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: os.Getenv, Home: os.TempDir(), Timeout: 5 * time.Second})
	if err == nil {
		_, err = o.TakeLease(context.Background(), set, provider, 10*time.Minute)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("held")
	time.Sleep(time.Minute)
	return 0
}

// A refusal of a refresh token that another machine rotated meanwhile is
// no reason for a new login: the renewal takes what the store holds.
func TestRefusalAfterAnotherRenewedTakesTheStored(t *testing.T) {
	f := fake(t)
	s := newMem(expired("rt-0"))
	r := renewer(t, s)
	var refused []string
	r.Refused = func(_ context.Context, _ names.Set, _ names.Provider, ref *Refusal) {
		refused = append(refused, ref.Code)
	}
	r.Step = func(step string) {
		if step != StepPost {
			return
		}
		// Another machine (with no lease: an older terok) renews just
		// before this one asks.
		other := &Renewer{Store: s, LockDir: t.TempDir()}
		if _, _, err := other.Renew(context.Background(), set, provider, decl(f.TokenURL()), nil); err != nil {
			t.Error(err)
		}
	}
	c, renewed, err := r.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if err != nil || renewed || c.Get("access_token") != fakeoauth.AccessToken(1) {
		t.Fatalf("%q renewed %v err %v; want the other's token", c.Get("access_token"), renewed, err)
	}
	if len(refused) > 0 {
		t.Errorf("refusal recorded: %v", refused)
	}
	if f.Posts() != 2 {
		t.Errorf("%d requests, want 2 (the other's and the refused one)", f.Posts())
	}
	// A refusal with nothing new stored still means a new login.
	_, _, err = renewer(t, newMem(expired("rt-0"))).Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
	if !errors.Is(err, ErrNeedsLogin) {
		t.Errorf("err = %v, want ErrNeedsLogin", err)
	}
}

// A command that uses a token another machine renewed writes over that
// renewal afterwards: a tool that renews its login during exec has it
// written back, not refused as a conflict with the version the command
// first read.
func TestWriteBackOverTheWinnersRenewal(t *testing.T) {
	s := startBao(t)
	f := fake(t)
	seedExpired(t, home(t, s, "seeder"), "rt-0")
	for _, waiter := range []bool{false, true} {
		b := home(t, s, "machine-b")
		// The command reads the credential first (exec, token), at the
		// version before the renewal.
		if _, err := b.Get(context.Background(), set, provider); err != nil {
			t.Fatal(err)
		}
		a := &Renewer{Store: home(t, s, "machine-a"), LockDir: t.TempDir()}
		rb := &Renewer{Store: b, LockDir: t.TempDir(), Poll: 20 * time.Millisecond}
		var c sdk.Credential
		var err error
		if waiter {
			// b waits for a's renewal under a's lease.
			held, lerr := home(t, s, "machine-a").TakeLease(context.Background(), set, provider, time.Minute)
			if lerr != nil {
				t.Fatal(lerr)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				c, _, err = rb.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
			}()
			time.Sleep(200 * time.Millisecond)
			_ = held.Release(context.Background())
			if _, _, aerr := a.Renew(context.Background(), set, provider, decl(f.TokenURL()), due); aerr != nil {
				t.Fatal(aerr)
			}
			<-done
		} else {
			// a renewed before b's renewal looked.
			if _, _, aerr := a.Renew(context.Background(), set, provider, decl(f.TokenURL()), due); aerr != nil {
				t.Fatal(aerr)
			}
			c, _, err = rb.Renew(context.Background(), set, provider, decl(f.TokenURL()), due)
		}
		if err != nil || c.Get("refresh_token") != f.Live() {
			t.Fatalf("waiter %v: %q %v", waiter, c.Get("refresh_token"), err)
		}
		// The tool renewed by itself during the command.
		captured := sdk.Credential{Type: c.Type, Fields: map[string]any{}}
		for k, v := range c.Fields {
			captured.Fields[k] = v
		}
		captured.Fields["refresh_token"] = "rt-by-the-tool"
		captured.Fields["expires_at"] = time.Now().Add(2 * time.Hour).Unix()
		if stored, err := rb.WriteBack(context.Background(), set, provider, c, captured); err != nil || !stored {
			t.Fatalf("waiter %v: write-back stored %v: %v", waiter, stored, err)
		}
		// Expired again, for the next case, with what the endpoint accepts.
		seedExpired(t, home(t, s, "seeder"), f.Live())
	}
}
