//go:build unix

package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// takeAll has n machines take one lease at the same moment and returns
// the leases taken and the errors.
func takeAll(t *testing.T, machines []*store.OpenBao, ttl time.Duration) ([]*store.Lease, []error) {
	t.Helper()
	leases := make([]*store.Lease, len(machines))
	errs := make([]error, len(machines))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, o := range machines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			leases[i], errs[i] = o.TakeLease(context.Background(), "default", "claude", ttl)
		}()
	}
	close(start)
	wg.Wait()
	return leases, errs
}

func oneHolder(t *testing.T, machines []*store.OpenBao, ttl time.Duration) *store.Lease {
	t.Helper()
	leases, errs := takeAll(t, machines, ttl)
	var held *store.Lease
	for i, err := range errs {
		switch {
		case err == nil && held == nil:
			held = leases[i]
		case err == nil:
			t.Fatalf("two machines hold the lease")
		case !errors.Is(err, store.ErrLeaseHeld):
			t.Fatalf("machine %d: %v", i, err)
		default:
			var h *store.LeaseHolder
			if !errors.As(err, &h) {
				t.Errorf("machine %d: no holder in %v", i, err)
			}
		}
	}
	if held == nil {
		t.Fatal("nobody holds the lease")
	}
	return held
}

func TestOpenBaoLease(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	machines := make([]*store.OpenBao, 10)
	for i := range machines {
		machines[i] = openBao(t, s, s.Token)
		machines[i].Host = "machine-" + string(rune('a'+i))
	}
	mustSet(t, machines[0], "default", "claude", sdk.APIKey("k"))

	// Ten at once: one holder; the others are told who.
	held := oneHolder(t, machines, time.Minute)
	_, err := machines[0].TakeLease(ctx, "default", "claude", time.Minute)
	if !errors.Is(err, store.ErrLeaseHeld) || !strings.Contains(remedy.Text(err), "machine-") || !strings.Contains(remedy.Text(err), "pid") {
		t.Errorf("a held lease: %v", err)
	}

	// Where it lives, and what it holds: who, never a secret; a LIST of
	// the set does not take it for a credential.
	out := s.Bao(t, "", "kv", "get", "-mount=secret", "-format=json", "terok/default/.renewing/claude")
	for _, want := range []string{`"state": "held"`, `"host": "machine-`, `"ttl_seconds": "60"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the lease lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"k"`) {
		t.Errorf("the lease holds the credential:\n%s", out)
	}
	if got, err := machines[0].ListSet(ctx, "default"); err != nil || len(got) != 1 || got[0] != "claude" {
		t.Errorf("ListSet = %v, %v", got, err)
	}
	if got, err := machines[0].List(ctx); err != nil || len(got) != 1 {
		t.Errorf("List = %v, %v", got, err)
	}

	// Released, it is free again, for one.
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}
	held = oneHolder(t, machines, time.Second)

	// Once older than its ttl it is stale: ten that find it so at once
	// make one new holder.
	time.Sleep(3500 * time.Millisecond) // the server's clock counts whole seconds
	taker := oneHolder(t, machines, time.Minute)
	// The first holder, late, does not free the taker's lease.
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := machines[0].TakeLease(ctx, "default", "claude", time.Minute); !errors.Is(err, store.ErrLeaseHeld) {
		t.Errorf("after a late release by the old holder: %v", err)
	}
	if err := taker.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// A soft-deleted lease (bao kv delete) is free.
	if _, err := machines[0].TakeLease(ctx, "default", "claude", time.Minute); err != nil {
		t.Fatal(err)
	}
	s.Bao(t, "", "kv", "delete", "-mount=secret", "terok/default/.renewing/claude")
	if l, err := machines[1].TakeLease(ctx, "default", "claude", time.Minute); err != nil {
		t.Errorf("after bao kv delete: %v", err)
	} else {
		_ = l.Release(ctx)
	}
}

// A token whose policy cannot write the lease (a read-only CI token) is
// told so, with the path and the capability, before any refresh token is
// spent.
func TestOpenBaoLeaseDenied(t *testing.T) {
	s := startBao(t)
	s.Bao(t, `path "secret/data/terok/*" { capabilities = ["read"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list"] }
path "sys/internal/ui/mounts/*" { capabilities = ["read"] }
`, "policy", "write", "ro", "-")
	tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=ro", "-field=token"))
	_, err := openBao(t, s, tok).TakeLease(context.Background(), "default", "claude", time.Minute)
	if !errors.Is(err, store.ErrDenied) || !strings.Contains(remedy.Text(err), "secret/data/terok/default/.renewing/claude") ||
		!strings.Contains(remedy.Text(err), `"create"`) || !strings.Contains(remedy.Text(err), "refresh token was not used") {
		t.Errorf("TakeLease = %v", err)
	}
}
