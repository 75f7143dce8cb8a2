package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// Accounts makes the in-memory keyring a listing one, as the Secret
// Service is.
func (b *memBackend) Accounts() ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for k := range b.m {
		if svc, user, ok := cut0(k); ok && svc == store.Service {
			out = append(out, user)
		}
	}
	return out, nil
}

func cut0(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// listAll stores three credentials, one of them long enough to be chunked,
// and checks that the store lists exactly them: no chunk, nothing else.
func listAll(t *testing.T, s interface {
	store.Store
	store.Lister
}, set names.Set) {
	t.Helper()
	ctx := context.Background()
	other := set + "-b"
	want := []store.Stored{{Set: set, Provider: "claude"}, {Set: set, Provider: "gh"}, {Set: other, Provider: "codex"}}
	long := sdk.APIKey(fmt.Sprintf("%0900d", 7))
	for i, w := range want {
		c := sdk.APIKey("sk-test-0123456789")
		if i == 1 {
			c = long
		}
		if err := s.Set(ctx, w.Set, w.Provider, c); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Delete(ctx, w.Set, w.Provider) })
	}
	got, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine []store.Stored
	for _, g := range got {
		if g.Set == set || g.Set == other {
			mine = append(mine, g)
		}
	}
	if !reflect.DeepEqual(mine, want) {
		t.Errorf("List = %v, want %v", mine, want)
	}
}

func TestListNamesEveryCredentialAndNoChunk(t *testing.T) {
	listAll(t, &store.Keyring{Backend: &memBackend{}, ChunkSize: 64}, "default")
	listAll(t, &store.File{Dir: filepath.Join(t.TempDir(), "creds")}, "default")
}

func TestListTheRealKeyring(t *testing.T) {
	requireIsolatedKeyring(t)
	listAll(t, &store.Keyring{}, names.Set(fmt.Sprintf("list-%d", os.Getpid())))
	listAll(t, &store.Keyring{ChunkSize: 700}, names.Set(fmt.Sprintf("listchunked-%d", os.Getpid())))
}

// TestItemsOfTheRealKeyring: one search names every terok item, chunks
// too, and never another service's; each item's owner is the credential
// it holds or is a chunk of.
func TestItemsOfTheRealKeyring(t *testing.T) {
	requireIsolatedKeyring(t)
	ctx := context.Background()
	k := &store.Keyring{ChunkSize: 700}
	set := names.Set(fmt.Sprintf("items-%d", os.Getpid()))
	long := sdk.APIKey(fmt.Sprintf("%01500d", 7)) // three chunks and the header
	for p, c := range map[names.Provider]sdk.Credential{"claude": sdk.APIKey("k"), "gh": long} {
		if err := k.Set(ctx, set, p, c); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k.Delete(ctx, set, p) })
	}
	// Another program's item, of another service.
	out, err := exec.Command("sh", "-c", "printf x | secret-tool store --label=other service not-terok username "+string(set)+"/claude").CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool store: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", "not-terok").Run() })

	items, err := k.Items(ctx)
	if err != nil {
		t.Fatal(err)
	}
	owners, unreadable, err := k.Owners(ctx, append(items, "/org/freedesktop/secrets/collection/login/999999", "not a path"))
	if err != nil {
		t.Fatal(err)
	}
	if len(unreadable) != 2 {
		t.Errorf("unreadable = %v; want the made-up two", unreadable)
	}
	count := map[names.Provider]int{}
	for _, it := range items {
		s, ok := owners[it]
		if !ok {
			continue // another test's, or not a credential's
		}
		if s.Set == set {
			count[s.Provider]++
		}
	}
	if count["claude"] != 1 || count["gh"] != 4 || len(count) != 2 {
		t.Errorf("items of the set by owner = %v; want claude 1, gh 4 (header and three chunks)", count)
	}
}

func TestItemsNeedABackendThatNamesThem(t *testing.T) {
	k := &store.Keyring{Backend: &memBackend{}}
	if _, err := k.Items(context.Background()); !errors.Is(err, store.ErrCannotList) {
		t.Errorf("Items of a backend that names no items: %v; want ErrCannotList", err)
	}
	if _, _, err := k.Owners(context.Background(), []string{"/x"}); !errors.Is(err, store.ErrCannotList) {
		t.Errorf("Owners: %v; want ErrCannotList", err)
	}
}
