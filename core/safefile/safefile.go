// Package safefile is the host's file safety, in one place. It reads the
// files terok reads but does not own: provider files, the config file, the
// plugin trust lock, what a login container leaves, what an agent may have
// put in a shared config dir. Such a file may be a named pipe that would
// block the read forever, a link to /dev/zero that never ends, or a link
// to a secret file. ReadFile reads a regular file only, of bounded size,
// and never blocks on opening; ReadFileIn does the same inside a
// directory and never through a link. Their errors name the file and what
// is wrong with it, and never quote its content. And it writes the files
// terok owns atomically, under a cross-process lock (WriteFile, Locked).
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Errors, for errors.Is.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
)

// Info says how a file was reached.
type Info struct {
	// Symlink: the path named a symbolic link, which was followed to a
	// regular file.
	Symlink bool
	// Mode is the mode of the file read (the link's target).
	Mode fs.FileMode
}

// ReadFile reads path if it is a regular file (or a link to one) of at
// most limit bytes. A missing file gives an error wrapping fs.ErrNotExist.
func ReadFile(path string, limit int64) ([]byte, error) {
	data, _, err := ReadFileInfo(path, limit)
	return data, err
}

// ReadFileInfo is ReadFile, and says how the file was reached.
func ReadFileInfo(path string, limit int64) ([]byte, Info, error) {
	var info Info
	if li, err := os.Lstat(path); err == nil {
		info.Symlink = li.Mode()&fs.ModeSymlink != 0
	}
	// Opening a FIFO for reading blocks until a writer comes, unless
	// non-blocking; a device may have side effects on open, so anything
	// that already looks irregular is refused before it is opened.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, info, notRegular(path, fi.Mode())
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, info, err
	}
	defer func() { _ = f.Close() }()
	// What was opened may not be what was stat'ed a moment before: check
	// the open file itself.
	fi, err := f.Stat()
	if err != nil {
		return nil, info, err
	}
	info.Mode = fi.Mode()
	if !fi.Mode().IsRegular() {
		return nil, info, notRegular(path, fi.Mode())
	}
	if fi.Size() > limit {
		return nil, info, tooLarge(path, limit)
	}
	data, err := readSized(f, fi.Size(), limit)
	if err != nil {
		return nil, info, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, info, tooLarge(path, limit)
	}
	return data, info, nil
}

// readSized reads at most limit+1 bytes of f into a buffer the size its
// stat gave (one byte more, to see it grew), as os.ReadFile does, where
// io.ReadAll grows from 512 bytes: files read on every request (the proxy's
// grants) then allocate what they hold, not three times that.
func readSized(f io.Reader, size, limit int64) ([]byte, error) {
	n := size + 1
	if n > limit+1 || n < 1 {
		n = limit + 1
	}
	if n > 1<<20 {
		n = 1 << 20 // a larger file grows the buffer as it is read
	}
	r := io.LimitReader(f, limit+1)
	data := make([]byte, 0, n)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		m, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+m]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
	}
}

func notRegular(path string, m fs.FileMode) error {
	return fmt.Errorf("%s: %w (it is %s); only regular files are read", path, ErrNotRegular, typeName(m))
}

func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%s: %w: larger than the limit of %s", path, ErrTooLarge, sizeName(limit))
}

func sizeName(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func typeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}
