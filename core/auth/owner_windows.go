package auth

import "os"

// ownedByMe: Windows keeps each user's temp dir private, so what is there
// is this user's.
func ownedByMe(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
