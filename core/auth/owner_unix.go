//go:build unix

package auth

import (
	"os"
	"syscall"
)

// ownedByMe reports whether path (not followed) belongs to this user: in
// a shared temp dir, what another user left is theirs to remove.
func ownedByMe(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Getuid()
}
