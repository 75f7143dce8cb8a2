package leftover

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFindAndRemove(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leak1 := write("_openrouter-config/config.json", `{"api_key": "sk-or-v1-secret"}`)
	leak2 := write("_vibe-config/.env", "MISTRAL_API_KEY=mistral-secret\n")
	write("_claude-config/.claude.json", `{"hasCompletedOnboarding": true}`)
	write("_x/short", "abc")
	if err := os.Symlink(leak1, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"sk-or-v1-secret", "mistral-secret", "abc"}
	found, err := Find(dir, secrets)
	if err != nil || !reflect.DeepEqual(found, []string{leak1, leak2}) {
		t.Fatalf("found %v, %v", found, err)
	}
	if found, _ := Find(filepath.Join(dir, "missing"), secrets); found != nil {
		t.Errorf("missing dir: %v", found)
	}
	removed, err := RemoveHolding(dir, "_vibe-config", secrets)
	if err != nil || !reflect.DeepEqual(removed, []string{leak2}) {
		t.Errorf("removed %v, %v", removed, err)
	}
	if _, err := os.Stat(leak1); err != nil {
		t.Error("a file outside the dir given was removed")
	}
}

// Removal stays in the provider's own dir and goes through no link below
// the mounts dir: a planted link makes it say what it did not remove.
func TestRemoveFollowsNoLink(t *testing.T) {
	mounts, victim := filepath.Join(t.TempDir(), "mounts"), t.TempDir()
	mk := func(p, content string) string {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secret := "sk-secret-for-links"
	precious := mk(filepath.Join(victim, "state.json"), `{"k": "`+secret+`"}`)
	other := mk(filepath.Join(mounts, "_claude-config", ".claude.json"), `{"k": "`+secret+`"}`)

	// The provider's whole dir is a link.
	if err := os.Symlink(victim, filepath.Join(mounts, "_evil-config")); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveHolding(mounts, "_evil-config", []string{secret})
	var nr NotRemoved
	if len(removed) != 0 || !errors.As(err, &nr) || !errors.Is(err, ErrLink) {
		t.Errorf("through a linked dir: removed %v, %v", removed, err)
	}
	removed, err = RemoveCreated(mounts, "_evil-config", []string{filepath.Join(mounts, "_evil-config", "state.json")})
	if len(removed) != 0 || !errors.Is(err, ErrLink) || !strings.Contains(err.Error(), "_evil-config is a symbolic link") {
		t.Errorf("a recorded file through a linked dir: removed %v, %v", removed, err)
	}

	// A link deeper down, and a file that is a link.
	if err := os.Remove(filepath.Join(mounts, "_evil-config")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mounts, "_evil-config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(mounts, "_evil-config", "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(precious, filepath.Join(mounts, "_evil-config", "file.json")); err != nil {
		t.Fatal(err)
	}
	removed, err = RemoveCreated(mounts, "_evil-config", []string{
		filepath.Join(mounts, "_evil-config", "sub", "state.json"), filepath.Join(mounts, "_evil-config", "file.json"),
		other, "/etc/passwd", filepath.Join(mounts, "_evil-config", "..", "_claude-config", ".claude.json"),
	})
	if len(removed) != 0 || err == nil {
		t.Errorf("removed %v, %v", removed, err)
	}
	for _, want := range []string{"sub is a symbolic link", "file.json: is a symbolic link", "/etc/passwd: is not in the provider's shared config dir", ".claude.json: is not in"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	if _, err := RemoveHolding(mounts, "_evil-config", []string{secret}); err != nil {
		t.Errorf("a scan past links: %v", err)
	}
	for _, p := range []string{precious, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}

	// What is really the provider's goes.
	mine := mk(filepath.Join(mounts, "_evil-config", "d", "state.json"), "{}")
	removed, err = RemoveCreated(mounts, "_evil-config", []string{mine, filepath.Join(mounts, "_evil-config", "gone.json")})
	if err != nil || !reflect.DeepEqual(removed, []string{mine}) {
		t.Errorf("removed %v, %v", removed, err)
	}
}
