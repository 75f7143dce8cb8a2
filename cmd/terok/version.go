package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/sdk"
)

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print terok's version",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(f.IO.Out, "terok %s (plugin protocol %d, %s %s/%s)\n", version, sdk.ProtocolVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
