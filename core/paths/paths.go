// Package paths finds terok's per-user directories, following the XDG base
// directory spec: config ($XDG_CONFIG_HOME/terok), data ($XDG_DATA_HOME/terok),
// state ($XDG_STATE_HOME/terok) and cache ($XDG_CACHE_HOME/terok), with the
// usual defaults under $HOME.
package paths

import (
	"errors"
	"path/filepath"
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
