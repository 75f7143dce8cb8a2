package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/capture"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/core/yamlprov"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// providersTestOptions holds `providers test`'s flags.
type providersTestOptions struct {
	File    string
	Capture string
	Mode    string
	JSON    bool
}

func newProvidersTestCmd(f *factory) *cobra.Command {
	opts := &providersTestOptions{}
	cmd := &cobra.Command{
		Use:   "test FILE --capture DIR",
		Short: "Try a YAML provider's capture rules on a directory, without a container",
		Long: "Run the capture rules of the YAML provider FILE on DIR, a copy of what the tool leaves in its\n" +
			"config directory after a login (e.g. ~/.config/tool), and print what terok would store.\n" +
			"Secret values are masked: only non-secret fields (host, user, expiry, …) are shown.\n" +
			"Nothing is stored. Exits 1 when nothing is captured, saying what each rule found.",
		Example: "  terok auth providers test ./acme.yaml --capture ~/.config/acme\n" +
			"  terok auth providers test ./acme.yaml --capture ./testdata/login --mode device --json",
		Args: exactArgs(1, "a provider file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Capture == "" {
				return usage.Errorf("--capture DIR is required: the directory to capture from")
			}
			return providersTestRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Capture, "capture", "", "the directory to run the capture rules on")
	cmd.Flags().StringVar(&opts.Mode, "mode", "", "the login mode to capture for (default: the provider's first oauth or device mode)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// testResult is the --json shape of `providers test`.
type testResult struct {
	Provider   string         `json:"provider"`
	Mode       sdk.Mode       `json:"mode"`
	FilesRead  []string       `json:"files_read"`
	Skipped    []string       `json:"skipped,omitempty"`
	Type       string         `json:"type"`
	Fields     map[string]any `json:"fields"`
	Expires    string         `json:"expires,omitempty"`
	StateFiles []string       `json:"state_files,omitempty"`
}

func providersTestRun(ctx context.Context, f *factory, opts *providersTestOptions) error {
	file, err := loadProviderFile(opts.File)
	if err != nil {
		return err
	}
	p := yamlprov.New(file)
	mode := sdk.Mode(opts.Mode)
	if mode == "" {
		for _, m := range file.Modes {
			if sdk.Mode(m).NeedsContainer() {
				mode = sdk.Mode(m)
				break
			}
		}
		if mode == "" {
			return usage.Errorf("%s: provider %s has no oauth or device mode, so nothing to capture", opts.File, file.Name)
		}
	}
	if !mode.NeedsContainer() {
		return usage.Errorf("--mode %s: only oauth and device logins capture files", mode)
	}
	read, err := capture.Read(ctx, opts.Capture, capture.DefaultLimits)
	if err != nil {
		return fmt.Errorf("read %s: %w", opts.Capture, err)
	}
	for _, s := range read.Skipped {
		fmt.Fprintf(f.IO.ErrOut, "warning: not read: %s\n", s)
	}
	resp, err := p.Capture(ctx, &sdk.CaptureRequest{Mode: mode, Files: read.Files})
	if err != nil {
		return fmt.Errorf("%s (%s) captured nothing from %s: %w", file.Name, mode, opts.Capture, err)
	}
	res := testResult{Provider: file.Name, Mode: mode, Type: resp.Credential.Type, Fields: map[string]any{}, Skipped: read.Skipped, FilesRead: []string{}}
	for name := range read.Files {
		res.FilesRead = append(res.FilesRead, name)
	}
	sort.Strings(res.FilesRead)
	for k, v := range resp.Credential.Fields {
		res.Fields[k] = maskField(k, v)
	}
	if t, ok := resp.Credential.ExpiresAt(); ok {
		res.Expires = t.UTC().Format(time.RFC3339)
	} else if _, has := resp.Credential.Fields["expires_at"]; has {
		fmt.Fprintf(f.IO.ErrOut, "warning: expires_at is not a time in Unix seconds; terok will show no expiry (check the rule's expires_unit)\n")
	}
	for path := range resp.StateFiles {
		res.StateFiles = append(res.StateFiles, path)
	}
	sort.Strings(res.StateFiles)
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	w := f.IO.Out
	fmt.Fprintf(w, "provider:   %s (%s)\nmode:       %s\nfiles read: %s\ncredential: %s\n", res.Provider, opts.File, mode, dash(strings.Join(res.FilesRead, ", ")), res.Type)
	keys := make([]string, 0, len(res.Fields))
	for k := range res.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := res.Fields[k]
		if k == "expires_at" && res.Expires != "" {
			fmt.Fprintf(w, "  %s: %v (%s)\n", k, v, res.Expires)
			continue
		}
		fmt.Fprintf(w, "  %s: %v\n", k, v)
	}
	for _, s := range res.StateFiles {
		fmt.Fprintf(w, "state file: %s (%d bytes, written to the provider's config dir)\n", s, len(resp.StateFiles[s]))
	}
	return nil
}

// maskField returns v as it may be shown: a public field or a number as it
// is, any other value as its length only.
func maskField(name string, v any) any {
	if secret.IsPublicField(name) {
		return v
	}
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("<masked, %d characters>", len(x))
	case nil, bool, float64, int, int64, json.Number:
		return x
	}
	return "<masked>"
}

// loadProviderFile reads and checks one YAML provider file, bounded as the
// registry bounds them.
func loadProviderFile(path string) (*yamlprov.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > yamlprov.MaxFileSize {
		return nil, fmt.Errorf("%s: the file is %d KiB; a provider file may be at most %d KiB", path, fi.Size()>>10, yamlprov.MaxFileSize>>10)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return yamlprov.Load(path, data)
}
