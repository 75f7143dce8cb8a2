//go:build unix

package registry

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
)

// TestHostileProviderFilesAreRefused: a FIFO, a link to /dev/zero, a link
// to a file only its owner may read (standing in for /etc/shadow) and a
// huge file are each refused with an error that names the file and quotes
// nothing of it; a good file next to them still loads; nothing blocks.
func TestHostileProviderFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../../providers.d/blablador.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("good.yaml", good, 0o644)
	write("huge.yaml", []byte("name: x\n"+strings.Repeat("#", 300<<10)), 0o644)
	secret := write(".secret", []byte("root:$y$j9T$TOP-SECRET-HASH:20228:0:99999:7:::\n"), 0o600)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero.yaml": "/dev/zero", "shadow.yaml": secret} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	var active map[names.Provider]YAMLProvider
	var problems []error
	go func() {
		active, _, problems = loadYAML([]YAMLSource{DirSource(dir)})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("loading the provider files blocked")
	}
	if _, ok := active["blablador"]; !ok {
		t.Errorf("the good file did not load: %v", problems)
	}
	want := map[string]string{
		"fifo.yaml":   "it is a named pipe",
		"zero.yaml":   "it is a character device",
		"huge.yaml":   "larger than the limit of 256 KiB",
		"shadow.yaml": "a link to a file that not everyone may read",
	}
	for _, p := range problems {
		msg := p.Error()
		if strings.Contains(msg, "TOP-SECRET") || strings.Contains(msg, "root:") {
			t.Errorf("a problem quotes the file: %s", msg)
		}
		for name, says := range want {
			if strings.Contains(msg, filepath.Join(dir, name)) && strings.Contains(msg, says) {
				delete(want, name)
			}
		}
	}
	for name, says := range want {
		t.Errorf("%s: no problem saying %q in %v", name, says, problems)
	}
}
