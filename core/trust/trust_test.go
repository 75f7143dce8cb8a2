package trust

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestTrustLifecycle(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	bundled := filepath.Join(base, "bin")
	other := filepath.Join(base, "plugins")
	for _, d := range []string{bundled, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	own := filepath.Join(bundled, "terok-provider-claude")
	third := filepath.Join(other, "terok-provider-acme")
	for _, p := range []string{own, third} {
		if err := os.WriteFile(p, []byte("binary v1"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := &Store{Path: filepath.Join(base, "config", "plugins.lock"), BundledDir: bundled}

	if f, err := s.Open("claude", own); err != nil {
		t.Errorf("bundled: %v", err)
	} else {
		_ = f.Close()
	}
	if _, err := s.Open("acme", third); !errors.Is(err, ErrUntrusted) {
		t.Errorf("untrusted: %v", err)
	}
	if err := s.Check("acme", third); !errors.Is(err, ErrUntrusted) {
		t.Errorf("untrusted, check: %v", err)
	}
	pin, err := s.Trust(ctx, "acme", third)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Open("acme", third)
	if err != nil {
		t.Fatalf("trusted: %v", err)
	}
	_ = f.Close()
	if st, _ := s.Verify(third); st != StatusTrusted {
		t.Errorf("status %s", st)
	}
	if err := os.WriteFile(third, []byte("binary v2"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open("acme", third); !errors.Is(err, ErrChanged) {
		t.Errorf("a changed binary opened: %v", err)
	}
	if st, _ := s.Verify(third); st != StatusChanged {
		t.Errorf("status after change: %s", st)
	}
	if n, err := s.Untrust(ctx, "acme"); err != nil || n != 1 {
		t.Errorf("untrust: %d, %v", n, err)
	}
	if pins, _ := s.Pins(); len(pins) != 0 {
		t.Errorf("pins left: %v", pins)
	}
	if pin.SHA256 == "" || pin.Path != third {
		t.Errorf("pin = %+v", pin)
	}
}

func TestWritableIsRefused(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "terok-provider-x")
	if err := os.WriteFile(p, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckPermissions(p); err != nil {
		t.Fatalf("0755 in a 0700 dir: %v", err)
	}
	for _, tc := range []struct {
		path string
		mode os.FileMode
	}{{p, 0o775}, {p, 0o757}, {dir, 0o770}, {dir, 0o1777}} {
		if err := os.Chmod(tc.path, tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := CheckPermissions(p); !errors.Is(err, ErrWritable) {
			t.Errorf("%s %v: %v", tc.path, tc.mode, err)
		}
		_ = os.Chmod(p, 0o755)
		_ = os.Chmod(dir, 0o700)
	}
}
