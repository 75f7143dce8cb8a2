package store_test

import (
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
)

func TestParseSet(t *testing.T) {
	for _, s := range []string{"default", "work", "a.b_c-9", "0", strings.Repeat("x", 64)} {
		if got, err := store.ParseSet(s); err != nil || string(got) != s {
			t.Errorf("ParseSet(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "a b", "a/b", "../x", ".hidden", "-x", "é", "a\x00b", strings.Repeat("x", 65)} {
		got, err := store.ParseSet(s)
		if err == nil || got != "" || !usage.Is(err) {
			t.Errorf("ParseSet(%q) = %q, %v; want a usage error", s, got, err)
			continue
		}
		if want := `invalid --set "`; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseSet(%q): %v, want it to start %s", s, err, want)
		}
	}
}
