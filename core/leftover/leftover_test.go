package leftover

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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
	removed, err := Remove(filepath.Join(dir, "_vibe-config"), secrets)
	if err != nil || !reflect.DeepEqual(removed, []string{leak2}) {
		t.Errorf("removed %v, %v", removed, err)
	}
	if _, err := os.Stat(leak1); err != nil {
		t.Error("a file outside the dir given was removed")
	}
}

func TestWrittenIsPerSetAndShared(t *testing.T) {
	ctx := context.Background()
	w := &Written{Path: filepath.Join(t.TempDir(), "state", "written.json")}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Add(ctx, "a", "p", []string{"/m/x", "/m/shared"}))
	must(w.Add(ctx, "b", "p", []string{"/m/shared"}))
	got, err := w.Take(ctx, "a", "p")
	if err != nil || !reflect.DeepEqual(got, []string{"/m/x"}) {
		t.Errorf("a/p takes %v, %v; a file set b also created stays", got, err)
	}
	if got, _ := w.Take(ctx, "a", "p"); got != nil {
		t.Errorf("taken twice: %v", got)
	}
	if got, _ := w.Take(ctx, "b", "p"); !reflect.DeepEqual(got, []string{"/m/shared"}) {
		t.Errorf("b/p takes %v", got)
	}
}
