package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetInFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "terok", "config.yml")
	if err := SetInFile(ctx, path, "default_set", "work"); err != nil {
		t.Fatal(err)
	}
	if got, err := readFile(path); err != nil || got["default_set"] != "work" || len(got) != 1 {
		t.Fatalf("new file: %v, %v", got, err)
	}
	if err := os.WriteFile(path, []byte("# my settings\nstore: file # plain files\ndefault_set: work\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetInFile(ctx, path, "default_set", "personal"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	got, err := readFile(path)
	if err != nil || got["default_set"] != "personal" || got["store"] != "file" || !strings.Contains(string(data), "# my settings") || !strings.Contains(string(data), "# plain files") {
		t.Errorf("edited file %v, %v:\n%s", got, err, data)
	}
	for _, tc := range []struct{ key, value string }{{"default_set", "a/b"}, {"default_set", ""}, {"nosuch", "x"}} {
		if err := SetInFile(ctx, path, tc.key, tc.value); err == nil {
			t.Errorf("SetInFile(%s, %q) accepted", tc.key, tc.value)
		}
	}
	broken := []byte("store: [file\n")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetInFile(ctx, path, "default_set", "x"); err == nil || !strings.Contains(err.Error(), "fix them first") {
		t.Errorf("broken file: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != string(broken) {
		t.Errorf("a broken file was changed: %q", data)
	}
}
