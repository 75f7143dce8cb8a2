package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/sdk"
)

func TestRefusalsAreRememberedByBinaryIdentity(t *testing.T) {
	dir := t.TempDir()
	liar := filepath.Join(dir, "terok-provider-liar")
	old := filepath.Join(dir, "terok-provider-old")
	crashy := filepath.Join(dir, "terok-provider-crashy")
	for _, p := range []string{liar, old, crashy} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cachePath := filepath.Join(dir, "cache", "plugin-descriptions.json")
	c := &DescribeCache{Path: cachePath}
	c.putRefusal(liar, &refusal{errors.New(`plugin liar says its name is "somebody-else"`)})
	c.putRefusal(old, fmt.Errorf("%w: plugin old speaks plugin protocol 2", pluginhost.ErrProtocol))
	c.putRefusal(crashy, fmt.Errorf("start plugin crashy: %w: EOF", pluginhost.ErrPluginFailed))
	c.put(crashy, &sdk.DescribeResponse{Name: "crashy"})
	seen := map[string]bool{}
	for _, p := range []string{liar, old, crashy} {
		key, _ := identity(p)
		seen[key] = true
	}
	c.save(seen)

	again := &DescribeCache{Path: cachePath}
	if err := again.refusalOf(liar); err == nil || err.Error() != `plugin liar says its name is "somebody-else"` {
		t.Errorf("liar: %v", err)
	}
	if err := again.refusalOf(old); !errors.Is(err, pluginhost.ErrProtocol) {
		t.Errorf("old: %v, want ErrProtocol kept", err)
	}
	if err := again.refusalOf(crashy); err != nil {
		t.Errorf("a crash was remembered as a refusal: %v", err)
	}
	if d, ok := again.get(crashy); !ok || d.Name != "crashy" {
		t.Errorf("description lost next to refusals: %v %v", d, ok)
	}

	// A new binary under the same name is asked again.
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(liar, []byte("#!/bin/sh\n# fixed\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := (&DescribeCache{Path: cachePath}).refusalOf(liar); err != nil {
		t.Errorf("refusal outlived the binary: %v", err)
	}
}

func TestCacheOfAnOlderLayoutIsEmpty(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "terok-provider-x")
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	key, _ := identity(bin)
	cachePath := filepath.Join(dir, "c.json")
	// The first layout: a bare map of descriptions.
	if err := os.WriteFile(cachePath, []byte(fmt.Sprintf(`{%q: {"name": "x"}}`, key)), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, ok := (&DescribeCache{Path: cachePath}).get(bin); ok {
		t.Errorf("read %v from a cache of another layout", d)
	}
}
