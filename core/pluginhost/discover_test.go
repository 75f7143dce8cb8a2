package pluginhost

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
)

func TestDiscover(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	write := func(dir, name string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(first, "terok-provider-claude", 0o755)
	write(first, "terok-provider-notexec", 0o644)
	write(first, "terok-provider-Bad_Name", 0o755)
	write(first, "unrelated", 0o755)
	write(second, "terok-provider-claude", 0o755) // shadowed by first
	write(second, "terok-provider-codex", 0o755)
	if err := os.Mkdir(filepath.Join(second, "terok-provider-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(second, "terok-provider-codex"), filepath.Join(first, "terok-provider-linked")); err != nil {
		t.Fatal(err)
	}

	found, shadowed, err := Discover([]string{first, filepath.Join(first, "missing"), second})
	if err != nil {
		t.Fatal(err)
	}
	var got []names.Provider
	for _, p := range found {
		got = append(got, p.Name)
	}
	if want := []names.Provider{"claude", "codex", "linked"}; !reflect.DeepEqual(got, want) {
		t.Errorf("found %v, want %v", got, want)
	}
	if found[0].Path != filepath.Join(first, "terok-provider-claude") {
		t.Errorf("claude from %s, want the first dir", found[0].Path)
	}
	if len(shadowed) != 1 || shadowed[0].Path != filepath.Join(second, "terok-provider-claude") {
		t.Errorf("shadowed = %v", shadowed)
	}
}
