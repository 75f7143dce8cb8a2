package account

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// TestStatusRepairsTheIndexFromTheRealKeyring is the index repair against
// the OS keyring, where Status reads every credential in one batch
// (store.GetMany): the keyring still wins over the index.
func TestStatusRepairsTheIndexFromTheRealKeyring(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real keyring; run without -short, through make test")
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		t.Fatal("this test needs a real, throwaway Secret Service: run it through `make test` (scripts/with-keyring)")
	}
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
	// In both, but the index says another type: removed and stored
	// again past the index, so the keyring holds a new item.
	if err := a.Save(ctx, set, "gh", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Status(ctx, set, []names.Provider{"gh"}); err != nil { // the index learns gh's item
		t.Fatal(err)
	}
	if err := a.Store.Delete(ctx, set, "gh"); err != nil {
		t.Fatal(err)
	}
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
