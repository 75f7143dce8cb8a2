package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/sdk"
)

type providersOptions struct {
	f    *factory
	JSON bool
}

func newProvidersCmd(f *factory, runF func(context.Context, *providersOptions) error) *cobra.Command {
	opts := &providersOptions{f: f}
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List the providers terok can log in to",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return providersRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
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
	out := make([]providerJSON, 0, len(entries))
	for _, e := range entries {
		j := providerJSON{Name: e.Name, Kind: e.Kind, Source: e.Source, Modes: []sdk.Mode{}}
		if e.Err != nil {
			j.Error = e.Err.Error()
			fmt.Fprintf(f.IO.ErrOut, "warning: provider %s is unusable: %v\n", e.Name, e.Err)
		} else {
			j.Label, j.Modes, j.Version, j.Description, j.KeyURL = e.Desc.Label, e.Desc.Modes, e.Desc.Version, e.Desc.Description, e.Desc.KeyURL
		}
		out = append(out, j)
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
	fmt.Fprintln(tw, "NAME\tLABEL\tMODES\tSOURCE")
	for _, j := range out {
		label := j.Label
		if j.Error != "" {
			label = "(unusable)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.Name, label, sdk.JoinModes(j.Modes), j.Source)
	}
	return tw.Flush()
}
