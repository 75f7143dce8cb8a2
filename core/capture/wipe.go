package capture

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Wipe removes dir and everything below it, however a container left it:
// thousands of levels deep (os.RemoveAll holds a descriptor per level and
// runs out of them), or with dirs made unreadable or read-only. It holds
// two descriptors at a time: each dir met is first moved up to be a child
// of dir, so no path it opens is more than two levels deep, and the time
// it takes grows with the number of names, not with their depth.
//
// A dir that is a symbolic link is only unlinked, never followed: a link
// planted in a shared temp dir under a login dir's name must not lead Wipe
// into someone's files.
func Wipe(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return os.Remove(dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	if st, err := root.Stat("."); err != nil || !os.SameFile(fi, st) {
		_ = root.Close()
		return fmt.Errorf("%s changed while it was being removed; not following it", dir)
	}
	_ = root.Chmod(".", 0o700)
	var lastErr error
	seq := 0
	for {
		top, err := readNames(root, ".")
		if err != nil {
			lastErr = err
			break
		}
		if len(top) == 0 {
			break
		}
		progress := false
		for _, d := range top {
			if d.IsDir() {
				err = flatten(root, d.Name(), &seq)
			} else {
				err = root.Remove(d.Name())
			}
			if err == nil {
				progress = true
			} else {
				lastErr = err
			}
		}
		if !progress {
			break
		}
	}
	_ = root.Close()
	if err := os.Remove(dir); err != nil {
		if lastErr != nil {
			return errors.Join(err, lastErr)
		}
		return err
	}
	return nil
}

// flatten empties the dir name, a child of root, and removes it: its files
// go, its dirs move up to be children of root (the caller's next pass
// takes them).
func flatten(root *os.Root, name string, seq *int) error {
	_ = root.Chmod(name, 0o700)
	for {
		ents, err := readNames(root, name)
		if err != nil {
			return err
		}
		if len(ents) == 0 {
			return root.Remove(name)
		}
		for _, e := range ents {
			p := name + "/" + e.Name()
			if e.IsDir() {
				if err := root.Rename(p, freeName(root, seq)); err != nil {
					return err
				}
				continue
			}
			if err := root.Remove(p); err != nil {
				return err
			}
		}
	}
}

// freeName is a name not yet used among root's children; seq counts the
// names tried.
func freeName(root *os.Root, seq *int) string {
	for {
		*seq++
		n := fmt.Sprintf(".terok-wipe-%d", *seq)
		if _, err := root.Lstat(n); errors.Is(err, fs.ErrNotExist) {
			return n
		}
	}
}

// readNames reads up to a batch of the names in dir.
func readNames(root *os.Root, dir string) ([]fs.DirEntry, error) {
	f, err := root.Open(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	ents, err := f.ReadDir(1024)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return ents, nil
}
