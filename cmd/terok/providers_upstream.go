package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/terok-ai/terok-auth/core/yamlprov"
)

// printUpstreamNotes says, under `providers --all`, which providers were
// read from upstream terok's agent files, and that their other keys were
// ignored: the table alone would show only a YAML file's path.
func printUpstreamNotes(w io.Writer, out []providerJSON) {
	for _, j := range out {
		if strings.HasPrefix(j.Description, yamlprov.UpstreamNote) {
			fmt.Fprintf(w, "note: %s comes from %s, %s\n", j.Name, j.Source, j.Description)
		}
	}
}
