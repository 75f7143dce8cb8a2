// Package trust decides which plugin binaries terok may run. Plugins in the
// directory of the terok executable came with it and are trusted. Any other
// plugin runs only once the user has pinned its SHA-256 with
// `terok auth plugins trust`; the pin is checked on every start (go-plugin's
// SecureConfig hashes the binary afresh), so a changed binary is refused
// until it is trusted again. A binary, or its directory, that group or
// others may write is refused whatever the pins say: anyone could swap it.
package trust

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/core/atomicfile"
)

// Errors, for errors.Is.
var (
	ErrUntrusted = errors.New("plugin is not trusted")
	ErrWritable  = errors.New("plugin is writable by others")
)

// Pin is one trusted binary.
type Pin struct {
	Path      string    `json:"path"`
	Name      string    `json:"name"`
	SHA256    string    `json:"sha256"`
	TrustedAt time.Time `json:"trusted_at"`
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

// Pins returns every pin, by path.
func (s *Store) Pins() (map[string]Pin, error) {
	data, err := os.ReadFile(s.Path)
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
	return atomicfile.Locked(ctx, s.Path, func() error {
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
		return atomicfile.WriteFile(s.Path, append(data, '\n'), 0o600)
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
	if err := CheckPermissions(real); err != nil {
		return Pin{}, err
	}
	sum, err := HashFile(real)
	if err != nil {
		return Pin{}, err
	}
	pin := Pin{Path: real, Name: name, SHA256: sum, TrustedAt: time.Now().UTC().Truncate(time.Second)}
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

// SecureConfig says how go-plugin must check the binary at path before
// starting it: nil for a bundled plugin, the pinned checksum otherwise. It
// refuses an unpinned binary, and any binary others may write. It does not
// hash the binary: go-plugin does that on every start.
func (s *Store) SecureConfig(name, path string) (*goplugin.SecureConfig, error) {
	real, pin, st, err := s.resolve(path)
	switch {
	case err != nil:
		return nil, err
	case st == StatusBundled:
		return nil, nil
	case st == StatusUntrusted:
		return nil, fmt.Errorf("%w: %s (%s) is not one of terok's own plugins and you have not trusted it.\n"+
			"If you trust it, run: terok auth plugins trust %s", ErrUntrusted, name, real, real)
	}
	sum, err := hex.DecodeString(pin.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%s: the pin of %s is damaged; trust it again", s.Path, real)
	}
	return &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()}, nil
}

// CheckPermissions refuses a binary that group or others may write, or
// whose directory they may write (a sticky directory such as /tmp still
// lets anyone add files next to it, so it counts).
func CheckPermissions(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if othersMayWrite(fi) {
		return fmt.Errorf("%w: %s is writable by group or others (mode %v); run: chmod go-w %s", ErrWritable, path, fi.Mode().Perm(), path)
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if othersMayWrite(di) {
		return fmt.Errorf("%w: its directory %s is writable by group or others (mode %v); move the plugin, or run: chmod go-w %s", ErrWritable, dir, di.Mode().Perm(), dir)
	}
	return nil
}

// HashFile returns the hex SHA-256 of a file.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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
		return real, Pin{}, StatusWritable, err
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

// Verify hashes path and says where it stands.
func (s *Store) Verify(path string) (Status, error) {
	real, pin, st, err := s.resolve(path)
	if err != nil || st != StatusTrusted {
		return st, err
	}
	sum, err := HashFile(real)
	if err != nil {
		return StatusMissing, err
	}
	if sum != pin.SHA256 {
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
