// Package account manages stored credentials as users see them: saving one
// after a login, reading it back for a script, logging out, and the status
// of every provider. It combines the chosen store (keyring or file), the
// read-only environment override and the non-secret index.
package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// DefaultSoon is how close to its expiry a credential is called out as
// expiring soon.
const DefaultSoon = time.Hour

// Accounts is the credential manager.
type Accounts struct {
	Store   store.Store // where credentials are kept
	Backend string      // Store's name: "keyring" or "file"
	Env     store.Store // read-only override (store.Env), or nil
	Index   *Index
	Now     func() time.Time
	Soon    time.Duration
	// Warnf reports problems that do not fail the command (an index that
	// could not be written); nil discards them.
	Warnf func(format string, a ...any)
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

// Save stores c and records it in the index. If the index cannot be written
// the credential is still stored: that is only a warning, and status
// repairs the index later.
func (a *Accounts) Save(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error {
	if err := a.Store.Set(ctx, set, provider, c); err != nil {
		return err
	}
	now := a.now().UTC().Truncate(time.Second)
	e := Entry{Set: set, Provider: provider, Type: c.Type, Backend: a.Backend, StoredAt: &now, ExpiresAt: expiry(c)}
	if err := a.Index.Update(ctx, func(m map[string]Entry) { m[e.key()] = e }); err != nil {
		a.warnf("the credential is stored, but the index of what is stored was not updated (%v); `terok auth status` will repair it", err)
	}
	return nil
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
	c, err = a.Store.Get(ctx, set, provider)
	return c, a.Backend, err
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
	// EnvOverride names the variable that overrides the store, if set.
	EnvOverride string `json:"env_override,omitempty"`
	// Warning is about how it is stored, e.g. a plain file.
	Warning string `json:"warning,omitempty"`
	// Error says why the store could not be read; the rest then comes from
	// the index and is unverified.
	Error string `json:"error,omitempty"`
}

// Status reports on providers in set, reading each credential from the
// store. The store wins over the index: entries the store does not have are
// dropped, and credentials the index lacks or misdescribes are recorded.
func (a *Accounts) Status(ctx context.Context, set names.Set, providers []names.Provider) ([]Status, error) {
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
	repairs := map[string]*Entry{} // key -> new entry, nil to delete
	// One read of the store for all of them (see store.GetMany).
	stored := store.GetMany(ctx, a.Store, set, providers)
	for i, p := range providers {
		st := Status{Provider: p, Set: set}
		key := Entry{Set: set, Provider: p}.key()
		ie, inIndex := indexed[key]
		c, gerr := stored[i].Credential, stored[i].Err
		switch {
		case gerr == nil:
			st.Authenticated, st.Type, st.Backend, st.ExpiresAt = true, c.Type, a.Backend, expiry(c)
			if inIndex {
				st.StoredAt = ie.StoredAt
			}
			fresh := Entry{Set: set, Provider: p, Type: c.Type, Backend: a.Backend, StoredAt: st.StoredAt, ExpiresAt: st.ExpiresAt}
			if !inIndex || !sameEntry(ie, fresh) {
				repairs[key] = &fresh
			}
		case errors.Is(gerr, store.ErrNotFound):
			if inIndex && ie.Backend == a.Backend {
				repairs[key] = nil
			}
		default:
			st.Error = gerr.Error()
			if inIndex {
				st.Authenticated, st.Type, st.Backend, st.StoredAt, st.ExpiresAt = true, ie.Type, ie.Backend, ie.StoredAt, ie.ExpiresAt
			}
		}
		if st.Authenticated && st.Backend == "file" {
			st.Warning = "stored in a plain file, not encrypted"
		}
		if a.Env != nil {
			if _, err := a.Env.Get(ctx, set, p); err == nil {
				st.EnvOverride = store.EnvVar(p)
				st.Authenticated = true
			}
		}
		if st.ExpiresAt != nil && st.EnvOverride == "" {
			st.Expired = !now.Before(*st.ExpiresAt)
			st.ExpiringSoon = !st.Expired && st.ExpiresAt.Sub(now) < soon
		}
		out = append(out, st)
	}
	if len(repairs) > 0 {
		if err := a.Index.Update(ctx, func(m map[string]Entry) {
			for k, e := range repairs {
				if e == nil {
					delete(m, k)
				} else {
					m[k] = *e
				}
			}
		}); err != nil {
			a.warnf("could not repair the index of what is stored: %v", err)
		}
	}
	return out, nil
}

func sameEntry(a, b Entry) bool {
	return a.Type == b.Type && a.Backend == b.Backend && timeEq(a.ExpiresAt, b.ExpiresAt)
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
