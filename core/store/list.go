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
