//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(regular, []byte("name: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path string
		want       error
		msg        string
		symlink    bool
	}{
		{"regular", regular, nil, "", false},
		{"link to regular", link("l.yaml", regular), nil, "", true},
		{"fifo", fifo, ErrNotRegular, "it is a named pipe", false},
		{"link to fifo", link("lf.yaml", fifo), ErrNotRegular, "it is a named pipe", true},
		{"link to /dev/zero", link("zero.yaml", "/dev/zero"), ErrNotRegular, "it is a character device", true},
		{"directory", dir, ErrNotRegular, "it is a directory", false},
		{"too large", big, ErrTooLarge, "larger than the limit of 1 KiB", false},
		{"missing", filepath.Join(dir, "none"), fs.ErrNotExist, "", false},
		{"dangling link", link("d.yaml", filepath.Join(dir, "none")), fs.ErrNotExist, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var data []byte
			var info Info
			var err error
			go func() {
				data, info, err = ReadFileInfo(tc.path, 1024)
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("blocked")
			}
			if tc.want == nil {
				if err != nil || string(data) != "name: x\n" {
					t.Errorf("%q, %v", data, err)
				}
			} else if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("err = %v, want %v naming %s and saying %q", err, tc.want, tc.path, tc.msg)
			}
			if info.Symlink != tc.symlink {
				t.Errorf("symlink = %v", info.Symlink)
			}
		})
	}
}

// readSized reads what there is, whatever the stat said: a file that grew
// or shrank since is read whole, and past the limit it stops at limit+1
// bytes, so the caller can tell it is too large.
func TestReadSized(t *testing.T) {
	data := strings.Repeat("x", 5000)
	for _, c := range []struct {
		name        string
		size, limit int64
		want        int
	}{
		{"as stat'ed", 5000, 1 << 20, 5000},
		{"grew since", 100, 1 << 20, 5000},
		{"shrank since", 9000, 1 << 20, 5000},
		{"no size", 0, 1 << 20, 5000},
		{"over the limit", 5000, 4096, 4097},
		{"grew over the limit", 10, 4096, 4097},
	} {
		got, err := readSized(strings.NewReader(data), c.size, c.limit)
		if err != nil || len(got) != c.want || strings.Trim(string(got), "x") != "" {
			t.Errorf("%s: %d bytes, %v; want %d", c.name, len(got), err, c.want)
		}
	}
}
