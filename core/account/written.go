package account

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/safefile"
)

// Written records, per credential set and provider, what logout needs to
// clean up after a login without asking the provider: the shared config
// dir the provider declared when it logged in, and the files the login
// created there. (A provider uninstalled since can still be logged out of
// cleanly.) Files a login only added keys to (they were there before) are
// not recorded: they hold the user's own settings too. It lives in the
// state dir beside the index and holds paths only.
type Written struct {
	Path string
}

// maxWrittenSize bounds the record: a path is short, a login writes a few.
const maxWrittenSize = 16 << 20

type writtenFile struct {
	Version int                 `json:"version"`
	Files   map[string][]string `json:"files"`               // "set/provider" -> absolute paths
	Dirs    map[string]string   `json:"host_dirs,omitempty"` // "set/provider" -> the provider's shared dir, relative to the mounts dir
}

func writtenKey(set names.Set, provider names.Provider) string {
	return string(set) + "/" + string(provider)
}

func emptyWritten() writtenFile {
	return writtenFile{Version: 1, Files: map[string][]string{}, Dirs: map[string]string{}}
}

func (w *Written) load() (writtenFile, error) {
	data, err := safefile.ReadFile(w.Path, maxWrittenSize)
	if errors.Is(err, fs.ErrNotExist) {
		return emptyWritten(), nil
	}
	if err != nil {
		return emptyWritten(), err
	}
	f := emptyWritten()
	if err := json.Unmarshal(data, &f); err != nil || f.Files == nil {
		// A damaged record only means logout removes less; start over.
		return emptyWritten(), nil
	}
	if f.Dirs == nil {
		f.Dirs = map[string]string{} // written by a terok that kept no dirs
	}
	return f, nil
}

func (w *Written) update(ctx context.Context, change func(*writtenFile)) error {
	if err := os.MkdirAll(filepath.Dir(w.Path), 0o700); err != nil {
		return err
	}
	return safefile.Locked(ctx, w.Path, func() error {
		f, err := w.load()
		if err != nil {
			return err
		}
		change(&f)
		data, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		return safefile.WriteFile(w.Path, append(data, '\n'), 0o600)
	})
}

// Record notes, for a login of set and provider, the provider's shared
// config dir (hostDir, "" for none) and the paths the login created there.
func (w *Written) Record(ctx context.Context, set names.Set, provider names.Provider, hostDir string, paths []string) error {
	if w.recorded(set, provider, hostDir, paths) {
		return nil // a login again, as before: no write, no fsync
	}
	return w.update(ctx, func(f *writtenFile) {
		k := writtenKey(set, provider)
		f.Dirs[k] = hostDir // "" too: the provider has none
		if len(paths) == 0 {
			return
		}
		have := map[string]bool{}
		for _, p := range f.Files[k] {
			have[p] = true
		}
		for _, p := range paths {
			have[p] = true
		}
		list := make([]string, 0, len(have))
		for p := range have {
			list = append(list, p)
		}
		sort.Strings(list)
		f.Files[k] = list
	})
}

// recorded says the record already holds hostDir and paths for set and
// provider. It reads without the lock: a stale answer only means a write
// that changes nothing, or one that update makes under the lock.
func (w *Written) recorded(set names.Set, provider names.Provider, hostDir string, paths []string) bool {
	f, err := w.load()
	if err != nil {
		return false
	}
	k := writtenKey(set, provider)
	if dir, ok := f.Dirs[k]; !ok || dir != hostDir {
		return false
	}
	for _, p := range paths {
		if !slices.Contains(f.Files[k], p) {
			return false
		}
	}
	return true
}

// Cleanup is what a logout of one set and provider may clean up.
type Cleanup struct {
	// HostDir is the provider's shared config dir as its login recorded
	// it; Known is false when no login recorded one (a terok before this
	// record, or a credential stored elsewhere): the caller may ask the
	// provider.
	HostDir string
	Known   bool
	// Created are the files the login created that no other set or
	// provider also created.
	Created []string
}

// Take forgets what set and provider recorded and returns what the
// caller may clean up.
func (w *Written) Take(ctx context.Context, set names.Set, provider names.Provider) (Cleanup, error) {
	var out Cleanup
	err := w.update(ctx, func(f *writtenFile) {
		k := writtenKey(set, provider)
		out.HostDir, out.Known = f.Dirs[k]
		mine := f.Files[k]
		delete(f.Files, k)
		delete(f.Dirs, k)
		others := map[string]bool{}
		for _, list := range f.Files {
			for _, p := range list {
				others[p] = true
			}
		}
		for _, p := range mine {
			if !others[p] {
				out.Created = append(out.Created, p)
			}
		}
	})
	return out, err
}
