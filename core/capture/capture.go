// Package capture moves files across the host boundary of a login: it reads
// what a login container left in its config dir, within limits and without
// following links, and writes a provider's non-secret state files back into
// the provider's shared config dir, confined to it.
package capture

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/terok-ai/terok-auth/sdk"
)

// Limits bound what Read takes from a login container's dir. The total must
// stay under gRPC's 4 MiB message limit to reach a plugin.
type Limits struct {
	MaxFiles     int
	MaxFileBytes int64
	MaxTotal     int64
}

// DefaultLimits are generous for credential files and far below what
// would strain terok or the plugin connection.
var DefaultLimits = Limits{MaxFiles: 500, MaxFileBytes: 1 << 20, MaxTotal: 3 << 20}

// Result is what Read found.
type Result struct {
	// Files are the contents read, by slash-separated relative path.
	Files map[string][]byte
	// Found lists every regular file seen, read or not, sorted.
	Found []string
	// Skipped says which files were not read and why.
	Skipped []string
}

// Read reads the regular files below dir. Symbolic links and other special
// files are never followed: a container could point them at host files.
// Files over the limits are skipped and reported, not fatal, since a tool
// may leave caches beside its credentials.
func Read(dir string, lim Limits) (*Result, error) {
	return ReadSkipping(dir, lim, nil)
}

// ReadSkipping is Read, except that the entries at the slash-separated
// relative paths in skip, with everything below them, are passed over in
// silence: neither read, found nor reported (a provider's SkipPaths).
func ReadSkipping(dir string, lim Limits, skip []string) (*Result, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	res := &Result{Files: map[string][]byte{}}
	var total int64
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %v", p, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if skipped(p, skip) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			res.Skipped = append(res.Skipped, p+": not a regular file")
			return nil
		}
		res.Found = append(res.Found, p)
		info, err := d.Info()
		switch {
		case err != nil:
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %v", p, err))
		case len(res.Files) >= lim.MaxFiles:
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: more than %d files", p, lim.MaxFiles))
		case info.Size() > lim.MaxFileBytes:
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %s, over the %s limit per file", p, size(info.Size()), size(lim.MaxFileBytes)))
		case total+info.Size() > lim.MaxTotal:
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: the files together exceed %s", p, size(lim.MaxTotal)))
		default:
			data, err := readAtMost(root, p, lim.MaxFileBytes)
			if err != nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s: %v", p, err))
				return nil
			}
			total += int64(len(data))
			res.Files[p] = data
		}
		return nil
	})
	sort.Strings(res.Found)
	return res, err
}

// readAtMost opens p without following a link (os.Root refuses links that
// leave the root; the Lstat-based walk already skipped links) and reads at
// most max bytes, in case the file grew since it was measured.
func readAtMost(root *os.Root, p string, max int64) ([]byte, error) {
	f, err := root.Open(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, errors.New("grew past the limit while being read")
	}
	return data, nil
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// WriteState writes state files into dir (created 0700 if missing),
// confined to it: paths are checked with sdk.CleanRelPath and written
// through os.Root, so neither ".." nor a planted link can lead outside.
// Where a file exists and both it and the new content are JSON objects, the
// new keys are merged into it rather than replacing it: a tool's config
// file keeps the user's own settings.
func WriteState(dir string, files map[string][]byte) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	var written []string
	for _, p := range names {
		clean, err := sdk.CleanRelPath(p)
		if err != nil {
			return written, fmt.Errorf("state file: %w", err)
		}
		data := files[p]
		if old, err := root.ReadFile(clean); err == nil {
			data = mergeJSON(old, data)
		}
		if d := filepath.Dir(clean); d != "." {
			if err := root.MkdirAll(d, 0o700); err != nil {
				return written, err
			}
		}
		if err := root.WriteFile(clean, data, 0o600); err != nil {
			return written, fmt.Errorf("write state file %s: %w", clean, err)
		}
		written = append(written, filepath.Join(dir, clean))
	}
	return written, nil
}

// mergeJSON returns old with add's top-level keys set, when both are JSON
// objects; otherwise add.
func mergeJSON(old, add []byte) []byte {
	var o, a map[string]json.RawMessage
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(add, &a) != nil || o == nil || a == nil {
		return add
	}
	for k, v := range a {
		o[k] = v
	}
	out, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return add
	}
	return append(bytes.TrimSpace(out), '\n')
}

// skipped reports whether p is one of skip or below one of them.
func skipped(p string, skip []string) bool {
	for _, s := range skip {
		if s = strings.TrimSuffix(s, "/"); s != "" && (p == s || strings.HasPrefix(p, s+"/")) {
			return true
		}
	}
	return false
}
