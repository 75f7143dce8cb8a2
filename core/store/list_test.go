package store_test

import (
	"context"
	"fmt"
	"os"
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
