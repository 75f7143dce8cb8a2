// Package container runs login containers. The auth flow depends on the
// small Runner interface; Podman implements it by running the podman CLI.
package container

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
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
	// host.CheckRunArgs.
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
	// Existing describes the named container, or returns nil when there is
	// none.
	Existing(ctx context.Context, name string) (*Existing, error)
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

// Existing is what the host needs to know of a container that already has
// a login's name.
type Existing struct {
	// Labels are the container's labels; Label is set on every container
	// terok starts.
	Labels map[string]string
	// Running: the container is running (not only created or exited).
	Running bool
}

// RunArgs builds podman's arguments for spec, after "podman".
//
// What the host itself decides comes after the provider's run arguments,
// so that it wins: the container never gets the host's environment
// (--env-host=false, whatever containers.conf says) nor its proxy
// variables (--http-proxy=false; podman copies them by default, and a proxy
// URL may hold a password). The image follows "--", so that nothing in it
// can ever be parsed as an option; Run checks it is an image reference too.
func RunArgs(spec Spec) []string {
	args := []string{"run", "--rm"}
	if spec.TTY {
		args = append(args, "-it")
	} else {
		args = append(args, "-i")
	}
	args = append(args, "--name", spec.Name)
	args = appendPairs(args, "--label", spec.Labels)
	args = appendPairs(args, "-e", spec.Env)
	args = append(args, spec.RunArgs...)
	if spec.UserNS != "" {
		args = append(args, "--userns="+spec.UserNS)
	}
	args = append(args, "--env-host=false", "--http-proxy=false")
	args = append(args, "-v", spec.HostDir+":"+spec.ConfigPath+":Z")
	args = append(args, "--", spec.Image)
	return append(args, spec.Command...)
}

// CheckSpec refuses a spec that could reach the host through podman's
// command line: an image that is not an image reference, run arguments or
// environment beyond what sdk allows, a bad mount point or name. The auth
// flow checks the provider's spec before this; Run checks again, so that
// no caller can skip it.
func CheckSpec(spec Spec) error {
	if !ValidName(spec.Name) {
		return fmt.Errorf("container name %q is not valid", spec.Name)
	}
	if err := host.CheckImage(spec.Image); err != nil {
		return err
	}
	if !filepath.IsAbs(spec.HostDir) || strings.ContainsAny(spec.HostDir, ":,\x00") {
		return fmt.Errorf("host dir %q must be an absolute path without ':' or ','", spec.HostDir)
	}
	for k, v := range spec.Labels {
		if strings.ContainsRune(k+v, 0) || strings.Contains(k, "=") || k == "" {
			return fmt.Errorf("label %q is not valid", k)
		}
	}
	if spec.UserNS != "" && !strings.HasPrefix(spec.UserNS, "keep-id") {
		return fmt.Errorf("user namespace %q: only keep-id mappings are used", spec.UserNS)
	}
	return host.CheckContainerSpec(&sdk.ContainerSpecResponse{
		Image: spec.Image, Command: spec.Command, ConfigPath: spec.ConfigPath, RunArgs: spec.RunArgs, Env: spec.Env,
	})
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
func Name(project Project, provider names.Provider) string {
	if project == "" {
		project = "host"
	}
	return string(project) + "-auth-" + string(provider)
}

var (
	projectRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,190}$`)
)

// ValidProject reports whether id can name a project (and so a container).
func ValidProject(id string) bool { return projectRE.MatchString(id) }

// ValidName reports whether name can name a container (as podman allows).
func ValidName(name string) bool { return nameRE.MatchString(name) }
