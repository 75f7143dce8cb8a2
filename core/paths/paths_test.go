package paths

import (
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	env := map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "relative/is/ignored"}
	d, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := Dirs{Config: "/cfg/terok", Data: "/home/u/.local/share/terok", State: "/home/u/.local/state/terok", Cache: "/home/u/.cache/terok"}
	if d != want {
		t.Errorf("got %+v, want %+v", d, want)
	}
	if _, err := FromEnv(func(string) string { return "" }); !errors.Is(err, ErrNoHome) {
		t.Errorf("no HOME: %v", err)
	}
}

func TestPluginDirs(t *testing.T) {
	env := map[string]string{"TEROK_PLUGIN_PATH": "/a::/b/../b/" + string(filepath.ListSeparator) + "/a"}
	d := Dirs{Data: "/home/u/.local/share/terok"}
	got := PluginDirs(func(k string) string { return env[k] }, d, "/opt/terok/bin")
	want := []string{"/a", "/b", "/home/u/.local/share/terok/plugins", "/opt/terok/bin"}
	if runtime.GOOS != "windows" {
		want = append(want, "/usr/local/lib/terok/plugins", "/usr/lib/terok/plugins")
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := PluginDirs(func(string) string { return "" }, Dirs{}, ""); runtime.GOOS != "windows" && got[0] != "/usr/local/lib/terok/plugins" {
		t.Errorf("no dirs: %v", got)
	}
}
