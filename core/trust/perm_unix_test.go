//go:build unix

package trust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOtherUsersFilesAreRefused: mode bits are not enough. A binary, its
// directory or any directory above, owned by another user, may be swapped
// by that user whatever its mode.
func TestOtherUsersFilesAreRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test gives files to another user, which needs root (the test machine runs as root)")
	}
	const nobody = 65534
	for _, which := range []string{"binary", "dir", "parent"} {
		t.Run(which, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "parent", "plugins")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "terok-provider-x")
			if err := os.WriteFile(p, []byte("x"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := CheckPermissions(p); err != nil {
				t.Fatalf("before chown: %v", err)
			}
			target := map[string]string{"binary": p, "dir": dir, "parent": filepath.Dir(dir)}[which]
			if err := os.Chown(target, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			err := CheckPermissions(p)
			if !errors.Is(err, ErrWritable) || !strings.Contains(err.Error(), "belongs to another user (uid 65534)") {
				t.Errorf("%s owned by nobody, mode 0755: %v", which, err)
			}
			s := &Store{Path: filepath.Join(base, "plugins.lock")}
			if _, err := s.Open("x", p); !errors.Is(err, ErrWritable) {
				t.Errorf("Open: %v", err)
			}
		})
	}
}

// TestDirectoryChainIsChecked: a group- or world-writable directory anywhere
// above the plugin lets others rename it away; a sticky one (like /tmp) does
// not, except as the plugin's own directory.
func TestDirectoryChainIsChecked(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "terok-provider-x")
	if err := os.WriteFile(p, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	above := filepath.Join(base, "a")
	for _, tc := range []struct {
		path string
		mode os.FileMode
		ok   bool
	}{
		{above, 0o777, false},
		{above, 0o775, false},
		{above, 0o777 | os.ModeSticky, true},
		{dir, 0o777 | os.ModeSticky, false},
	} {
		if err := os.Chmod(tc.path, tc.mode); err != nil {
			t.Fatal(err)
		}
		err := CheckPermissions(p)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrWritable) {
			t.Errorf("%s %v: %v", tc.path, tc.mode, err)
		}
		_ = os.Chmod(above, 0o755)
		_ = os.Chmod(dir, 0o755)
	}
}

// TestNotARegularFileIsRefused: a FIFO in a plugin's place is refused
// without blocking on it.
func TestNotARegularFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "terok-provider-x")
	if err := syscall.Mkfifo(p, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Store{Path: filepath.Join(dir, "plugins.lock"), BundledDir: dir}
	if _, err := s.Open("x", p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO: %v", err)
	}
}

// BenchmarkOpenPinned is what trust adds to a plugin's start: the owner
// and mode checks up the directory chain, one open, and the hash of a
// binary the size of a real plugin (20 MiB) through the open file.
func BenchmarkOpenPinned(b *testing.B) {
	dir := b.TempDir()
	p := filepath.Join(dir, "terok-provider-x")
	if err := os.WriteFile(p, make([]byte, 20<<20), 0o755); err != nil {
		b.Fatal(err)
	}
	s := &Store{Path: filepath.Join(dir, "plugins.lock")}
	if _, err := s.Trust(b.Context(), "x", p); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, err := s.Open("x", p)
		if err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
	}
}
