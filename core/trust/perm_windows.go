package trust

import "io/fs"

// othersMayWrite: Windows has no group and other mode bits (Go reports
// every writable file as 0666), and its ACLs are not checked here. The
// SHA-256 pin still refuses a plugin that changed; a plugin directory
// other users can write to is the installer's to prevent.
func othersMayWrite(fs.FileInfo) bool { return false }
