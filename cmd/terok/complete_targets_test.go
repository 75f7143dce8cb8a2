package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/config"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/sdk"
)

// listSource is a providerSource that lists providers and opens none.
type listSource []names.Provider

func (l listSource) Names() []names.Provider { return l }
func (l listSource) Open(context.Context, names.Provider) (*registry.Provider, error) {
	panic("completion opened a provider")
}
func (l listSource) List(context.Context) []registry.Entry {
	var out []registry.Entry
	for _, n := range l {
		out = append(out, registry.Entry{Name: n, Desc: &sdk.DescribeResponse{Name: string(n), Label: "L-" + string(n)}})
	}
	return out
}
func (l listSource) ShadowedProviders() []registry.Shadowed      { return nil }
func (l listSource) SearchPath() (pluginDirs, yamlDirs []string) { return nil, nil }

func TestCompleteTargetsAfterAComma(t *testing.T) {
	f, a := gitFactory(t) // gh, gh:ghe.example.com, glab:gitlab.example.com, claude in "default"
	if err := a.Save(context.Background(), "work", "claude", sdk.APIKey("sk-ant-api03-x")); err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Load(filepath.Join(t.TempDir(), "none.yml"), func(string) string { return "" }, nil, nil)
	f.Config = cfg
	f.Providers = func() (providerSource, error) { return listSource{"claude", "codex", "gh"}, nil }
	complete := func(args []string, word string) []string {
		cmd := newExecCmd(f, nil)
		cmd.SetContext(context.Background())
		got, dir := completeTargets(f)(cmd, args, word)
		if dir != cobra.ShellCompDirectiveNoFileComp {
			t.Errorf("directive %v", dir)
		}
		return append([]string(nil), got...)
	}
	got := complete(nil, "claude,")
	for _, want := range []string{"claude,codex\tL-codex", "claude,gh\tL-gh", "claude,gh:ghe.example.com\tstored; another host"} {
		if !slices.Contains(got, want) {
			t.Errorf("after \"claude,\": %q lacks %q", got, want)
		}
	}
	for _, c := range got {
		if c == "claude,claude\tL-claude" {
			t.Errorf("offers claude again: %q", got)
		}
	}
	if got := complete(nil, "gh,claude@"); !slices.Equal(got, []string{"gh,claude@default", "gh,claude@work"}) {
		t.Errorf("after \"gh,claude@\": %q", got)
	}
	if got := complete([]string{"codex"}, ""); slices.ContainsFunc(got, func(s string) bool { return s == "codex\tL-codex" }) {
		t.Errorf("offers a provider already named: %q", got)
	}
}
