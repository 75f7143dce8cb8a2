package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

func newPluginsCmd(f *factory) *cobra.Command {
	var asJSON bool
	list := func(cmd *cobra.Command, _ []string) error { return pluginsListRun(cmd.Context(), f, asJSON, false) }
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List plugin binaries and manage which ones terok trusts",
		Long: "Plugins in the directory of the terok executable came with it. Any other plugin runs only\n" +
			"once you trust it: terok records its SHA-256 and refuses it when it changes.\n\n" +
			"Without a command, lists them (as 'plugins list').",
		Example: "  terok auth plugins\n" +
			"  terok auth plugins trust acme\n" +
			"  terok auth plugins verify --json",
		Args: noArgs,
		RunE: list,
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newPluginsInstallCmd(f), newPluginsRemoveCmd(f), newPluginsNewCmd(f)) // plugins_install.go, plugins_new.go
	cmd.AddCommand(
		&cobra.Command{
			Use: "list", Short: "List plugin binaries and their trust",
			Long: "List every terok-provider-* binary on the plugin path and every pinned one, with its trust:\n" +
				"bundled (came with terok), trusted, untrusted, changed (its SHA-256 differs from the pin),\n" +
				"writable (others could change it) or missing.",
			Example: "  terok auth plugins list\n  terok auth plugins list --json",
			Args:    noArgs, RunE: list,
		},
		&cobra.Command{
			Use: "verify", Short: "Check every plugin against its pin; exit 1 if any changed",
			Long: "Check every plugin binary against its pinned SHA-256, as 'list' does, and exit 1 if any\n" +
				"changed, went missing or can be written by others. For scripts and CI.",
			Example: "  terok auth plugins verify && echo all plugins as trusted",
			Args:    noArgs,
			RunE:    func(cmd *cobra.Command, _ []string) error { return pluginsListRun(cmd.Context(), f, asJSON, true) },
		},
		&cobra.Command{
			Use: "trust NAME|PATH...", Short: "Trust plugin binaries, pinning their SHA-256",
			Long: "Trust plugin binaries: record the SHA-256 of each, so terok runs it, and refuses it once\n" +
				"it changes. Name a plugin on the plugin path, or give the path of a binary. Bundled\n" +
				"plugins need no trust.",
			Example: "  terok auth plugins trust acme\n" +
				"  terok auth plugins trust ~/.local/lib/terok/plugins/terok-provider-acme --json",
			Args:              minArgs(1, "a plugin name or path"),
			ValidArgsFunction: completePlugins(f),
			RunE:              func(cmd *cobra.Command, args []string) error { return pluginsTrustRun(cmd.Context(), f, args, asJSON) },
		},
		&cobra.Command{
			Use: "untrust NAME|PATH...", Short: "Stop trusting plugin binaries",
			Long: "Forget the pins of plugin binaries, by name or by path: terok no longer runs them until\n" +
				"they are trusted again. The binaries themselves are not touched.",
			Example:           "  terok auth plugins untrust acme",
			Args:              minArgs(1, "a plugin name or path"),
			ValidArgsFunction: completePlugins(f),
			RunE: func(cmd *cobra.Command, args []string) error {
				for _, a := range args {
					n, err := f.Trust.Untrust(cmd.Context(), a)
					if err != nil {
						return err
					}
					if n == 0 {
						fmt.Fprintf(f.IO.ErrOut, "%s was not trusted; nothing to do\n", a)
					} else {
						fmt.Fprintf(f.IO.ErrOut, "No longer trusting %s (%d binary)\n", a, n)
					}
				}
				return nil
			},
		},
	)
	return cmd
}

func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usage.Errorf("expected %s", what)
		}
		return nil
	}
}

// resolvePlugin turns a name or a path into a plugin binary.
func resolvePlugin(f *factory, arg string) (name, path string, err error) {
	if strings.ContainsRune(arg, filepath.Separator) || strings.ContainsRune(arg, '/') {
		name = strings.TrimPrefix(filepath.Base(arg), pluginhost.Prefix)
		if runtime.GOOS == "windows" {
			name = strings.TrimSuffix(strings.ToLower(name), ".exe")
		}
		if !strings.HasPrefix(filepath.Base(arg), pluginhost.Prefix) || !sdk.ValidName(name) {
			return "", "", usage.Errorf("%s is not a plugin binary: plugins are named %sNAME", arg, pluginhost.Prefix)
		}
		if _, err := os.Stat(arg); err != nil {
			return "", "", err
		}
		return name, arg, nil
	}
	found, _, _ := pluginhost.Discover(f.SearchPath)
	for _, p := range found {
		if string(p.Name) == arg {
			return arg, p.Path, nil
		}
	}
	return "", "", usage.Errorf("no plugin %q on the plugin path (searched: %s); give the binary's path instead, or install it: terok auth plugins install SOURCE", arg, strings.Join(f.SearchPath, ", "))
}

// trustJSON is the --json shape of one plugin trusted; keep it stable.
type trustJSON struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	SHA256  string `json:"sha256,omitempty"`
	Bundled bool   `json:"bundled,omitempty"`
}

func pluginsTrustRun(ctx context.Context, f *factory, args []string, asJSON bool) error {
	out := []trustJSON{}
	defer func() {
		if asJSON {
			enc := json.NewEncoder(f.IO.Out)
			enc.SetIndent("", "  ")
			_ = enc.Encode(out)
		}
	}()
	for _, a := range args {
		name, path, err := resolvePlugin(f, a)
		if err != nil {
			return err
		}
		if f.Trust.Bundled(path) {
			fmt.Fprintf(f.IO.ErrOut, "%s came with terok (%s); it needs no trust\n", name, path)
			out = append(out, trustJSON{Name: name, Path: path, Bundled: true})
			continue
		}
		pin, err := f.Trust.Trust(ctx, name, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "Trusted %s (%s), sha256 %s\n", name, pin.Path, pin.SHA256)
		out = append(out, trustJSON{Name: name, Path: pin.Path, SHA256: pin.SHA256})
	}
	return nil
}

type pluginJSON struct {
	Name   string       `json:"name"`
	Path   string       `json:"path"`
	Status trust.Status `json:"status"`
	Error  string       `json:"error,omitempty"`
}

func pluginsListRun(_ context.Context, f *factory, asJSON, verify bool) error {
	found, shadowed, _ := pluginhost.Discover(f.SearchPath)
	pins, err := f.Trust.Pins()
	if err != nil {
		return err
	}
	var out []pluginJSON
	seen := map[string]bool{}
	for _, p := range append(found, shadowed...) {
		st, verr := f.Trust.Verify(p.Path)
		j := pluginJSON{Name: string(p.Name), Path: p.Path, Status: st}
		if verr != nil {
			j.Error = verr.Error()
		}
		if real, err := trust.Canonical(p.Path); err == nil {
			seen[real] = true
		}
		out = append(out, j)
	}
	for _, pin := range trust.SortedPins(pins) {
		if !seen[pin.Path] {
			st, verr := f.Trust.Verify(pin.Path)
			j := pluginJSON{Name: pin.Name, Path: pin.Path, Status: st}
			if verr != nil {
				j.Error = verr.Error()
			}
			out = append(out, j)
		}
	}
	if asJSON {
		if out == nil {
			out = []pluginJSON{}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTRUST\tPATH")
		for _, j := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", j.Name, j.Status, j.Path)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var bad []string
	for _, j := range out {
		switch j.Status {
		case trust.StatusMissing:
			bad = append(bad, fmt.Sprintf("%s (gone; forget it with: terok auth plugins untrust %s)", j.Path, j.Path))
		case trust.StatusChanged, trust.StatusWritable:
			bad = append(bad, fmt.Sprintf("%s (%s)", j.Path, j.Status))
		case trust.StatusUntrusted:
			if !verify {
				fmt.Fprintf(f.IO.ErrOut, "%s is not trusted; to run it: terok auth plugins trust %s\n", j.Name, j.Path)
			}
		}
	}
	if verify && len(bad) > 0 {
		return errors.New("plugins that may not run: " + strings.Join(bad, ", ") + "; trust a changed one again only if you changed it yourself")
	}
	return nil
}
