package trust

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

// A script plugin's pin covers every file in its directory: editing,
// adding or removing one refuses it until it is trusted again.
func TestScriptPluginTrustCoversItsDirectory(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	dir := filepath.Join(base, "pyacme")
	script := filepath.Join(dir, "terok-provider-pyacme")
	writeFile(t, script, "#!/usr/bin/python3\nimport provider\n", 0o755)
	writeFile(t, filepath.Join(dir, "provider.py"), "KEY = 1\n", 0o644)
	writeFile(t, filepath.Join(dir, "lib", "util.py"), "x = 1\n", 0o644)
	s := &Store{Path: filepath.Join(base, "config", "plugins.lock")}

	pin, err := s.Trust(ctx, "pyacme", script)
	if err != nil {
		t.Fatal(err)
	}
	if len(pin.Manifest) != 3 || pin.Manifest["lib/util.py"] == "" {
		t.Fatalf("manifest = %v", pin.Manifest)
	}
	if err := openClose(s, "pyacme", script); err != nil {
		t.Fatalf("trusted script refused: %v", err)
	}

	for _, c := range []struct {
		name   string
		change func()
		want   string
	}{
		{"edited module", func() { writeFile(t, filepath.Join(dir, "provider.py"), "KEY = 2\n", 0o644) }, "provider.py (changed)"},
		{"new module", func() { writeFile(t, filepath.Join(dir, "evil.py"), "import os\n", 0o644) }, "evil.py (added)"},
		{"removed module", func() { _ = os.Remove(filepath.Join(dir, "lib", "util.py")) }, "lib/util.py (removed)"},
		{"planted bytecode", func() { writeFile(t, filepath.Join(dir, "__pycache__", "provider.cpython-311.pyc"), "x", 0o644) }, "__pycache__/provider.cpython-311.pyc (added)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Trust(ctx, "pyacme", script); err != nil {
				t.Fatal(err)
			}
			c.change()
			err := openClose(s, "pyacme", script)
			if !errors.Is(err, ErrManifestChanged) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "terok auth plugins trust "+script) {
				t.Errorf("after %s: %v, want ErrManifestChanged naming %q", c.name, err, c.want)
			}
			if st, _ := s.Verify(script); st != StatusChanged {
				t.Errorf("Verify after %s = %s", c.name, st)
			}
			if _, err := s.Trust(ctx, "pyacme", script); err != nil {
				t.Fatal(err)
			}
			if err := openClose(s, "pyacme", script); err != nil {
				t.Errorf("trusted again, still refused: %v", err)
			}
		})
	}
}

func TestBinaryPluginHasNoManifest(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "terok-provider-acme")
	writeFile(t, bin, "\x7fELF...", 0o755)
	writeFile(t, filepath.Join(dir, "terok-provider-other"), "\x7fELF", 0o755)
	s := &Store{Path: filepath.Join(dir, "plugins.lock")}
	pin, err := s.Trust(context.Background(), "acme", bin)
	if err != nil || pin.Manifest != nil {
		t.Fatalf("pin = %+v, %v", pin, err)
	}
	// Its neighbours may change: they are other plugins.
	writeFile(t, filepath.Join(dir, "terok-provider-other"), "\x7fELF v2", 0o755)
	if err := openClose(s, "acme", bin); err != nil {
		t.Errorf("a binary plugin refused for a neighbour's change: %v", err)
	}
}

// A script pinned before terok pinned directories must be trusted again.
func TestScriptPinWithoutManifest(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "terok-provider-sh")
	writeFile(t, script, "#!/bin/sh\n. ./lib.sh\n", 0o755)
	err := checkManifest(script, Pin{Path: script})
	if !errors.Is(err, ErrManifestChanged) || !strings.Contains(err.Error(), "does not cover the files it loads") {
		t.Errorf("checkManifest = %v", err)
	}
}

func TestManifestBounds(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "terok-provider-sh")
	writeFile(t, script, "#!/bin/sh\n", 0o755)
	for i := 0; i < maxManifestFiles; i++ {
		writeFile(t, filepath.Join(dir, "many", strings.Repeat("x", 1+i%7)+"-"+string(rune('a'+i%26))+"-"+strconv.Itoa(i)), "", 0o644)
	}
	if _, err := BuildManifest(script); err == nil || !strings.Contains(err.Error(), "give it a directory of its own") {
		t.Errorf("BuildManifest of a crowded directory = %v", err)
	}
}

// openClose opens the plugin as the host does before a start, and closes it.
func openClose(s *Store, name, path string) error {
	f, err := s.Open(name, path)
	if err == nil {
		_ = f.Close()
	}
	return err
}
