package auth

import (
	"errors"
	"fmt"
	"os"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/relay"
	"github.com/terok-ai/terok-auth/sdk"
)

// checkCallbacks checks the spec's callback ports and skip paths.
func checkCallbacks(spec *sdk.ContainerSpecResponse) error {
	if err := relay.CheckPorts(spec.CallbackPorts); err != nil {
		return fmt.Errorf("callback ports: %w", err)
	}
	for _, p := range spec.SkipPaths {
		if _, err := sdk.CleanRelPath(p); err != nil {
			return fmt.Errorf("skip paths: %w", err)
		}
	}
	return nil
}

// listenCallbacks starts the relay for the spec's callback ports (see
// core/relay) before the container starts, so a port in use stops the login
// with nothing started. Rootless, the relay runs in podman's user namespace
// through `podman unshare`.
func (l *Login) listenCallbacks(name string, spec *sdk.ContainerSpecResponse, cname string) (*relay.Relay, error) {
	p, isPodman := l.Runner.(*container.Podman)
	if len(spec.CallbackPorts) == 0 || !isPodman {
		return nil, nil // a runner other than podman (the tests' fakes) runs no container to relay into
	}
	podman := "podman"
	if p.Path != "" {
		podman = p.Path
	}
	opts := relay.Options{PID: relay.PodmanPID(podman, cname)}
	if !container.IsRoot() {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("%s: find terok's own executable for the callback relay: %w", name, err)
		}
		opts.Helper = []string{podman, "unshare", self, "__relay"}
	}
	r, err := relay.Listen(spec.CallbackPorts, opts)
	switch {
	case errors.Is(err, relay.ErrPortInUse):
		return nil, fmt.Errorf("%s: %w. Nothing was started; a device-code or API-key login (--mode) needs no port", name, err)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range spec.CallbackPorts {
		fmt.Fprintf(l.IO.ErrOut, "Browser callback: localhost:%d on this machine (127.0.0.1 and ::1) reaches the login in the container\n", p)
	}
	return r, nil
}
