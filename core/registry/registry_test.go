package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/usage"
)

func yamlFile(name, label string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("name: " + name + "\nlabel: " + label + "\n")}
}

func TestPrecedence(t *testing.T) {
	bundled := fstest.MapFS{"gh.yaml": yamlFile("gh", "GitHub (bundled)"), "vibe.yaml": yamlFile("vibe", "Vibe"), "sonar.yaml": yamlFile("sonar", "Sonar")}
	system := fstest.MapFS{"gh.yaml": yamlFile("gh", "GitHub (system)")}
	user := fstest.MapFS{
		"gh.yml":      yamlFile("gh", "GitHub (user)"),
		"broken.yaml": {Data: []byte("name: [\n")},
		"a-tool.yaml": yamlFile("tool", "Tool A"),
		"b-tool.yaml": yamlFile("tool", "Tool B"),
		"notes.txt":   {Data: []byte("not a provider")},
	}
	pluginDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(pluginDir, "terok-provider-sonar"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Load(&pluginhost.Host{}, []string{pluginDir}, []YAMLSource{
		{Label: "bundled", FS: bundled, Dir: "."},
		{Label: "/etc/terok/providers.d", FS: system, Dir: "."},
		{Label: "/home/u/.config/terok/providers.d", FS: user, Dir: "."},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names.Strings(r.Names()), ","); got != "gh,sonar,tool,vibe" {
		t.Errorf("names = %s", got)
	}
	p, err := r.Open(context.Background(), "gh")
	if err != nil || p.Desc.Label != "GitHub (user)" || p.Source != "/home/u/.config/terok/providers.d/gh.yml" {
		t.Errorf("gh = %+v, %v; the user's file should win", p, err)
	}
	if p, _ := r.Open(context.Background(), "tool"); p.Desc.Label != "Tool A" {
		t.Errorf("tool = %q; the first file in a directory wins", p.Desc.Label)
	}
	shadows := map[string]bool{}
	for _, s := range r.Shadowed {
		shadows[s.Kind+" "+s.Source+" by "+s.By] = true
	}
	for _, want := range []string{
		"yaml bundled:gh.yaml by /etc/terok/providers.d/gh.yaml",
		"yaml /etc/terok/providers.d/gh.yaml by /home/u/.config/terok/providers.d/gh.yml",
		"yaml bundled:sonar.yaml by " + filepath.Join(pluginDir, "terok-provider-sonar"),
	} {
		if !shadows[want] {
			t.Errorf("shadowed lacks %q: %v", want, shadows)
		}
	}
	problems := ""
	for _, p := range r.Problems {
		problems += p.Error() + "\n"
	}
	if !strings.Contains(problems, "broken.yaml:") || !strings.Contains(problems, `b-tool.yaml: provider "tool" is already defined in`) || len(r.Problems) != 2 {
		t.Errorf("problems:\n%s", problems)
	}
	var kinds []string
	for _, e := range r.List(context.Background()) {
		if e.Kind == "yaml" {
			kinds = append(kinds, string(e.Name))
		}
	}
	if strings.Join(kinds, ",") != "gh,tool,vibe" {
		t.Errorf("yaml entries listed: %v", kinds)
	}
}

func TestUnknownProviderListsYAMLToo(t *testing.T) {
	r, _ := Load(&pluginhost.Host{}, []string{"/p1", "/p2"}, []YAMLSource{{Label: "bundled", FS: fstest.MapFS{"gh.yaml": yamlFile("gh", "GitHub")}, Dir: "."}, {Label: "/y", FS: fstest.MapFS{}, Dir: "."}})
	_, err := r.Open(context.Background(), "nope")
	want := `unknown provider "nope"; available: gh. terok looked for plugins in /p1, /p2, and for provider files in bundled, /y`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	if !usage.Is(err) {
		t.Errorf("an unknown provider is not a usage error: %v", err)
	}
}

func TestUnknownProviderWithNoneInstalledSaysWhereItLooked(t *testing.T) {
	r, _ := Load(&pluginhost.Host{}, nil, nil)
	_, err := r.Open(context.Background(), "nope")
	want := `unknown provider "nope": no providers are installed. terok looked for plugins in no directory, and for provider files in no directory`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

func TestDirSourceOfOneFile(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"one.yaml", "two.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("name: "+strings.TrimSuffix(n, ".yaml")+"\nlabel: X\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	active, _, problems := loadYAML([]YAMLSource{DirSource(filepath.Join(dir, "two.yaml"))})
	if len(problems) != 0 || len(active) != 1 || active["two"].Source != filepath.Join(dir, "two.yaml") {
		t.Errorf("active = %v, problems = %v", active, problems)
	}
}
