package account

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func newAccounts(t *testing.T) (*Accounts, map[string]string, *[]string) {
	t.Helper()
	env := map[string]string{}
	var warnings []string
	dir := t.TempDir()
	a := &Accounts{
		Store:   &store.File{Dir: filepath.Join(dir, "credentials")},
		Backend: "file",
		Env:     &store.Env{Getenv: func(k string) string { return env[k] }},
		Index:   &Index{Path: filepath.Join(dir, "state", "index.json")},
		Now:     func() time.Time { return now },
		Warnf:   func(f string, a ...any) { warnings = append(warnings, fmt.Sprintf(f, a...)) },
	}
	return a, env, &warnings
}

func oauth(expires time.Time) sdk.Credential {
	return sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "a", "expires_at": expires.Unix()}}
}

func TestSaveThenStatus(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	if err := a.Save(ctx, "default", "claude", oauth(now.Add(30*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx, "default", "codex", oauth(now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx, "default", "gh", sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "t", "expires_at": now.Add(72 * time.Hour).Unix()}}); err != nil {
		t.Fatal(err)
	}
	st, err := a.Status(ctx, "default", []names.Provider{"claude", "codex", "gh", "vibe"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[names.Provider]Status{}
	for _, s := range st {
		byName[s.Provider] = s
	}
	c := byName["claude"]
	if !c.Authenticated || c.Type != "oauth" || c.Backend != "file" || c.StoredAt == nil || !c.StoredAt.Equal(now) ||
		c.ExpiresAt == nil || !c.ExpiringSoon || c.Expired || c.Warning == "" {
		t.Errorf("claude = %+v", c)
	}
	if x := byName["codex"]; !x.Expired || x.ExpiringSoon {
		t.Errorf("codex = %+v", x)
	}
	if g := byName["gh"]; g.Expired || g.ExpiringSoon {
		t.Errorf("gh = %+v", g)
	}
	if v := byName["vibe"]; v.Authenticated || v.Type != "" {
		t.Errorf("vibe = %+v", v)
	}
}

func TestStatusRepairsTheIndexFromTheStore(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	// In the store but not in the index (an index write that never happened).
	if err := a.Store.Set(ctx, "default", "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	// In the index but not in the store (removed behind terok's back).
	if err := a.Save(ctx, "default", "codex", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Delete(ctx, "default", "codex"); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx, "default", []names.Provider{"claude", "codex"})
	if !st[0].Authenticated || st[1].Authenticated {
		t.Fatalf("status = %+v", st)
	}
	entries, err := a.Index.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Provider != "claude" || entries[0].Type != "api_key" {
		t.Errorf("index after repair = %+v", entries)
	}
}

func TestCorruptIndexIsRebuilt(t *testing.T) {
	ctx := context.Background()
	a, _, warnings := newAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.Index.Path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := a.Status(ctx, "default", []names.Provider{"claude"})
	if err != nil || !st[0].Authenticated {
		t.Fatalf("%+v %v", st, err)
	}
	if len(*warnings) == 0 || !strings.Contains((*warnings)[0], "rebuilt") {
		t.Errorf("warnings = %q", *warnings)
	}
	if entries, err := a.Index.Load(); err != nil || len(entries) != 1 {
		t.Errorf("index = %+v, %v", entries, err)
	}
}

// An index entry whose names are not names (a planted "../x", a set with
// a '/', a name missing or null, which decoding leaves "") is dropped:
// none of its names reaches the store, the other entries are kept, and
// the next update writes the index without it.
func TestIndexEntryWithBadNamesIsDropped(t *testing.T) {
	ctx := context.Background()
	for _, entry := range []string{
		`{"set":"default","provider":"../x","type":"api_key","backend":"file"}`,
		`{"set":"default","provider":"Claude","type":"api_key","backend":"file"}`,
		`{"set":"a/b","provider":"claude","type":"api_key","backend":"file"}`,
		`{"set":"","provider":"claude","type":"api_key","backend":"file"}`,
		`{"set":"default","type":"api_key","backend":"file"}`,
		`{"set":null,"provider":"claude","type":"api_key","backend":"file"}`,
		`{"set":"default","provider":null}`,
		`{}`,
		`"default/claude"`,
	} {
		a, _, warnings := newAccounts(t)
		if err := a.Save(ctx, "default", "gh", sdk.APIKey("k")); err != nil {
			t.Fatal(err)
		}
		data := `{"version":1,"entries":[` + entry + `,{"set":"default","provider":"gh","type":"api_key","backend":"file"}]}`
		if err := os.WriteFile(a.Index.Path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if entries, err := a.Index.Load(); !errors.Is(err, ErrIndexCorrupt) || len(entries) != 1 || entries[0].Provider != "gh" {
			t.Errorf("%s: Load = %+v, %v; want the gh entry and ErrIndexCorrupt", entry, entries, err)
		}
		if got, _ := a.IndexedProviders(""); !reflect.DeepEqual(got, []names.Provider{"gh"}) {
			t.Errorf("%s: IndexedProviders = %v", entry, got)
		}
		if sets, err := a.Sets(ctx); err != nil || len(sets) != 1 || sets[0].Name != "default" || !reflect.DeepEqual(sets[0].Providers, []names.Provider{"gh"}) {
			t.Errorf("%s: Sets = %+v, %v", entry, sets, err)
		}
		// Said once, and the index is written again without the entry.
		if _, err := a.Status(ctx, "default", []names.Provider{"gh"}); err != nil {
			t.Fatal(err)
		}
		if len(*warnings) != 1 || !strings.Contains((*warnings)[0], "credential index is damaged") || !strings.Contains((*warnings)[0], "dropped an entry") {
			t.Errorf("%s: warnings = %q", entry, *warnings)
		}
		if entries, err := a.Index.Load(); err != nil || len(entries) != 1 {
			t.Errorf("%s: index after sets = %+v, %v", entry, entries, err)
		}
		if err := a.Save(ctx, "default", "codex", sdk.APIKey("k2")); err != nil {
			t.Fatal(err)
		}
		if entries, err := a.Index.Load(); err != nil || len(entries) != 2 {
			t.Errorf("%s: index after an update = %+v, %v", entry, entries, err)
		}
	}
}

func TestEnvOverride(t *testing.T) {
	ctx := context.Background()
	a, env, _ := newAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("stored")); err != nil {
		t.Fatal(err)
	}
	env["TEROK_CLAUDE_API_KEY"] = "from-env"
	env["TEROK_MY_TOOL_API_KEY"] = "tool-env"
	c, source, err := a.Token(ctx, "default", "claude")
	if err != nil || c.Get("key") != "from-env" || source != "env" {
		t.Errorf("Token = %v %q %v", c, source, err)
	}
	st, _ := a.Status(ctx, "default", []names.Provider{"claude", "my-tool"})
	if st[0].EnvOverride != "TEROK_CLAUDE_API_KEY" || !st[0].Authenticated || st[0].Backend != "file" {
		t.Errorf("claude = %+v", st[0])
	}
	if st[1].EnvOverride != "TEROK_MY_TOOL_API_KEY" || !st[1].Authenticated {
		t.Errorf("my-tool = %+v", st[1])
	}
	// Logging out removes what is stored; the variable stays in charge.
	if removed, err := a.Logout(ctx, "default", "claude"); err != nil || !removed {
		t.Fatal(removed, err)
	}
	if _, err := a.Store.Get(ctx, "default", "claude"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("still stored: %v", err)
	}
}

func TestLogoutTouchesNothingElse(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	for _, k := range []store.Stored{{Set: "default", Provider: "claude"}, {Set: "default", Provider: "codex"}, {Set: "work", Provider: "claude"}} {
		if err := a.Save(ctx, k.Set, k.Provider, sdk.APIKey(string(k.Set)+string(k.Provider))); err != nil {
			t.Fatal(err)
		}
	}
	if removed, err := a.Logout(ctx, "default", "claude"); err != nil || !removed {
		t.Fatal(removed, err)
	}
	if removed, err := a.Logout(ctx, "default", "claude"); err != nil || removed {
		t.Errorf("second logout: removed=%v err=%v", removed, err)
	}
	for _, k := range []store.Stored{{Set: "default", Provider: "codex"}, {Set: "work", Provider: "claude"}} {
		if c, err := a.Store.Get(ctx, k.Set, k.Provider); err != nil || c.Get("key") != string(k.Set)+string(k.Provider) {
			t.Errorf("%v was touched: %v %v", k, c, err)
		}
	}
	sets, err := a.Sets(ctx)
	if err != nil || len(sets) != 2 || sets[0].Name != "default" || strings.Join(names.Strings(sets[0].Providers), ",") != "codex" || sets[1].Name != "work" {
		t.Errorf("sets = %+v, %v", sets, err)
	}
}

// A store that cannot be read leaves status with the index's data, marked
// unverified, and never authenticated beside an error (before, it said
// "authenticated": true next to the error).
func TestStatusWhenTheStoreFails(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	a.Store = failing{}
	st, err := a.Status(ctx, "default", []names.Provider{"claude"})
	if err != nil || st[0].Authenticated || !st[0].Unverified || st[0].Error == "" || st[0].Type != "api_key" {
		t.Errorf("%+v %v", st, err)
	}
}

type failing struct{}

func (failing) Get(context.Context, names.Set, names.Provider) (sdk.Credential, error) {
	return sdk.Credential{}, &store.Error{Kind: store.ErrLocked, Op: "read"}
}
func (failing) Set(context.Context, names.Set, names.Provider, sdk.Credential) error {
	return store.ErrLocked
}
func (failing) Delete(context.Context, names.Set, names.Provider) error { return store.ErrLocked }

func TestConcurrentSavesLoseNothing(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Save(ctx, "default", names.Provider(fmt.Sprintf("p%d", i)), sdk.APIKey(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	entries, err := a.Index.Load()
	if err != nil || len(entries) != 20 {
		t.Errorf("index has %d entries, want 20 (%v)", len(entries), err)
	}
	for i := 0; i < 20; i++ {
		if c, err := a.Store.Get(ctx, "default", names.Provider(fmt.Sprintf("p%d", i))); err != nil || c.Get("key") != fmt.Sprint(i) {
			t.Errorf("p%d: %v %v", i, c, err)
		}
	}
}

// A set the store holds but the index does not know (another machine's
// terok wrote it to a shared keyring, or the index was lost) is a set too.
func TestSetsListsWhatOnlyTheStoreHolds(t *testing.T) {
	ctx := context.Background()
	a, _, _ := newAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("k-default")); err != nil {
		t.Fatal(err)
	}
	// Behind the index's back, as another terok would.
	if err := a.Store.Set(ctx, "elsewhere", "gh", sdk.APIKey("k-elsewhere")); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Set(ctx, "default", "codex", sdk.APIKey("k-codex")); err != nil {
		t.Fatal(err)
	}
	sets, err := a.Sets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range sets {
		got[string(s.Name)] = strings.Join(names.Strings(s.Providers), ",")
	}
	if want := map[string]string{"default": "claude,codex", "elsewhere": "gh"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sets = %v, want %v", got, want)
	}
}
