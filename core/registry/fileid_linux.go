package registry

import (
	"io/fs"
	"syscall"
)

// fileIDs returns what, besides size and mtime, tells one file version from
// another: device, inode and change time.
func fileIDs(fi fs.FileInfo) (dev, ino uint64, ctime int64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0, false
	}
	return uint64(st.Dev), st.Ino, st.Ctim.Nano(), true //nolint:unconvert // Dev is not uint64 on every arch
}
