//go:build !unix

package safefile

import "os"

// openNonBlockingIn: there are no FIFOs in the file system here to block on.
func openNonBlockingIn(dir *os.Root, name string) (*os.File, error) { return dir.Open(name) }
