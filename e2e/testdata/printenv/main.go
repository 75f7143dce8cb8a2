// Command printenv prints the named environment variables, one NAME=value
// a line. It is built static into a FROM-scratch image, to show what a
// container gets from `podman run -e NAME`.
package main

import (
	"fmt"
	"os"
)

func main() {
	for _, name := range os.Args[1:] {
		v, ok := os.LookupEnv(name)
		if !ok {
			fmt.Printf("%s unset\n", name)
			continue
		}
		fmt.Printf("%s=%s\n", name, v)
	}
}
