package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/safefile"
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
//
// Dir must be the user's own real directory (see openDir), and a set file
// a regular file of the user's, of bounded size (see readIn): anything else
// there was planted, and is refused with what it is and what to do, never
// followed, opened in a way that blocks, or read whole.
type File struct {
	Dir string
}

var _ Store = (*File)(nil)

func (f *File) path(set names.Set) string { return filepath.Join(f.Dir, f.name(set)) }

func (f *File) name(set names.Set) string { return string(set) + ".json" }

// maxSetFileSize bounds a set file: a credential takes a few KiB, so a set
// file this large is not one terok wrote, and is refused without being read.
const maxSetFileSize = 8 << 20

// ErrUnsafeStore means the file store's directory or one of its files is not
// what terok made: a symbolic link, another user's, or not a regular file.
var ErrUnsafeStore = errors.New("the file store is not safe to use")

// openDir opens the store's directory, which must be a real directory (not
// a symbolic link, which is not followed) of the user's own: plain-text
// credentials written into a directory someone else owns, or reached
// through a link to one, are theirs to read or swap. Its mode is made 0700
// through the open directory, never through a path. With create it is made
// when missing; without, a missing directory wraps fs.ErrNotExist. Every
// file of the store is then read and written through the returned root,
// so the directory checked is the one used.
func (f *File) openDir(create bool) (*os.Root, error) {
	fi, err := os.Lstat(f.Dir)
	if create && errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(f.Dir), 0o700); err != nil {
			return nil, err
		}
		if err := os.Mkdir(f.Dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		fi, err = os.Lstat(f.Dir)
	}
	if err != nil {
		return nil, err
	}
	if err := f.checkDir(fi); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(f.Dir)
	if err != nil {
		return nil, err
	}
	st, err := root.Stat(".")
	if err == nil && !os.SameFile(fi, st) {
		err = fmt.Errorf("%w: the credentials directory %s was replaced while terok opened it; try again", ErrUnsafeStore, f.Dir)
	}
	// An existing directory may have been made by hand with looser modes.
	if err == nil && st.Mode().Perm() != 0o700 {
		err = root.Chmod(".", 0o700)
	}
	if err != nil {
		_ = root.Close()
		return nil, err
	}
	return root, nil
}

// checkDir refuses a store directory that is not the user's own real one.
func (f *File) checkDir(fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: the credentials directory %s is a symbolic link, which terok does not follow: "+
			"whoever owns where it points could read or swap the credentials. Replace it with a directory of your own (rm %s; terok makes a new one)",
			ErrUnsafeStore, f.Dir, f.Dir)
	case !fi.IsDir():
		return fmt.Errorf("%w: %s, where terok keeps credentials, is not a directory; move it aside (terok makes a new one)", ErrUnsafeStore, f.Dir)
	}
	if uid, other := ownedByOther(fi); other {
		return fmt.Errorf("%w: the credentials directory %s belongs to another user (uid %d), who could read or swap the credentials in it; "+
			"move it aside (terok makes a new one of yours)", ErrUnsafeStore, f.Dir, uid)
	}
	return nil
}

// read returns the set's credentials; a missing file (or directory) is an
// empty set.
func (f *File) read(set names.Set) (map[string]sdk.Credential, error) {
	root, err := f.openDir(false)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]sdk.Credential{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	return f.readIn(root, set)
}

// readIn reads the set's file in the opened directory: a regular file of the
// user's own, never a link, opened without blocking (a named pipe there
// would hang terok) and bounded in size.
func (f *File) readIn(root *os.Root, set names.Set) (map[string]sdk.Credential, error) {
	path := f.path(set)
	moveAside := fmt.Sprintf("It is not a file terok wrote: move it aside (mv %s %s.bad) and log in again", path, path)
	data, fi, err := safefile.ReadFileIn(root, f.name(set), maxSetFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return map[string]sdk.Credential{}, nil
	case errors.Is(err, safefile.ErrLink) || errors.Is(err, safefile.ErrNotRegular) || errors.Is(err, safefile.ErrTooLarge):
		return nil, fmt.Errorf("%w: %w. %s", ErrUnsafeStore, err, moveAside)
	case err != nil:
		return nil, err
	}
	if uid, other := ownedByOther(fi); other {
		return nil, fmt.Errorf("%w: %s belongs to another user (uid %d), who could change the credentials in it. %s", ErrUnsafeStore, path, uid, moveAside)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("%w: %s is writable by group or others (mode %v), who could change the credentials in it. %s",
			ErrUnsafeStore, path, fi.Mode().Perm(), moveAside)
	}
	m := map[string]sdk.Credential{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &Error{Op: "read", Account: path, Kind: ErrCorrupt,
			Fix: fmt.Sprintf("Move %s aside and log in again.", path)}
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
	root, err := f.openDir(true)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	path := f.path(set)
	return safefile.Locked(ctx, path, func() error {
		m, err := f.readIn(root, set)
		if err != nil {
			return err
		}
		if err := change(m); err != nil {
			return err
		}
		if len(m) == 0 {
			if err := root.Remove(f.name(set)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if len(data) > maxSetFileSize {
			return fmt.Errorf("store credentials of set %s: %d bytes, more than a set file may hold (%d MiB); nothing was changed", set, len(data), maxSetFileSize>>20)
		}
		return writeIn(root, f.name(set), data)
	})
}

// writeIn replaces name in root with data, atomically: a temp file beside
// it (named as safefile names its own, so a lock holder removes one a
// killed writer left), synced, then renamed over it.
func writeIn(root *os.Root, name string, data []byte) error {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := "." + name + ".tmp-" + hex.EncodeToString(rnd[:])
	t, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = t.Close()
			_ = root.Remove(tmp)
		}
	}()
	if _, err := t.Write(data); err != nil {
		return err
	}
	if err := t.Sync(); err != nil {
		return err
	}
	if err := t.Close(); err != nil {
		return err
	}
	if err := root.Rename(tmp, name); err != nil {
		return err
	}
	committed = true
	if d, err := root.Open("."); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
