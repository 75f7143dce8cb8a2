package container

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// ErrNoRuntime means podman cannot be found.
var ErrNoRuntime = errors.New("podman not found")

// Podman runs containers with the podman CLI.
type Podman struct {
	// Path is the podman binary: TEROK_PODMAN, else "podman" on PATH.
	Path string

	listing knownNames // see podman_names.go
}

var _ Runner = (*Podman)(nil)

func (p *Podman) bin() string {
	if p.Path != "" {
		return p.Path
	}
	return "podman"
}

// Check implements Runner.
func (p *Podman) Check(context.Context) error {
	if _, err := exec.LookPath(p.bin()); err != nil {
		return fmt.Errorf("%w (%s): OAuth and device logins run the vendor's login in a container.\n"+
			"Install podman (Debian/Ubuntu: sudo apt-get install podman; Fedora: sudo dnf install podman),\n"+
			"point TEROK_PODMAN at it, or log in with an API key: --mode api-key", ErrNoRuntime, p.bin())
	}
	return nil
}

// command is podman with args, in the minimal environment podmanEnv
// keeps, killed when ctx ends.
func (p *Podman) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.bin(), args...)
	cmd.Env = podmanEnv(os.Environ())
	return cmd
}

func (p *Podman) output(ctx context.Context, args ...string) (string, error) {
	cmd := p.command(ctx, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("podman %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// Remove implements Runner.
func (p *Podman) Remove(ctx context.Context, name string) (bool, error) {
	if p.surelyAbsent(name) {
		return false, nil
	}
	if err := p.command(ctx, "container", "exists", name).Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return false, nil
		}
		return false, fmt.Errorf("podman container exists %s: %w", name, err)
	}
	if _, err := p.output(ctx, "rm", "--force", "--time", "2", name); err != nil {
		return false, err
	}
	return true, nil
}

// stopGrace is how long a stopped run has to end after SIGTERM.
const stopGrace = 5 * time.Second

// Run implements Runner.
func (p *Podman) Run(ctx context.Context, spec Spec, stdio Stdio) (int, error) {
	if err := CheckSpec(spec); err != nil {
		return 0, fmt.Errorf("refusing to run the login container: %w", err)
	}
	// From here on a container of spec.Name exists: a listing taken before
	// must not answer for it (removing it after a stop, above all).
	p.forgetListing()
	// Not CommandContext: when ctx ends, podman gets SIGTERM (below), which
	// it forwards to the container, rather than a kill that would orphan
	// the container.
	cmd := exec.Command(p.bin(), RunArgs(spec)...)
	cmd.Env = podmanEnv(os.Environ())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.In, stdio.Out, stdio.Err
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start podman: %w", err)
	}
	type waited struct{ err error }
	done := make(chan waited, 1)
	go func() { done <- waited{cmd.Wait()} }()
	select {
	case w := <-done:
		return exitCode(w.err)
	case <-ctx.Done():
		// podman forwards the signal to the container; the caller removes
		// the container afterwards in any case.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done: // stopped: its exit status says nothing more
		case <-time.After(stopGrace):
			_ = cmd.Process.Kill()
			<-done
		}
		return 0, ctx.Err()
	}
}

func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return 0, err
}

// Existing implements Runner.
func (p *Podman) Existing(ctx context.Context, name string) (*Existing, error) {
	if p.surelyAbsent(name) {
		return nil, nil
	}
	if err := p.command(ctx, "container", "exists", name).Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return nil, nil
		}
		return nil, fmt.Errorf("podman container exists %s: %w", name, err)
	}
	out, err := p.output(ctx, "container", "inspect", "--format", "{{json .Config.Labels}}\t{{.State.Running}}", name)
	if err != nil {
		if p.command(ctx, "container", "exists", name).Run() != nil {
			return nil, nil // gone in between
		}
		return nil, err
	}
	labels, running, _ := strings.Cut(strings.TrimSpace(out), "\t")
	e := &Existing{Running: running == "true"}
	if err := json.Unmarshal([]byte(labels), &e.Labels); err != nil {
		return nil, fmt.Errorf("podman container inspect %s: labels: %w", name, err)
	}
	return e, nil
}

// Stale implements Runner.
func (p *Podman) Stale(ctx context.Context) ([]string, error) {
	if out, ok := p.prefetched(); ok {
		return p.staleFrom(out), nil
	}
	out, err := p.output(ctx, "ps", "--all", "--format", psFormat)
	if err != nil {
		return nil, err
	}
	return p.staleFrom(out), nil
}

// CommandLine implements Runner.
func (p *Podman) CommandLine(spec Spec) []string {
	return append([]string{p.bin()}, RunArgs(spec)...)
}

// IsRoot reports whether terok runs as root, when podman needs no user
// namespace mapping.
func IsRoot() bool { return os.Geteuid() == 0 }
