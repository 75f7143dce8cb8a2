// Command terok authenticates AI coding agents and developer tools for use in
// sandboxed containers. Start reading at root.go; each command has its own
// file, with an options struct and an xRun function that tests call directly.
package main

import (
	"context"
	"os"

	"github.com/terok-ai/terok-auth/core/iostreams"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == relayHelperArg {
		os.Exit(relayHelper(os.Args[2:]))
	}
	ctx, stopped := stopOnSignals(context.Background())
	code, commands := runMain(ctx, iostreams.System(), os.Args[1:], os.Getenv)
	if !commands {
		code = signalExitCode(code, stopped())
	}
	os.Exit(code)
}
