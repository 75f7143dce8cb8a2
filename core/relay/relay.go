// Package relay makes a vendor CLI's OAuth callback, served on the login
// container's own loopback, reachable from the user's browser on the host.
//
// # The problem
//
// CLIs such as `codex login` (port 1455) and `glab auth login` (7171) start a
// small web server on 127.0.0.1 and send the browser to
// http://localhost:PORT/… when the login is done. Inside a container that
// 127.0.0.1 is the container's loopback, in the container's network
// namespace. A podman publish (-p 127.0.0.1:1455:1455) delivers to the
// container's network interface instead, so the browser gets "connection
// refused". Upstream terok bakes a socat forwarder into its image; terok
// auth asks nothing of the image, does not use the host network, and does
// not change the vendor's command.
//
// # The design
//
// A socket stays in the network namespace it was created in, whatever
// thread uses it later. So the host:
//
//  1. listens on the host's 127.0.0.1:PORT for every declared port before
//     the container starts; a port already taken stops the login there,
//     with an error naming the port, and nothing is started;
//  2. on the first connection, finds the container's init process
//     (`podman inspect --format {{.State.Pid}}`) and starts one dedicated
//     goroutine locked to its OS thread, which joins the container's
//     network namespace with setns(CLONE_NEWNET) and from then on does one
//     thing: create a socket and connect it to 127.0.0.1:PORT. The thread is
//     never unlocked, so it ends when the relay closes and no other goroutine
//     ever runs in the container's namespace;
//  3. copies bytes both ways between the browser's connection and that
//     socket, closing each direction when the other side does.
//
// Rootful podman creates the container's network namespace in the initial
// user namespace, and terok (root) joins it in-process. Rootless podman
// creates it inside its own user namespace, where only a process of that
// user namespace may join it: terok then runs itself as a helper through
// `podman unshare` (the hidden command `terok __relay`). The helper binds
// the same host ports (podman unshare keeps the host's network), reports
// "ready" or the bind error on its standard output, asks the host for the
// container's PID on the first connection (podman's own view of the PID is
// the host's), and ends when its standard input closes, so it never
// outlives the terok that started it. e2e/rootless_test.go runs this path
// under real rootless podman, as a throwaway user.
//
// Nothing is resolved before a connection arrives, so a login nobody
// connects to costs two listening sockets and no podman call.
//
// The relay is Linux-only (network namespaces); elsewhere Listen fails with
// ErrUnsupported and a message saying so.
package relay

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
)

// ErrUnsupported means this platform cannot relay into a container.
var ErrUnsupported = errors.New("the OAuth callback relay is not supported on this platform (it needs Linux network namespaces)")

// ErrPortInUse means a callback port is already taken on the host.
var ErrPortInUse = errors.New("callback port in use")

// CheckPorts reports ports that are out of range or listed twice.
func CheckPorts(ports []int) error {
	seen := map[int]bool{}
	for _, p := range ports {
		if p < 1 || p > 65535 {
			return fmt.Errorf("port %d is not between 1 and 65535", p)
		}
		if seen[p] {
			return fmt.Errorf("port %d is listed twice", p)
		}
		seen[p] = true
	}
	return nil
}

// PIDFunc finds the PID, as the host sees it, of a process inside the
// running container. It may be called before the container runs; it then
// fails and is called again.
type PIDFunc func() (int, error)

// Options say how to reach the container.
type Options struct {
	// PID finds the container's process; see PodmanPID.
	PID PIDFunc
	// Helper, when set, is the command line (e.g. podman unshare
	// /path/to/terok __relay) that runs the relay in podman's user
	// namespace; the ports are appended. Nil relays in-process.
	Helper []string
}

func portInUse(host string, port int, err error) error {
	return fmt.Errorf("%w: %s, where the login's browser callback may arrive, is already taken (%v). "+
		"Close the program holding it (`ss -ltnp 'sport = :%d'` shows which; often a login still running) and try again",
		ErrPortInUse, net.JoinHostPort(host, strconv.Itoa(port)), err, port)
}

func sorted(ports []int) []int {
	out := append([]int(nil), ports...)
	sort.Ints(out)
	return out
}
