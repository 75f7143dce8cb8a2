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
		out = appendSecrets(out, v, sdk.IsSecretField(k), 0)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// maxSecretDepth bounds the walk: a credential is a few levels deep, and
// one a provider made deeper is not walked to the end.
const maxSecretDepth = 16

func appendSecrets(out []string, v any, secret bool, depth int) []string {
	if depth > maxSecretDepth {
		return out
	}
	switch v := v.(type) {
	case string:
		if secret && len(v) >= MinSecretLen {
			out = append(out, v)
		}
	case map[string]any:
		for k, x := range v {
			out = appendSecrets(out, x, secret || sdk.IsSecretField(k), depth+1)
		}
	case []any:
		for _, x := range v {
			out = appendSecrets(out, x, secret, depth+1)
		}
	}
	return out
}

func dirOf(p string) string { return filepath.Dir(p) }
