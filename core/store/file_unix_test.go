//go:build unix

package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// The file store's directory and set files are checked as state files are
// (issue 19, holes 11 and 12). The case of a directory of another user is
// in e2e (TestFileStoreRefusesAnotherUsersDirectory), which makes that user.

// TestFileStoreRefusesASymlinkedDirectory: a credentials directory that is
// a link is not followed, neither to write (no chmod, no secret where it
// points) nor to read (what is there is not the user's).
func TestFileStoreRefusesASymlinkedDirectory(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	elsewhere := filepath.Join(base, "elsewhere")
	if err := os.Mkdir(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	planted := `{"claude":{"type":"api_key","key":"sk-planted-0123456789"}}`
	if err := os.WriteFile(filepath.Join(elsewhere, "default.json"), []byte(planted), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "credentials")
	if err := os.Symlink(elsewhere, dir); err != nil {
		t.Fatal(err)
	}
	s := &store.File{Dir: dir}
	err := s.Set(ctx, "default", "gh", sdk.APIKey("ghp_secret0123456789"))
	if !errors.Is(err, store.ErrUnsafeStore) || !strings.Contains(remedy.Text(err), "symbolic link") || !strings.Contains(remedy.Text(err), dir) {
		t.Errorf("Set through a linked directory: %v; want ErrUnsafeStore naming the link", err)
	}
	if fi, _ := os.Stat(elsewhere); fi.Mode().Perm() != 0o755 {
		t.Errorf("the link's target was chmodded to %v", fi.Mode().Perm())
	}
	if data, _ := os.ReadFile(filepath.Join(elsewhere, "default.json")); string(data) != planted {
		t.Errorf("the link's target was written: %s", data)
	}
	if _, err := s.Get(ctx, "default", "claude"); !errors.Is(err, store.ErrUnsafeStore) {
		t.Errorf("Get through a linked directory: %v; want ErrUnsafeStore", err)
	}
	if _, err := s.List(ctx); !errors.Is(err, store.ErrUnsafeStore) {
		t.Errorf("List through a linked directory: %v; want ErrUnsafeStore", err)
	}
}

// TestFileStoreTightensItsOwnDirectory: a directory of the user's own made
// by hand with looser modes is made 0700, as before.
func TestFileStoreTightensItsOwnDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "credentials")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &store.File{Dir: dir}
	if err := s.Set(context.Background(), "default", "gh", sdk.APIKey("ghp_secret0123456789")); err != nil {
		t.Fatal(err)
	}
	dfi, _ := os.Stat(dir)
	ffi, _ := os.Stat(filepath.Join(dir, "default.json"))
	if dfi.Mode().Perm() != 0o700 || ffi.Mode().Perm() != 0o600 {
		t.Errorf("modes: dir %v, file %v; want 0700 and 0600", dfi.Mode().Perm(), ffi.Mode().Perm())
	}
	if c, err := s.Get(context.Background(), "default", "gh"); err != nil || c.Get("key") != "ghp_secret0123456789" {
		t.Errorf("Get = %v, %v", c, err)
	}
}

// TestFileStoreDoesNotBlockOnANamedPipe: a set file that is a FIFO is
// refused at once, read or written; on main terok blocked in open(2).
func TestFileStoreDoesNotBlockOnANamedPipe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "credentials")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "default.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &store.File{Dir: dir}
	for _, op := range []struct {
		name string
		run  func() error
	}{
		{"get", func() error { _, err := s.Get(context.Background(), "default", "claude"); return err }},
		{"set", func() error { return s.Set(context.Background(), "default", "claude", sdk.APIKey("sk-x-0123456789")) }},
		{"delete", func() error { return s.Delete(context.Background(), "default", "claude") }},
	} {
		done := make(chan error, 1)
		go func() { done <- op.run() }()
		select {
		case err := <-done:
			if !errors.Is(err, store.ErrUnsafeStore) || !strings.Contains(remedy.Text(err), "named pipe") || !strings.Contains(remedy.Text(err), "move it aside") {
				t.Errorf("%s: %v; want ErrUnsafeStore saying it is a named pipe and what to do", op.name, err)
			}
		case <-time.After(20 * time.Second):
			// Unblock the open so the test binary can end.
			if w, err := os.OpenFile(filepath.Join(dir, "default.json"), os.O_WRONLY, 0); err == nil {
				_ = w.Close()
			}
			t.Fatalf("%s blocked on the named pipe", op.name)
		}
	}
}

// TestFileStoreRefusesAHugeSetFileWithoutReadingIt: a 200 MB set file is
// refused from its size; on main it was read whole into memory.
func TestFileStoreRefusesAHugeSetFileWithoutReadingIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "credentials")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "default.json"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 200 MB that take no disk.
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	s := &store.File{Dir: dir}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = s.Get(context.Background(), "default", "claude")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, store.ErrUnsafeStore) || !strings.Contains(remedy.Text(err), "too large") || !strings.Contains(remedy.Text(err), "8 MiB") {
		t.Errorf("Get: %v; want ErrUnsafeStore saying it is too large", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing the file allocated %d bytes: it was read", grew)
	}
	if err := s.Set(context.Background(), "default", "claude", sdk.APIKey("sk-x-0123456789")); !errors.Is(err, store.ErrUnsafeStore) {
		t.Errorf("Set over a huge file: %v; want ErrUnsafeStore", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "default.json")); fi.Size() != 200<<20 {
		t.Errorf("the file was replaced (size %d), though it was not terok's", fi.Size())
	}
}

// TestFileStoreRefusesWhatIsNotARegularFileOfTheUsers: links (to a file, to
// a device), a directory, and a file others may write, each refused with
// what it is and what to do, and left as it was.
func TestFileStoreRefusesWhatIsNotARegularFileOfTheUsers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string)
		want  string
	}{
		{"a link to a file", func(t *testing.T, path string) {
			other := filepath.Join(filepath.Dir(path), "other.txt")
			if err := os.WriteFile(other, []byte(`{}`), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("other.txt", path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"a link to a device", func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "a directory"},
		{"writable by others", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(`{"claude":{"type":"api_key","key":"sk-planted"}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, 0o666); err != nil {
				t.Fatal(err)
			}
		}, "writable by group or others"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "credentials")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "default.json")
			tc.plant(t, path)
			before, _ := os.Lstat(path)
			s := &store.File{Dir: dir}
			err := within(t, func() error { _, err := s.Get(context.Background(), "default", "claude"); return err })
			if !errors.Is(err, store.ErrUnsafeStore) || !strings.Contains(remedy.Text(err), tc.want) || !strings.Contains(remedy.Text(err), "move it aside") {
				t.Errorf("Get: %v; want ErrUnsafeStore containing %q", err, tc.want)
			}
			if err := s.Set(context.Background(), "default", "claude", sdk.APIKey("sk-x-0123456789")); !errors.Is(err, store.ErrUnsafeStore) {
				t.Errorf("Set: %v; want ErrUnsafeStore", err)
			}
			if after, _ := os.Lstat(path); !os.SameFile(before, after) {
				t.Error("Set replaced what was there")
			}
		})
	}
}

// within runs f, failing the test if it has not returned in 20 seconds (a
// read that never ends, as of /dev/zero).
func within(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("still running after 20s: it blocked, or read without end")
		return nil
	}
}
