package leftover

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/terok-ai/terok-auth/core/atomicfile"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// Written records, per credential set and provider, the files a login
// created in the shared config dirs, so that logout can remove them. Files
// a login only added keys to (they were there before) are not recorded:
// they hold the user's own settings too. It lives in the state dir and
// holds paths only.
type Written struct {
	Path string
}

type writtenFile struct {
	Version int                 `json:"version"`
	Files   map[string][]string `json:"files"` // "set/provider" -> absolute paths
}

func key(set names.Set, provider names.Provider) string { return string(set) + "/" + string(provider) }

func (w *Written) load() (writtenFile, error) {
	f := writtenFile{Version: 1, Files: map[string][]string{}}
	data, err := os.ReadFile(w.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil || f.Files == nil {
		// A damaged record only means logout removes less; start over.
		return writtenFile{Version: 1, Files: map[string][]string{}}, nil
	}
	return f, nil
}

func (w *Written) update(ctx context.Context, change func(*writtenFile)) error {
	if err := os.MkdirAll(dirOf(w.Path), 0o700); err != nil {
		return err
	}
	return atomicfile.Locked(ctx, w.Path, func() error {
		f, err := w.load()
		if err != nil {
			return err
		}
		change(&f)
		data, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(w.Path, append(data, '\n'), 0o600)
	})
}

// Add records paths as created for set and provider.
func (w *Written) Add(ctx context.Context, set names.Set, provider names.Provider, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	return w.update(ctx, func(f *writtenFile) {
		have := map[string]bool{}
		for _, p := range f.Files[key(set, provider)] {
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
		f.Files[key(set, provider)] = list
	})
}

// Take forgets what set and provider created and returns the paths no
// other set or provider also created, which the caller may remove.
func (w *Written) Take(ctx context.Context, set names.Set, provider names.Provider) ([]string, error) {
	var out []string
	err := w.update(ctx, func(f *writtenFile) {
		mine := f.Files[key(set, provider)]
		delete(f.Files, key(set, provider))
		others := map[string]bool{}
		for _, list := range f.Files {
			for _, p := range list {
				others[p] = true
			}
		}
		for _, p := range mine {
			if !others[p] {
				out = append(out, p)
			}
		}
	})
	return out, err
}

// Secrets are the values of c's secret fields (sdk.IsSecretField) that are
// strings long enough to search for, at any depth (an object or a list
// under a secret field is secret throughout, and a secret field inside an
// object is one too): what terok masks in logs and looks for in files.
// Other fields (a host, a user, a region, a fixed value a provider file
// stores with every key) are no secret: treating one as a secret would
// make logout remove any file that merely mentions it.
func Secrets(c sdk.Credential) []string {
	var out []string
	for k, v := range c.Fields {
		walkStrings(v, sdk.IsSecretField(k), 0, func(s string, secret bool) {
			if secret && len(s) >= MinSecretLen {
				out = append(out, s)
			}
		})
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Strings are every string of c at any depth, but for its top-level host
// and user: what a log masks. It is broader than Secrets, since masking a
// value that is no secret costs a log line its detail and nothing else.
func Strings(c sdk.Credential) []string {
	var out []string
	for k, v := range c.Fields {
		if k != "host" && k != "user" {
			walkStrings(v, false, 0, func(s string, _ bool) { out = append(out, s) })
		}
	}
	return out
}

// maxSecretDepth bounds the walk: a credential is a few levels deep, and
// one a provider made deeper is not walked to the end.
const maxSecretDepth = 16

// walkStrings calls f with each string in v and whether it is secret: in
// or under a field that sdk.IsSecretField names, secret saying whether v
// itself is.
func walkStrings(v any, secret bool, depth int, f func(s string, secret bool)) {
	if depth > maxSecretDepth {
		return
	}
	switch v := v.(type) {
	case string:
		f(v, secret)
	case map[string]any:
		for k, x := range v {
			walkStrings(x, secret || sdk.IsSecretField(k), depth+1, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, secret, depth+1, f)
		}
	}
}

func dirOf(p string) string { return filepath.Dir(p) }
