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
