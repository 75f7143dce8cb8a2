package trust

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckPermissions refuses a binary that anyone but the user or root may
// change: the binary and every directory from its own up to / must be owned
// by the user or root, and none may be writable by group or others. A
// sticky directory (such as /tmp) lets others add entries but not replace
// ours, so it is fine above the binary's own directory; as that directory
// it is refused, since others could then plant binaries next to it. path
// must be resolved (see Canonical).
func CheckPermissions(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if err := checkFile(path, fi); err != nil {
		return err
	}
	return checkDirChain(filepath.Dir(path))
}

// checkFile checks the binary itself, from an lstat or an fstat.
func checkFile(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%v); a plugin must be one", path, fi.Mode().Type())
	}
	if othersMayWrite(fi) {
		return fmt.Errorf("%w: %s is writable by group or others (mode %v); run: chmod go-w %s", ErrWritable, path, fi.Mode().Perm(), path)
	}
	if uid, ok := ownerOf(fi); ok && !trustedOwner(uid) {
		return fmt.Errorf("%w: %s belongs to another user (uid %d), who could replace it; "+
			"install it as yourself or root, or run: chown %d %s", ErrWritable, path, uid, currentUID(), path)
	}
	return nil
}

// checkDirChain checks dir, the binary's own directory, and each of its
// ancestors.
func checkDirChain(dir string) error {
	own := true
	for {
		di, err := os.Lstat(dir)
		if err != nil {
			return err
		}
		if !di.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		if uid, ok := ownerOf(di); ok && !trustedOwner(uid) {
			return fmt.Errorf("%w: the directory %s belongs to another user (uid %d), who could swap the plugin in it; "+
				"move the plugin to a directory of your own", ErrWritable, dir, uid)
		}
		writable := othersMayWrite(di)
		sticky := di.Mode()&fs.ModeSticky != 0
		if writable && (own || !sticky) {
			what := "its directory"
			if !own {
				what = "the directory above it"
			}
			return fmt.Errorf("%w: %s %s is writable by group or others (mode %v); move the plugin, or run: chmod go-w %s",
				ErrWritable, what, dir, di.Mode().Perm()|di.Mode()&fs.ModeSticky, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir, own = parent, false
	}
}

// openChecked opens path once and checks the open file, so that what the
// caller hashes and executes is what was checked. It also checks the
// directory chain first: with every directory safe, nobody else can swap
// the path between those checks and the open.
func openChecked(path string) (*os.File, error) {
	if err := checkDirChain(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkFile(path, fi)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// hashOpen returns the hex SHA-256 of an open file, from its start,
// whatever its offset.
func hashOpen(f *os.File) (string, error) {
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size())); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashFile returns the hex SHA-256 of a file.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	return hashOpen(f)
}

// CheckDir refuses a directory that anyone but the user or root may write,
// or one under a directory they may (a sticky one such as /tmp is fine
// above it, never as it): whoever may write there may replace what the
// user put in it. It applies the rule of CheckPermissions to a directory
// alone, such as the one holding a debug plugin's socket.
func CheckDir(dir string) error { return checkDirChain(dir) }
