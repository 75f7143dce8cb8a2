// Package container runs login containers. The auth flow depends on the
// small Runner interface; Podman implements it by running the podman CLI.
package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Label marks every container terok starts, so ones left behind by a
// crashed terok can be found and removed.
const Label = "io.terok.auth"

// LabelOwner records the pid of the terok process that started a container.
const LabelOwner = "io.terok.auth.pid"

// Spec is one login container run.
type Spec struct {
	Name    string
	Image   string
	Command []string
	// HostDir is mounted at ConfigPath.
	HostDir    string
	ConfigPath string
	// RunArgs are the provider's extra arguments, already checked with
	// CheckRunArgs.
	RunArgs []string
	Env     map[string]string
	Labels  map[string]string
	// TTY: allocate a terminal (-it) rather than only keeping stdin open.
	TTY bool
	// UserNS maps the container's user to the caller's (needed rootless, so
	// the files the tool writes belong to the user).
	UserNS string
}

// Stdio are the streams the container is attached to.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// Runner runs login containers.
type Runner interface {
	// Check reports whether the runtime can be used, with what to do if not.
	Check(ctx context.Context) error
	// Remove removes the named container if it exists, and says whether it
	// did.
	Remove(ctx context.Context, name string) (bool, error)
	// Run runs the container to completion and returns its exit code. When
	// ctx ends first the run is stopped and ctx's error returned; the
	// caller then removes the container.
	Run(ctx context.Context, spec Spec, stdio Stdio) (int, error)
	// Stale lists the names of containers carrying Label whose owning terok
	// process is gone.
	Stale(ctx context.Context) ([]string, error)
	// CommandLine is the command Run executes, for showing to the user.
	CommandLine(spec Spec) []string
}

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

// CheckRunArgs validates a provider's extra run arguments. Ports may only
// be published on the loopback interface, so an OAuth callback is never
// reachable from the network.
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

// CheckConfigPath validates where the host directory is mounted: a clean,
// absolute path that is not the container's root.
func CheckConfigPath(p string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" || strings.ContainsAny(p, ":,") {
		return fmt.Errorf("config path %q must be a clean absolute path below / without ':' or ','", p)
	}
	return nil
}

// RunArgs builds podman's arguments for spec, after "podman".
func RunArgs(spec Spec) []string {
	args := []string{"run", "--rm"}
	if spec.TTY {
		args = append(args, "-it")
	} else {
		args = append(args, "-i")
	}
	args = append(args, "--name", spec.Name)
	args = appendPairs(args, "--label", spec.Labels)
	if spec.UserNS != "" {
		args = append(args, "--userns="+spec.UserNS)
	}
	args = append(args, "-v", spec.HostDir+":"+spec.ConfigPath+":Z")
	args = appendPairs(args, "-e", spec.Env)
	args = append(args, spec.RunArgs...)
	args = append(args, spec.Image)
	return append(args, spec.Command...)
}

// appendPairs adds flag KEY=VALUE for each entry of m, sorted, so the
// command line is the same every time.
func appendPairs(args []string, flag string, m map[string]string) []string {
	pairs := make([]string, 0, len(m))
	for k, v := range m {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	for _, p := range pairs {
		args = append(args, flag, p)
	}
	return args
}

// Name is the container name upstream terok uses: <project>-auth-<provider>,
// or host-auth-<provider> without a project.
func Name(project, provider string) string {
	if project == "" {
		project = "host"
	}
	return project + "-auth-" + provider
}

var projectRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// ValidProject reports whether id can name a project (and so a container).
func ValidProject(id string) bool { return projectRE.MatchString(id) }
