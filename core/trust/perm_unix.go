//go:build !windows

package trust

import "io/fs"

// othersMayWrite reports whether group or others may write fi.
func othersMayWrite(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o022 != 0 }
