//go:build unix

package inject

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// checkPrivateBase returns dir, resolved, if the private directories of
// exec may be made in it: a directory of the invoking user that nobody
// else may write. With shared, a sticky directory of root that everyone
// may write (such as /tmp) is fine too: others may add entries there, but
// not rename or remove ours. Every directory above it must belong to the
// user or root and be writable by nobody else unless sticky, or whoever may
// write one could move the private directory's parent away and put their
// own in its place, under the path the command is given.
func checkPrivateBase(dir string, shared bool) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", errors.New("not an absolute path")
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", errors.New("not a directory")
	}
	uid := ownerUID(fi)
	me := uint32(os.Geteuid())
	writable := fi.Mode().Perm()&0o022 != 0
	sticky := fi.Mode()&fs.ModeSticky != 0
	switch {
	case shared && writable && sticky && (uid == 0 || uid == me):
	case uid != me:
		return "", fmt.Errorf("it belongs to another user (uid %d), who could swap the files in it", uid)
	case !shared && fi.Mode().Perm()&0o077 != 0:
		return "", fmt.Errorf("others may use it (mode %v)", fi.Mode().Perm())
	case writable:
		return "", fmt.Errorf("others may write it (mode %v)", fi.Mode().Perm())
	}
	for d := filepath.Dir(real); ; d = filepath.Dir(d) {
		di, err := os.Lstat(d)
		if err != nil {
			return "", err
		}
		if u := ownerUID(di); u != 0 && u != me {
			return "", fmt.Errorf("the directory %s above it belongs to another user (uid %d)", d, u)
		}
		if di.Mode().Perm()&0o022 != 0 && di.Mode()&fs.ModeSticky == 0 {
			return "", fmt.Errorf("others may write the directory %s above it (mode %v)", d, di.Mode().Perm())
		}
		if filepath.Dir(d) == d {
			return real, nil
		}
	}
}

// sharedTempDirs are the system's temp dirs, after TMPDIR.
var sharedTempDirs = []string{"/tmp"}

func ownerUID(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}

// ownedByMe: in a shared temp dir, another user's leftovers are theirs.
func ownedByMe(fi fs.FileInfo) bool { return int(ownerUID(fi)) == os.Geteuid() }
