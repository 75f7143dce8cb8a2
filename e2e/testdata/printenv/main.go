// Command printenv prints the named environment variables, one NAME=value
// a line; with -0 alone, the whole environment, each NAME=value ended by a
// NUL, as the process got it. It is built static into a FROM-scratch
// image, to show what a container gets from `podman run -e NAME` or
// `--env-file`.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-0" {
		for _, kv := range os.Environ() {
			fmt.Printf("%s\x00", kv)
		}
		return
	}
	for _, name := range os.Args[1:] {
		v, ok := os.LookupEnv(name)
		if !ok {
			fmt.Printf("%s unset\n", name)
			continue
		}
		fmt.Printf("%s=%s\n", name, v)
	}
}
