//go:build unix

package trust

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A link in a script plugin's directory is refused when trusting and when
// starting, wherever it points: in the red team's report, impl pointed into
// a sticky world-writable directory, where another user owned the target
// and changed the code the trusted script loaded. A file or directory
// beside the script that others may write, and a named pipe, are refused
// too.
func TestScriptPluginDirRefusesWhatItCannotPin(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		plant func(t *testing.T, dir, outside string)
		want  string
		is    error
	}{
		{"link to a file elsewhere", func(t *testing.T, dir, outside string) {
			writeFile(t, filepath.Join(outside, "impl.py"), "print(1)\n", 0o644)
			if err := os.Symlink(filepath.Join(outside, "impl.py"), filepath.Join(dir, "impl.py")); err != nil {
				t.Fatal(err)
			}
		}, "impl.py, in the directory of the script plugin", ErrUnvouched},
		{"link to a directory", func(t *testing.T, dir, outside string) {
			writeFile(t, filepath.Join(outside, "lib", "m.py"), "x = 1\n", 0o644)
			if err := os.Symlink(filepath.Join(outside, "lib"), filepath.Join(dir, "lib")); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link", ErrUnvouched},
		{"link inside the directory", func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "real.py"), "x = 1\n", 0o644)
			if err := os.Symlink("real.py", filepath.Join(dir, "alias.py")); err != nil {
				t.Fatal(err)
			}
		}, "alias.py, in the directory", ErrUnvouched},
		{"named pipe", func(t *testing.T, dir, _ string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file or directory", ErrUnvouched},
		{"module others may write", func(t *testing.T, dir, _ string) {
			p := filepath.Join(dir, "provider.py")
			writeFile(t, p, "x = 1\n", 0o644)
			if err := os.Chmod(p, 0o666); err != nil {
				t.Fatal(err)
			}
		}, "provider.py, in the directory of the script plugin", ErrWritable},
		{"subdirectory others may write", func(t *testing.T, dir, _ string) {
			sub := filepath.Join(dir, "lib")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sub, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
		}, "lib, in the directory", ErrWritable},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "plugin"), filepath.Join(base, "elsewhere")
			script := filepath.Join(dir, "terok-provider-pyacme")
			writeFile(t, script, "#!/usr/bin/python3\nimport impl\n", 0o755)
			s := &Store{Path: filepath.Join(base, "config", "plugins.lock")}

			// Planted before trusting: trust refuses.
			c.plant(t, dir, outside)
			_, err := s.Trust(ctx, "pyacme", script)
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Trust = %v, want %v naming %q", err, c.is, c.want)
			}
			if pins, _ := s.Pins(); len(pins) != 0 {
				t.Errorf("a refused plugin was pinned: %v", pins)
			}

			// Planted after trusting: the start refuses.
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			writeFile(t, script, "#!/usr/bin/python3\nimport impl\n", 0o755)
			if _, err := s.Trust(ctx, "pyacme", script); err != nil {
				t.Fatal(err)
			}
			c.plant(t, dir, outside)
			if err := openClose(s, "pyacme", script); !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open = %v, want %v naming %q", err, c.is, c.want)
			}
			if st, _ := s.Verify(script); st == StatusTrusted {
				t.Errorf("Verify = %s", st)
			}
		})
	}
}
