//go:build unix

package capture

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWipeRemovesUnfriendlyTrees(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "terok-auth-1-x")
	write(t, filepath.Join(dir, ".credentials.json"), "secret")
	deepTree(t, dir, 1000)
	write(t, filepath.Join(dir, "ro", "secret.json"), "secret")
	if err := os.Chmod(filepath.Join(dir, "ro"), 0o500); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "none", "secret.json"), "secret")
	if err := os.Chmod(filepath.Join(dir, "none"), 0); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "keep")
	write(t, outside, "keep")
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	// os.RemoveAll would need a descriptor per level.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	low := lim
	low.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	err := Wipe(dir)
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	if err != nil {
		t.Fatalf("Wipe: %v", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s is still there", dir)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("Wipe followed a link: %v", err)
	}
	if err := Wipe(dir); err != nil {
		t.Errorf("Wipe of nothing: %v", err)
	}
}
