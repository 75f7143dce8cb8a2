package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Listeners say where Run listens.
type Listeners struct {
	// SocketDir gets one Unix socket per live grant, GRANT.sock (0600),
	// in a directory made 0700; a grant's socket goes when it ends.
	SocketDir string
	// TCP, if set, is a loopback address (127.0.0.1:PORT) that takes the
	// stand-in of any grant.
	TCP string
	// Ready, if set, is told each listener's address as it opens.
	Ready func(grant, addr string)
}

// gcBallast is the heap Run keeps allocated and untouched (see Run).
const gcBallast = 8 << 20

// SocketPath is the socket of grant id in dir.
func SocketPath(dir, id string) string { return filepath.Join(dir, id+".sock") }

// Run serves until ctx ends: it opens a socket for every live grant, and
// checks the registry every second for new and ended ones. It is meant to
// be the proxy's process (terok auth proxy, exec --proxy): while it runs,
// the process keeps to one processor and a garbage-collector ballast,
// unless GOMAXPROCS, GOGC or GOMEMLIMIT say otherwise (docs/performance.md).
func (s *Server) Run(ctx context.Context, l Listeners) error {
	if l.SocketDir == "" {
		return errors.New("proxy: no socket directory")
	}
	if err := os.MkdirAll(l.SocketDir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(l.SocketDir, 0o700); err != nil {
		return err
	}
	// A proxy's live heap is a megabyte or two, so the collector's 4 MB
	// floor made it collect every ~80 small requests, and a request that
	// met a collection waited for it on a busy machine: the p99 of make
	// bench. The ballast raises the heap the collector aims for by a
	// fixed 8 MB, so it runs a fifth as often; the goal stays proportional
	// to what is live (500 streams). It is never written: memory fresh
	// from the system, as at the start of the proxy's process, then never
	// becomes resident (make bench: 10 MiB idle, with or without it).
	// Unless the user tunes the collector himself.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		ballast := make([]byte, gcBallast)
		defer runtime.KeepAlive(ballast)
	}
	// The proxy waits on sockets; one processor is ample for it (make
	// bench: ~4000 small requests/s, 500 streams, a 200 MB body at the
	// direct rate), and it keeps a request on one thread: with more, each
	// of a request's four goroutine hops (the connection's, HTTP/2's
	// writer and read loop, the handler) could wake another thread that
	// then waited for a CPU the agents were using, which was the rest of
	// the tail and a tenth of a millisecond of the median. Unless the
	// user sets GOMAXPROCS himself; restored when Run returns.
	if os.Getenv("GOMAXPROCS") == "" {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	servers := map[string]*http.Server{}
	defer func() {
		for id, srv := range servers {
			_ = srv.Close()
			_ = os.Remove(SocketPath(l.SocketDir, id))
		}
	}()
	if l.TCP != "" {
		host, _, err := net.SplitHostPort(l.TCP)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("--tcp %s: the proxy listens on a loopback address only (127.0.0.1:PORT)", l.TCP)
		}
		ln, err := net.Listen("tcp", l.TCP)
		if err != nil {
			return err
		}
		srv := s.httpServer("")
		servers[""] = srv
		go func() { _ = srv.Serve(ln) }()
		if l.Ready != nil {
			l.Ready("", "http://"+ln.Addr().String())
		}
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := s.reconcile(l, servers); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (s *Server) reconcile(l Listeners, servers map[string]*http.Server) error {
	gs, err := s.o.Grants.List()
	if err != nil {
		return err
	}
	now := s.o.Now()
	live := map[string]bool{"": true}
	for i := range gs {
		g := &gs[i]
		if !g.Live(now) {
			continue
		}
		live[g.ID] = true
		if servers[g.ID] != nil {
			continue
		}
		path := SocketPath(l.SocketDir, g.ID)
		_ = os.Remove(path) // left by a proxy that was killed
		ln, err := net.Listen("unix", path)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", path, err)
		}
		if err := os.Chmod(path, 0o600); err != nil {
			_ = ln.Close()
			return err
		}
		srv := s.httpServer(g.ID)
		servers[g.ID] = srv
		go func() { _ = srv.Serve(ln) }()
		if l.Ready != nil {
			l.Ready(g.ID, path)
		}
	}
	for id, srv := range servers {
		if !live[id] {
			_ = srv.Close()
			_ = os.Remove(SocketPath(l.SocketDir, id))
			delete(servers, id)
		}
	}
	return nil
}

// HTTPServer is an http.Server with the proxy's limits that serves the
// stand-ins of grant only ("" for any), for a caller that opens its own
// listener (exec --proxy: one grant, one process).
func (s *Server) HTTPServer(grant string) *http.Server { return s.httpServer(grant) }

func (s *Server) httpServer(grant string) *http.Server {
	return &http.Server{
		Handler:           s.Handler(grant),
		ReadHeaderTimeout: s.o.HeaderTimeout,
		IdleTimeout:       s.o.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}
