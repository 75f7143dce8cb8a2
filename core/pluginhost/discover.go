// Package pluginhost finds provider plugins on the plugin path and runs them:
// each plugin is a child process speaking go-plugin over gRPC, started with a
// timeout, bounded on every call, and killed on every error path and when the
// host closes.
package pluginhost

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/terok-ai/terok-auth/core/names"
)

// Prefix is the file name prefix of every provider plugin binary.
const Prefix = "terok-provider-"

// Plugin is a plugin binary found on the plugin path.
type Plugin struct {
	Name names.Provider // the part after Prefix
	Path string         // absolute path of the binary
}

// Discover lists the plugins in dirs. When two dirs hold a plugin of the
// same name, the earlier dir wins and the later one is returned in shadowed.
// Missing dirs are skipped; files that are not executable, or whose name
// after the prefix is not a valid provider name, are ignored.
func Discover(dirs []string) (found, shadowed []Plugin, err error) {
	byName := map[names.Provider]bool{}
	var errs []error
	for _, dir := range dirs {
		entries, rerr := os.ReadDir(dir)
		if errors.Is(rerr, fs.ErrNotExist) || errors.Is(rerr, fs.ErrPermission) {
			continue
		}
		if rerr != nil {
			errs = append(errs, rerr)
			continue
		}
		for _, e := range entries {
			base, ok := pluginName(e.Name())
			if !ok {
				continue
			}
			name, nerr := names.ParseProvider(base)
			if nerr != nil {
				continue
			}
			path, perr := filepath.Abs(filepath.Join(dir, e.Name()))
			if perr != nil || !isExecutable(path) {
				continue
			}
			p := Plugin{Name: name, Path: path}
			if byName[name] {
				shadowed = append(shadowed, p)
				continue
			}
			byName[name] = true
			found = append(found, p)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found, shadowed, errors.Join(errs...)
}
