package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeProvider(t *testing.T, path, name, label string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("version: 1\nname: "+name+"\nlabel: "+label+"\nmodes: [api_key]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestYAMLCacheServesUnchangedFilesAndRereadsChangedOnes(t *testing.T) {
	dir := t.TempDir()
	cacheDir := t.TempDir()
	writeProvider(t, filepath.Join(dir, "one.yaml"), "one", "One")
	writeProvider(t, filepath.Join(dir, "two.yaml"), "two", "Two")
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("name: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() *Registry {
		t.Helper()
		r, err := LoadCached(nil, nil, []YAMLSource{DirSource(dir)}, &YAMLCache{Dir: cacheDir})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Error(), "broken.yaml") {
			t.Fatalf("a broken file must be reported every time: %v", r.Problems)
		}
		return r
	}
	first := load()
	if first.YAML["one"].File == nil {
		t.Fatal("first load did not parse the file")
	}
	second := load()
	if y := second.YAML["one"]; y.File != nil || y.desc == nil || y.desc.Label != "One" {
		t.Fatalf("second load did not come from the cache: %+v", y)
	}
	var labels []string
	for _, e := range second.List(context.Background()) {
		labels = append(labels, e.Desc.Label)
	}
	if strings.Join(labels, ",") != "One,Two" {
		t.Errorf("listing from the cache: %v", labels)
	}
	p, err := second.Open(context.Background(), "two")
	if err != nil || p.Desc.Label != "Two" {
		t.Fatalf("open from the cache: %+v, %v", p, err)
	}

	// An edited file is read again; a removed one is gone.
	time.Sleep(10 * time.Millisecond)
	writeProvider(t, filepath.Join(dir, "one.yaml"), "one", "One, edited")
	if err := os.Remove(filepath.Join(dir, "two.yaml")); err != nil {
		t.Fatal(err)
	}
	third := load()
	if y := third.YAML["one"]; y.File == nil || y.describe().Label != "One, edited" {
		t.Errorf("edited file: %+v", y)
	}
	if _, ok := third.YAML["two"]; ok {
		t.Error("a removed file is still listed")
	}
}

func TestYAMLCacheOfAnotherBuildIsEmpty(t *testing.T) {
	dir := t.TempDir()
	cacheDir := t.TempDir()
	writeProvider(t, filepath.Join(dir, "one.yaml"), "one", "One")
	if _, err := LoadCached(nil, nil, []YAMLSource{DirSource(dir)}, &YAMLCache{Dir: cacheDir}); err != nil {
		t.Fatal(err)
	}
	cachePath := (&YAMLCache{Dir: cacheDir}).file(dir)
	data, err := os.ReadFile(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(data), `"build":"`, `"build":"another terok `, 1)
	if err := os.WriteFile(cachePath, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadCached(nil, nil, []YAMLSource{DirSource(dir)}, &YAMLCache{Dir: cacheDir})
	if err != nil {
		t.Fatal(err)
	}
	if r.YAML["one"].File == nil {
		t.Error("a cache written by another terok build was used")
	}
}
