// Package storetest is the conformance suite every store.Store backend
// passes: the same tests, run against each implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// Run runs the suite against s. prefix makes set names unique, so runs
// against a shared backend (a real keyring) do not collide.
func Run(t *testing.T, s store.Store, prefix string) {
	ctx := context.Background()
	set := parseSet(t, prefix+"-set")
	other := parseSet(t, prefix+"-set-other")
	runMissing(t, s, set)
	runGetMany(t, s, set, other)

	t.Run("set get replace delete", func(t *testing.T) {
		first := sdk.APIKey("first")
		second := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "a", "refresh_token": "r", "expires_at": int64(1767225600)}}
		mustSet(t, s, set, "p1", first)
		if got := mustGet(t, s, set, "p1"); got.Get("key") != "first" || got.Type != sdk.TypeAPIKey {
			t.Errorf("Get = %v", got)
		}
		mustSet(t, s, set, "p1", second)
		got := mustGet(t, s, set, "p1")
		if exp, _ := got.ExpiresAt(); got.Type != sdk.TypeOAuth || got.Get("refresh_token") != "r" || exp.Unix() != 1767225600 {
			t.Errorf("after replace: %#v", got.Fields)
		}
		if err := s.Delete(ctx, set, "p1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, set, "p1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after Delete: %v", err)
		}
	})

	t.Run("large values round-trip", func(t *testing.T) {
		big := make([]byte, 20000)
		for i := range big {
			big[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i%36]
		}
		c := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": string(big), "id_token": "é✓"}}
		mustSet(t, s, set, "big", c)
		got := mustGet(t, s, set, "big")
		if got.Get("access_token") != string(big) || got.Get("id_token") != "é✓" {
			t.Errorf("large value changed on the way (%d bytes back)", len(got.Get("access_token")))
		}
		mustSet(t, s, set, "big", sdk.APIKey("small-again"))
		if got := mustGet(t, s, set, "big").Get("key"); got != "small-again" {
			t.Errorf("after shrinking: %q", got)
		}
		if err := s.Delete(ctx, set, "big"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("sets and providers are separate", func(t *testing.T) {
		mustSet(t, s, set, "p2", sdk.APIKey("in-set"))
		mustSet(t, s, other, "p2", sdk.APIKey("in-other"))
		mustSet(t, s, set, "p3", sdk.APIKey("other-provider"))
		if got := mustGet(t, s, set, "p2").Get("key"); got != "in-set" {
			t.Errorf("got %q", got)
		}
		if got := mustGet(t, s, other, "p2").Get("key"); got != "in-other" {
			t.Errorf("got %q", got)
		}
		_ = s.Delete(ctx, set, "p2")
		_ = s.Delete(ctx, other, "p2")
		_ = s.Delete(ctx, set, "p3")
	})

	t.Run("invalid credentials are refused and change nothing", func(t *testing.T) {
		mustSet(t, s, set, "p4", sdk.APIKey("keep"))
		if err := s.Set(ctx, set, "p4", sdk.Credential{Type: "api_key"}); err == nil {
			t.Error("stored a credential without fields")
		}
		if got := mustGet(t, s, set, "p4").Get("key"); got != "keep" {
			t.Errorf("previous credential changed to %q", got)
		}
		_ = s.Delete(ctx, set, "p4")
	})

	t.Run("concurrent writers", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.Set(ctx, set, parseProvider(t, fmt.Sprintf("c%d", i)), sdk.APIKey(fmt.Sprintf("key-%d", i)))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		for i := 0; i < 10; i++ {
			if got := mustGet(t, s, set, parseProvider(t, fmt.Sprintf("c%d", i))).Get("key"); got != fmt.Sprintf("key-%d", i) {
				t.Errorf("c%d = %q", i, got)
			}
			_ = s.Delete(ctx, set, parseProvider(t, fmt.Sprintf("c%d", i)))
		}
	})
}

// RunReadOnly runs the part of the suite that applies to a backend that
// cannot be written (such as store.Env): seed puts an API key where the
// backend reads it from.
func RunReadOnly(t *testing.T, s store.Store, seed func(t *testing.T, provider names.Provider, key string)) {
	ctx := context.Background()
	t.Run("missing is ErrNotFound", func(t *testing.T) {
		if _, err := s.Get(ctx, "default", "absent"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get = %v, want ErrNotFound", err)
		}
	})
	t.Run("seeded key reads back", func(t *testing.T) {
		seed(t, "seeded", "the-key")
		if got := mustGet(t, s, "default", "seeded"); got.Type != sdk.TypeAPIKey || got.Get("key") != "the-key" {
			t.Errorf("Get = %v", got)
		}
	})
	t.Run("writes are refused", func(t *testing.T) {
		if err := s.Set(ctx, "default", "p", sdk.APIKey("x")); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("Set = %v, want ErrReadOnly", err)
		}
		if err := s.Delete(ctx, "default", "p"); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("Delete = %v, want ErrReadOnly", err)
		}
	})
}

func runMissing(t *testing.T, s store.Store, set names.Set) {
	ctx := context.Background()
	t.Run("missing is ErrNotFound", func(t *testing.T) {
		if _, err := s.Get(ctx, set, "absent"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, set, "absent"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Delete = %v, want ErrNotFound", err)
		}
	})
}

func mustSet(t *testing.T, s store.Store, set names.Set, provider names.Provider, c sdk.Credential) {
	t.Helper()
	if err := s.Set(context.Background(), set, provider, c); err != nil {
		t.Fatalf("Set(%s, %s): %v", set, provider, err)
	}
}

func mustGet(t *testing.T, s store.Store, set names.Set, provider names.Provider) sdk.Credential {
	t.Helper()
	c, err := s.Get(context.Background(), set, provider)
	if err != nil {
		t.Fatalf("Get(%s, %s): %v", set, provider, err)
	}
	return c
}

// parseSet and parseProvider make the suite's names the way the rest of
// terok does, through package names.
func parseSet(t *testing.T, s string) names.Set {
	t.Helper()
	set, err := names.ParseSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func parseProvider(t *testing.T, s string) names.Provider {
	t.Helper()
	p, err := names.ParseProvider(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
