package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/core/termtext"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/core/yamlprov"
	"github.com/terok-ai/terok-auth/sdk"
)

type providersOptions struct {
	f    *factory
	JSON bool
	All  bool
}

func newProvidersCmd(f *factory, runF func(context.Context, *providersOptions) error) *cobra.Command {
	opts := &providersOptions{f: f}
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List the providers terok can log in to",
		Long: "List every provider with its label, modes and where it comes from: a plugin binary,\n" +
			"or a YAML file (bundled, the system's, yours, or from TEROK_PROVIDERS_PATH).\n" +
			"--all also lists the providers hidden by another of the same name.",
		Example: "  terok auth providers\n" +
			"  terok auth providers --all --json",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return providersRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&opts.All, "all", false, "also list the providers hidden by another of the same name")
	cmd.AddCommand(newValidateCmd(f), newProvidersTestCmd(f)) // providers_test_cmd.go
	return cmd
}

// providerJSON is the --json shape of one provider; keep it stable.
type providerJSON struct {
	Name        string     `json:"name"`
	Label       string     `json:"label,omitempty"`
	Modes       []sdk.Mode `json:"modes"`
	Kind        string     `json:"kind"`
	Source      string     `json:"source"`
	Version     string     `json:"version,omitempty"`
	Description string     `json:"description,omitempty"`
	KeyURL      string     `json:"key_url,omitempty"`
	Error       string     `json:"error,omitempty"`
	ShadowedBy  string     `json:"shadowed_by,omitempty"`
	// Attached says where TEROK_REATTACH_PROVIDERS sends this provider
	// instead of its installed plugin.
	Attached string `json:"attached,omitempty"`
}

func providersRun(ctx context.Context, opts *providersOptions) error {
	f := opts.f
	src, err := f.Providers()
	if err != nil {
		return err
	}
	entries := src.List(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	attached := map[string]string{}
	if all, err := pluginhost.Attachments(); err == nil {
		for _, a := range all {
			attached[string(a.Name)] = a.String()
		}
	}
	out := make([]providerJSON, 0, len(entries))
	for _, e := range entries {
		j := providerJSON{Name: string(e.Name), Kind: e.Kind, Source: e.Source, Modes: []sdk.Mode{}, Attached: attached[string(e.Name)]}
		if e.Err != nil {
			j.Error = e.Err.Error()
			fmt.Fprintf(f.IO.ErrOut, "warning: provider %s is unusable: %s\n", e.Name, termtext.Text(e.Err.Error()))
		} else {
			j.Label, j.Modes, j.Version, j.Description, j.KeyURL = e.Desc.Label, e.Desc.Modes, e.Desc.Version, e.Desc.Description, e.Desc.KeyURL
		}
		out = append(out, j)
	}
	if opts.All {
		for _, s := range src.ShadowedProviders() {
			out = append(out, providerJSON{Name: string(s.Name), Kind: s.Kind, Source: s.Source, Modes: []sdk.Mode{}, ShadowedBy: s.By})
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(out) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "No providers found. terok looks for terok-provider-* binaries in:\n  %s\n", strings.Join(f.SearchPath, "\n  "))
		return nil
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLABEL\tMODES\tKIND\tSOURCE")
	for _, j := range out {
		label := j.Label
		switch {
		case j.Error != "":
			label = "(unusable)"
		case j.ShadowedBy != "":
			label = "(shadowed by " + j.ShadowedBy + ")"
		}
		source := j.Source
		if j.Attached != "" {
			source = "attached: " + j.Attached
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, label, dash(joinModes(j.Modes)), j.Kind, source)
	}
	if opts.All {
		defer printUpstreamNotes(f.IO.Out, out) // providers_upstream.go
	}
	for _, s := range f.Inventory().Skipped {
		fmt.Fprintf(f.IO.ErrOut, "note: %v\n", s)
	}
	return tw.Flush()
}

func newValidateCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE|DIR...",
		Short: "Check provider files without installing them",
		Long: "Check YAML provider files and print every problem in every file, each with its file,\n" +
			"line and column. A directory stands for the *.yaml and *.yml files in it. Upstream terok's\n" +
			"agent files that describe no login (runtimes, bridges) are skipped with a note. Exits 1\n" +
			"when there is any problem.",
		Example: "  terok auth providers validate ./acme.yaml\n" +
			"  terok auth providers validate ~/.config/terok/providers.d",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage.Errorf("name at least one provider file")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			bad, skipped := 0, 0
			names := map[string]string{}
			args, err := expandDirs(args)
			if err != nil {
				return err
			}
			for _, path := range args {
				file, err := validateFile(path, names)
				switch {
				case errors.Is(err, yamlprov.ErrNoLogin):
					// An upstream runtime or bridge: no login to check.
					skipped++
					fmt.Fprintln(f.IO.Out, err)
				case err != nil:
					bad++
					fmt.Fprintln(f.IO.ErrOut, err)
				default:
					fmt.Fprintf(f.IO.Out, "%s: ok: %s\n", path, loginSummary(file))
				}
			}
			if bad > 0 {
				return fmt.Errorf("%d of %d provider files have problems", bad, len(args))
			}
			if skipped > 0 {
				fmt.Fprintf(f.IO.Out, "%d providers; %d files skipped: they describe no login\n", len(args)-skipped, skipped)
			}
			return nil
		},
	}
}

// loginSummary names a provider file's provider and how it logs in.
func loginSummary(file *yamlprov.File) string {
	if len(file.Modes) == 1 && file.Modes[0] == string(sdk.ModeAPIKey) {
		return file.Name + ", an API-key provider"
	}
	return file.Name + " (" + strings.Join(file.Modes, ", ") + ")"
}

// expandDirs replaces each directory in paths by the provider files in it.
func expandDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			out = append(out, p) // validateFile reports it
			continue
		}
		var files []string
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, err := filepath.Glob(filepath.Join(p, pat))
			if err != nil {
				return nil, err
			}
			files = append(files, m...)
		}
		if len(files) == 0 {
			return nil, usage.Errorf("%s holds no provider files (*.yaml, *.yml)", p)
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}

func validateFile(path string, names map[string]string) (*yamlprov.File, error) {
	data, err := safefile.ReadFile(path, yamlprov.MaxFileSize)
	if err != nil {
		return nil, err
	}
	file, err := yamlprov.Load(path, data)
	if err != nil {
		return nil, err
	}
	if other, dup := names[file.Name]; dup {
		return nil, errors.New(path + ": provider \"" + file.Name + "\" is also defined in " + other)
	}
	names[file.Name] = path
	return file, nil
}
