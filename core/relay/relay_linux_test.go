//go:build linux

package relay

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the process inside a network namespace
// (RELAY_TEST_SERVE=PORT) and as the rootless helper (RELAY_TEST_HELPER=1).
func TestMain(m *testing.M) {
	if p := os.Getenv("RELAY_TEST_SERVE"); p != "" {
		serveGreeting(p)
		return
	}
	if p := os.Getenv("RELAY_TEST_CALLBACK"); p != "" {
		serveCallback(p)
		return
	}
	if os.Getenv("RELAY_TEST_HELPER") != "" {
		var ports []int
		for _, a := range os.Args[1:] {
			if n, err := strconv.Atoi(a); err == nil {
				ports = append(ports, n)
			}
		}
		if err := RunHelper(os.Stdin, os.Stdout, ports); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// serveGreeting listens on the namespace's own 127.0.0.1:port, as a vendor
// CLI's callback server does, and greets every connection.
func serveGreeting(port string) {
	ln, err := net.Listen("tcp4", "127.0.0.1:"+port)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("listening")
	for {
		c, err := ln.Accept()
		if err != nil {
			os.Exit(0)
		}
		go func() {
			defer func() { _ = c.Close() }()
			line, _ := bufio.NewReader(c).ReadString('\n')
			_, _ = fmt.Fprintf(c, "inside the namespace: %s", line)
		}()
	}
}

func requireRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs root and unshare(1) to make a network namespace")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the relay tests make a network namespace with unshare(1): run them as root (the test machines and CI do)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Fatal("unshare(1) not found: install util-linux")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// inNetns starts a greeting server on 127.0.0.1:port of a new network
// namespace and returns its pid.
func inNetns(t *testing.T, port int) int {
	t.Helper()
	cmd := exec.Command("unshare", "--net", "--", "sh", "-c", `ip link set lo up 2>/dev/null || busybox ip link set lo up; exec "$0"`, os.Args[0])
	cmd.Env = append(os.Environ(), "RELAY_TEST_SERVE="+strconv.Itoa(port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "listening" {
		t.Fatalf("the server in the namespace did not start: %q", line)
	}
	return cmd.Process.Pid
}

func greet(t *testing.T, port int, msg string) string {
	t.Helper()
	return greetAt(t, "127.0.0.1", port, msg)
}

func greetAt(t *testing.T, host string, port int, msg string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		t.Fatalf("dial the host port: %v", err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read through the relay: %v", err)
	}
	return string(b)
}

func testRelay(t *testing.T, helper []string) {
	port := freePort(t)
	pid := inNetns(t, port)
	calls := 0
	r, err := Listen([]int{port}, Options{PID: func() (int, error) {
		calls++
		if calls == 1 {
			return 0, errors.New("not running yet") // the relay must retry
		}
		return pid, nil
	}, Helper: helper})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	// The server listens on the same port number in its own namespace: had
	// the relay dialled the host's loopback, it would have reached itself.
	for i := range 3 {
		want := fmt.Sprintf("inside the namespace: hello %d\n", i)
		if got := greet(t, port, fmt.Sprintf("hello %d", i)); got != want {
			t.Fatalf("through the relay: %q, want %q", got, want)
		}
	}
	// A browser that takes localhost to ::1 reaches the container too.
	if got := greetAt(t, "::1", port, "over ipv6"); got != "inside the namespace: over ipv6\n" {
		t.Fatalf("through the relay on [::1]: %q", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp4", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
		_ = c.Close()
		t.Error("the host port still accepts after Close")
	}
}

func TestRelayReachesTheNamespaceLoopback(t *testing.T) {
	requireRoot(t)
	testRelay(t, nil)
}

func TestRelayThroughHelper(t *testing.T) {
	requireRoot(t)
	t.Setenv("RELAY_TEST_HELPER", "1")
	testRelay(t, []string{os.Args[0], "-test.run=^$"})
}

func TestNothingListensInsideClosesTheConnection(t *testing.T) {
	requireRoot(t)
	port := freePort(t)
	pid := inNetns(t, freePort(t)) // a namespace where nothing listens on port
	r, err := Listen([]int{port}, Options{PID: func() (int, error) { return pid, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	c, err := net.DialTimeout("tcp4", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatalf("the host port must accept, then close: %v", err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c) // EOF or a reset: closed either way, never hung
	if len(b) != 0 || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("got %q, %v from a namespace where nothing listens", b, err)
	}
}

func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	port := taken.Addr().(*net.TCPAddr).Port
	free := freePort(t)
	for _, helper := range [][]string{nil, {os.Args[0], "-test.run=^$"}} {
		if helper != nil {
			t.Setenv("RELAY_TEST_HELPER", "1")
		}
		_, err := Listen([]int{free, port}, Options{PID: func() (int, error) { return 0, errors.New("unused") }, Helper: helper})
		if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
			t.Fatalf("helper %v: err = %v, want ErrPortInUse naming the port", helper, err)
		}
		// The other port was let go again.
		ln, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(free))
		if err != nil {
			t.Fatalf("helper %v: the free port stayed bound after the failure: %v", helper, err)
		}
		_ = ln.Close()
	}
}

func TestCheckPorts(t *testing.T) {
	for _, tc := range []struct {
		ports []int
		ok    bool
	}{
		{nil, true}, {[]int{1455}, true}, {[]int{1, 65535}, true},
		{[]int{0}, false}, {[]int{-1}, false}, {[]int{65536}, false}, {[]int{1455, 1455}, false},
	} {
		if err := CheckPorts(tc.ports); (err == nil) != tc.ok {
			t.Errorf("CheckPorts(%v) = %v", tc.ports, err)
		}
	}
	if r, err := Listen(nil, Options{}); r != nil || err != nil {
		t.Errorf("Listen(no ports) = %v, %v", r, err)
	}
	if err := (*Relay)(nil).Close(); err != nil {
		t.Error(err)
	}
}

// TestPortInUseOnTheIPv6Loopback: a squatter on [::1]:PORT (any local
// user may bind it) would get the code from a browser that resolves
// localhost to ::1 first; the port counts as taken.
func TestPortInUseOnTheIPv6Loopback(t *testing.T) {
	squat, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatalf("this test needs an IPv6 loopback: %v", err)
	}
	defer func() { _ = squat.Close() }()
	port := squat.Addr().(*net.TCPAddr).Port
	for _, helper := range [][]string{nil, {os.Args[0], "-test.run=^$"}} {
		if helper != nil {
			t.Setenv("RELAY_TEST_HELPER", "1")
		}
		r, err := Listen([]int{port}, Options{PID: func() (int, error) { return 0, errors.New("unused") }, Helper: helper})
		if err == nil {
			_ = r.Close()
		}
		if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "[::1]:"+strconv.Itoa(port)) {
			t.Errorf("helper %v: err = %v, want ErrPortInUse naming [::1]:%d", helper, err, port)
		}
	}
}

// flaky is a listener whose first accepts fail as under EMFILE.
type flaky struct {
	net.Listener
	fails    atomic.Int32
	accepted atomic.Int32
}

func (f *flaky) Accept() (net.Conn, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	c, err := f.Listener.Accept()
	if err == nil {
		f.accepted.Add(1)
	}
	return c, err
}

// TestAcceptErrorsDoNotStopTheRelay: accepts that fail (a burst of
// connections from another user ran terok out of descriptors) are waited
// out; the real callback still gets through afterwards.
func TestAcceptErrorsDoNotStopTheRelay(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := &flaky{Listener: ln}
	fl.fails.Store(5)
	srv := newServer([]net.Listener{fl}, func() (int, error) { return 0, errors.New("no container") })
	go srv.serve()
	defer srv.close()
	c, err := net.DialTimeout("tcp4", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if !waitUntil(20*time.Second, func() bool { return fl.accepted.Load() == 1 }) {
		t.Fatal("after failed accepts the relay stopped accepting")
	}
}

// TestRelayBoundsItsConnections: connections beyond maxRelayed wait in
// the backlog instead of each taking a descriptor and a goroutine.
func TestRelayBoundsItsConnections(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := &flaky{Listener: ln}
	// The container never runs: each connection waits for it (pidWait).
	srv := newServer([]net.Listener{fl}, func() (int, error) { return 0, errors.New("not running yet") })
	go srv.serve()
	defer srv.close()
	for range maxRelayed + 10 {
		c, err := net.DialTimeout("tcp4", ln.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close() }()
	}
	waitUntil(2*time.Second, func() bool { return fl.accepted.Load() >= maxRelayed })
	time.Sleep(200 * time.Millisecond)
	if n := fl.accepted.Load(); n != maxRelayed {
		t.Errorf("%d connections relayed at once, want the bound %d", n, maxRelayed)
	}
}

func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// An idle relayed connection is closed, so idle connections of another
// local user cannot hold the relay's slots; one that keeps moving bytes
// lives as long as it moves them.
func TestIdleRelayedConnectionIsClosed(t *testing.T) {
	const idle = 100 * time.Millisecond
	client, relayIn := net.Pipe()
	relayOut, container := net.Pipe()
	done := make(chan struct{})
	go func() { pipe(relayIn, relayOut, idle); close(done) }()
	// Busy for three idle periods: one byte every idle/4, echoed back.
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := container.Read(buf); err != nil {
				return
			}
			if _, err := container.Write(buf); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 1)
	for end := time.Now().Add(3 * idle); time.Now().Before(end); time.Sleep(idle / 4) {
		if _, err := client.Write([]byte{'x'}); err != nil {
			t.Fatalf("a busy connection was closed: %v", err)
		}
		if _, err := client.Read(buf); err != nil {
			t.Fatalf("a busy connection was closed: %v", err)
		}
	}
	select {
	case <-done:
		t.Fatal("the relay ended a connection that was moving bytes")
	default:
	}
	// Then quiet: the relay closes both sides.
	select {
	case <-done:
	case <-time.After(20 * idle):
		t.Fatal("an idle relayed connection was kept open")
	}
	if _, err := client.Write([]byte{'x'}); err == nil {
		t.Error("the client's side is still open")
	}
}
