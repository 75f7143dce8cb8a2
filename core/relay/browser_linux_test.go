package relay

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveCallback is a vendor CLI's callback server in the namespace: it
// prints every code it gets.
func serveCallback(port string) {
	ln, err := net.Listen("tcp4", "127.0.0.1:"+port)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("listening")
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("code " + r.URL.Query().Get("code"))
		_, _ = fmt.Fprintln(w, "You may close this window.")
	}))
}

// TestBrowserCallbackReachesOnlyTheContainer: a real browser (headless
// Chromium) is sent, as a vendor's authorize page sends it, to
// http://localhost:PORT/callback?code=…. A squatter of another loopback
// family than the one a check of 127.0.0.1 alone would cover tries to
// take the port once terok listens; the code arrives in the container, and
// nowhere else.
func TestBrowserCallbackReachesOnlyTheContainer(t *testing.T) {
	requireRoot(t)
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("this test needs Debian's chromium: run `scripts/deps browser` (apt-get install chromium)")
	}
	port := freePort(t)
	cmd := exec.Command("unshare", "--net", "--", "sh", "-c", `ip link set lo up 2>/dev/null || busybox ip link set lo up; exec "$0"`, os.Args[0])
	cmd.Env = append(os.Environ(), "RELAY_TEST_CALLBACK="+strconv.Itoa(port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "listening" {
		t.Fatalf("the callback server in the namespace did not start: %q", lines.Text())
	}
	codes := make(chan string, 10)
	go func() {
		for lines.Scan() {
			if c, ok := strings.CutPrefix(lines.Text(), "code "); ok {
				codes <- c
			}
		}
	}()

	r, err := Listen([]int{port}, Options{PID: func() (int, error) { return cmd.Process.Pid, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	// The squatter: another process wanting the callback, on [::1] and on
	// 127.0.0.1. Neither may bind while terok holds the port; one that did
	// would keep whatever the browser brought it.
	squatted := make(chan string, 10)
	for _, addr := range []string{"[::1]:" + strconv.Itoa(port), "127.0.0.1:" + strconv.Itoa(port)} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		t.Errorf("a squatter could listen on %s beside the relay", addr)
		defer func() { _ = ln.Close() }()
		go func() {
			_ = http.Serve(ln, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				squatted <- r.URL.Query().Get("code")
			}))
		}()
	}

	// The vendor's authorize page, on the host, redirects to localhost.
	const code = "ac_browser-test-0123456789"
	vendor, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = http.Serve(vendor, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, fmt.Sprintf("http://localhost:%d/callback?code=%s&state=s1", port, code), http.StatusFound)
		}))
	}()
	defer func() { _ = vendor.Close() }()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	browser := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "http://"+vendor.Addr().String()+"/oauth/authorize?client_id=x")
	dom, err := browser.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if !strings.Contains(string(dom), "You may close this window.") {
		t.Errorf("the browser did not get the container's page: %s", dom)
	}
	select {
	case got := <-squatted:
		t.Errorf("the squatter got the code %q", got)
	default:
	}
	select {
	case got := <-codes:
		if got != code {
			t.Errorf("the container got code %q, want %q", got, code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the code never reached the container")
	}
}
