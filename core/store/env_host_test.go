package store

import (
	"context"
	"errors"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
)

// TEROK_GH_API_KEY overrides the default host's gh credential, never the
// one stored for another host.
func TestEnvOverridesOnlyTheDefaultHost(t *testing.T) {
	e := &Env{Getenv: func(k string) string {
		if k == "TEROK_GH_API_KEY" {
			return "ghp_fromenv0123456789abcdef"
		}
		return ""
	}}
	if c, err := e.Get(context.Background(), names.DefaultSet, "gh"); err != nil || c.Fields["key"] != "ghp_fromenv0123456789abcdef" {
		t.Errorf("gh: %v, %v", c.Fields, err)
	}
	slot := names.OnHost("gh", "ghe.example.com")
	if _, err := e.Get(context.Background(), names.DefaultSet, slot); !errors.Is(err, ErrNotFound) {
		t.Errorf("%s: %v; want ErrNotFound", slot, err)
	}
}
