//go:build !linux

package pluginhost

import (
	"errors"
	"net"
)

// peerOf needs Linux's SO_PEERCRED; elsewhere a reattached plugin on a
// Unix socket cannot be told from another user's process, so it is
// refused.
func peerOf(net.Conn) (uint32, int32, error) {
	return 0, 0, errors.New("terok can check who listens on a unix socket only on Linux (SO_PEERCRED)")
}

// processOwner cannot be known here without Linux's /proc.
func processOwner(int) (uint32, error) {
	return 0, errors.New("terok can check who runs a process only on Linux")
}
