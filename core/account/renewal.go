package account

import (
	"context"
	"slices"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// Holder is the store that holds (set, provider)'s credential, as Token
// reads it, and its backend's name: where a renewal reads and writes.
func (a *Accounts) Holder(set names.Set, provider names.Provider) (store.Store, string) {
	if backend, other := a.elsewhere(set, provider); other != nil && !a.Chosen {
		return other, backend
	}
	return a.Store, a.Backend
}

// Renewed records in the index a credential a renewal stored in backend:
// it renews itself, and no refusal stands.
func (a *Accounts) Renewed(ctx context.Context, set names.Set, provider names.Provider, backend string, c sdk.Credential) {
	now := a.now().UTC().Truncate(time.Second)
	d := Describe(c)
	e := Entry{Set: set, Provider: provider, Type: c.Type, Backend: backend, StoredAt: &now, ExpiresAt: expiry(c), Renews: true, Details: &d}
	if w, ok := a.Store.(interface {
		Written(names.Set, names.Provider) (int, string)
	}); ok && backend == a.Backend {
		e.Version, e.WrittenBy = w.Written(set, provider)
	}
	if err := a.Index.Update(ctx, func(m map[string]Entry) {
		if old, ok := m[e.key()]; ok && old.Backend == backend {
			e.Items = old.Items // written over where it was
		}
		m[e.key()] = e
	}); err != nil {
		a.warnf("the renewed credential is stored, but the index of what is stored was not updated (%v); `terok auth status` will repair it", err)
	}
}

// RefreshRefused records that the endpoint refused to renew (set,
// provider)'s credential, with its OAuth error code, so status says a
// login is needed without asking the network.
func (a *Accounts) RefreshRefused(ctx context.Context, set names.Set, provider names.Provider, code string) {
	key := Entry{Set: set, Provider: provider}.key()
	err := a.Index.Update(ctx, func(m map[string]Entry) {
		if e, ok := m[key]; ok {
			e.RefreshRefused, e.Renews = code, true
			m[key] = e
		}
	})
	if err != nil {
		a.warnf("could not record in the index that the renewal was refused: %v", err)
	}
}

// NoteRenews records, after a login, whether the provider renews the
// credential just stored: renewable lists the types it declares a
// renewal for.
func (a *Accounts) NoteRenews(ctx context.Context, set names.Set, provider names.Provider, renewable []string) {
	key := Entry{Set: set, Provider: provider}.key()
	err := a.Index.Update(ctx, func(m map[string]Entry) {
		if e, ok := m[key]; ok {
			e.Renews, e.RefreshRefused = slices.Contains(renewable, e.Type), ""
			m[key] = e
		}
	})
	if err != nil {
		a.warnf("could not record in the index whether the credential renews itself: %v", err)
	}
}
