package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/terok-ai/terok-auth/core/atomicfile"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// File keeps credentials in plain JSON files, one per credential set
// (Dir/<set>.json, mode 0600 in a 0700 directory): for headless machines
// without a Secret Service, and only when the user chose it. It is not
// encrypted; status says so.
//
// Writes replace the whole file atomically under a lock, so concurrent
// logins never lose each other's writes and a killed write leaves the old
// file.
type File struct {
	Dir string
}

var _ Store = (*File)(nil)

func (f *File) path(set names.Set) string { return filepath.Join(f.Dir, string(set)+".json") }

// read returns the set's credentials; a missing file is an empty set.
func (f *File) read(set names.Set) (map[string]sdk.Credential, error) {
	data, err := os.ReadFile(f.path(set))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]sdk.Credential{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]sdk.Credential{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &Error{Op: "read", Account: f.path(set), Kind: ErrCorrupt,
			Remedy: fmt.Sprintf("Move %s aside and log in again.", f.path(set))}
	}
	return m, nil
}

// Get implements Store.
func (f *File) Get(_ context.Context, set names.Set, provider names.Provider) (sdk.Credential, error) {
	account := Account(set, provider)
	m, err := f.read(set)
	if err != nil {
		return sdk.Credential{}, err
	}
	c, ok := m[string(provider)]
	if !ok {
		return sdk.Credential{}, &Error{Op: "read", Account: account, Kind: ErrNotFound}
	}
	return c, nil
}

// Set implements Store.
func (f *File) Set(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error {
	account := Account(set, provider)
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store credential %s: %w", account, err)
	}
	return f.update(ctx, set, func(m map[string]sdk.Credential) error {
		m[string(provider)] = c
		return nil
	})
}

// Delete implements Store.
func (f *File) Delete(ctx context.Context, set names.Set, provider names.Provider) error {
	account := Account(set, provider)
	return f.update(ctx, set, func(m map[string]sdk.Credential) error {
		if _, ok := m[string(provider)]; !ok {
			return &Error{Op: "delete", Account: account, Kind: ErrNotFound}
		}
		delete(m, string(provider))
		return nil
	})
}

func (f *File) update(ctx context.Context, set names.Set, change func(map[string]sdk.Credential) error) error {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return err
	}
	// An existing directory may have been made by hand with looser modes.
	if err := os.Chmod(f.Dir, 0o700); err != nil {
		return err
	}
	path := f.path(set)
	return atomicfile.Locked(ctx, path, func() error {
		m, err := f.read(set)
		if err != nil {
			return err
		}
		if err := change(m); err != nil {
			return err
		}
		if len(m) == 0 {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(path, append(data, '\n'), 0o600)
	})
}
