package paths

import (
	"errors"
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
