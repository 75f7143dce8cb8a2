package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/config"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

func TestSetsUseMakesTheDefaultSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "terok", "config.yml")
	getenv := func(string) string { return "" }
	load := func() *config.Config {
		c, err := config.Load(path, getenv, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	f, _ := gitFactory(t)
	f.Getenv, f.Config = getenv, load()
	io, _, _, errOut := iostreams.Test()
	f.IO = io
	if err := runCmd(newSetsCmd(f), []string{"use", "work"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "now use the set work") || !strings.Contains(errOut.String(), "Nothing is stored in work yet") {
		t.Errorf("stderr: %s", errOut)
	}
	// The next command reads the config again, as a new terok would.
	f.Config = load()
	var got []names.Set
	for _, args := range [][]string{{"gh"}, {"gh", "--set", "default"}} {
		if err := runCmd(newStatusCmd(f, func(_ context.Context, o *statusOptions) error { got = append(got, o.Set); return nil }), args); err != nil {
			t.Fatal(err)
		}
	}
	var execSets []names.Set
	if err := runCmd(newExecCmd(f, func(_ context.Context, o *execOptions) error {
		for _, p := range o.Providers {
			execSets = append(execSets, p.Set)
		}
		return nil
	}), []string{"claude,gh@personal", "--", "true"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "work" || got[1] != "default" || len(execSets) != 2 || execSets[0] != "work" || execSets[1] != "personal" {
		t.Errorf("status sets %v, exec sets %v; want [work default], [work personal]", got, execSets)
	}
	if err := runCmd(newSetsCmd(f), []string{"use", "a/b"}); err == nil || exitCode(context.Background(), err) != exitUsage {
		t.Errorf("a bad name: %v", err)
	}
	if err := runCmd(newSetsCmd(f), []string{"use"}); err == nil || exitCode(context.Background(), err) != exitUsage {
		t.Errorf("no name: %v", err)
	}
}

func TestSetsJSONMarksTheDefault(t *testing.T) {
	f, a := gitFactory(t)
	if err := a.Save(context.Background(), "work", "gh", sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_work0123456789", "host": "github.com"}}); err != nil {
		t.Fatal(err)
	}
	f.Getenv = func(k string) string {
		if k == "TEROK_DEFAULT_SET" {
			return "work"
		}
		return ""
	}
	c, err := config.Load(filepath.Join(t.TempDir(), "config.yml"), f.Getenv, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Config = c
	io, _, out, _ := iostreams.Test()
	f.IO = io
	if err := runCmd(newSetsCmd(f), []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	var sets []struct {
		Name    string `json:"name"`
		Default bool   `json:"default"`
	}
	if err := json.Unmarshal(out.Bytes(), &sets); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]bool{}
	for _, s := range sets {
		got[s.Name] = s.Default
	}
	if len(got) != 2 || !got["work"] || got["default"] {
		t.Errorf("sets --json with TEROK_DEFAULT_SET=work: %s", out)
	}
}
