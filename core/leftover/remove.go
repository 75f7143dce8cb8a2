package leftover

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/terok-ai/terok-auth/core/safefile"
)

// ErrLink means a path below the mounts dir goes through a symbolic link.
// The shared config dirs are written by containers too, and a link planted
// there (_claude-config -> ~/.ssh) must not carry terok's removals to the
// files it points at, so terok removes nothing through one: the same rule
// as capture.WriteState's.
var ErrLink = safefile.ErrLink

// NotRemoved is a file terok was asked to remove and did not, and why.
type NotRemoved struct {
	Path string
	Err  error
}

func (n NotRemoved) Error() string { return n.Path + ": " + n.Err.Error() }

func (n NotRemoved) Unwrap() error { return n.Err }

// RemoveHolding removes the regular files below mountsDir/hostDir that hold
// any of secrets, and returns what it removed. It touches nothing outside
// that provider's own dir and follows no link below mountsDir, at any
// component: each refusal is a NotRemoved in the joined error. The mounts
// dir itself is the user's choice and is taken as it is.
func RemoveHolding(mountsDir, hostDir string, secrets []string) ([]string, error) {
	needles := usable(secrets)
	if len(needles) == 0 || mountsDir == "" {
		return nil, nil
	}
	if err := plainDirName(hostDir); err != nil {
		return nil, err
	}
	dir := filepath.Join(mountsDir, hostDir)
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, NotRemoved{Path: dir, Err: fmt.Errorf("%w; nothing in it was looked at", ErrLink)}
	}
	found, ferr := Find(dir, needles)
	var removed []string
	errs := []error{ferr}
	for _, p := range found {
		rel, err := filepath.Rel(mountsDir, p)
		if err != nil {
			errs = append(errs, NotRemoved{Path: p, Err: err})
			continue
		}
		ok, err := removeBelow(mountsDir, filepath.ToSlash(rel), func(data []byte) bool { return Holds(data, needles) })
		switch {
		case err != nil:
			errs = append(errs, NotRemoved{Path: p, Err: err})
		case ok:
			removed = append(removed, p)
		}
	}
	return removed, errors.Join(errs...)
}

// RemoveCreated removes the files at paths (absolute, as Written records
// them) that lie in mountsDir/hostDir, or anywhere below mountsDir when
// hostDir is "", following no link below mountsDir. A path elsewhere is not
// removed. It returns what it removed; each refusal is a NotRemoved in the
// joined error; a file already gone is neither.
func RemoveCreated(mountsDir, hostDir string, paths []string) ([]string, error) {
	var removed []string
	var errs []error
	base := mountsDir
	if hostDir != "" {
		if err := plainDirName(hostDir); err != nil {
			return nil, err
		}
		base = filepath.Join(mountsDir, hostDir)
	}
	for _, p := range paths {
		rel, err := filepath.Rel(base, p)
		if mountsDir == "" || err != nil || !filepath.IsAbs(p) || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			errs = append(errs, NotRemoved{Path: p, Err: fmt.Errorf("is not in the provider's shared config dir %s", base)})
			continue
		}
		rel, _ = filepath.Rel(mountsDir, p)
		ok, err := removeBelow(mountsDir, filepath.ToSlash(rel), nil)
		switch {
		case err != nil:
			errs = append(errs, NotRemoved{Path: p, Err: err})
		case ok:
			removed = append(removed, p)
		}
	}
	return removed, errors.Join(errs...)
}

func plainDirName(hostDir string) error {
	if hostDir == "" || hostDir == "." || hostDir == ".." || strings.ContainsAny(hostDir, `/\`) {
		return fmt.Errorf("shared config dir %q is not a plain directory name", hostDir)
	}
	return nil
}

// removeBelow removes the regular file rel (slash-separated, clean) below
// base when check, if given, holds for its content. No component is
// followed if it is a link. It reports whether it removed the file; a file
// that is gone is not an error.
func removeBelow(base, rel string, check func([]byte) bool) (bool, error) {
	root, err := os.OpenRoot(base)
	if err != nil {
		return false, err
	}
	dir := root
	defer func() { _ = dir.Close() }()
	parts := strings.Split(rel, "/")
	for i, part := range parts[:len(parts)-1] {
		next, err := safefile.OpenDir(dir, part, false)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return false, nil
			}
			return false, fmt.Errorf("%s %w", strings.Join(parts[:i+1], "/"), err)
		}
		_ = dir.Close()
		dir = next
	}
	name := parts[len(parts)-1]
	fi, err := dir.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, ErrLink
	case !fi.Mode().IsRegular():
		return false, errors.New("is not a regular file")
	}
	if check != nil {
		f, err := dir.Open(name)
		if err != nil {
			return false, err
		}
		st, serr := f.Stat()
		data, rerr := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
		_ = f.Close()
		switch {
		case serr != nil || !os.SameFile(fi, st):
			return false, ErrLink // swapped since it was looked at
		case rerr != nil:
			return false, rerr
		case !check(data):
			return false, nil
		}
	}
	if err := dir.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}
