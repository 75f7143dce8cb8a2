// Command terok-provider-claude is the terok provider plugin for Claude.
// It is started by terok, not by hand.
package main

import (
	"github.com/terok-ai/terok-auth/plugins/claude/provider"
	"github.com/terok-ai/terok-auth/sdk/plugin"
)

func main() {
	plugin.Serve(provider.New())
}
