package trust

// A plugin that is a script (it starts with "#!") runs an interpreter that
// loads more than the file terok hashes: modules beside it, generated
// code, data. Pinning only the entry script would let an edited module run
// unnoticed. So the pin of a script plugin also holds a manifest: the
// SHA-256 of every file in the script's directory, below it too. Any file
// changed, added or removed there makes terok refuse the plugin until it
// is trusted again. A script plugin therefore lives in a directory of its
// own (link it onto the plugin path; pins follow links).
//
// Inside that directory terok accepts only regular files and directories
// that belong to the user or root and that nobody else may write. A
// symbolic link is refused, not recorded: what it points to may belong to
// someone else (a file in a sticky /tmp, say), who could change the code
// the interpreter loads without changing anything terok hashed. Refusing
// is simpler and safer than resolving each link and checking its target
// and every directory above it; a plugin that needs a file copies it in.

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

// ErrUnvouched means a script plugin's directory holds something terok
// does not pin: a symbolic link, or a device, pipe or socket.
var ErrUnvouched = errors.New("a script plugin's directory holds what terok cannot vouch for")

// Manifest maps each file of a script plugin's directory, by slash path
// relative to it, to its hex SHA-256.
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
	// The interpreter the kernel runs it with is under the same rule.
	if err := checkInterpreter(real); err != nil {
		return nil, err
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
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s, in the directory of the script plugin %s, is a symbolic link; terok refuses links there, "+
				"as whoever owns what it points to could change the code the plugin loads. Copy the file in instead, then trust the plugin again",
				ErrUnvouched, p, real)
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s, in the directory of the script plugin %s, is not a regular file or directory (%v); move it out, then trust the plugin again",
				ErrUnvouched, p, real, d.Type())
		}
		if err := checkEntry(p, real, d); err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return nil
		case len(m) >= maxManifestFiles:
			return fmt.Errorf("the script plugin %s shares its directory %s with more than %d files; give it a directory of its own", real, dir, maxManifestFiles)
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

// checkEntry refuses a file or directory beside a script plugin that
// someone other than the user or root could change.
func checkEntry(p, real string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	if othersMayWrite(fi) {
		return fmt.Errorf("%w: %s, in the directory of the script plugin %s, is writable by group or others (mode %v); run: chmod go-w %s",
			ErrWritable, p, real, fi.Mode().Perm(), p)
	}
	if uid, ok := ownerOf(fi); ok && !trustedOwner(uid) {
		return fmt.Errorf("%w: %s, in the directory of the script plugin %s, belongs to another user (uid %d), who could change it; "+
			"run: chown %d %s", ErrWritable, p, real, uid, currentUID(), p)
	}
	return nil
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
