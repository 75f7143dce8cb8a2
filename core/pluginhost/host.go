package pluginhost

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// Defaults for Host's timeouts.
const (
	DefaultStartTimeout = 10 * time.Second
	DefaultCallTimeout  = 10 * time.Second
)

// Trust decides whether a plugin binary may run.
type Trust interface {
	// Check applies every rule short of hashing the binary (for listings).
	Check(name, path string) error
	// Open returns the binary, open, once it passed every rule, its hash
	// included: the host executes that file, not the path.
	Open(name, path string) (*os.File, error)
}

// Host starts plugins and owns their processes. Close kills every plugin it
// started; call it on every way out of the program.
type Host struct {
	Logger       hclog.Logger
	StartTimeout time.Duration
	CallTimeout  time.Duration
	// Env is added to each plugin's environment, which holds nothing else
	// of the host's but a few harmless variables (see pluginEnv).
	Env []string
	// Trust, if set, decides whether a plugin may run and opens its
	// binary; nil runs every plugin unchecked (tests only).
	Trust Trust
	// AdoptOrphans makes the process, at the first plugin start, the
	// subreaper of its descendants (Linux PR_SET_CHILD_SUBREAPER), so Close
	// also finds and kills what a plugin's children left running after
	// leaving its process group. The setting is process-wide and cannot be
	// undone: only a program's main should turn it on.
	AdoptOrphans bool
	// Notices, if set, gets a line each time a provider is attached to a
	// plugin started by hand (TEROK_REATTACH_PROVIDERS), once per provider:
	// the user's stderr, so a debug setting left behind is always seen.
	Notices io.Writer

	noticed map[names.Provider]bool
	mu      sync.Mutex
	plugs   []*running
	closed  bool
	mark    string // see reapOrphans
}

// running is one started plugin: its client, and its process once
// go-plugin has asked for it.
type running struct {
	client *goplugin.Client
	proc   atomic.Pointer[pluginProcess]
}

// stop kills the plugin and whatever is left in its process group.
func (r *running) stop() {
	r.client.Kill()
	if p := r.proc.Load(); p != nil {
		p.killGroup()
	}
}

// Start launches p and returns it as an sdk.Provider whose every call is
// bounded by CallTimeout, and a function that stops it (Close stops it too). A call that fails for any reason other than a
// provider's own sentinel error kills the plugin: after a timeout or a
// broken connection its state is unknown, and a hung plugin must not
// outlive the call.
func (h *Host) Start(ctx context.Context, p Plugin) (sdk.Provider, func(), error) {
	logger := h.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	reattach, err := reattachFor(p.Name) // a plugin started by hand: see reattach.go
	if err != nil {
		return nil, nil, err
	}
	if reattach != nil {
		h.notice(p.Name, reattach)
	}
	var bin *os.File
	if reattach == nil {
		if bin, err = h.openBinary(p); err != nil {
			return nil, nil, err
		}
	}
	run, err := h.newClient(p, bin, logger, reattach)
	if err != nil {
		if bin != nil {
			_ = bin.Close()
		}
		return nil, nil, err
	}
	client := run.client

	type started struct {
		prov sdk.Provider
		err  error
	}
	done := make(chan started, 1)
	go func() {
		rpcClient, err := client.Client()
		if run.proc.Load() == nil && bin != nil {
			_ = bin.Close() // go-plugin never got as far as starting it
		}
		if err != nil {
			done <- started{err: err}
			return
		}
		raw, err := rpcClient.Dispense(host.Dispense)
		if err != nil {
			done <- started{err: err}
			return
		}
		prov, ok := raw.(sdk.Provider)
		if !ok {
			done <- started{err: fmt.Errorf("dispensed %T, not a provider", raw)}
			return
		}
		done <- started{prov: prov}
	}()

	select {
	case s := <-done:
		if s.err != nil {
			run.stop()
			return nil, nil, startError(p, s.err)
		}
		return &bounded{p: s.prov, name: p.Name, timeout: orDefault(h.CallTimeout, DefaultCallTimeout), kill: run.stop}, run.stop, nil
	case <-ctx.Done():
		run.stop()
		return nil, nil, ctx.Err()
	}
}

// notice tells Notices, once per provider, that name is attached.
func (h *Host) notice(name names.Provider, rc *goplugin.ReattachConfig) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.Notices == nil || h.noticed[name] {
		return
	}
	if h.noticed == nil {
		h.noticed = map[names.Provider]bool{}
	}
	h.noticed[name] = true
	fmt.Fprint(h.Notices, attachedNotice(name, rc))
}

// openBinary returns the plugin's binary, open, checked by Trust if set.
func (h *Host) openBinary(p Plugin) (*os.File, error) {
	if h.Trust == nil {
		return os.Open(p.Path)
	}
	return h.Trust.Open(string(p.Name), p.Path)
}

// newClient makes the go-plugin client of p, whose process terok starts
// itself (pluginProcess) from bin with the plugin's environment, and
// tracks it for Close. With reattach set, the client attaches to a plugin
// the user started by hand instead, and bin is nil.
func (h *Host) newClient(p Plugin, bin *os.File, logger hclog.Logger, reattach *goplugin.ReattachConfig) (*running, error) {
	if h.AdoptOrphans {
		becomeSubreaper()
	}
	extra := append(append([]string(nil), h.Env...), h.processMark())
	// Mutual TLS as go-plugin's AutoMTLS, with cheaper keys (see
	// host.TLS); a plugin started by hand (reattach) brings its own.
	var tlsConfig *tls.Config
	if reattach == nil {
		cfg, tlsEnv, err := host.TLS()
		if err != nil {
			return nil, fmt.Errorf("start plugin %s: make its TLS keys: %w", p.Name, err)
		}
		tlsConfig, extra = cfg, append(extra, tlsEnv...)
	}
	env := pluginEnv(os.Environ(), extra)
	run := &running{}
	run.client = goplugin.NewClient(withReattach(reattach, &goplugin.ClientConfig{
		HandshakeConfig:  host.Handshake(),
		VersionedPlugins: host.PluginSets(),
		RunnerFunc: func(_ hclog.Logger, cmd *exec.Cmd, _ string) (runner.Runner, error) {
			// cmd.Env holds only go-plugin's own variables (SkipHostEnv).
			proc, err := newPluginProcess(bin, p.Path, append(env, cmd.Env...))
			if err != nil {
				return nil, err
			}
			run.proc.Store(proc)
			return proc, nil
		},
		SkipHostEnv:      true,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		TLSConfig:        tlsConfig,
		StartTimeout:     orDefault(h.StartTimeout, DefaultStartTimeout),
		Logger:           logger.Named(string(p.Name)),
		// Anything a plugin writes to stdout after the handshake is dropped:
		// stdout is the user's, and a plugin has no business there.
		SyncStdout: io.Discard,
		SyncStderr: io.Discard,
	}))
	if !h.track(run) {
		run.stop()
		return nil, errors.New("plugin host is closed")
	}
	return run, nil
}

// processMark is the environment entry every plugin of this host, and so
// every process a plugin starts, carries: Close finds them by it.
func (h *Host) processMark() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.mark == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		h.mark = "TEROK_PLUGIN_HOST=" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
	}
	return h.mark
}

// ErrProtocol means plugin and host share no protocol version.
var ErrProtocol = errors.New("plugin speaks another protocol version")

func startError(p Plugin, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(strings.ToLower(msg), "incompatible api version"):
		// go-plugin: "incompatible API version with plugin. Plugin version: 2, Client versions: [1]"
		theirs, ours := "?", "?"
		if _, rest, ok := strings.Cut(msg, "Plugin version: "); ok {
			theirs, rest, _ = strings.Cut(rest, ",")
			if _, o, ok := strings.Cut(rest, "Client versions: "); ok {
				ours = strings.Trim(strings.TrimSpace(o), "[]")
			}
		}
		return fmt.Errorf("%w: plugin %s (%s) speaks plugin protocol %s, this terok speaks %s. "+
			"Install a build of the plugin for protocol %s, or a terok that speaks %s", ErrProtocol, p.Name, p.Path, theirs, ours, ours, theirs)
	}
	return fmt.Errorf("start plugin %s (%s): %w: %w", p.Name, p.Path, ErrPluginFailed, err)
}

func (h *Host) track(r *running) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.plugs = append(h.plugs, r)
	return true
}

// Close kills every plugin this host started, in parallel, and waits for
// them to exit; then every process they started, whether still in their
// process group or not (see reapOrphans). It is safe to call more than
// once.
func (h *Host) Close() {
	h.mu.Lock()
	plugs, mark := h.plugs, h.mark
	h.plugs, h.closed = nil, true
	h.mu.Unlock()
	var below []int
	plugins := map[int]bool{}
	for _, r := range plugs {
		if p := r.proc.Load(); p != nil && p.pid.Load() > 0 {
			pid := int(p.pid.Load())
			plugins[pid] = true
			below = append(below, descendants(pid)...)
		}
	}
	var wg sync.WaitGroup
	for _, r := range plugs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.stop()
		}()
	}
	wg.Wait()
	killPids(below)
	if mark != "" {
		reapOrphans(mark, plugins)
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// bounded is a plugin's provider with a deadline on every call.
type bounded struct {
	p       sdk.Provider
	name    names.Provider
	timeout time.Duration
	kill    func()
}

var _ sdk.Provider = (*bounded)(nil)

// call runs f under the call timeout and turns transport failures into
// errors a user can act on.
func call[Resp any](b *bounded, ctx context.Context, method string, f func(context.Context) (Resp, error)) (Resp, error) {
	cctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	resp, err := f(cctx)
	if err == nil || sdk.IsProviderError(err) {
		return resp, err
	}
	b.kill()
	var zero Resp
	switch {
	case ctx.Err() != nil:
		return zero, ctx.Err()
	case errors.Is(cctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded:
		return zero, fmt.Errorf("plugin %s did not answer %s within %s and was stopped (raise TEROK_PLUGIN_TIMEOUT if it is just slow): %w", b.name, method, b.timeout, ErrPluginFailed)
	case status.Code(err) == codes.Unavailable || status.Code(err) == codes.Canceled:
		return zero, fmt.Errorf("plugin %s stopped answering during %s; it probably crashed (run with TEROK_LOG_LEVEL=debug to see its output): %w", b.name, method, ErrPluginFailed)
	}
	return zero, fmt.Errorf("plugin %s failed in %s: %s: %w", b.name, method, status.Convert(err).Message(), ErrPluginFailed)
}

// ErrPluginFailed marks errors where the plugin itself, not the user's
// input, is at fault: it crashed, hung or broke the protocol.
var ErrPluginFailed = errors.New("plugin failed")

func (b *bounded) Describe(ctx context.Context, req *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return call(b, ctx, "Describe", func(ctx context.Context) (*sdk.DescribeResponse, error) { return b.p.Describe(ctx, req) })
}

func (b *bounded) Negotiate(ctx context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return call(b, ctx, "Negotiate", func(ctx context.Context) (*sdk.NegotiateResponse, error) { return b.p.Negotiate(ctx, req) })
}

func (b *bounded) KeyPrompt(ctx context.Context, req *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return call(b, ctx, "KeyPrompt", func(ctx context.Context) (*sdk.KeyPromptResponse, error) { return b.p.KeyPrompt(ctx, req) })
}

func (b *bounded) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	return call(b, ctx, "AcceptKey", func(ctx context.Context) (*sdk.AcceptKeyResponse, error) { return b.p.AcceptKey(ctx, req) })
}

func (b *bounded) ContainerSpec(ctx context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return call(b, ctx, "ContainerSpec", func(ctx context.Context) (*sdk.ContainerSpecResponse, error) { return b.p.ContainerSpec(ctx, req) })
}

func (b *bounded) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	return call(b, ctx, "Capture", func(ctx context.Context) (*sdk.CaptureResponse, error) { return b.p.Capture(ctx, req) })
}
