// Command proxyhelper runs the credential proxy (core/proxy) in a process
// of its own, as `terok auth proxy` runs it, for `make bench`'s proxy rows:
// the real Server, its default upstream transport, the grants file read on
// every request, the audit log and Run's listeners. Only the credential
// is a fixed test key, where terok reads the store (see
// docs/performance.md). It is not shipped.
//
//	proxyhelper -state DIR -upstream https://127.0.0.1:PORT -tcp 127.0.0.1:0
//
// The upstream's certificate is trusted through SSL_CERT_FILE, so the
// proxy's own default transport is what is measured. The helper prints
// "listening URL" on standard output once the TCP listener is open, and
// serves until its standard input closes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/terok-ai/terok-auth/core/grant"
	"github.com/terok-ai/terok-auth/core/proxy"
	"github.com/terok-ai/terok-auth/core/route"
	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
	"github.com/terok-ai/terok-auth/sdk"
)

// Key is the test key the fake upstream expects (bench/proxy.go).
const Key = "sk-ant-api03-BENCHPROXY000000000000000000000000000000000000000000000000000000000000000000000000000000000-AAAAAA"

type fixed struct{}

func (fixed) Credential(context.Context, string, string) (sdk.Credential, error) {
	return sdk.APIKey(Key), nil
}

func main() {
	state := flag.String("state", "", "directory of grants.json, audit.jsonl and sockets/")
	upstream := flag.String("upstream", "", "the fake upstream's origin (https)")
	tcp := flag.String("tcp", "127.0.0.1:0", "loopback TCP listener")
	cpuprofile := flag.String("cpuprofile", os.Getenv("TEROK_BENCH_PROXY_CPUPROFILE"), "write a CPU profile here (PID appended), to see where the proxy's time goes")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(fmt.Sprintf("%s.%d", *cpuprofile, os.Getpid()))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if hp := os.Getenv("TEROK_BENCH_PROXY_HEAPPROFILE"); hp != "" {
		heapOnSignal(hp)
	}
	if err := run(*state, *upstream, *tcp); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "proxyhelper:", err)
		os.Exit(1)
	}
}

func run(state, upstream, tcp string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// claude's own declared routes, pointed at the fake upstream.
	routes, err := proxy.Routes(ctx, "claude", claude.Claude{})
	if err != nil {
		return err
	}
	for i := range routes {
		routes[i].Upstream = upstream
	}
	audit, err := proxy.OpenAudit(filepath.Join(state, "audit.jsonl"))
	if err != nil {
		return err
	}
	defer func() { _ = audit.Close() }()
	s, err := proxy.New(proxy.Options{
		Grants: grant.New(filepath.Join(state, "grants.json")), Credentials: fixed{},
		Routes: map[string][]route.Route{"claude": routes}, Audit: audit,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	return s.Run(ctx, proxy.Listeners{SocketDir: filepath.Join(state, "sockets"), TCP: tcp, Ready: func(g, addr string) {
		if g == "" {
			fmt.Println("listening", addr)
		}
	}})
}
