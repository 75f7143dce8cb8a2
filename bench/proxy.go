//go:build linux

package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/terok-ai/terok-auth/core/grant"
	"github.com/terok-ai/terok-auth/core/proxy"
)

// The proxy rows: the credential proxy (core/proxy, in a process of its
// own: bench/proxyhelper) against the same fake upstream reached directly,
// side by side in one run. The fake is an https server with HTTP/2 on
// loopback in this process; the direct client talks to it as a tool would
// (TLS, HTTP/2), the proxied one as an agent does (plain HTTP/1.1 to the
// loopback listener, with a stand-in).

// proxyKey is the real credential, as the helper holds it
// (bench/proxyhelper.Key).
const proxyKey = "sk-ant-api03-BENCHPROXY000000000000000000000000000000000000000000000000000000000000000000000000000000000-AAAAAA"

// Sizes of the proxy rows.
const (
	proxyGrants     = 10          // 500 streams are 10 agents' worth: the proxy's limit is per grant
	latencyPairs    = 3000        // small requests per side
	bigBody         = 200_000_000 // bytes of the streamed body
	bigRuns         = 5           // pairs of it
	sseStreams      = 500
	sseEvents       = 20
	sseEvery        = 500 * time.Millisecond
	rpsClients      = 50
	rpsWindow       = 4 * time.Second
	rpsRounds       = 2
	rssBudgetMiB    = 150
	p50BudgetMS     = 0.5
	p99BudgetMS     = 2.0
	throughputFloor = 0.8
)

type proxyBench struct {
	tmp       string
	helper    string
	up        *httptest.Server
	certFile  string
	standIns  []string
	direct    *http.Client
	proxied   *http.Client
	sseActive atomic.Int64
	ssePeak   atomic.Int64
	leaks     atomic.Int64
	upConns   atomic.Int64 // connections the fake upstream accepted
}

// proxyHelper is one running proxy process.
type proxyHelper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
}

// runProxyOnly is -only proxy: the proxy table alone, in OUT/proxy.txt. It
// needs no keyring, podman or built binaries (it builds its helper).
func runProxyOnly() error {
	tmp, err := os.MkdirTemp("", "terok-bench-proxy-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	var report strings.Builder
	out := io.MultiWriter(os.Stdout, &report)
	host, _ := os.Hostname()
	fmt.Fprintf(out, "terok bench (proxy only), %s, %s, %d CPUs, load %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), loadavg())
	if err := proxyTable(tmp, out); err != nil {
		return err
	}
	return saveProxy(report.String())
}

func saveProxy(report string) error {
	if *outDir == "" {
		return nil
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(*outDir, "proxy.txt")
	fmt.Fprintf(os.Stderr, "written to %s\n", path)
	return os.WriteFile(path, []byte(report), 0o644)
}

func loadavg() string {
	load, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(load))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// proxyTable measures every proxy row and prints its table to out.
func proxyTable(tmp string, out io.Writer) error {
	b := &proxyBench{tmp: tmp}
	if err := b.setup(); err != nil {
		return fmt.Errorf("the proxy rows: %w", err)
	}
	defer b.up.Close()
	cpu0 := cpuSample()

	var rows []proxyRow
	add := func(r proxyRow, err error) {
		if err != nil {
			r.err, r.verdict = err, "ERROR"
		}
		fmt.Fprintf(os.Stderr, "  %-58s %s\n", r.name, r.verdict)
		rows = append(rows, r)
	}
	h, err := b.start()
	if err != nil {
		return err
	}
	// TEROK_BENCH_PROXY_ROWS (latency, throughput, rps, streams) picks
	// rows, for looking into one.
	want := func(name string) bool {
		v := os.Getenv("TEROK_BENCH_PROXY_ROWS")
		return v == "" || strings.Contains(v, name)
	}
	if want("latency") {
		lat50, lat99, err := b.latency(h)
		add(lat50, err)
		add(lat99, err)
	}
	if want("throughput") {
		add(b.throughput(h))
	}
	if want("rps") {
		add(b.rps(h))
	}
	h.stop()
	if want("streams") {
		// A fresh process for the streams, so its peak RSS is theirs.
		if h, err = b.start(); err != nil {
			return err
		}
		add(b.streams(h))
		h.stop()
	}

	cpu1 := cpuSample()
	fmt.Fprintf(out, "credential proxy (core/proxy in its own process, TCP 127.0.0.1) against the same fake upstream\n")
	fmt.Fprintf(out, "(https, HTTP/2, loopback) reached directly; one run, both sides alternating\n")
	fmt.Fprintf(out, "%-52s %12s %12s %10s %12s  %s\n", "measure", "proxy", "direct", "diff", "budget", "verdict")
	fmt.Fprintln(out, strings.Repeat("-", 110))
	for _, r := range rows {
		p, d, diff := r.proxy, r.direct, r.diff
		if r.err != nil {
			p, d, diff = "-", "-", "-"
		}
		fmt.Fprintf(out, "%-52s %12s %12s %10s %12s  %s\n", r.name, p, d, diff, r.budget, r.verdict)
		if r.note != "" {
			fmt.Fprintf(out, "    %s\n", r.note)
		}
		if r.err != nil {
			fmt.Fprintf(out, "    error: %s\n", firstLines(r.err.Error(), 4))
		}
	}
	if n := b.leaks.Load(); n > 0 {
		fmt.Fprintf(out, "\nTHE FAKE UPSTREAM SAW %d REQUESTS WITHOUT THE REAL KEY OR WITH A STAND-IN\n", n)
	}
	fmt.Fprintf(out, "\nload: %s at the end; while these rows ran, other processes used %.2f of %d CPUs on average, this bench and its proxy %.2f\n",
		loadavg(), cpu1.others(cpu0), runtime.NumCPU(), cpu1.ours(cpu0))
	fmt.Fprintf(out, "(the proxy reads the grants file on every request and writes the audit log; its credential is a fixed key, where terok reads the store)\n")
	return nil
}

type proxyRow struct {
	name, proxy, direct, diff, budget, verdict, note string
	err                                              error
}

func (b *proxyBench) setup() error {
	// TEROK_BENCH_PROXY_HELPER runs a helper built elsewhere (another
	// commit's proxy, for a before and after in the same conditions).
	if b.helper = os.Getenv("TEROK_BENCH_PROXY_HELPER"); b.helper == "" {
		b.helper = filepath.Join(b.tmp, "proxyhelper")
		build := exec.Command("go", "build", "-trimpath", "-o", b.helper, "./bench/proxyhelper")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./bench/proxyhelper (run the bench from the repository's root): %w\n%s", err, out)
		}
	}
	b.up = httptest.NewUnstartedServer(http.HandlerFunc(b.upstream))
	b.up.EnableHTTP2 = true
	b.up.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			b.upConns.Add(1)
		}
	}
	b.up.StartTLS()
	b.certFile = filepath.Join(b.tmp, "upstream.pem")
	cert := b.up.Certificate()
	if err := os.WriteFile(b.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	b.direct = &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 1024,
	}}
	b.proxied = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1024}}
	reg := grant.New(filepath.Join(b.tmp, "state", "grants.json"))
	for i := range proxyGrants {
		g, err := reg.Issue(context.Background(), "default", []string{"claude"}, 2*time.Hour, fmt.Sprintf("bench-%d", i))
		if err != nil {
			return err
		}
		b.standIns = append(b.standIns, g.StandIns["claude"])
	}
	return nil
}

// upstream is the fake vendor: it answers only the real key, and counts a
// request that carries a stand-in or lacks the key.
func (b *proxyBench) upstream(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("x-api-key") != proxyKey {
		b.leaks.Add(1)
		http.Error(w, "no key", http.StatusUnauthorized)
		return
	}
	for _, vs := range r.Header {
		for _, v := range vs {
			if strings.Contains(v, grant.StandInPrefix) {
				b.leaks.Add(1)
				http.Error(w, "stand-in", http.StatusBadRequest)
				return
			}
		}
	}
	switch r.URL.Path {
	case "/v1/small":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"msg_bench","type":"message","content":[{"type":"text","text":"ok"}]}`)
	case "/v1/big":
		w.Header().Set("Content-Type", "application/octet-stream")
		chunk := make([]byte, 64_000)
		for sent := 0; sent < bigBody; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case "/v1/sse":
		n := b.sseActive.Add(1)
		defer b.sseActive.Add(-1)
		for {
			p := b.ssePeak.Load()
			if n <= p || b.ssePeak.CompareAndSwap(p, n) {
				break
			}
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		fl := w.(http.Flusher)
		t := time.NewTicker(sseEvery)
		defer t.Stop()
		for i := range sseEvents {
			if _, err := fmt.Fprintf(w, "event: content_block_delta\ndata: {\"index\":%d,\"delta\":{\"text\":\"tok\"}}\n\n", i); err != nil {
				return
			}
			fl.Flush()
			if i < sseEvents-1 {
				select {
				case <-t.C:
				case <-r.Context().Done():
					return
				}
			}
		}
	default:
		http.NotFound(w, r)
	}
}

func (b *proxyBench) start() (*proxyHelper, error) {
	c := exec.Command(b.helper, "-state", filepath.Join(b.tmp, "state"), "-upstream", b.up.URL, "-tcp", "127.0.0.1:0")
	c.Env = append(os.Environ(), "SSL_CERT_FILE="+b.certFile)
	if v := os.Getenv("TEROK_BENCH_PROXY_ENV"); v != "" { // experiments: GOMAXPROCS=1, GODEBUG=…
		c.Env = append(c.Env, strings.Fields(v)...)
	}
	c.Stderr = os.Stderr
	stdin, err := c.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = c.Process.Kill()
		_ = c.Wait()
		return nil, fmt.Errorf("the proxy helper did not start: %w", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		_ = c.Process.Kill()
		_ = c.Wait()
		return nil, fmt.Errorf("the proxy helper said %q", line)
	}
	return &proxyHelper{cmd: c, stdin: stdin, url: url}, nil
}

func (h *proxyHelper) stop() {
	_ = h.stdin.Close()
	done := make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
	}
}

// get makes one request, directly (i < 0) or through the proxy with
// stand-in i, reads the body and checks the status.
func (b *proxyBench) get(ctx context.Context, h *proxyHelper, i int, path string, buf []byte) (int64, error) {
	client, base, key := b.direct, b.up.URL, proxyKey
	if i >= 0 {
		client, base, key = b.proxied, h.url, b.standIns[i%len(b.standIns)]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("x-api-key", key)
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("%s %s: status %d", map[bool]string{true: "proxy", false: "direct"}[i >= 0], path, resp.StatusCode)
	}
	return n, nil
}

// latency: small requests one at a time, the two sides alternating (the
// order flips each pair), after a warm-up of each.
func (b *proxyBench) latency(h *proxyHelper) (proxyRow, proxyRow, error) {
	r50 := proxyRow{name: "added latency, small request, p50", budget: fmt.Sprintf("<= +%.1fms", p50BudgetMS)}
	r99 := proxyRow{name: "added latency, small request, p99", budget: fmt.Sprintf("<= +%.0fms", p99BudgetMS)}
	ctx := context.Background()
	buf := make([]byte, 32<<10)
	for i := range 200 {
		if _, err := b.get(ctx, h, -1, "/v1/small", buf); err != nil {
			return r50, r99, err
		}
		if _, err := b.get(ctx, h, i, "/v1/small", buf); err != nil {
			return r50, r99, err
		}
	}
	var d, p []float64
	for i := range latencyPairs {
		for k := range 2 {
			side := -1
			if (i+k)%2 == 1 {
				side = i
			}
			start := time.Now()
			if _, err := b.get(ctx, h, side, "/v1/small", buf); err != nil {
				return r50, r99, err
			}
			el := float64(time.Since(start).Nanoseconds()) / 1e6
			if side < 0 {
				d = append(d, el)
			} else {
				p = append(p, el)
			}
		}
	}
	sort.Float64s(d)
	sort.Float64s(p)
	for _, x := range []struct {
		r *proxyRow
		q float64
		b float64
	}{{&r50, 0.50, p50BudgetMS}, {&r99, 0.99, p99BudgetMS}} {
		pq, dq := quantile(p, x.q), quantile(d, x.q)
		x.r.proxy, x.r.direct, x.r.diff = fmt.Sprintf("%.3fms", pq), fmt.Sprintf("%.3fms", dq), fmt.Sprintf("%+.3fms", pq-dq)
		x.r.verdict = verdict(pq-dq <= x.b)
	}
	r50.note = fmt.Sprintf("%d requests each side, alternating; proxy/direct p90 %.3f/%.3fms, p99.9 %.3f/%.3fms, max %.3f/%.3fms",
		latencyPairs, quantile(p, 0.9), quantile(d, 0.9), quantile(p, 0.999), quantile(d, 0.999), p[len(p)-1], d[len(d)-1])
	return r50, r99, nil
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

// throughput: a 200 MB streamed (chunked) response body, bigRuns pairs.
func (b *proxyBench) throughput(h *proxyHelper) (proxyRow, error) {
	r := proxyRow{name: "throughput, 200 MB streamed response body", budget: fmt.Sprintf(">= %.0f%%", throughputFloor*100)}
	ctx := context.Background()
	buf := make([]byte, 256<<10)
	var d, p, ratios []float64
	for i := range bigRuns {
		var mbps [2]float64
		for k := range 2 {
			side := -1 // direct first in even pairs
			if (i+k)%2 == 1 {
				side = 0
			}
			start := time.Now()
			n, err := b.get(ctx, h, side, "/v1/big", buf)
			if err != nil {
				return r, err
			}
			if n != bigBody {
				return r, fmt.Errorf("got %d bytes of %d", n, bigBody)
			}
			v := float64(n) / 1e6 / time.Since(start).Seconds()
			if side < 0 {
				mbps[0] = v
			} else {
				mbps[1] = v
			}
		}
		d, p, ratios = append(d, mbps[0]), append(p, mbps[1]), append(ratios, mbps[1]/mbps[0])
	}
	rat := median(ratios)
	r.proxy, r.direct, r.diff = fmt.Sprintf("%.0f MB/s", median(p)), fmt.Sprintf("%.0f MB/s", median(d)), fmt.Sprintf("%.0f%%", rat*100)
	r.verdict = verdict(rat >= throughputFloor)
	r.note = fmt.Sprintf("median of %d pairs; diff = median of the per-pair ratios", bigRuns)
	return r, nil
}

// rps: rpsClients clients, each making small requests one after another
// for rpsWindow; the two sides alternate, rpsRounds each.
func (b *proxyBench) rps(h *proxyHelper) (proxyRow, error) {
	r := proxyRow{name: fmt.Sprintf("requests/s, %d clients, small request", rpsClients), budget: "-"}
	var d, p []float64
	var failed int64
	for round := range 2 * rpsRounds {
		proxied := round%2 == 1
		var ok, bad atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), rpsWindow)
		var wg sync.WaitGroup
		start := time.Now()
		for c := range rpsClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4<<10)
				side := -1
				if proxied {
					side = c
				}
				for ctx.Err() == nil {
					if _, err := b.get(ctx, h, side, "/v1/small", buf); err != nil {
						if ctx.Err() == nil {
							bad.Add(1)
						}
						continue
					}
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		cancel()
		v := float64(ok.Load()) / time.Since(start).Seconds()
		if proxied {
			p = append(p, v)
			failed += bad.Load()
		} else {
			d = append(d, v)
		}
	}
	rat := median(p) / median(d)
	r.proxy, r.direct, r.diff = fmt.Sprintf("%.0f/s", median(p)), fmt.Sprintf("%.0f/s", median(d)), fmt.Sprintf("%.0f%%", rat*100)
	r.verdict = "(info)"
	r.note = fmt.Sprintf("%d rounds of %s each side; %d proxied requests failed", rpsRounds, rpsWindow, failed)
	if failed > 0 {
		r.verdict = "FAILED"
	}
	return r, nil
}

// streams: sseStreams SSE streams open at once for sseEvents events each,
// first directly, then through a fresh proxy process; the proxy's peak
// RSS is read from /proc while they are held.
func (b *proxyBench) streams(h *proxyHelper) (proxyRow, error) {
	r := proxyRow{name: fmt.Sprintf("%d concurrent SSE streams held, proxy peak RSS", sseStreams), budget: fmt.Sprintf("<= %d MiB", rssBudgetMiB)}
	run := func(proxied bool) (failed int, peak int64, took time.Duration, conns int) {
		b.ssePeak.Store(0)
		conns0 := b.upConns.Load()
		defer func() { conns = int(b.upConns.Load() - conns0) }()
		var bad atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for i := range sseStreams {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if n, err := b.sse(h, proxied, i); err != nil || n != sseEvents {
					bad.Add(1)
				}
			}()
		}
		wg.Wait()
		return int(bad.Load()), b.ssePeak.Load(), time.Since(start), 0
	}
	dFailed, dPeak, dTook, dConns := run(false)
	rssStart, _ := procStatus(h.cmd.Process.Pid, "VmRSS")
	var maxRSS atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := procStatus(h.cmd.Process.Pid, "VmRSS"); err == nil && v > maxRSS.Load() {
				maxRSS.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	if os.Getenv("TEROK_BENCH_PROXY_HEAPPROFILE") != "" {
		go func() {
			time.Sleep(sseEvery * sseEvents / 2)
			_ = h.cmd.Process.Signal(syscall.SIGUSR1)
		}()
	}
	pFailed, pPeak, pTook, pConns := run(true)
	close(stop)
	<-sampled
	hwm, err := procStatus(h.cmd.Process.Pid, "VmHWM")
	if err != nil {
		return r, err
	}
	mib := float64(hwm) / 1024
	r.proxy = fmt.Sprintf("%.1f MiB", mib)
	r.direct = "-"
	r.diff = fmt.Sprintf("%d failed", pFailed)
	r.verdict = verdict(mib <= rssBudgetMiB && pFailed == 0)
	r.note = fmt.Sprintf("proxy: %d of %d streams got all %d events (one every %s), %d open at the upstream at once over %d connections, %.1fs;\n"+
		"    RSS %.1f MiB idle, %.1f MiB sampled peak; direct: %d of %d, %d at once over %d connections, %.1fs;\n"+
		"    the streams are spread over %d grants (the proxy's limit is %d in flight per grant)",
		sseStreams-pFailed, sseStreams, sseEvents, sseEvery, pPeak, pConns, pTook.Seconds(), float64(rssStart)/1024, float64(maxRSS.Load())/1024,
		sseStreams-dFailed, sseStreams, dPeak, dConns, dTook.Seconds(), proxyGrants, proxy.DefaultMaxConcurrent)
	return r, nil
}

// sse reads one stream to its end and counts its events.
func (b *proxyBench) sse(h *proxyHelper, proxied bool, i int) (int, error) {
	client, base, key := b.direct, b.up.URL, proxyKey
	if proxied {
		client, base, key = b.proxied, h.url, b.standIns[i%len(b.standIns)]
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/sse", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("x-api-key", key)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	n := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data: ") {
			n++
		}
	}
	return n, sc.Err()
}

// procStatus reads a kB field of /proc/PID/status.
func procStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read the proxy's RSS (Linux only): %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no " + field + " in /proc status")
}

// cpuTimes is the machine's busy CPU time and this process's own (its
// children's included, once waited for), in seconds.
type cpuTimes struct {
	busy, own float64
	at        time.Time
}

// others is the CPUs that other processes kept busy on average since c0;
// ours, this bench and its proxy.
func (c cpuTimes) others(c0 cpuTimes) float64 {
	return (c.busy - c0.busy - (c.own - c0.own)) / c.at.Sub(c0.at).Seconds()
}

func (c cpuTimes) ours(c0 cpuTimes) float64 { return (c.own - c0.own) / c.at.Sub(c0.at).Seconds() }

func cpuSample() cpuTimes {
	var c cpuTimes
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		f := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
		// cpu user nice system idle iowait irq softirq steal
		for i, v := range f[1:] {
			if i == 3 || i == 4 || i > 7 {
				continue
			}
			n, _ := strconv.ParseFloat(v, 64)
			c.busy += n / 100
		}
	}
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	c.own = tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
	c.at = time.Now()
	return c
}
