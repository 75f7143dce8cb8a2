package main

import (
	"os"
	"strconv"

	"github.com/terok-ai/terok-auth/core/relay"
)

// relayHelperArg is the hidden first argument under which terok runs as
// the rootless callback relay (see core/relay): `podman unshare terok
// __relay PORT...`. It bypasses the CLI, its config and its store entirely.
const relayHelperArg = "__relay"

// relayHelper runs the relay helper and returns its exit code.
func relayHelper(args []string) int {
	ports := make([]int, 0, len(args))
	for _, a := range args {
		p, err := strconv.Atoi(a)
		if err != nil {
			_, _ = os.Stdout.WriteString("error 0 not a port: " + a + "\n")
			return 2
		}
		ports = append(ports, p)
	}
	if err := relay.RunHelper(os.Stdin, os.Stdout, ports); err != nil {
		return 1
	}
	return 0
}
