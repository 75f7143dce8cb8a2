//go:build unix

package trust

import (
	"io/fs"
	"os"
	"syscall"
)

// ownerOf returns the uid owning a file.
func ownerOf(fi fs.FileInfo) (uint32, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Uid, true
}

func currentUID() int { return os.Geteuid() }

// trustedOwner: the user running terok, or root.
func trustedOwner(uid uint32) bool { return uid == 0 || int(uid) == os.Geteuid() }

// openNoFollow opens path for reading without following a final symlink
// (the path is resolved already: a link there now was put there since) and
// without blocking on a FIFO.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
}
