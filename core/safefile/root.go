package safefile

import (
	"errors"
	"io/fs"
	"os"
)

// ErrLink means a path went through a symbolic link, which terok does not
// follow below a directory it writes or removes in: whoever planted the
// link could point it at any of the user's files.
var ErrLink = errors.New("is a symbolic link, which terok does not follow")

// OpenDir opens the directory name in dir and refuses a link; with create
// it makes the directory (0700) when it is missing. os.Root would follow a
// link that stays inside it, so the directory opened is compared with the
// one looked at: a link swapped in between is caught too.
func OpenDir(dir *os.Root, name string, create bool) (*os.Root, error) {
	fi, err := dir.Lstat(name)
	if create && errors.Is(err, fs.ErrNotExist) {
		if err := dir.Mkdir(name, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		fi, err = dir.Lstat(name)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, ErrLink
	case !fi.IsDir():
		return nil, errors.New("is not a directory")
	}
	sub, err := dir.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	if st, err := sub.Stat("."); err != nil || !os.SameFile(fi, st) {
		_ = sub.Close()
		return nil, ErrLink
	}
	return sub, nil
}
