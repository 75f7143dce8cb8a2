package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// ItemLister is a store that names the items it holds in one call, and
// reads no secret to do it: the Secret Service on Linux. Status asks it
// only which items exist, and answers from the index for every credential
// whose items the index names (see account.Accounts.Status).
type ItemLister interface {
	// Items names every item the store holds, of every set: one call,
	// whatever the count.
	Items(ctx context.Context) ([]string, error)
	// Owners says whose each of items is: the credential it holds, or
	// is a chunk of. An item that holds no credential of terok's is left
	// out; one that could not be read is named in unreadable. All are
	// asked for at once.
	Owners(ctx context.Context, items []string) (owners map[string]Stored, unreadable []string, err error)
}

// itemNamer is a Backend that names its items, as the Secret Service
// does: item name -> account for Owners, and the items that could not be
// read.
type itemNamer interface {
	Items() ([]string, error)
	Owners(items []string) (map[string]string, []string, error)
}

func (osKeyring) Items() ([]string, error) { return itemsOS() }

func (osKeyring) Owners(items []string) (map[string]string, []string, error) { return ownersOS(items) }

var _ ItemLister = (*Keyring)(nil)

func (k *Keyring) namer() (itemNamer, bool) {
	if k.Backend == nil {
		return osKeyring{}, true
	}
	n, ok := k.Backend.(itemNamer)
	return n, ok
}

// Items implements ItemLister: one search of the terok service. A Backend
// that cannot name its items (go-keyring's on macOS and Windows) gives
// ErrCannotList.
func (k *Keyring) Items(ctx context.Context) ([]string, error) {
	n, ok := k.namer()
	if !ok {
		return nil, ErrCannotList
	}
	var items []string
	err := k.do(ctx, "list", "", func(Backend) error {
		var err error
		items, err = n.Items()
		return err
	})
	if errors.Is(err, ErrCannotList) {
		return nil, ErrCannotList
	}
	return items, err
}

// Owners implements ItemLister: the account attribute of each item, a
// chunk's account read as its credential's.
func (k *Keyring) Owners(ctx context.Context, items []string) (map[string]Stored, []string, error) {
	n, ok := k.namer()
	if !ok {
		return nil, nil, ErrCannotList
	}
	var accounts map[string]string
	var unreadable []string
	err := k.do(ctx, "list", "", func(Backend) error {
		var err error
		accounts, unreadable, err = n.Owners(items)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrCannotList) {
			err = ErrCannotList
		}
		return nil, nil, err
	}
	owners := make(map[string]Stored, len(accounts))
	for item, account := range accounts {
		main, _, _ := strings.Cut(account, "#") // a chunk: account#sum.i
		if s, ok := parseAccount(main); ok {
			owners[item] = s
		}
	}
	return owners, unreadable, nil
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
	var accounts []string
	err := k.do(ctx, "list", "", func(Backend) error {
		var err error
		accounts, err = listAccountsOS()
		return err
	})
	return storedOf(accounts), err
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
