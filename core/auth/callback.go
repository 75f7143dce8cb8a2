package auth

import (
	"cmp"
	"errors"
	"fmt"
	"io"
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

// CallbackRelayer relays a login's browser callback: it listens on the
// host's loopback ports and carries each connection into the login
// container's own loopback (core/relay). Login is given one explicitly;
// without one, a spec that needs callback ports is refused rather than
// run without its callback.
type CallbackRelayer interface {
	RelayCallbacks(ports []int, containerName string) (io.Closer, error)
}

// PodmanRelay relays into a podman container; rootless, the relay runs in
// podman's user namespace through `podman unshare`.
type PodmanRelay struct {
	// Podman is podman's path; "" finds it on PATH.
	Podman string
}

// RelayCallbacks implements CallbackRelayer.
func (p PodmanRelay) RelayCallbacks(ports []int, containerName string) (io.Closer, error) {
	podman := cmp.Or(p.Podman, "podman")
	opts := relay.Options{PID: relay.PodmanPID(podman, containerName)}
	if !container.IsRoot() {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find terok's own executable for the callback relay: %w", err)
		}
		opts.Helper = []string{podman, "unshare", self, "__relay"}
	}
	r, err := relay.Listen(ports, opts)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// noRelay is what a login without callback ports holds.
type noRelay struct{}

func (noRelay) Close() error { return nil }

// listenCallbacks starts the relay for the spec's callback ports before the
// container starts, so a port in use stops the login with nothing started.
func (l *Login) listenCallbacks(name string, spec *sdk.ContainerSpecResponse, cname string) (io.Closer, error) {
	if len(spec.CallbackPorts) == 0 {
		return noRelay{}, nil
	}
	if l.Relayer == nil {
		return nil, fmt.Errorf("%s: its login needs the browser callback relayed to ports %v, and this terok has no relay for its container runtime; use --mode device or --mode api-key", name, spec.CallbackPorts)
	}
	r, err := l.Relayer.RelayCallbacks(spec.CallbackPorts, cname)
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
