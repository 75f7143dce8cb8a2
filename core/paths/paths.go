// Package paths finds terok's per-user directories, following the XDG base
// directory spec: config ($XDG_CONFIG_HOME/terok), data ($XDG_DATA_HOME/terok),
// state ($XDG_STATE_HOME/terok) and cache ($XDG_CACHE_HOME/terok), with the
// usual defaults under $HOME.
package paths

import (
	"errors"
	"path/filepath"
	"runtime"
	"slices"
)

// Dirs are terok's directories for one user.
type Dirs struct {
	Config string
	Data   string
	State  string
	Cache  string
}

// ErrNoHome means neither the XDG variables nor HOME say where to keep files.
var ErrNoHome = errors.New("cannot find the user's directories: set HOME (or XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME)")

// FromEnv returns the directories that getenv describes.
func FromEnv(getenv func(string) string) (Dirs, error) {
	var d Dirs
	var err error
	pick := func(xdg, fallback string) string {
		if v := getenv(xdg); filepath.IsAbs(v) {
			return filepath.Join(v, "terok")
		}
		home := getenv("HOME")
		if home == "" {
			err = ErrNoHome
			return ""
		}
		return filepath.Join(home, fallback, "terok")
	}
	d.Config = pick("XDG_CONFIG_HOME", ".config")
	d.Data = pick("XDG_DATA_HOME", filepath.Join(".local", "share"))
	d.State = pick("XDG_STATE_HOME", filepath.Join(".local", "state"))
	d.Cache = pick("XDG_CACHE_HOME", ".cache")
	return d, err
}

// PluginDirs returns where plugin binaries are looked for, in order of
// precedence: TEROK_PLUGIN_PATH (a list like PATH), the user's data dir,
// the directory of the terok executable (exeDir, may be ""), then the
// system dirs (none on Windows). The plugin host takes this list from its
// caller and reads no environment itself.
func PluginDirs(getenv func(string) string, d Dirs, exeDir string) []string {
	var dirs []string
	for _, p := range filepath.SplitList(getenv("TEROK_PLUGIN_PATH")) {
		if p != "" {
			dirs = append(dirs, p)
		}
	}
	if d.Data != "" {
		dirs = append(dirs, filepath.Join(d.Data, "plugins"))
	}
	if exeDir != "" {
		dirs = append(dirs, exeDir)
	}
	if runtime.GOOS != "windows" {
		dirs = append(dirs, "/usr/local/lib/terok/plugins", "/usr/lib/terok/plugins")
	}
	out := dirs[:0]
	for _, p := range dirs {
		if c := filepath.Clean(p); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
