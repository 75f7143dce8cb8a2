package main

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/sdk"
)

// versionJSON is the shape of `terok version --json`; keep it stable.
type versionJSON struct {
	Version  string `json:"version"`
	Protocol int    `json:"plugin_protocol"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
}

func newVersionCmd(f *factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print terok's version",
		Long: "Print terok's version, the plugin protocol it speaks, and the Go version and platform\n" +
			"it was built with. It reads no configuration, so it works with a broken config file.",
		Example: "  terok version\n" +
			"  terok version --json | jq -r .version\n" +
			"  terok --version",
		Args:        noArgs,
		Annotations: map[string]string{noSetup: "true"},
		RunE: func(*cobra.Command, []string) error {
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(versionJSON{Version: version, Protocol: sdk.ProtocolVersion, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH})
			}
			_, err := fmt.Fprintf(f.IO.Out, "terok %s (plugin protocol %d, %s %s/%s)\n", version, sdk.ProtocolVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
