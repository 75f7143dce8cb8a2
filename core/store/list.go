package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
)

// Stored names one stored credential.
type Stored struct {
	Set      names.Set
	Provider names.Provider
}

// Lister is a Store that can say what it holds. The index says so cheaply,
// but it only knows what this terok stored; a credential put in the keyring
// by another machine's terok, or before the index existed, is found only by
// asking the store.
type Lister interface {
	List(ctx context.Context) ([]Stored, error)
}

// ErrCannotList means a store (or this platform's keyring) cannot list
// what it holds.
var ErrCannotList = errors.New("this store cannot list what it holds")

// parseAccount reads a keyring account name back into a set and provider;
// chunk accounts (see header.chunkAccount) and anything else not of the
// form SET/PROVIDER give ok false.
func parseAccount(account string) (Stored, bool) {
	set, provider, ok := strings.Cut(account, "/")
	if !ok {
		return Stored{}, false
	}
	s, serr := names.ParseSet(set)
	p, perr := names.ParseSlot(provider)
	if serr != nil || perr != nil {
		return Stored{}, false
	}
	return Stored{Set: s, Provider: p}, true
}

// List implements Lister: every account under the terok service.
func (k *Keyring) List(ctx context.Context) ([]Stored, error) {
	if k.Backend != nil {
		if l, ok := k.Backend.(interface{ Accounts() ([]string, error) }); ok {
			var accounts []string
			err := k.do(ctx, "list", "", func(Backend) error {
				var err error
				accounts, err = l.Accounts()
				return err
			})
			return storedOf(accounts), err
		}
		return nil, ErrCannotList
	}
	listed, err := k.listOS(ctx)
	accounts := make([]string, len(listed))
	for i, a := range listed {
		accounts[i] = a.name
	}
	return storedOf(accounts), err
}

// listedAccount is one keyring account as the search found it, and when
// its item last changed (zero: unknown).
type listedAccount struct {
	name     string
	modified time.Time
}

func (k *Keyring) listOS(ctx context.Context) ([]listedAccount, error) {
	var accounts []listedAccount
	err := k.do(ctx, "list", "", func(Backend) error {
		var err error
		accounts, err = listAccountsOS()
		return err
	})
	return accounts, err
}

func storedOf(accounts []string) []Stored {
	var out []Stored
	for _, a := range accounts {
		if s, ok := parseAccount(a); ok {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Set != out[j].Set {
			return out[i].Set < out[j].Set
		}
		return out[i].Provider < out[j].Provider
	})
	return out
}

// List implements Lister: every credential of every set file.
func (f *File) List(context.Context) ([]Stored, error) {
	files, err := filepath.Glob(filepath.Join(f.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Stored
	for _, n := range files {
		set, err := names.ParseSet(strings.TrimSuffix(filepath.Base(n), ".json"))
		if err != nil {
			continue
		}
		m, err := f.read(set)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for key := range m {
			if p, err := names.ParseSlot(key); err == nil {
				out = append(out, Stored{Set: set, Provider: p})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Set != out[j].Set {
			return out[i].Set < out[j].Set
		}
		return out[i].Provider < out[j].Provider
	})
	return out, nil
}

// ListSet implements SetLister: one search of the keyring, no secret
// read. On a platform whose keyring cannot list, it is ErrCannotList.
func (k *Keyring) ListSet(ctx context.Context, set names.Set) ([]names.Provider, error) {
	held, err := k.ListChanged(ctx, set)
	out := make([]names.Provider, len(held))
	for i, h := range held {
		out[i] = h.Provider
	}
	return out, err
}

// Held is a credential a store listed, with when the store last changed
// it (zero: the store does not say).
type Held struct {
	Provider names.Provider
	Changed  time.Time
}

// ChangeLister is a store that lists one set's credentials in one call,
// with when each last changed, so that a caller who knows when it last
// wrote one can tell whether it changed since without reading its secret.
type ChangeLister interface {
	ListChanged(ctx context.Context, set names.Set) ([]Held, error)
}

var _ ChangeLister = (*Keyring)(nil)

// ListChanged implements ChangeLister: one search of the keyring and one
// round trip for the items' properties; the Secret Service keeps an
// item's change time in whole seconds.
func (k *Keyring) ListChanged(ctx context.Context, set names.Set) ([]Held, error) {
	var out []Held
	if k.Backend != nil {
		// A backend given for tests: what it lists, when it lists.
		all, err := k.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range all {
			if st.Set == set {
				out = append(out, Held{Provider: st.Provider})
			}
		}
		return out, nil
	}
	listed, err := k.listOS(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range listed {
		if s, ok := parseAccount(a.name); ok && s.Set == set {
			out = append(out, Held{Provider: s.Provider, Changed: a.modified})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Provider < out[j].Provider })
	return out, nil
}
