package account

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// TestStatusRepairsTheIndexFromTheRealKeyring is the index repair against
// the OS keyring, where Status reads every credential in one batch
// (store.GetMany): the keyring still wins over the index.
func TestStatusRepairsTheIndexFromTheRealKeyring(t *testing.T) {
	needKeyring(t)
	ctx := context.Background()
	set := names.Set(fmt.Sprintf("repair-%d", os.Getpid()))
	a := &Accounts{Store: &store.Keyring{}, Backend: "keyring",
		Index: &Index{Path: filepath.Join(t.TempDir(), "index.json")}}
	t.Cleanup(func() {
		for _, p := range []names.Provider{"claude", "codex", "gh"} {
			_ = a.Store.Delete(ctx, set, p)
		}
	})
	// In the keyring but not in the index.
	if err := a.Store.Set(ctx, set, "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	// In the index but not in the keyring.
	if err := a.Save(ctx, set, "codex", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Delete(ctx, set, "codex"); err != nil {
		t.Fatal(err)
	}
	// In both, but the index says another type: written past the index,
	// a second later (the keyring keeps change times in whole seconds).
	if err := a.Save(ctx, set, "gh", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if err := a.Store.Set(ctx, set, "gh", sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "t", "host": "github.com"}}); err != nil {
		t.Fatal(err)
	}
	st, err := a.Status(ctx, set, []names.Provider{"claude", "codex", "gh", "vibe"})
	if err != nil {
		t.Fatal(err)
	}
	if !st[0].Authenticated || st[1].Authenticated || st[2].Type != sdk.TypeOAuthToken || st[3].Authenticated {
		t.Fatalf("status = %+v", st)
	}
	entries, err := a.Index.Load()
	if err != nil {
		t.Fatal(err)
	}
	got := map[names.Provider]string{}
	for _, e := range entries {
		got[e.Provider] = e.Type
	}
	if len(got) != 2 || got["claude"] != sdk.TypeAPIKey || got["gh"] != sdk.TypeOAuthToken {
		t.Errorf("index after repair = %+v", entries)
	}
}

// countingKeyring counts the credentials read from the real keyring.
type countingKeyring struct {
	*store.Keyring
	read int
}

func (k *countingKeyring) Get(ctx context.Context, set names.Set, p names.Provider) (sdk.Credential, error) {
	k.read++
	return k.Keyring.Get(ctx, set, p)
}

func (k *countingKeyring) GetMany(ctx context.Context, set names.Set, providers []names.Provider) []store.Result {
	k.read += len(providers)
	return k.Keyring.GetMany(ctx, set, providers)
}

// Status reads no secret from the keyring for what terok stored: one
// search says what the keyring holds and when each item changed, and the
// index, which keeps the details, answers. A credential changed past the
// index is read once, and the index repaired.
func TestStatusReadsNoSecretFromTheRealKeyring(t *testing.T) {
	needKeyring(t)
	ctx := context.Background()
	set := names.Set(fmt.Sprintf("noread-%d", os.Getpid()))
	k := &countingKeyring{Keyring: &store.Keyring{}}
	a := &Accounts{Store: k, Backend: "keyring", Index: &Index{Path: filepath.Join(t.TempDir(), "index.json")}}
	providers := []names.Provider{"claude", "codex", "gh"}
	t.Cleanup(func() {
		for _, p := range providers {
			_ = k.Delete(ctx, set, p)
		}
	})
	for _, p := range providers {
		if err := a.Save(ctx, set, p, sdk.APIKey("sk-ant-api03-"+string(p)+"-0123456789abcdef")); err != nil {
			t.Fatal(err)
		}
	}
	k.read = 0
	st, _ := a.Status(ctx, set, append(providers, "vibe"))
	if k.read != 0 {
		t.Errorf("status read %d credentials; the index answers for all", k.read)
	}
	for i, s := range st[:3] {
		if !s.Authenticated || s.Type != sdk.TypeAPIKey || s.Masked != "sk-ant-api03-…" || s.TokenKind != "Anthropic API key" || s.Location == "" {
			t.Errorf("status of %s = %+v", providers[i], s)
		}
	}
	if st[3].Authenticated {
		t.Errorf("vibe, never stored: %+v", st[3])
	}
	// Changed past the index (another program), a second later.
	time.Sleep(1100 * time.Millisecond)
	if err := k.Set(ctx, set, "gh", sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_0123456789abcdef", "host": "github.com"}}); err != nil {
		t.Fatal(err)
	}
	k.read = 0
	st, _ = a.Status(ctx, set, providers)
	if k.read != 1 || st[2].Type != sdk.TypeOAuthToken || st[2].Masked != "gho_…" {
		t.Errorf("after a change past the index: %d reads, gh = %+v", k.read, st[2])
	}
	k.read = 0
	if _, _ = a.Status(ctx, set, providers); k.read != 0 {
		t.Errorf("the repaired index does not answer: %d reads", k.read)
	}
	// Gone past the index: the keyring wins.
	if err := k.Delete(ctx, set, "codex"); err != nil {
		t.Fatal(err)
	}
	st, _ = a.Status(ctx, set, providers)
	if st[1].Authenticated {
		t.Errorf("codex was removed from the keyring, status says %+v", st[1])
	}
}

// needKeyring fails a test that needs the real, throwaway Secret Service
// scripts/with-keyring starts, when there is none.
func needKeyring(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real keyring; run without -short, through make test")
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		t.Fatal("this test needs a real, throwaway Secret Service: run it through `make test` (scripts/with-keyring)")
	}
}
