//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// openNonBlockingIn opens name in dir for reading without blocking on a
// FIFO swapped in after the lstat (os.Root adds O_NOFOLLOW for the last
// component, following only links that stay inside dir: the caller
// compares what it opened with what it looked at).
func openNonBlockingIn(dir *os.Root, name string) (*os.File, error) {
	return dir.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
