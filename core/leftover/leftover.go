// Package leftover finds and removes files that hold a stored secret where
// no secret belongs: the providers' shared config directories, which agent
// containers see. Earlier versions of terok wrote API keys there
// (config.json, vibe's .env); this package finds them by content, so it
// also catches a copy made by hand.
package leftover

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// Limits keep a scan cheap on a large tree: bigger files and files past
// MaxFiles are not read.
const (
	MaxFileSize = 1 << 20
	MaxFiles    = 10000
)

// Find returns the regular files under dir (symbolic links are not
// followed) whose content holds any of secrets, sorted. A missing dir holds
// nothing.
func Find(dir string, secrets []string) ([]string, error) {
	needles := usable(secrets)
	if len(needles) == 0 {
		return nil, nil
	}
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	var found []string
	seen := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if seen++; seen > MaxFiles {
			return filepath.SkipAll
		}
		if info, err := d.Info(); err != nil || info.Size() > MaxFileSize {
			return nil
		}
		// Read as safefile reads what terok does not own: no link, no
		// FIFO swapped in since the walk looked (it would block logout
		// forever), nothing past the size limit.
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil
		}
		data, _, err := safefile.ReadFileIn(root, rel, MaxFileSize)
		if err != nil {
			return nil
		}
		if Holds(data, needles) {
			found = append(found, p)
		}
		return nil
	})
	sort.Strings(found)
	return found, err
}

// Holds reports whether data contains any of secrets that is long enough
// to mean something.
func Holds(data []byte, secrets []string) bool {
	for _, s := range usable(secrets) {
		if bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}

func usable(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if len(s) >= secret.MinLen {
			out = append(out, s)
		}
	}
	return out
}
