package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadFileIn reads name in dir as ReadFile does (a regular file only, of at
// most limit bytes, never blocking on the open) but never through a
// symbolic link: it is for files in a directory terok writes, where a link
// could only have been planted. It returns the open file's own stat, so the
// caller can check its owner and mode too. A missing file gives an error
// wrapping fs.ErrNotExist.
func ReadFileIn(dir *os.Root, name string, limit int64) ([]byte, fs.FileInfo, error) {
	path := filepath.Join(dir.Name(), name)
	li, err := dir.Lstat(name)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case li.Mode()&fs.ModeSymlink != 0:
		return nil, li, fmt.Errorf("%s %w", path, ErrLink)
	case !li.Mode().IsRegular():
		// Not opened at all: a FIFO would block, a device may act on open.
		return nil, li, notRegular(path, li.Mode())
	case li.Size() > limit:
		return nil, li, tooLarge(path, limit)
	}
	f, err := openNonBlockingIn(dir, name)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = f.Close() }()
	// What was opened may not be what was looked at a moment before.
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !fi.Mode().IsRegular():
		return nil, fi, notRegular(path, fi.Mode())
	case !os.SameFile(li, fi):
		return nil, fi, fmt.Errorf("%s was replaced while terok opened it; try again", path)
	case fi.Size() > limit:
		return nil, fi, tooLarge(path, limit)
	}
	data, err := readSized(f, fi.Size(), limit)
	if err != nil {
		return nil, fi, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fi, tooLarge(path, limit)
	}
	return data, fi, nil
}
