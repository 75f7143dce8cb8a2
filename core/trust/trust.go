// Package trust decides which plugin binaries terok may run. Plugins in the
// directory of the terok executable came with it and are trusted. Any other
// plugin runs only once the user has pinned its SHA-256 with
// `terok auth plugins trust`; the pin is checked on every start, so a changed
// binary is refused until it is trusted again.
//
// Whatever the pins say, a binary is refused when anyone but the user (or
// root) could change it: it, and every directory from its own up to /, must
// be owned by the user or root and not writable by group or others (a
// sticky directory such as /tmp is fine above the plugin's own directory,
// never as that directory). Open checks all this, then opens the binary
// once, checks it again through the open file, hashes it from that file and
// returns it: the host executes that very file, so swapping the path after
// the check changes nothing.
package trust

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/terok-ai/terok-auth/core/safefile"
)

// Errors, for errors.Is.
var (
	ErrUntrusted = errors.New("plugin is not trusted")
	ErrWritable  = errors.New("plugin is writable by others")
	ErrChanged   = errors.New("plugin binary changed since it was trusted")
)

// Pin is one trusted binary.
type Pin struct {
	Path      string    `json:"path"`
	Name      string    `json:"name"`
	SHA256    string    `json:"sha256"`
	TrustedAt time.Time `json:"trusted_at"`
	Manifest  Manifest  `json:"manifest,omitempty"` // a script's directory: manifest.go
}

// Store is the lock file of pins ($XDG_CONFIG_HOME/terok/plugins.lock) and
// the directory whose plugins need none.
type Store struct {
	Path string
	// BundledDir is the terok executable's directory.
	BundledDir string
}

type lockFile struct {
	Version int            `json:"version"`
	Plugins map[string]Pin `json:"plugins"`
}

// maxLockSize bounds the lock file: a pin is about 300 bytes.
const maxLockSize = 4 << 20

// Pins returns every pin, by path.
func (s *Store) Pins() (map[string]Pin, error) {
	data, err := safefile.ReadFile(s.Path, maxLockSize)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Pin{}, nil
	}
	if err != nil {
		return nil, err
	}
	var f lockFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 {
		return nil, fmt.Errorf("%s is unreadable; move it aside and trust your plugins again", s.Path)
	}
	if f.Plugins == nil {
		f.Plugins = map[string]Pin{}
	}
	return f.Plugins, nil
}

func (s *Store) update(ctx context.Context, change func(map[string]Pin) error) error {
	return safefile.Locked(ctx, s.Path, func() error {
		pins, err := s.Pins()
		if err != nil {
			return err
		}
		if err := change(pins); err != nil {
			return err
		}
		data, err := json.MarshalIndent(lockFile{Version: 1, Plugins: pins}, "", "  ")
		if err != nil {
			return err
		}
		return safefile.WriteFile(s.Path, append(data, '\n'), 0o600)
	})
}

// Canonical resolves a binary's path the way pins record it.
func Canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// Trust pins the binary at path, whose provider is name.
func (s *Store) Trust(ctx context.Context, name, path string) (Pin, error) {
	real, err := Canonical(path)
	if err != nil {
		return Pin{}, err
	}
	f, err := openChecked(real)
	if err != nil {
		return Pin{}, err
	}
	defer func() { _ = f.Close() }()
	sum, err := hashOpen(f)
	if err != nil {
		return Pin{}, err
	}
	pin := Pin{Path: real, Name: name, SHA256: sum, TrustedAt: time.Now().UTC().Truncate(time.Second)}
	if pin.Manifest, err = BuildManifest(real); err != nil {
		return Pin{}, err
	}
	return pin, s.update(ctx, func(pins map[string]Pin) error {
		pins[real] = pin
		return nil
	})
}

// Untrust removes the pins of path, or of every binary of provider name.
// It reports how many it removed.
func (s *Store) Untrust(ctx context.Context, nameOrPath string) (int, error) {
	real, _ := Canonical(nameOrPath)
	n := 0
	return n, s.update(ctx, func(pins map[string]Pin) error {
		for p, pin := range pins {
			if p == real || p == nameOrPath || pin.Name == nameOrPath {
				delete(pins, p)
				n++
			}
		}
		return nil
	})
}

// Bundled reports whether path came with terok (its own directory).
func (s *Store) Bundled(path string) bool {
	real, err := Canonical(path)
	if err != nil || s.BundledDir == "" {
		return false
	}
	dir, err := Canonical(s.BundledDir)
	return err == nil && filepath.Dir(real) == dir
}

// Status is a plugin's trust, for listings.
type Status string

// Trust states.
const (
	StatusBundled   Status = "bundled"
	StatusTrusted   Status = "trusted"
	StatusUntrusted Status = "untrusted"
	StatusChanged   Status = "changed"
	StatusWritable  Status = "writable"
	StatusMissing   Status = "missing"
)

// resolve applies every rule that decides whether the binary at path may
// run, short of hashing it: where it really is, who may write it, whether
// it came with terok, and its pin. The status is StatusTrusted when it has a
// pin (still to be compared with the binary's hash).
func (s *Store) resolve(path string) (real string, pin Pin, st Status, err error) {
	if real, err = Canonical(path); err != nil {
		return "", Pin{}, StatusMissing, err
	}
	if err := CheckPermissions(real); err != nil {
		if errors.Is(err, ErrWritable) {
			return real, Pin{}, StatusWritable, err
		}
		return real, Pin{}, StatusMissing, err
	}
	if s.Bundled(real) {
		return real, Pin{}, StatusBundled, nil
	}
	pins, err := s.Pins()
	if err != nil {
		return real, Pin{}, StatusUntrusted, err
	}
	pin, ok := pins[real]
	if !ok {
		return real, Pin{}, StatusUntrusted, nil
	}
	return real, pin, StatusTrusted, nil
}

// Check applies every rule that decides whether the binary at path may
// run, short of hashing it: listings use it so as not to run what may not
// run. Open checks it all again, and the hash.
func (s *Store) Check(name, path string) error {
	real, _, st, err := s.resolve(path)
	if err != nil {
		return err
	}
	if st == StatusUntrusted {
		return untrusted(name, real)
	}
	return nil
}

func untrusted(name, real string) error {
	return fmt.Errorf("%w: %s (%s) is not one of terok's own plugins and you have not trusted it.\n"+
		"If you trust it, run: terok auth plugins trust %s", ErrUntrusted, name, real, real)
}

// Open returns the binary of plugin name at path, open for reading, once it
// has passed every rule: it is bundled, or its SHA-256, hashed from the
// returned file itself, is the pinned one. The caller executes that file
// (not the path: see the package doc) and closes it.
func (s *Store) Open(name, path string) (*os.File, error) {
	real, pin, st, err := s.resolve(path)
	switch {
	case err != nil:
		return nil, err
	case st == StatusUntrusted:
		return nil, untrusted(name, real)
	}
	f, err := openChecked(real)
	if err != nil {
		return nil, err
	}
	if st == StatusBundled {
		return f, nil
	}
	sum, err := hashOpen(f)
	if err == nil && sum != pin.SHA256 {
		err = fmt.Errorf("%w: %s (%s) is not the binary you trusted: its SHA-256 changed.\n"+
			"If you updated it yourself, trust it again: terok auth plugins trust %s", ErrChanged, name, real, real)
	}
	if err == nil {
		// A script's pin covers every file beside it that it may load.
		err = checkManifest(real, pin)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// Verify hashes path and says where it stands.
func (s *Store) Verify(path string) (Status, error) {
	real, pin, st, err := s.resolve(path)
	if err != nil || st != StatusTrusted {
		return st, err
	}
	f, err := openChecked(real)
	if err != nil {
		return StatusMissing, err
	}
	defer func() { _ = f.Close() }()
	sum, err := hashOpen(f)
	if err != nil {
		return StatusMissing, err
	}
	if sum != pin.SHA256 {
		return StatusChanged, nil
	}
	if err := checkManifest(real, pin); err != nil {
		// A script's interpreter, or a file beside it, others may change.
		if errors.Is(err, ErrWritable) {
			return StatusWritable, err
		}
		return StatusChanged, nil
	}
	return StatusTrusted, nil
}

// SortedPins returns the pins in path order.
func SortedPins(pins map[string]Pin) []Pin {
	out := make([]Pin, 0, len(pins))
	for _, p := range pins {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
