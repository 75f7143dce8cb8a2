package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// slowKeyring stores at once and answers each write late.
type slowKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (b *slowKeyring) Get(s, u string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *slowKeyring) Set(s, u, p string) error {
	b.mu.Lock()
	b.m[u] = p
	b.mu.Unlock()
	time.Sleep(150 * time.Millisecond)
	return nil
}

func (b *slowKeyring) Delete(string, string) error { return errors.New("unused") }

// TestLateStoreIsReportedAsStoredAndIndexed: a write the keyring answers
// after the timeout, but did make, is a successful login, and the index
// records it.
func TestLateStoreIsReportedAsStoredAndIndexed(t *testing.T) {
	a, _, warnings := newAccounts(t)
	a.Store = &store.Keyring{Backend: &slowKeyring{m: map[string]string{}}, Timeout: 20 * time.Millisecond}
	a.Backend = "keyring"
	if err := a.Save(context.Background(), "default", "claude", sdk.APIKey("sk-ant-late")); err != nil {
		t.Fatalf("the key was stored, but Save said: %v", err)
	}
	entries, err := a.Index.Load()
	if err != nil || len(entries) != 1 || entries[0].Provider != "claude" || entries[0].Backend != "keyring" {
		t.Errorf("index: %+v, %v", entries, err)
	}
	if len(*warnings) != 0 {
		t.Errorf("warnings: %v", *warnings)
	}
}
