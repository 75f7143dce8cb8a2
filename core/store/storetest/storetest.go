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

// RunVersioned runs the suite of store.Versioned against s, under its own
// set: the contract a cross-machine refresh builds on.
func RunVersioned(t *testing.T, s store.Versioned, prefix string) {
	ctx := context.Background()
	set := parseSet(t, prefix+"-versioned")
	plain, isStore := s.(store.Store)

	t.Run("versions count writes from 1", func(t *testing.T) {
		if _, v, err := s.GetVersioned(ctx, set, "p1"); !errors.Is(err, store.ErrNotFound) || v != 0 {
			t.Fatalf("missing: version %d, %v", v, err)
		}
		v1, err := s.PutCAS(ctx, set, "p1", sdk.APIKey("one"), 0)
		if err != nil || v1 != 1 {
			t.Fatalf("create: version %d, %v", v1, err)
		}
		v2, err := s.PutCAS(ctx, set, "p1", sdk.APIKey("two"), v1)
		if err != nil || v2 != 2 {
			t.Fatalf("update: version %d, %v", v2, err)
		}
		c, v, err := s.GetVersioned(ctx, set, "p1")
		if err != nil || v != 2 || c.Get("key") != "two" {
			t.Errorf("GetVersioned = %v, %d, %v", c, v, err)
		}
	})

	t.Run("a stale version loses and stores nothing", func(t *testing.T) {
		_, v, err := s.GetVersioned(ctx, set, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutCAS(ctx, set, "p1", sdk.APIKey("winner"), v); err != nil {
			t.Fatal(err)
		}
		_, err = s.PutCAS(ctx, set, "p1", sdk.APIKey("loser"), v)
		var conflict *store.CASConflict
		if !errors.Is(err, store.ErrConflict) || !errors.As(err, &conflict) || conflict.Expected != v || conflict.Current != v+1 {
			t.Fatalf("stale PutCAS = %v (%+v)", err, conflict)
		}
		if c, got, _ := s.GetVersioned(ctx, set, "p1"); c.Get("key") != "winner" || got != v+1 {
			t.Errorf("after the lost write: %v at %d", c, got)
		}
		// A create over something there loses too.
		if _, err := s.PutCAS(ctx, set, "p1", sdk.APIKey("create"), 0); !errors.Is(err, store.ErrConflict) {
			t.Errorf("create over a credential = %v", err)
		}
		// So does a version from the future.
		if _, err := s.PutCAS(ctx, set, "p1", sdk.APIKey("future"), v+5); !errors.Is(err, store.ErrConflict) {
			t.Errorf("PutCAS at a version not yet written = %v", err)
		}
	})

	t.Run("after a delete versions start again", func(t *testing.T) {
		if !isStore {
			t.Skip("not a Store")
		}
		if err := plain.Delete(ctx, set, "p1"); err != nil {
			t.Fatal(err)
		}
		if _, v, err := s.GetVersioned(ctx, set, "p1"); !errors.Is(err, store.ErrNotFound) || v != 0 {
			t.Fatalf("after Delete: version %d, %v", v, err)
		}
		if v, err := s.PutCAS(ctx, set, "p1", sdk.APIKey("again"), 0); err != nil || v != 1 {
			t.Errorf("create after Delete: version %d, %v", v, err)
		}
	})

	t.Run("invalid credentials are refused", func(t *testing.T) {
		_, v, _ := s.GetVersioned(ctx, set, "p1")
		if _, err := s.PutCAS(ctx, set, "p1", sdk.Credential{Type: "api_key"}, v); err == nil {
			t.Error("an empty credential was stored")
		}
		if _, got, _ := s.GetVersioned(ctx, set, "p1"); got != v {
			t.Errorf("version %d after a refused write, was %d", got, v)
		}
	})

	t.Run("concurrent writers at one version: one winner", func(t *testing.T) {
		_, v, err := s.GetVersioned(ctx, set, "p1")
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.PutCAS(ctx, set, "p1", sdk.APIKey(fmt.Sprintf("w%d", i)), v)
			}()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Errorf("writers %d and %d both won", won, i)
			case err == nil:
				won = i
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("writer %d: %v", i, err)
			}
		}
		if c, got, _ := s.GetVersioned(ctx, set, "p1"); won < 0 || got != v+1 || c.Get("key") != fmt.Sprintf("w%d", won) {
			t.Errorf("winner %d; stored %v at %d", won, c, got)
		}
	})
	if isStore {
		_ = plain.Delete(ctx, set, "p1")
	}
}
