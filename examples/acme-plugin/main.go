// Command terok-provider-acme is an example third-party terok provider
// plugin: see docs/plugin-guide.md in the terok repository.
package main

import (
	"example.com/terok-provider-acme/acme"

	"github.com/terok-ai/terok-auth/sdk/plugin"
)

func main() {
	plugin.Serve(acme.New())
}
