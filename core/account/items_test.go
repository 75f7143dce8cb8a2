package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// itemStore is a store that names its items, as the Secret Service does: a
// write over a stored credential keeps its item, a new one gets the next
// item path, and it counts what it is asked.
type itemStore struct {
	mu         sync.Mutex
	next       int
	items      map[string]item // path -> item
	reads      int             // credentials read (their secrets)
	asked      int             // items whose owner was asked
	searches   int
	searchErr  error
	unreadable map[string]bool // items whose owner cannot be read
	// whileReading runs in GetMany, after it read and before it
	// answers: another terok at work meanwhile.
	whileReading func()
}

type item struct {
	account string
	c       sdk.Credential
}

func newItemStore() *itemStore {
	return &itemStore{items: map[string]item{}, unreadable: map[string]bool{}}
}

func (s *itemStore) pathOf(account string) (string, bool) {
	for p, it := range s.items {
		if it.account == account {
			return p, true
		}
	}
	return "", false
}

// put makes an item at path, as another program would.
func (s *itemStore) put(path, account string, c sdk.Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[path] = item{account, c}
}

func (s *itemStore) Get(_ context.Context, set names.Set, p names.Provider) (sdk.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if path, ok := s.pathOf(store.Account(set, p)); ok {
		return s.items[path].c, nil
	}
	return sdk.Credential{}, &store.Error{Op: "read", Account: store.Account(set, p), Kind: store.ErrNotFound}
}

func (s *itemStore) Set(_ context.Context, set names.Set, p names.Provider, c sdk.Credential) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	account := store.Account(set, p)
	path, ok := s.pathOf(account)
	if !ok {
		s.next++
		path = fmt.Sprintf("/org/freedesktop/secrets/collection/login/%d", s.next)
	}
	s.items[path] = item{account, c}
	return nil
}

func (s *itemStore) Delete(_ context.Context, set names.Set, p names.Provider) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, ok := s.pathOf(store.Account(set, p))
	if !ok {
		return &store.Error{Op: "delete", Account: store.Account(set, p), Kind: store.ErrNotFound}
	}
	delete(s.items, path)
	return nil
}

func (s *itemStore) GetMany(ctx context.Context, set names.Set, providers []names.Provider) []store.Result {
	out := make([]store.Result, len(providers))
	defer func() {
		if s.whileReading != nil {
			s.whileReading()
		}
	}()
	for i, p := range providers {
		c, err := s.Get(ctx, set, p)
		out[i] = store.Result{Provider: p, Credential: c, Err: err}
		s.mu.Lock()
		if path, ok := s.pathOf(store.Account(set, p)); ok {
			out[i].Items = []string{path}
		}
		s.mu.Unlock()
	}
	return out
}

func (s *itemStore) Items(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searches++
	if s.searchErr != nil {
		return nil, s.searchErr
	}
	var out []string
	for p := range s.items {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}

func (s *itemStore) Owners(_ context.Context, items []string) (map[string]store.Stored, []string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owners := map[string]store.Stored{}
	var unreadable []string
	for _, p := range items {
		s.asked++
		it, ok := s.items[p]
		switch {
		case s.unreadable[p]:
			unreadable = append(unreadable, p)
		case !ok:
		default:
			set, provider, _ := cut(it.account)
			owners[p] = store.Stored{Set: names.Set(set), Provider: names.Provider(provider)}
		}
	}
	return owners, unreadable, nil
}

func cut(account string) (string, string, bool) {
	for i := range account {
		if account[i] == '/' {
			return account[:i], account[i+1:], true
		}
	}
	return "", "", false
}

func (s *itemStore) counts() (reads, asked, searches int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, a, q := s.reads, s.asked, s.searches
	s.reads, s.asked, s.searches = 0, 0, 0
	return r, a, q
}

func itemAccounts(t *testing.T) (*Accounts, *itemStore, *[]string) {
	t.Helper()
	s := newItemStore()
	var warnings []string
	a := &Accounts{Store: s, Backend: "keyring", Now: func() time.Time { return now },
		Index: &Index{Path: filepath.Join(t.TempDir(), "index.json")},
		Warnf: func(f string, args ...any) { warnings = append(warnings, fmt.Sprintf(f, args...)) }}
	return a, s, &warnings
}

func mustStatus(t *testing.T, a *Accounts, set names.Set, ps ...names.Provider) map[names.Provider]Status {
	t.Helper()
	st, err := a.Status(context.Background(), set, ps)
	if err != nil {
		t.Fatal(err)
	}
	out := map[names.Provider]Status{}
	for _, s := range st {
		out[s.Provider] = s
	}
	return out
}

var ghToken = sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_0123456789abcdef", "host": "github.com", "user": "octocat"}}

func TestStatusFromItemsReadsNoSecretForWhatTerokStored(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	for _, p := range []names.Provider{"claude", "codex", "gh"} {
		c := sdk.APIKey("sk-ant-api03-0123456789abcdef")
		if p == "gh" {
			c = ghToken
		}
		if err := a.Save(ctx, "default", p, c); err != nil {
			t.Fatal(err)
		}
	}
	s.counts()
	st := mustStatus(t, a, "default", "claude", "codex", "gh", "vibe")
	if r, asked, q := s.counts(); r != 0 || asked != 3 || q != 1 {
		t.Errorf("first status: %d read, %d owners asked, %d searches; want 0, 3, 1", r, asked, q)
	}
	if g := st["gh"]; !g.Authenticated || g.Host != "github.com" || g.Account != "octocat" || g.Masked != "gho_…" || g.Location == "" {
		t.Errorf("gh = %+v", g)
	}
	if c := st["claude"]; !c.Authenticated || c.TokenKind != "Anthropic API key" || c.StoredAt == nil {
		t.Errorf("claude = %+v", c)
	}
	if st["vibe"].Authenticated {
		t.Errorf("vibe = %+v", st["vibe"])
	}
	mustStatus(t, a, "default", "claude", "codex", "gh", "vibe")
	if r, asked, q := s.counts(); r != 0 || asked != 0 || q != 1 {
		t.Errorf("second status: %d read, %d owners asked, %d searches; want 0, 0, 1", r, asked, q)
	}
}

func TestStatusFromItemsTheStoreWins(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx, "default", "gh", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a, "default", "claude", "gh")
	// Past the index: claude removed, codex stored, gh removed and
	// stored again (a new item).
	_ = s.Delete(ctx, "default", "claude")
	_ = s.Set(ctx, "default", "codex", sdk.APIKey("k"))
	_ = s.Delete(ctx, "default", "gh")
	_ = s.Set(ctx, "default", "gh", ghToken)
	s.counts()
	st := mustStatus(t, a, "default", "claude", "codex", "gh")
	if st["claude"].Authenticated || !st["codex"].Authenticated || st["gh"].Type != sdk.TypeOAuthToken || st["gh"].Host != "github.com" {
		t.Errorf("status = %+v", st)
	}
	if r, _, _ := s.counts(); r != 2 {
		t.Errorf("%d credentials read; want 2 (codex, and gh's new item)", r)
	}
	if _, ok := a.entry("default", "claude"); ok {
		t.Error("the index still has claude")
	}
	mustStatus(t, a, "default", "claude", "codex", "gh")
	if r, asked, _ := s.counts(); r != 0 || asked != 0 {
		t.Errorf("once indexed: %d read, %d asked; want none", r, asked)
	}
}

// An item path handed out again (gnome-keyring after a restart) for
// another credential: the two entries that name it are asked about, and
// the one whose item it is wins.
func TestStatusFromItemsAnItemPathHandedOutAgain(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a, "default", "claude")
	path, _ := s.pathOf("default/claude")
	// Removed past terok, and the path given to codex, which terok then
	// logs in (the keyring writes over codex's item where it is).
	_ = s.Delete(ctx, "default", "claude")
	s.put(path, "default/codex", sdk.APIKey("x"))
	if err := a.Save(ctx, "default", "codex", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	st := mustStatus(t, a, "default", "codex")
	if !st["codex"].Authenticated {
		t.Errorf("codex, just logged in: %+v", st["codex"])
	}
	st = mustStatus(t, a, "default", "claude", "codex")
	if st["claude"].Authenticated || !st["codex"].Authenticated {
		t.Errorf("once both named the item: %+v", st)
	}
}

// An item whose owner cannot be read: nothing is concluded to be gone,
// and what the index cannot answer for is read.
func TestStatusFromItemsAnUnreadableOwner(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	_ = s.Set(ctx, "default", "claude", sdk.APIKey("k")) // past the index
	path, _ := s.pathOf("default/claude")
	s.unreadable[path] = true
	st := mustStatus(t, a, "default", "claude", "codex")
	if !st["claude"].Authenticated || st["codex"].Authenticated {
		t.Errorf("status = %+v", st)
	}
	if r, _, _ := s.counts(); r != 2 {
		t.Errorf("%d read; want both: whose the item is is not known", r)
	}
}

// A search that fails is the batch read of before, and what that says.
func TestStatusFromItemsASearchThatFails(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	s.searchErr = errors.New("keyring is locked")
	s.counts()
	st := mustStatus(t, a, "default", "claude")
	if !st["claude"].Authenticated {
		t.Errorf("claude = %+v", st["claude"])
	}
	if r, _, _ := s.counts(); r != 1 {
		t.Errorf("%d read; want 1", r)
	}
}

// Items of another set are recorded when seen, so no status asks whose
// they are again; that set's first status reads them once.
func TestStatusFromItemsRecordsOtherSets(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	_ = s.Set(ctx, "work", "claude", sdk.APIKey("k")) // past the index
	mustStatus(t, a, "default", "claude")
	if _, asked, _ := s.counts(); asked != 1 {
		t.Errorf("%d owners asked; want 1", asked)
	}
	e, ok := a.entry("work", "claude")
	if !ok || len(e.Items) != 1 || e.Details != nil {
		t.Fatalf("work/claude in the index = %+v, %v", e, ok)
	}
	mustStatus(t, a, "default", "claude")
	if _, asked, _ := s.counts(); asked != 0 {
		t.Errorf("%d owners asked again", asked)
	}
	if st := mustStatus(t, a, "work", "claude"); !st["claude"].Authenticated {
		t.Errorf("work/claude = %+v", st["claude"])
	}
	if r, _, _ := s.counts(); r != 1 {
		t.Errorf("%d read; want 1", r)
	}
	mustStatus(t, a, "work", "claude")
	if r, _, _ := s.counts(); r != 0 {
		t.Errorf("%d read once described; want 0", r)
	}
	indexed, _ := a.IndexedProviders("work")
	if !slices.Equal(indexed, []names.Provider{"claude"}) {
		t.Errorf("indexed in work: %v", indexed)
	}
}

// What status learned while another terok logged in does not overwrite
// what that login recorded.
func TestStatusFromItemsDoesNotOverwriteALoginMeanwhile(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	_ = s.Set(ctx, "default", "claude", sdk.APIKey("old")) // past the index: status reads it
	s.whileReading = func() {
		s.whileReading = nil
		if err := a.Save(ctx, "default", "claude", ghToken); err != nil {
			t.Error(err)
		}
	}
	mustStatus(t, a, "default", "claude")
	e, _ := a.entry("default", "claude")
	if e.Type != sdk.TypeOAuthToken || e.Details == nil || e.Details.Host != "github.com" {
		t.Errorf("the login's entry was overwritten: %+v", e)
	}
	if st := mustStatus(t, a, "default", "claude"); st["claude"].Host != "github.com" {
		t.Errorf("claude = %+v", st["claude"])
	}
}

// A credential written over where it is, past the index (or by a terok
// stopped before it updated the index): status cannot see it without
// reading; the next read of it, by token, exec or env, corrects the index.
func TestTokenCorrectsWhatTheIndexSays(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	if err := a.Save(ctx, "default", "gh", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a, "default", "gh")
	_ = s.Set(ctx, "default", "gh", ghToken) // the same item
	if c, _, err := a.Token(ctx, "default", "gh"); err != nil || c.Type != sdk.TypeOAuthToken {
		t.Fatalf("token = %+v, %v", c, err)
	}
	s.counts()
	st := mustStatus(t, a, "default", "gh")
	if g := st["gh"]; g.Type != sdk.TypeOAuthToken || g.Host != "github.com" {
		t.Errorf("gh after token = %+v", g)
	}
	if r, _, _ := s.counts(); r != 0 {
		t.Errorf("%d read", r)
	}
}

// A login stopped between its write and the index's: the entry it made
// describe nothing first, so status reads the credential.
func TestALoginStoppedBeforeTheIndexIsRead(t *testing.T) {
	ctx := context.Background()
	a, s, _ := itemAccounts(t)
	if err := a.Save(ctx, "default", "gh", sdk.APIKey("k")); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a, "default", "gh")
	a.undescribe(ctx, "default/gh")
	_ = s.Set(ctx, "default", "gh", ghToken) // and then terok stopped
	s.counts()
	if g := mustStatus(t, a, "default", "gh")["gh"]; g.Type != sdk.TypeOAuthToken || g.Host != "github.com" {
		t.Errorf("gh = %+v", g)
	}
	if r, _, _ := s.counts(); r != 1 {
		t.Errorf("%d read; want 1", r)
	}
}

// The index is read back as what Describe could have written: what
// status shows of it goes to a terminal as it is.
func TestIndexDetailsAreReadBackClean(t *testing.T) {
	long := string(make([]byte, 300))
	for _, tc := range []struct {
		name string
		in   Details
		want Details
	}{
		{"as written", Details{Host: "github.com", Account: "octocat", TokenKind: "GitHub OAuth token", Masked: "gho_…"},
			Details{Host: "github.com", Account: "octocat", TokenKind: "GitHub OAuth token", Masked: "gho_…"}},
		{"no token", Details{Host: "h"}, Details{Host: "h"}},
		{"a token of no known kind", Details{Masked: "****"}, Details{Masked: "****"}},
		{"escape in host", Details{Host: "\x1b]52;c;aGk=\x07github.com", Masked: "****"}, Details{Masked: "****"}},
		{"newline in account", Details{Account: "a\nb"}, Details{}},
		{"overlong account", Details{Account: long}, Details{}},
		{"more of the token than its prefix", Details{TokenKind: "GitHub OAuth token", Masked: "gho_abcdef…"}, Details{Masked: "****"}},
		{"a kind of no prefix", Details{TokenKind: "made up", Masked: "x…"}, Details{Masked: "****"}},
		{"a prefix of another kind", Details{TokenKind: "JWT", Masked: "gho_…"}, Details{Masked: "****"}},
		{"a masked value alone", Details{Masked: "sk-ant-api03-secret"}, Details{Masked: "****"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "index.json")
			data, _ := json.Marshal(indexFile{Version: 1, Entries: []Entry{{Set: "default", Provider: "gh", Details: &tc.in, Items: []string{"/x"}}}})
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := (&Index{Path: path}).Load()
			if err != nil || len(got) != 1 || got[0].Details == nil {
				t.Fatalf("Load = %+v, %v", got, err)
			}
			if *got[0].Details != tc.want {
				t.Errorf("details = %+v; want %+v", *got[0].Details, tc.want)
			}
		})
	}
}

func FuzzIndexLoad(f *testing.F) {
	f.Add([]byte(`{"version":1,"entries":[{"set":"default","provider":"gh","type":"oauth_token","backend":"keyring","details":{"host":"github.com","masked":"gho_…","token_kind":"GitHub OAuth token"},"items":["/org/freedesktop/secrets/collection/login/3"]}]}`))
	f.Add([]byte(`{"version":1,"entries":[{"set":"a/b","provider":"gh","details":{"host":"\u001b[2J"}},{"set":"default","provider":"x","items":[1]}]}`))
	f.Add([]byte(`{"version":1,"entries":[{"set":"default","provider":"gh","details":null,"items":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "index.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		entries, _ := (&Index{Path: path}).Load()
		for _, e := range entries {
			if _, err := names.ParseSet(string(e.Set)); err != nil {
				t.Errorf("an entry of set %q was kept", e.Set)
			}
			if e.Details != nil && e.Details.clean() != *e.Details {
				t.Errorf("details kept as read: %+v", *e.Details)
			}
		}
	})
}
