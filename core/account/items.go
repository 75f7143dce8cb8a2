package account

import (
	"context"
	"slices"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
)

// itemAnswers is what status learned from a store that names its items
// (store.ItemLister): a result for each provider asked about, and the
// items now known of each credential, to record in the index.
type itemAnswers struct {
	results []store.Result
	// items: key -> the credential's items, for the providers asked about
	// that the store holds.
	items map[string][]string
	// others: the items of credentials not asked about whose entry
	// names other items (or which have no entry): recorded so that no
	// later status has to ask whose they are.
	others map[store.Stored][]string
}

// fromItems answers status for providers in set from the index, asking
// the store only which items it holds (one search, whatever the count)
// and, for items no entry names, whose they are (one round trip, once:
// then the index names them). A credential is read only when the index
// cannot answer for it: no entry describes it, or its items are not
// those the entry names (gone, replaced, or joined by another). The
// store wins on what exists: a credential none of whose items is there is
// not stored, whatever the index says.
//
// ok is false when the store cannot name its items, or naming them
// failed: the caller then reads every credential, as before, and says
// what failed.
func (a *Accounts) fromItems(ctx context.Context, il store.ItemLister, set names.Set, providers []names.Provider, indexed map[string]Entry) (itemAnswers, bool) {
	held, err := il.Items(ctx)
	if err != nil {
		return itemAnswers{}, false
	}
	there := make(map[string]bool, len(held))
	for _, it := range held {
		there[it] = true
	}
	// Whose each item is, by the index: an item two entries name (a
	// path the store handed out again) is nobody's until asked.
	claim := map[string]string{}
	for key, e := range indexed {
		if e.Backend != a.Backend {
			continue
		}
		for _, it := range e.Items {
			if prev, dup := claim[it]; dup && prev != key {
				claim[it] = ""
			} else {
				claim[it] = key
			}
		}
	}
	found := map[string][]string{}
	var unknown []string
	for _, it := range held {
		if key := claim[it]; key != "" {
			found[key] = append(found[key], it)
		} else {
			unknown = append(unknown, it)
		}
	}
	whose := map[string]store.Stored{}
	for key, e := range indexed {
		whose[key] = store.Stored{Set: e.Set, Provider: e.Provider}
	}
	joined := map[string]bool{} // keys an item no entry named was found to be of
	unsure := false             // some item's owner could not be read
	if len(unknown) > 0 {
		owners, unreadable, err := il.Owners(ctx, unknown)
		if err != nil {
			return itemAnswers{}, false
		}
		unsure = len(unreadable) > 0
		for it, s := range owners {
			key := store.Account(s.Set, s.Provider)
			found[key] = append(found[key], it)
			joined[key], whose[key] = true, s
		}
	}
	for _, its := range found {
		slices.Sort(its)
	}

	ans := itemAnswers{results: make([]store.Result, len(providers)), items: map[string][]string{}, others: map[store.Stored][]string{}}
	asked := map[string]bool{}
	var toRead []names.Provider
	var at []int
	for i, p := range providers {
		key := store.Account(set, p)
		asked[key] = true
		ans.results[i].Provider = p
		e, inIndex := indexed[key]
		mine := inIndex && e.Backend == a.Backend
		switch {
		case len(found[key]) == 0 && !unsure && (!mine || len(e.Items) > 0):
			// Nothing of it is there. (An entry that names no items
			// yet, just saved, is read instead: its item may be one
			// another entry still names.)
			ans.results[i].Err = &store.Error{Op: "read", Account: key, Kind: store.ErrNotFound}
		case mine && e.Details != nil && len(found[key]) > 0 &&
			(len(e.Items) == 0 || !joined[key] && allThere(e.Items, there)):
			ans.results[i].Err = errIndexAnswers
			ans.items[key] = found[key]
		default:
			toRead = append(toRead, p)
			at = append(at, i)
		}
	}
	for j, r := range store.GetMany(ctx, a.Store, set, toRead) {
		i := at[j]
		ans.results[i] = r
		if r.Err != nil {
			continue
		}
		key := store.Account(set, r.Provider)
		if r.Items != nil {
			ans.items[key] = r.Items
		} else if its := found[key]; len(its) > 0 {
			ans.items[key] = its
		}
	}
	// What else was learned of whose the items are.
	for key, its := range found {
		if asked[key] {
			continue
		}
		if e, inIndex := indexed[key]; !inIndex || e.Backend == a.Backend && !slices.Equal(e.Items, its) {
			ans.others[whose[key]] = its
		}
	}
	// Entries whose items are all gone name none any more, so that no
	// later item handed out under the same name is taken for theirs.
	if !unsure {
		for key, e := range indexed {
			if !asked[key] && e.Backend == a.Backend && len(e.Items) > 0 && len(found[key]) == 0 {
				ans.others[whose[key]] = nil
			}
		}
	}
	return ans, true
}

func allThere(items []string, there map[string]bool) bool {
	for _, it := range items {
		if !there[it] {
			return false
		}
	}
	return true
}

// recordItems records in m what fromItems learned of a credential not
// asked about: its items (an entry is made for one the index lacks; it
// describes nothing, so the next status of its set reads it).
func (a *Accounts) recordItems(m map[string]Entry, s store.Stored, items []string) {
	key := store.Account(s.Set, s.Provider)
	e, ok := m[key]
	switch {
	case ok && e.Backend == a.Backend:
		e.Items = items
		m[key] = e
	case !ok && len(items) > 0:
		m[key] = Entry{Set: s.Set, Provider: s.Provider, Backend: a.Backend, Items: items}
	}
}
