// Command terok-provider-codex is the terok provider plugin for OpenAI Codex.
// It is started by terok, not by hand.
package main

import (
	"github.com/terok-ai/terok-auth/plugins/codex/provider"
	"github.com/terok-ai/terok-auth/sdk/plugin"
)

func main() {
	plugin.Serve(provider.New())
}
