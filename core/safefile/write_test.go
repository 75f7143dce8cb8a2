package safefile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

func TestWriteFileReplacesAndLeavesNoTemp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v, %v", fi.Mode(), err)
		}
		di, err := os.Stat(dir)
		if err != nil || di.Mode().Perm() != 0o700 {
			t.Errorf("dir mode %v, %v", di.Mode(), err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only f.json: %v", len(entries), entries)
	}
}

func TestWriteFileFailureKeepsTheOldContent(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		// Root writes into a read-only directory anyway: make the rename
		// fail instead, by putting a directory where the file goes.
		dir := t.TempDir()
		path := filepath.Join(dir, "f")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(path, "keep"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, []byte("new"), 0o600); err == nil {
			t.Fatal("WriteFile over a non-empty directory succeeded")
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("a temp file was left behind: %v", entries)
		}
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	if err := WriteFile(path, []byte("new"), 0o600); err == nil {
		t.Fatal("WriteFile into a read-only directory succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("content %q, want the old one", got)
	}
}

// Concurrent read-modify-write cycles under Locked lose no update.
func TestLockedSerialises(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counter")
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Locked(context.Background(), path, func() error {
				b, _ := os.ReadFile(path)
				v, _ := strconv.Atoi(string(b))
				time.Sleep(time.Millisecond)
				return WriteFile(path, []byte(strconv.Itoa(v+1)), 0o600)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(n) {
		t.Errorf("counter = %s, want %d", b, n)
	}
}

func TestLockedRemovesTempFilesOfAKilledWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "creds.json")
	stale := filepath.Join(dir, ".creds.json.tmp-123")
	if err := os.WriteFile(stale, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Locked(context.Background(), path, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file: %v", err)
	}
}

// A caller that gives up while another process holds the lock gets its own
// cancellation back, not a claim that the holder was stuck.
func TestLockedCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	other := flock.New(path + ".lock")
	if err := other.Lock(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Unlock() }()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	ran := false
	err := Locked(ctx, path, func() error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("err = %v, ran = %t", err, ran)
	}
}
