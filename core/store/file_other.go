//go:build !unix

package store

import "io/fs"

// ownedByOther: ownership is not checked here; a user's own profile is
// not shared with other users.
func ownedByOther(fs.FileInfo) (uint32, bool) { return 0, false }
