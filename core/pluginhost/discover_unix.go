//go:build !windows

package pluginhost

import (
	"os"
	"strings"
)

// pluginName is the provider name in a plugin binary's file name.
func pluginName(file string) (string, bool) { return strings.CutPrefix(file, Prefix) }

// isExecutable follows links: an installed plugin is often a link into a
// package's own directory.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
