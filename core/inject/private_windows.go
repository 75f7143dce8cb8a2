package inject

import (
	"errors"
	"os"
)

// checkPrivateBase: a user's temp dir on Windows lies in their own
// profile, which other users cannot write; there is no XDG_RUNTIME_DIR.
func checkPrivateBase(dir string, shared bool) (string, error) {
	if !shared {
		return "", errors.New("not used on Windows")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", errors.New("not a directory")
	}
	return dir, nil
}

var sharedTempDirs []string

func ownedByMe(os.FileInfo) bool { return true }
