// Package account manages stored credentials as users see them: saving one
// after a login, reading it back for a script, logging out, and the status
// of every provider. It combines the chosen store (keyring or file), the
// read-only environment override and the non-secret index.
package account

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// DefaultSoon is how close to its expiry a credential is called out as
// expiring soon.
const DefaultSoon = time.Hour

// Accounts is the credential manager.
type Accounts struct {
	Store   store.Store // where credentials are kept
	Backend string      // Store's name: "keyring", "file" or "openbao"
	Env     store.Store // read-only override (store.Env), or nil
	Index   *Index
	Now     func() time.Time
	Soon    time.Duration
	// Warnf reports problems that do not fail the command (an index that
	// could not be written); nil discards them.
	Warnf func(format string, a ...any)
	// Open opens another backend by name, for a credential the index says
	// is kept there (login --store file, then a command without the flag);
	// nil: only Store is read.
	Open func(backend string) store.Store
	// Chosen says the user named Store (a flag, a variable, the config
	// file): a credential kept in another backend is then not read from
	// there, and the error says where it is.
	Chosen bool
	// Permanent says how to make a backend the default, for messages,
	// e.g. "put `store: file` in ~/.config/terok/config.yml".
	Permanent func(backend string) string
}

func (a *Accounts) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Accounts) warnf(format string, args ...any) {
	if a.Warnf != nil {
		a.Warnf(format, args...)
	}
}

// Save stores c and records it in the index, with what status shows of it
// (Details). If the index cannot be written the credential is still
// stored: that is only a warning, and status repairs the index later.
func (a *Accounts) Save(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error {
	key := Entry{Set: set, Provider: provider}.key()
	kept := a.undescribe(ctx, key)
	if err := a.Store.Set(ctx, set, provider, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Someone else's write won: what the index says of it is
			// stale, so the next status reads it again.
			key := Entry{Set: set, Provider: provider}.key()
			_ = a.Index.Update(ctx, func(m map[string]Entry) { delete(m, key) })
		}
		return err
	}
	now := a.now().UTC().Truncate(time.Second)
	d := Describe(c)
	e := Entry{Set: set, Provider: provider, Type: c.Type, Backend: a.Backend, StoredAt: &now, ExpiresAt: expiry(c), Details: &d, Items: kept}
	if w, ok := a.Store.(interface {
		Written(names.Set, names.Provider) (int, string)
	}); ok {
		e.Version, e.WrittenBy = w.Written(set, provider)
	}
	if err := a.Index.Update(ctx, func(m map[string]Entry) { m[e.key()] = e }); err != nil {
		a.warnf("the credential is stored, but the index of what is stored was not updated (%v); `terok auth status` will repair it", err)
	}
	return nil
}

// undescribe makes the index entry of key, if it describes a credential
// of a store that names its items, describe nothing before the credential
// is written over: the keyring writes over an item where it is, so if
// terok stopped between the two writes, an entry still naming that item
// would describe the old credential, and status, which reads no secret
// where the index describes it, would show the old one. It returns the
// items the entry named, for the new entry: the write keeps them.
func (a *Accounts) undescribe(ctx context.Context, key string) []string {
	if _, ok := a.Store.(store.ItemLister); !ok {
		return nil
	}
	entries, _ := a.Index.Load()
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.key() == key })
	if i < 0 || entries[i].Backend != a.Backend || entries[i].Details == nil && entries[i].Items == nil {
		return nil
	}
	err := a.Index.Update(ctx, func(m map[string]Entry) {
		if e, ok := m[key]; ok {
			e.Details, e.Items = nil, nil
			m[key] = e
		}
	})
	if err != nil {
		return nil // the update after the write fails too, and says so
	}
	return entries[i].Items
}

func expiry(c sdk.Credential) *time.Time {
	if t, ok := c.ExpiresAt(); ok {
		t = t.UTC()
		return &t
	}
	return nil
}

// Token returns the credential a tool should use: the environment override
// if there is one, else the stored credential. source names where it came
// from ("env", or the backend).
func (a *Accounts) Token(ctx context.Context, set names.Set, provider names.Provider) (c sdk.Credential, source string, err error) {
	if a.Env != nil {
		if c, err := a.Env.Get(ctx, set, provider); err == nil {
			return c, "env", nil
		}
	}
	// The index says where the last login stored it; unless --store
	// pins the backend, that is where it is read (the newest credential
	// is there, whatever another backend may still hold).
	ie, inIndex := a.entry(set, provider)
	backend, other := a.elsewhereOf(ie, inIndex)
	var oerr error
	if other != nil && !a.Chosen {
		if c, oerr = other.Get(ctx, set, provider); oerr == nil {
			return c, backend, nil
		}
	}
	c, err = a.Store.Get(ctx, set, provider)
	if err == nil && inIndex {
		a.redescribe(ctx, ie, c)
	}
	switch {
	case err == nil || other == nil:
	case a.Chosen:
		err = fmt.Errorf("%w; %s (set: %s) was stored in the %s store, not the %s store chosen now: pass --store %s%s",
			err, provider, set, backend, a.Backend, backend, a.permanent(backend, ", or "))
	default:
		err = fmt.Errorf("%w; %s (set: %s) was stored in the %s store, and reading it there failed too: %s", err, provider, set, backend, oerr.Error())
	}
	return c, a.Backend, err
}

// elsewhere is the backend the index says holds (set, provider), and that
// backend opened, when it is not Store's; else "" and nil.
func (a *Accounts) elsewhere(set names.Set, provider names.Provider) (string, store.Store) {
	return a.elsewhereOf(a.entry(set, provider))
}

func (a *Accounts) elsewhereOf(e Entry, inIndex bool) (string, store.Store) {
	if a.Open == nil || !inIndex || e.Backend == "" || e.Backend == a.Backend {
		return "", nil
	}
	if s := a.Open(e.Backend); s != nil {
		return e.Backend, s
	}
	return "", nil
}

// entry is the index's entry of (set, provider).
func (a *Accounts) entry(set names.Set, provider names.Provider) (Entry, bool) {
	if a.Index == nil {
		return Entry{}, false
	}
	entries, _ := a.Index.Load() // a damaged index has been said elsewhere
	key := Entry{Set: set, Provider: provider}.key()
	for _, e := range entries {
		if e.key() == key {
			return e, true
		}
	}
	return Entry{}, false
}

// redescribe corrects what the index entry was says of c, just read from
// Store, where it describes another credential: one written over where it
// was (by a terok stopped before it updated the index, or by two at
// once), which status, reading no secret, would not see. The entry is
// changed only if it is still was.
func (a *Accounts) redescribe(ctx context.Context, was Entry, c sdk.Credential) {
	d := Describe(c)
	if was.Backend != a.Backend || was.Details == nil ||
		was.Type == c.Type && timeEq(was.ExpiresAt, expiry(c)) && *was.Details == d {
		return
	}
	key := was.key()
	err := a.Index.Update(ctx, func(m map[string]Entry) {
		if unchanged(m, map[string]Entry{key: was}, key) {
			e := was
			e.Type, e.ExpiresAt, e.Details = c.Type, expiry(c), &d
			m[key] = e
		}
	})
	if err != nil {
		a.warnf("the index of what is stored was not corrected (%v); `terok auth status` may describe an earlier credential", err)
	}
}

// permanent is how to make backend the default, after sep; "" if unknown.
func (a *Accounts) permanent(backend, sep string) string {
	if a.Permanent == nil {
		return ""
	}
	return sep + a.Permanent(backend)
}

// PermanentHint is one line saying how to make backend the default, for a
// login that chose it by a flag; "" if unknown.
func (a *Accounts) PermanentHint(backend string) string {
	return a.permanent(backend, "")
}

// Logout removes the stored credential and its index entry. removed is
// false when nothing was stored, which is not an error.
func (a *Accounts) Logout(ctx context.Context, set names.Set, provider names.Provider) (removed bool, err error) {
	err = a.Store.Delete(ctx, set, provider)
	switch {
	case err == nil:
		removed = true
	case errors.Is(err, store.ErrNotFound):
	default:
		return false, err
	}
	key := Entry{Set: set, Provider: provider}.key()
	if err := a.Index.Update(ctx, func(m map[string]Entry) { delete(m, key) }); err != nil {
		a.warnf("the index of what is stored was not updated (%v); `terok auth status` will repair it", err)
	}
	return removed, nil
}

// Forget drops what the index records of a credential the store was
// seen not to hold (a LIST that does not name it), without asking the
// store again.
func (a *Accounts) Forget(ctx context.Context, set names.Set, provider names.Provider) {
	key := Entry{Set: set, Provider: provider}.key()
	if err := a.Index.Update(ctx, func(m map[string]Entry) { delete(m, key) }); err != nil {
		a.warnf("the index of what is stored was not updated (%v); `terok auth status` will repair it", err)
	}
}

// Status is what status reports for one provider in one set.
type Status struct {
	Provider      names.Provider `json:"provider"`
	Set           names.Set      `json:"set"`
	Authenticated bool           `json:"authenticated"`
	Type          string         `json:"type,omitempty"`
	Backend       string         `json:"backend,omitempty"`
	StoredAt      *time.Time     `json:"stored_at,omitempty"`
	ExpiresAt     *time.Time     `json:"expires_at,omitempty"`
	Expired       bool           `json:"expired"`
	ExpiringSoon  bool           `json:"expiring_soon"`
	// Version and WrittenBy come from a versioned store (openbao): the
	// credential's version and who wrote it (host and terok version).
	Version   int    `json:"version,omitempty"`
	WrittenBy string `json:"written_by,omitempty"`
	// Renews: the provider renews this credential (terok auth refresh,
	// and exec, env and token when it is about to expire).
	// RefreshRefused is the OAuth error code of a refused renewal
	// (invalid_grant): only a new login helps.
	Renews         bool   `json:"renews,omitempty"`
	RefreshRefused string `json:"refresh_refused,omitempty"`
	// EnvOverride names the variable that overrides the store, if set.
	EnvOverride string `json:"env_override,omitempty"`
	// Warning is about how it is stored, e.g. a plain file.
	Warning string `json:"warning,omitempty"`
	// Error says why the store could not be read. Authenticated is then
	// false; Unverified says the index records a credential (Type,
	// Backend, StoredAt, ExpiresAt come from it) that the store could not
	// confirm.
	Error      string `json:"error,omitempty"`
	Unverified bool   `json:"unverified,omitempty"`
	// Remedy says what to do about Error (package remedy).
	Remedy string `json:"remedy,omitempty"`
	// Details (host, account, token kind, masked prefix) are read from
	// the stored credential; never the secret.
	Details
	// Location is where the credential is kept: the keyring's service and
	// account, or the file.
	Location string `json:"location,omitempty"`
}

// Status reports on providers in set, reading each credential from the
// store. The store wins over the index: entries the store does not have are
// dropped, and credentials the index lacks or misdescribes are recorded.
//
// From a store that names its items (store.ItemLister: the OS keyring on
// Linux) it reads no secret for a credential the index describes: it asks
// the store which items exist, and reads only a credential the index does
// not describe or whose items changed (see fromItems).
func (a *Accounts) Status(ctx context.Context, set names.Set, providers []names.Provider) ([]Status, error) {
	out, _ := a.status(ctx, set, providers, false)
	return out, nil
}

// Existing is the status of what a login of provider in set would
// replace, and the credential itself when status had to read it (nil when
// the index answered, as it does for the team store, or nothing is
// stored). A login asks this once before it writes: on a versioned store
// its write is then a check-and-set over the version seen here.
func (a *Accounts) Existing(ctx context.Context, set names.Set, provider names.Provider) (Status, *sdk.Credential) {
	st, creds := a.status(ctx, set, []names.Provider{provider}, true)
	return st[0], creds[0]
}

// status is Status, with the credentials it read (nil where it read
// none). read: read the credentials, even where the index could answer
// (a login wants the one it replaces).
func (a *Accounts) status(ctx context.Context, set names.Set, providers []names.Provider, read bool) ([]Status, []*sdk.Credential) {
	entries, err := a.loadIndex(ctx)
	if err != nil {
		a.warnf("%v", err)
	}
	indexed := map[string]Entry{}
	for _, e := range entries {
		indexed[e.key()] = e
	}
	now := a.now()
	soon := a.Soon
	if soon == 0 {
		soon = DefaultSoon
	}
	var out []Status
	creds := make([]*sdk.Credential, len(providers))
	repairs := map[string]*Entry{} // key -> new entry, nil to delete
	// One read of the store for all of them (see store.GetMany), or, from
	// a store that lists a set in one call (openbao), that call and a read
	// only of what the index cannot answer for.
	stored, learned := a.readAll(ctx, set, providers, indexed, read)
	for i, p := range providers {
		st := Status{Provider: p, Set: set}
		key := Entry{Set: set, Provider: p}.key()
		ie, inIndex := indexed[key]
		c, gerr := stored[i].Credential, stored[i].Err
		backend := a.Backend
		if inIndex && ie.Backend != a.Backend && !a.Chosen && a.Open != nil {
			// Stored with --store: status reads it where it is, as
			// Token does.
			if other := a.Open(ie.Backend); other != nil {
				if oc, oerr := other.Get(ctx, set, p); oerr == nil || gerr != nil && errors.Is(gerr, store.ErrNotFound) {
					c, gerr, backend = oc, oerr, ie.Backend
				}
			}
		}
		switch {
		case errors.Is(gerr, errIndexAnswers):
			st.Authenticated, st.Type, st.Backend, st.StoredAt, st.ExpiresAt = true, ie.Type, ie.Backend, ie.StoredAt, ie.ExpiresAt
			st.Version, st.WrittenBy = ie.Version, ie.WrittenBy
			if ie.Details != nil {
				st.Details = *ie.Details
			}
			st.Location = a.Location(set, p)
			if its, ok := learned.items[key]; ok && !slices.Equal(its, ie.Items) {
				fresh := ie
				fresh.Items = its
				repairs[key] = &fresh
			}
		case gerr == nil:
			creds[i] = &c
			st.Authenticated, st.Type, st.Backend, st.ExpiresAt = true, c.Type, backend, expiry(c)
			st.Details, st.Location = Describe(c), a.Location(set, p)
			details := st.Details
			st.Version, st.WrittenBy = stored[i].Version, stored[i].WrittenBy
			if inIndex {
				st.StoredAt = ie.StoredAt
			}
			fresh := Entry{Set: set, Provider: p, Type: c.Type, Backend: backend, StoredAt: st.StoredAt, ExpiresAt: st.ExpiresAt,
				Version: st.Version, WrittenBy: st.WrittenBy, Details: &details}
			if backend == a.Backend {
				fresh.Items = learned.items[key]
				if fresh.Items == nil {
					fresh.Items = stored[i].Items
				}
			}
			if inIndex && ie.Type == c.Type {
				fresh.Renews, fresh.RefreshRefused = ie.Renews, ie.RefreshRefused
			}
			if !inIndex || !sameEntry(ie, fresh) {
				repairs[key] = &fresh
			}
		case errors.Is(gerr, store.ErrNotFound):
			if inIndex && ie.Backend == backend {
				repairs[key] = nil
			}
		default:
			// Not authenticated, as far as anyone can tell: the index
			// may say what was stored, but the store did not confirm it.
			st.Error, st.Remedy = gerr.Error(), remedy.Of(gerr)
			if inIndex {
				st.Unverified, st.Type, st.Backend, st.StoredAt, st.ExpiresAt = true, ie.Type, ie.Backend, ie.StoredAt, ie.ExpiresAt
			}
			if inIndex && ie.Backend != a.Backend && a.Chosen {
				st.Error += fmt.Sprintf("; it was stored in the %s store, not the %s store chosen now: pass --store %s%s",
					ie.Backend, a.Backend, ie.Backend, a.permanent(ie.Backend, ", or "))
			}
		}
		if st.Authenticated && st.Backend == "file" {
			st.Warning = "stored in a plain file, not encrypted"
		}
		if a.Env != nil {
			if _, err := a.Env.Get(ctx, set, p); err == nil {
				st.EnvOverride = store.EnvVar(p)
				st.Authenticated = true
				if st.Error != "" {
					// What is used is known; the store's trouble is a
					// warning, not the status.
					st.Warning = "the store could not be read, but " + st.EnvOverride + " is set and wins: " + st.Error
					st.Error, st.Remedy, st.Unverified = "", "", false
				}
			}
		}
		if inIndex && st.EnvOverride == "" && ie.Type == st.Type {
			st.Renews, st.RefreshRefused = ie.Renews, ie.RefreshRefused
		}
		if st.ExpiresAt != nil && st.EnvOverride == "" {
			st.Expired = !now.Before(*st.ExpiresAt)
			st.ExpiringSoon = !st.Expired && st.ExpiresAt.Sub(now) < soon
		}
		out = append(out, st)
	}
	if len(repairs) > 0 || len(learned.others) > 0 {
		if err := a.Index.Update(ctx, func(m map[string]Entry) {
			// Over what was read above: an entry another terok wrote
			// since then is newer than anything learned here.
			for k, e := range repairs {
				if !unchanged(m, indexed, k) {
					continue
				}
				if e == nil {
					delete(m, k)
				} else {
					m[k] = *e
				}
			}
			for s, its := range learned.others {
				if k := store.Account(s.Set, s.Provider); unchanged(m, indexed, k) {
					a.recordItems(m, s, its)
				}
			}
		}); err != nil {
			a.warnf("could not repair the index of what is stored: %v", err)
		}
	}
	return out, creds
}

func sameEntry(a, b Entry) bool {
	return a.Type == b.Type && a.Backend == b.Backend && timeEq(a.ExpiresAt, b.ExpiresAt) &&
		a.Version == b.Version && a.WrittenBy == b.WrittenBy &&
		a.Details != nil && b.Details != nil && *a.Details == *b.Details && slices.Equal(a.Items, b.Items)
}

// unchanged says m's entry for key is the one in was (both absent, or
// alike in every field).
func unchanged(m, was map[string]Entry, key string) bool {
	cur, ok := m[key]
	old, had := was[key]
	if ok != had {
		return false
	}
	if !ok {
		return true
	}
	x, _ := json.Marshal(cur)
	y, _ := json.Marshal(old)
	return bytes.Equal(x, y)
}

// errIndexAnswers marks a credential the store listed and the index
// describes: status takes the index's word and reads nothing.
var errIndexAnswers = errors.New("the index answers")

// readAll reads the providers' credentials for Status. From an
// ItemLister, unless read, it asks which items exist and reads only what
// the index cannot answer for (fromItems). From a SetLister it lists the
// set once: what it does not hold is not stored, what it holds and the
// index knows (stored through this store) is answered by the index, and
// only the rest is read.
func (a *Accounts) readAll(ctx context.Context, set names.Set, providers []names.Provider, indexed map[string]Entry, read bool) ([]store.Result, itemAnswers) {
	if il, ok := a.Store.(store.ItemLister); ok && !read {
		if ans, ok := a.fromItems(ctx, il, set, providers, indexed); ok {
			return ans.results, ans
		}
	}
	l, ok := a.Store.(store.SetLister)
	if !ok {
		return store.GetMany(ctx, a.Store, set, providers), itemAnswers{}
	}
	held, err := l.ListSet(ctx, set)
	if err != nil {
		out := make([]store.Result, len(providers))
		for i, p := range providers {
			out[i] = store.Result{Provider: p, Err: err}
		}
		return out, itemAnswers{}
	}
	in := map[names.Provider]bool{}
	for _, h := range held {
		in[h] = true
	}
	out := make([]store.Result, len(providers))
	var toRead []names.Provider
	var at []int
	for i, p := range providers {
		out[i].Provider = p
		ie, inIndex := indexed[Entry{Set: set, Provider: p}.key()]
		switch {
		case !in[p]:
			out[i].Err = &store.Error{Op: "read", Account: store.Account(set, p), Kind: store.ErrNotFound}
		case inIndex && ie.Backend == a.Backend && ie.Version > 0:
			out[i].Err = errIndexAnswers
			if o, ok := a.Store.(interface {
				Observe(names.Set, names.Provider, int)
			}); ok {
				o.Observe(set, p, ie.Version) // a write after this is a CAS over it
			}
		default:
			toRead = append(toRead, p)
			at = append(at, i)
		}
	}
	var got []store.Result
	if h, ok := a.Store.(store.HeldGetter); ok {
		got = h.GetHeld(ctx, set, toRead) // the LIST above named them: no second LIST
	} else {
		got = store.GetMany(ctx, a.Store, set, toRead)
	}
	for j, r := range got {
		out[at[j]] = r
	}
	return out, itemAnswers{}
}

func timeEq(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// loadIndex reads the index. A damaged one (ErrIndexCorrupt) is not an
// error: it is said once, as a warning, and written again at once from
// what could be read, so the next command does not say it again.
func (a *Accounts) loadIndex(ctx context.Context) ([]Entry, error) {
	entries, err := a.Index.Load()
	if !errors.Is(err, ErrIndexCorrupt) {
		return entries, err
	}
	a.warnf("%v", err)
	if uerr := a.Index.Update(ctx, func(map[string]Entry) {}); uerr != nil {
		a.warnf("could not write the index again: %v", uerr)
	}
	return entries, nil
}

// IndexedProviders returns the providers the index lists for set (all sets
// when set is "").
func (a *Accounts) IndexedProviders(set names.Set) ([]names.Provider, error) {
	entries, err := a.Index.Load()
	seen := map[names.Provider]bool{}
	var out []names.Provider
	for _, e := range entries {
		if (set == "" || e.Set == set) && !seen[e.Provider] {
			seen[e.Provider] = true
			out = append(out, e.Provider)
		}
	}
	slices.Sort(out)
	return out, err
}

// SetInfo describes one credential set in use.
type SetInfo struct {
	Name      names.Set        `json:"name"`
	Providers []names.Provider `json:"providers"`
}

// Sets lists the credential sets that hold at least one credential: those
// the index knows, and, where the store can list what it holds (the
// keyring, the file store), those it holds that the index does not know (a
// credential another machine's terok put in a shared keyring, or one stored
// before the index existed). The store is the truth, as in Status; when it
// cannot be read, the index alone answers.
func (a *Accounts) Sets(ctx context.Context) ([]SetInfo, error) {
	entries, err := a.loadIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the index: %w", err)
	}
	seen := map[store.Stored]bool{}
	bySet := map[names.Set][]names.Provider{}
	for _, e := range entries {
		seen[store.Stored{Set: e.Set, Provider: e.Provider}] = true
		bySet[e.Set] = append(bySet[e.Set], e.Provider)
	}
	if l, ok := a.Store.(store.Lister); ok {
		if held, lerr := l.List(ctx); lerr == nil {
			for _, h := range held {
				if !seen[h] {
					seen[h] = true
					bySet[h.Set] = append(bySet[h.Set], h.Provider)
				}
			}
		} else if !errors.Is(lerr, store.ErrCannotList) {
			a.warnf("the %s could not be listed, so sets shows only what the index knows: %v", a.Backend, lerr)
		}
	}
	out := make([]SetInfo, 0, len(bySet))
	for name, ps := range bySet {
		slices.Sort(ps)
		out = append(out, SetInfo{Name: name, Providers: ps})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
