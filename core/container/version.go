package container

import (
	"context"
	"strings"
)

// Versioner is a Runner that can say which version of the runtime it runs,
// which also shows that the runtime works (doctor asks it).
type Versioner interface {
	Version(ctx context.Context) (string, error)
}

var _ Versioner = (*Podman)(nil)

// Version implements Versioner: podman info, which fails when podman is
// installed but cannot run (no storage, no user namespaces, …).
func (p *Podman) Version(ctx context.Context) (string, error) {
	out, err := p.output(ctx, "info", "--format", "{{.Version.Version}}")
	return strings.TrimSpace(out), err
}
