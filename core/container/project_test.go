package container_test

import (
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/usage"
)

func TestParseProject(t *testing.T) {
	for _, s := range []string{"", "p1", "My.Project_2-x", strings.Repeat("p", 63)} {
		if got, err := container.ParseProject(s); err != nil || string(got) != s {
			t.Errorf("ParseProject(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"../x", "a b", "a/b", "-p", ".p", "p:1", strings.Repeat("p", 64)} {
		got, err := container.ParseProject(s)
		if err == nil || got != "" || !usage.Is(err) || !strings.HasPrefix(err.Error(), `invalid --project "`) {
			t.Errorf("ParseProject(%q) = %q, %v; want a usage error", s, got, err)
		}
	}
}

func TestNameOfAProject(t *testing.T) {
	if got := container.Name("", "claude"); got != "host-auth-claude" {
		t.Errorf("Name(host-wide) = %s", got)
	}
	p, _ := container.ParseProject("web")
	if got := container.Name(p, "claude"); got != "web-auth-claude" {
		t.Errorf("Name(web) = %s", got)
	}
}
