//go:build !linux

package relay

import "io"

// Relay relays nothing on this platform.
type Relay struct{}

// Listen fails with ErrUnsupported when there are ports to relay.
func Listen(ports []int, _ Options) (*Relay, error) {
	if len(ports) == 0 {
		return nil, nil
	}
	return nil, ErrUnsupported
}

// Close does nothing.
func (r *Relay) Close() error { return nil }

// PodmanPID is not available on this platform.
func PodmanPID(string, string) PIDFunc {
	return func() (int, error) { return 0, ErrUnsupported }
}

// RunHelper fails with ErrUnsupported.
func RunHelper(io.Reader, io.Writer, []int) error { return ErrUnsupported }
