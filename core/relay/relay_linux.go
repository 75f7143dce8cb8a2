//go:build linux

package relay

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pidWait bounds how long a connection waits for the container to run.
const pidWait = 15 * time.Second

// Relay relays the host's loopback callback ports (127.0.0.1 and ::1)
// into one container.
// The zero of *Relay (nil) relays nothing and may be closed.
type Relay struct {
	srv    *server
	helper *helperProc
}

// Listen binds 127.0.0.1:PORT and [::1]:PORT on the host for every port and starts
// relaying connections into the container that opts.PID finds. With no
// ports it returns nil, nil. A port in use is an ErrPortInUse naming it.
func Listen(ports []int, opts Options) (*Relay, error) {
	if len(ports) == 0 {
		return nil, nil
	}
	if err := CheckPorts(ports); err != nil {
		return nil, err
	}
	if opts.PID == nil {
		return nil, errors.New("relay: no way to find the container's process")
	}
	if len(opts.Helper) > 0 {
		h, err := startHelper(opts.Helper, ports, opts.PID)
		if err != nil {
			return nil, err
		}
		return &Relay{helper: h}, nil
	}
	lns, err := listenAll(ports)
	if err != nil {
		return nil, err
	}
	srv := newServer(lns, opts.PID)
	go srv.serve()
	return &Relay{srv: srv}, nil
}

// Close stops listening, ends every relayed connection and, rootless, the
// helper. It is safe on a nil Relay and more than once.
func (r *Relay) Close() error {
	if r == nil {
		return nil
	}
	if r.srv != nil {
		r.srv.close()
	}
	if r.helper != nil {
		return r.helper.close()
	}
	return nil
}

// loopbacks are where a browser may take http://localhost:PORT: both
// families, since which one it tries first is its own choice. A port
// free on 127.0.0.1 but held on ::1 by another user would hand them the
// code, so both must be ours.
var loopbacks = []struct{ network, host string }{{"tcp4", "127.0.0.1"}, {"tcp6", "::1"}}

// listenAll binds every port on every loopback family. An IPv6 loopback
// the machine does not have is skipped: nobody can listen there either.
func listenAll(ports []int) ([]net.Listener, error) {
	lns, _, err := listenAllPort(ports)
	return lns, err
}

// listenAllPort is listenAll that also says which port failed.
func listenAllPort(ports []int) ([]net.Listener, int, error) {
	var lns []net.Listener
	var port int
	fail := func(err error) ([]net.Listener, int, error) {
		for _, l := range lns {
			_ = l.Close()
		}
		return nil, port, err
	}
	for _, p := range sorted(ports) {
		port = p
		for _, lb := range loopbacks {
			ln, err := net.Listen(lb.network, net.JoinHostPort(lb.host, strconv.Itoa(p)))
			switch {
			case err == nil:
				lns = append(lns, ln)
			case lb.network == "tcp6" && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)):
				// no ::1 here
			case errors.Is(err, syscall.EADDRINUSE):
				return fail(portInUse(lb.host, p, syscall.EADDRINUSE))
			default:
				return fail(fmt.Errorf("listen on %s for the login's browser callback: %w", net.JoinHostPort(lb.host, strconv.Itoa(p)), err))
			}
		}
	}
	return lns, 0, nil
}

// maxRelayed bounds the connections relayed at once: a burst from another
// local user cannot use up terok's file descriptors.
const maxRelayed = 64

// Backoff after a failed accept (EMFILE under a burst of connections):
// the loop waits and keeps accepting, so the real callback still arrives.
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
)

// server accepts on the host listeners and relays each connection.
type server struct {
	lns []net.Listener
	pid PIDFunc

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
	dialer *nsDialer
	wg     sync.WaitGroup
	done   chan struct{}
}

func newServer(lns []net.Listener, pid PIDFunc) *server {
	return &server{lns: lns, pid: pid, conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
}

func (s *server) serve() {
	slots := make(chan struct{}, maxRelayed)
	for _, ln := range s.lns {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			port := ln.Addr().(*net.TCPAddr).Port
			backoff := minAcceptBackoff
			for {
				select { // a slot first: beyond the bound, connections wait in the backlog
				case slots <- struct{}{}:
				case <-s.done:
					return
				}
				c, err := ln.Accept()
				if err != nil {
					<-slots
					select {
					case <-s.done:
						return // closed
					case <-time.After(backoff):
					}
					backoff = min(2*backoff, maxAcceptBackoff)
					continue
				}
				backoff = minAcceptBackoff
				if !s.track(c) {
					<-slots
					_ = c.Close()
					return
				}
				s.wg.Add(1)
				go func() {
					defer s.wg.Done()
					defer func() { <-slots }()
					defer s.untrack(c)
					s.relay(c, port)
				}()
			}
		}()
	}
}

func (s *server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	_ = c.Close()
}

// relay connects c to the container's 127.0.0.1:port. A connection that
// cannot be made is closed, which a browser shows as a failed load.
func (s *server) relay(c net.Conn, port int) {
	d, err := s.getDialer()
	if err != nil {
		return
	}
	up, err := d.dial(port)
	if err != nil {
		return
	}
	if !s.track(up) {
		_ = up.Close()
		return
	}
	defer s.untrack(up)
	pipe(c, up, relayIdle)
}

// getDialer joins the container's network namespace on first use.
func (s *server) getDialer() (*nsDialer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dialer != nil {
		return s.dialer, nil
	}
	deadline := time.Now().Add(pidWait)
	for {
		if s.closed {
			return nil, errors.New("relay closed")
		}
		pid, err := s.pid()
		if err == nil {
			d, err := newNSDialer(pid)
			if err != nil {
				return nil, err
			}
			s.dialer = d
			return d, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		s.mu.Unlock()
		select {
		case <-s.done:
		case <-time.After(100 * time.Millisecond):
		}
		s.mu.Lock()
	}
}

func (s *server) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	for _, ln := range s.lns {
		_ = ln.Close()
	}
	for c := range s.conns {
		_ = c.Close()
	}
	d := s.dialer
	s.mu.Unlock()
	s.wg.Wait()
	if d != nil {
		d.close()
	}
}

type closeWriter interface{ CloseWrite() error }

// relayIdle ends a relayed connection on which nothing has moved, either
// way, for this long. Without it, maxRelayed idle connections of another
// local user would hold every slot for the rest of the login, and the
// browser's callback would wait in the backlog.
var relayIdle = 30 * time.Second

// pipe copies both ways until both directions are done, passing on each
// half-close so an HTTP exchange ends as it would have directly. When
// neither way has moved a byte for idle, both connections are closed.
func pipe(a, b net.Conn, idle time.Duration) {
	var last atomic.Int64
	touch := func() { last.Store(time.Now().UnixNano()) }
	quiet := func() bool { return time.Since(time.Unix(0, last.Load())) >= idle }
	touch()
	var wg sync.WaitGroup
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			_ = src.SetReadDeadline(time.Now().Add(idle))
			n, err := src.Read(buf)
			if n > 0 {
				touch()
				_ = dst.SetWriteDeadline(time.Now().Add(idle))
				if _, werr := dst.Write(buf[:n]); werr != nil {
					_, _ = a.Close(), b.Close()
					return
				}
			}
			var ne net.Error
			switch {
			case err == nil:
			case errors.As(err, &ne) && ne.Timeout() && !quiet():
				// the other way is busy: this one may wait longer
			case errors.As(err, &ne) && ne.Timeout():
				_, _ = a.Close(), b.Close()
				return
			default:
				if cw, ok := dst.(closeWriter); ok {
					_ = cw.CloseWrite()
				} else {
					_ = dst.Close()
				}
				return
			}
		}
	}
	wg.Add(2)
	go cp(a, b)
	go cp(b, a)
	wg.Wait()
}

// nsDialer owns one OS thread that has joined a container's network
// namespace and only ever creates sockets connected to its loopback.
type nsDialer struct {
	reqs chan dialReq
	done chan struct{}
	once sync.Once
}

type dialReq struct {
	port  int
	reply chan dialRes
}

type dialRes struct {
	fd  int
	err error
}

func newNSDialer(pid int) (*nsDialer, error) {
	d := &nsDialer{reqs: make(chan dialReq), done: make(chan struct{})}
	ready := make(chan error, 1)
	go d.run(pid, ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return d, nil
}

func (d *nsDialer) run(pid int, ready chan<- error) {
	// Locked for good: when this goroutine returns, the runtime ends the
	// thread rather than hand a thread in another namespace to other code.
	runtime.LockOSThread()
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		ready <- fmt.Errorf("open the login container's network namespace: %w", err)
		return
	}
	err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
	_ = f.Close()
	if err != nil {
		ready <- fmt.Errorf("join the login container's network namespace (pid %d): %w", pid, err)
		return
	}
	ready <- nil
	for {
		select {
		case r := <-d.reqs:
			fd, err := connectLoopback(r.port)
			r.reply <- dialRes{fd, err}
		case <-d.done:
			return
		}
	}
}

// connectLoopback runs on the namespace thread: socket and connect only.
func connectLoopback(port int) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	// A loopback connect answers at once; the timeout only guards a full
	// backlog.
	tv := unix.Timeval{Sec: 5}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func (d *nsDialer) dial(port int) (net.Conn, error) {
	r := dialReq{port: port, reply: make(chan dialRes, 1)}
	select {
	case d.reqs <- r:
	case <-d.done:
		return nil, errors.New("relay closed")
	}
	res := <-r.reply
	if res.err != nil {
		return nil, fmt.Errorf("connect to 127.0.0.1:%d in the login container: %w", port, res.err)
	}
	f := os.NewFile(uintptr(res.fd), "relay")
	defer func() { _ = f.Close() }()
	return net.FileConn(f)
}

func (d *nsDialer) close() { d.once.Do(func() { close(d.done) }) }

// PodmanPID finds the PID of the named container's main process with
// `podman inspect`; it fails until the container runs.
func PodmanPID(podman, name string) PIDFunc {
	return func() (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, podman, "inspect", "--type", "container", "--format", "{{.State.Pid}}", name)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return 0, fmt.Errorf("podman inspect %s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || pid <= 0 {
			return 0, fmt.Errorf("container %s is not running yet", name)
		}
		return pid, nil
	}
}

// The helper protocol, one line each way, over the helper's stdin and
// stdout:
//
//	helper → host: "ready" | "error PORT MESSAGE" (once, after binding)
//	helper → host: "pid" (the first connection needs the container's PID)
//	host → helper: "pid N" | "nopid MESSAGE"
//
// The host closing the helper's stdin ends the helper.

type helperProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	done chan struct{}
	once sync.Once
	err  error
}

func startHelper(argv []string, ports []int, pid PIDFunc) (*helperProc, error) {
	args := append([]string(nil), argv[1:]...)
	for _, p := range sorted(ports) {
		args = append(args, strconv.Itoa(p))
	}
	cmd := exec.Command(argv[0], args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outR, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the callback relay (%s): %w", strings.Join(argv, " "), err)
	}
	h := &helperProc{cmd: cmd, in: in, done: make(chan struct{})}
	out := bufio.NewScanner(outR)
	if !out.Scan() {
		_ = in.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("the callback relay (%s) did not start: %s", strings.Join(argv, " "), strings.TrimSpace(stderr.String()))
	}
	if line := out.Text(); line != "ready" {
		_ = in.Close()
		_ = cmd.Wait()
		if rest, ok := strings.CutPrefix(line, "error "); ok {
			portStr, msg, _ := strings.Cut(rest, " ")
			if p, err := strconv.Atoi(portStr); err == nil && strings.Contains(msg, "address already in use") {
				host := "127.0.0.1"
				if strings.Contains(msg, "[::1]") {
					host = "::1"
				}
				return nil, portInUse(host, p, syscall.EADDRINUSE)
			}
			return nil, fmt.Errorf("the callback relay did not start: %s", rest)
		}
		return nil, fmt.Errorf("the callback relay said %q", line)
	}
	go func() {
		defer close(h.done)
		for out.Scan() {
			if out.Text() != "pid" {
				continue
			}
			n, err := waitPID(pid, h.done)
			reply := "pid " + strconv.Itoa(n)
			if err != nil {
				reply = "nopid " + strings.ReplaceAll(err.Error(), "\n", " ")
			}
			if _, err := io.WriteString(in, reply+"\n"); err != nil {
				return
			}
		}
	}()
	return h, nil
}

func waitPID(pid PIDFunc, stop <-chan struct{}) (int, error) {
	deadline := time.Now().Add(pidWait)
	for {
		n, err := pid()
		if err == nil || time.Now().After(deadline) {
			return n, err
		}
		select {
		case <-stop:
			return 0, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// close ends the helper by closing its input; it is killed if it lingers.
// Its exit status is not an error of the login: the helper exits 0 on EOF.
func (h *helperProc) close() error {
	h.once.Do(func() {
		_ = h.in.Close()
		waited := make(chan error, 1)
		go func() { waited <- h.cmd.Wait() }()
		select {
		case h.err = <-waited:
		case <-time.After(5 * time.Second):
			_ = h.cmd.Process.Kill()
			h.err = <-waited
		}
	})
	return h.err
}

// RunHelper is the relay helper's main (the hidden command `terok
// __relay PORT...`, run through `podman unshare`): it binds the ports,
// says "ready", relays until its input closes, and returns.
func RunHelper(in io.Reader, out io.Writer, ports []int) error {
	if err := CheckPorts(ports); err != nil {
		fmt.Fprintf(out, "error 0 %v\n", err)
		return err
	}
	lns, p, err := listenAllPort(ports)
	if err != nil {
		fmt.Fprintf(out, "error %d %s\n", p, strings.ReplaceAll(err.Error(), "\n", " "))
		return err
	}
	var wmu sync.Mutex
	answers := make(chan string, 1)
	ask := func() (int, error) {
		wmu.Lock()
		defer wmu.Unlock()
		if _, err := io.WriteString(out, "pid\n"); err != nil {
			return 0, err
		}
		line, ok := <-answers
		if !ok {
			return 0, errors.New("relay closed")
		}
		if n, ok := strings.CutPrefix(line, "pid "); ok {
			return strconv.Atoi(n)
		}
		return 0, errors.New(strings.TrimPrefix(line, "nopid "))
	}
	srv := newServer(lns, ask)
	if _, err := io.WriteString(out, "ready\n"); err != nil {
		srv.close()
		return err
	}
	go srv.serve()
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		select {
		case answers <- sc.Text():
		default:
		}
	}
	close(answers)
	srv.close()
	return nil
}
