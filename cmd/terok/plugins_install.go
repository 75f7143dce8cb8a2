package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// installOptions holds `plugins install`'s flags and dependencies.
type installOptions struct {
	Source    string
	Checksums string
	// Replace allows installing over a provider of the same name
	// (bundled, installed before, or a provider file).
	Replace bool
	// Client fetches https sources; tests give one that trusts their
	// server. The system's CA roots (and SSL_CERT_FILE) apply otherwise.
	Client *http.Client
}

// userPluginDir is where `plugins install` puts plugins: the user's data
// dir, which is on the plugin search path.
func userPluginDir(f *factory) string { return filepath.Join(f.Dirs.Data, "plugins") }

func newPluginsInstallCmd(f *factory) *cobra.Command {
	opts := &installOptions{}
	cmd := &cobra.Command{
		Use:   "install SOURCE",
		Short: "Install a plugin from a release archive, an https URL of one, or a binary, and trust it",
		Long: "SOURCE is a release archive (terok-provider-NAME_VERSION_OS_ARCH.tar.gz or .zip), an https URL\n" +
			"of one, or a plugin binary (terok-provider-NAME). An archive is installed only when its\n" +
			"SHA256SUMS (beside it, or given with --checksums) lists it with a matching SHA-256; a binary\n" +
			"is checked against a SHA256SUMS beside it when there is one. The plugin goes into\n" +
			"$XDG_DATA_HOME/terok/plugins and is trusted (pinned). An archive installs only the plugin it is\n" +
			"named for. A plugin whose name a provider already has (a bundled one such as claude or gh, or\n" +
			"one installed before) is refused unless --replace is given, and then terok says what it replaces.\n" +
			"See docs/plugin-release.md.",
		Example: "  terok auth plugins install https://example.com/v0.1.0/terok-provider-acme_0.1.0_linux_amd64.tar.gz\n" +
			"  terok auth plugins install ./terok-provider-acme_0.1.0_linux_amd64.tar.gz --checksums ./SHA256SUMS\n" +
			"  terok auth plugins install ./terok-provider-acme",
		Args: exactArgs(1, "a release archive, URL or plugin binary"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source = args[0]
			return pluginsInstallRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Checksums, "checksums", "", "the SHA256SUMS file or https URL to verify against (default: the one beside SOURCE)")
	cmd.Flags().BoolVar(&opts.Replace, "replace", false, "install even over a provider of the same name (bundled or installed before), which the new plugin replaces")
	return cmd
}

func pluginsInstallRun(ctx context.Context, f *factory, opts *installOptions) error {
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute, CheckRedirect: pluginhost.HTTPSOnly}
	}
	rel, err := pluginhost.FetchRelease(ctx, client, opts.Source, opts.Checksums)
	if err != nil {
		return err
	}
	// Verify before reading the archive: an archive nobody vouches for is
	// not parsed at all.
	sum, err := rel.Verify()
	if err != nil {
		return err
	}
	p, err := rel.Plugin()
	if err != nil {
		return err
	}
	existing := existingProviders(f, p.Name())
	if len(existing) > 0 && !opts.Replace {
		return usage.Errorf("%s%s would replace %s, and every later command for %s would use it; nothing was installed. "+
			"If that is what you want, run again with --replace", pluginhost.Prefix, p.Name(), strings.Join(existing, " and "), p.Name())
	}
	if !rel.HasSums() {
		fmt.Fprintf(f.IO.ErrOut, "No %s beside %s; installing the binary you gave (sha256 %s)\n", pluginhost.ChecksumsName, opts.Source, sum)
	}
	for _, e := range existing {
		fmt.Fprintf(f.IO.ErrOut, "Replacing %s (--replace)\n", e)
	}
	dest, err := p.Place(userPluginDir(f))
	if err != nil {
		return fmt.Errorf("install %s: %w; nothing was installed", p.Name(), err)
	}
	pin, err := f.Trust.Trust(ctx, p.Name(), dest)
	if err != nil {
		_ = os.Remove(dest)
		return fmt.Errorf("trust %s: %w; the plugin was removed again", dest, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Installed %s to %s and trusted it (sha256 %s)\n", p.Name(), dest, pin.SHA256)
	found, _, _ := pluginhost.Discover(f.SearchPath)
	for _, q := range found {
		if string(q.Name) == p.Name() && q.Path != dest {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s comes earlier on the plugin path and wins over the one just installed\n", q.Path)
		}
	}
	return nil
}

// existingProviders describes every provider called name that terok
// knows now, winning or shadowed: a bundled or installed plugin, or a
// provider file. Installing a plugin of that name replaces each (a plugin
// wins over a provider file of its name).
func existingProviders(f *factory, name string) []string {
	if _, err := f.Providers(); err != nil || f.registry == nil {
		return nil
	}
	var out []string
	describe := func(kind, source string) {
		switch {
		case kind == "plugin" && f.Trust != nil && filepath.Dir(source) == f.Trust.BundledDir:
			out = append(out, "the bundled plugin "+name+" ("+source+")")
		case kind == "plugin":
			out = append(out, "the installed plugin "+name+" ("+source+")")
		case strings.HasPrefix(source, "bundled:"):
			out = append(out, "the bundled provider "+name+" ("+source+")")
		default:
			out = append(out, "the provider "+name+" of "+source)
		}
	}
	for _, p := range f.registry.Plugins {
		if string(p.Name) == name {
			describe("plugin", p.Path)
		}
	}
	for n, y := range f.registry.YAML {
		if string(n) == name {
			describe("yaml", y.Source)
		}
	}
	for _, s := range f.registry.Shadowed {
		if string(s.Name) == name {
			describe(s.Kind, s.Source)
		}
	}
	return out
}

func newPluginsRemoveCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a plugin installed with `plugins install`, and stop trusting it",
		Long: "Remove the plugin NAME from the user plugin dir ($XDG_DATA_HOME/terok/plugins) and remove\n" +
			"its pin. Plugins elsewhere on the plugin path are not touched: untrust them instead.",
		Example: "  terok auth plugins remove acme",
		Args:    exactArgs(1, "a plugin name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pluginsRemoveRun(cmd.Context(), f, args[0])
		},
	}
}

func pluginsRemoveRun(ctx context.Context, f *factory, name string) error {
	if !sdk.ValidName(name) {
		return usage.Errorf("%q is not a plugin name", name)
	}
	dir := userPluginDir(f)
	path := filepath.Join(dir, pluginhost.Prefix+name)
	pinned, cerr := trust.Canonical(path) // as the pin records it; gone once removed
	if cerr != nil {
		pinned = path
	}
	if err := os.Remove(path); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		msg := fmt.Sprintf("no plugin %s in %s, where `plugins install` puts them", name, dir)
		if found, _, _ := pluginhost.Discover(f.SearchPath); len(found) > 0 {
			for _, p := range found {
				if string(p.Name) == name {
					msg += fmt.Sprintf("; the one terok uses is %s, which was not installed by terok: remove it yourself", p.Path)
				}
			}
		}
		return errors.New(msg)
	}
	n, err := f.Trust.Untrust(ctx, pinned)
	if err != nil {
		return fmt.Errorf("removed %s, but could not drop its pin: %w", path, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Removed %s (%d pin dropped)\n", path, n)
	return nil
}
