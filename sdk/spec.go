package sdk

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// ErrUnsafeRunArg marks extra run arguments that would widen a login
// container's access to the host.
var ErrUnsafeRunArg = errors.New("run argument not allowed")

// allowedRunArgs are the runtime options a provider may add, by long and
// short name. Everything else (volumes, devices, capabilities, namespaces,
// --privileged, a host network…) is refused: a plugin or a YAML file must
// not be able to reach the host through its spec.
var allowedRunArgs = map[string]string{
	"-p": "--publish", "--publish": "--publish",
	"-e": "--env", "--env": "--env",
	"-w": "--workdir", "--workdir": "--workdir",
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckRunArgs validates ContainerSpecResponse.RunArgs as the host does
// before it runs a login container. Only -p/--publish on the loopback
// interface (so an OAuth callback is never reachable from the network),
// -e/--env and -w/--workdir pass.
func CheckRunArgs(args []string) error {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(arg, "=")
		long, ok := allowedRunArgs[name]
		if !ok {
			return fmt.Errorf("%w: %q (a login container may only get -p/--publish on 127.0.0.1, -e/--env and -w/--workdir)", ErrUnsafeRunArg, arg)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return fmt.Errorf("%w: %s needs a value", ErrUnsafeRunArg, name)
			}
			i++
			value = args[i]
		}
		if err := checkValue(long, value); err != nil {
			return fmt.Errorf("%w: %s %s: %w", ErrUnsafeRunArg, name, value, err)
		}
	}
	return nil
}

func checkValue(flag, v string) error {
	switch flag {
	case "--publish":
		if !strings.HasPrefix(v, "127.0.0.1:") && !strings.HasPrefix(v, "[::1]:") && !strings.HasPrefix(v, "localhost:") {
			return errors.New("ports may only be published on 127.0.0.1 (e.g. 127.0.0.1:1455:1455)")
		}
	case "--env":
		name, _, _ := strings.Cut(v, "=")
		if !envNameRE.MatchString(name) {
			return errors.New("not a variable name")
		}
	case "--workdir":
		if !path.IsAbs(v) {
			return errors.New("must be an absolute path")
		}
	}
	return nil
}

// CheckConfigPath validates ContainerSpecResponse.ConfigPath: a clean,
// absolute path that is not the container's root.
func CheckConfigPath(p string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" || strings.ContainsAny(p, ":,") {
		return fmt.Errorf("config path %q must be a clean absolute path below / without ':' or ','", p)
	}
	return nil
}
