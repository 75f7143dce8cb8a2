package trust

// A plugin that is a script (it starts with "#!") runs an interpreter that
// loads more than the file terok hashes: modules beside it, generated
// code, data. Pinning only the entry script would let an edited module run
// unnoticed. So the pin of a script plugin also holds a manifest: the
// SHA-256 of every file in the script's directory, below it too. Any file
// changed, added or removed there makes terok refuse the plugin until it
// is trusted again. A script plugin therefore lives in a directory of its
// own (link it onto the plugin path; pins follow links).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Bounds on a script plugin's directory.
const (
	maxManifestFiles = 1000
	maxManifestBytes = 64 << 20
)

// ErrManifestChanged means a file in a script plugin's directory is not the
// one trusted.
var ErrManifestChanged = errors.New("plugin's files changed since it was trusted")

// Manifest maps each file of a script plugin's directory, by slash path
// relative to it, to its hex SHA-256 ("link:TARGET" for a symbolic link,
// which is recorded, not followed).
type Manifest map[string]string

// IsScript reports whether the file at path starts with "#!", i.e. the
// kernel runs an interpreter on it.
func IsScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	head := make([]byte, 2)
	n, _ := io.ReadFull(f, head)
	return n == 2 && bytes.Equal(head, []byte("#!"))
}

// BuildManifest returns the manifest of the directory of the plugin at
// real (a canonical path), or nil when the plugin is not a script.
func BuildManifest(real string) (Manifest, error) {
	if !IsScript(real) {
		return nil, nil
	}
	dir := filepath.Dir(real)
	m := Manifest{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case len(m) >= maxManifestFiles:
			return fmt.Errorf("the script plugin %s shares its directory %s with more than %d files; give it a directory of its own", real, dir, maxManifestFiles)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			m[rel] = "link:" + target
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s beside the script plugin %s is not a regular file; terok cannot vouch for it", p, real)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > maxManifestBytes {
			return fmt.Errorf("the directory %s of the script plugin %s holds more than %d MiB; give the plugin a directory of its own", dir, real, maxManifestBytes>>20)
		}
		sum, err := HashFile(p)
		if err != nil {
			return err
		}
		m[rel] = sum
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// checkManifest compares a script plugin's directory with its pin. A pin
// without a manifest (made before terok pinned directories) does not vouch
// for the files beside a script.
func checkManifest(real string, pin Pin) error {
	now, err := BuildManifest(real)
	if err != nil {
		return err
	}
	if now == nil {
		return nil
	}
	trustAgain := fmt.Sprintf("If you changed them yourself, trust it again: terok auth plugins trust %s", real)
	if pin.Manifest == nil {
		return fmt.Errorf("%w: %s is a script, and its pin does not cover the files it loads from %s. %s",
			ErrManifestChanged, real, filepath.Dir(real), trustAgain)
	}
	var diffs []string
	for name, sum := range now {
		switch was, ok := pin.Manifest[name]; {
		case !ok:
			diffs = append(diffs, name+" (added)")
		case was != sum:
			diffs = append(diffs, name+" (changed)")
		}
	}
	for name := range pin.Manifest {
		if _, ok := now[name]; !ok {
			diffs = append(diffs, name+" (removed)")
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	return fmt.Errorf("%w: files beside the script plugin %s are not the ones you trusted: %s. %s",
		ErrManifestChanged, real, strings.Join(diffs, ", "), trustAgain)
}
