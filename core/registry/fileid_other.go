//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package registry

import "io/fs"

// fileIDs has no inode or change time to offer on this system (Windows), so
// the describe cache is not used there: every run asks the plugins afresh.
func fileIDs(fs.FileInfo) (dev, ino uint64, ctime int64, ok bool) {
	return 0, 0, 0, false
}
