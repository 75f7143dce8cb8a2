package pluginhost

import (
	"os"
	"strings"
)

// pluginName is the provider name in a plugin binary's file name, which on
// Windows ends in .exe.
func pluginName(file string) (string, bool) {
	base, ok := strings.CutSuffix(strings.ToLower(file), ".exe")
	if !ok {
		return "", false
	}
	return strings.CutPrefix(base, Prefix)
}

// isExecutable: Windows has no execute bit; a regular .exe file is a
// program (pluginName already required the suffix).
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
