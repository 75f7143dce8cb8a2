// Command terok-provider-acme is an example third-party terok provider
// plugin: see docs/plugin-guide.md in the terok repository.
//
// terok starts it. To debug it, start it yourself with -debug (or under a
// debugger with that argument): it prints a TEROK_REATTACH_PROVIDERS=…
// line to set in terok's environment, and terok then uses it.
package main

import (
	"flag"

	"example.com/terok-provider-acme/acme"

	"github.com/terok-ai/terok-auth/sdk/plugin"
)

func main() {
	debug := flag.Bool("debug", false, "serve for terok to attach to (see TEROK_REATTACH_PROVIDERS)")
	flag.Parse()
	plugin.Serve(acme.New(), plugin.Debug(*debug))
}
