package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/terok-ai/terok-auth/internal/rpc"
	"github.com/terok-ai/terok-auth/sdk"
)

// Defaults for Host's timeouts.
const (
	DefaultStartTimeout = 10 * time.Second
	DefaultCallTimeout  = 10 * time.Second
)

// Trust says how to check a plugin binary before it runs.
type Trust interface {
	SecureConfig(name, path string) (*goplugin.SecureConfig, error)
}

// Host starts plugins and owns their processes. Close kills every plugin it
// started; call it on every way out of the program.
type Host struct {
	Logger       hclog.Logger
	StartTimeout time.Duration
	CallTimeout  time.Duration
	// Env is added to each plugin's environment, ahead of the host's own,
	// so it wins.
	Env []string
	// Trust, if set, decides whether a plugin may run and how go-plugin
	// checks its binary; nil runs every plugin unchecked (tests only).
	Trust Trust

	mu      sync.Mutex
	clients []*goplugin.Client
	closed  bool
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
	var secure *goplugin.SecureConfig
	if h.Trust != nil {
		var err error
		if secure, err = h.Trust.SecureConfig(p.Name, p.Path); err != nil {
			return nil, nil, err
		}
	}
	// Mutual TLS as go-plugin's AutoMTLS, with cheaper keys (see rpc.HostTLS).
	tlsConfig, tlsEnv, err := rpc.HostTLS()
	if err != nil {
		return nil, nil, fmt.Errorf("start plugin %s: make its TLS keys: %w", p.Name, err)
	}
	cmd := exec.Command(p.Path)
	cmd.Env = append(append([]string(nil), h.Env...), tlsEnv...) // go-plugin appends the host's environment after these
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  rpc.Handshake,
		VersionedPlugins: rpc.PluginSets(nil),
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		TLSConfig:        tlsConfig,
		SecureConfig:     secure,
		StartTimeout:     orDefault(h.StartTimeout, DefaultStartTimeout),
		Logger:           logger.Named(p.Name),
		// Anything a plugin writes to stdout after the handshake is dropped:
		// stdout is the user's, and a plugin has no business there.
		SyncStdout: io.Discard,
		SyncStderr: io.Discard,
	})
	if !h.track(client) {
		client.Kill()
		return nil, nil, errors.New("plugin host is closed")
	}

	type started struct {
		prov sdk.Provider
		err  error
	}
	done := make(chan started, 1)
	go func() {
		rpcClient, err := client.Client()
		if err != nil {
			done <- started{err: err}
			return
		}
		raw, err := rpcClient.Dispense(rpc.PluginName)
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
			client.Kill()
			return nil, nil, startError(p, s.err)
		}
		return &bounded{p: s.prov, name: p.Name, timeout: orDefault(h.CallTimeout, DefaultCallTimeout), kill: client.Kill}, client.Kill, nil
	case <-ctx.Done():
		client.Kill()
		return nil, nil, ctx.Err()
	}
}

// ErrChecksum means a plugin binary is not the one its pin names.
var ErrChecksum = errors.New("plugin binary changed since it was trusted")

// ErrProtocol means plugin and host share no protocol version.
var ErrProtocol = errors.New("plugin speaks another protocol version")

func startError(p Plugin, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, goplugin.ErrChecksumsDoNotMatch):
		return fmt.Errorf("%w: %s (%s) is not the binary you trusted: its SHA-256 changed.\n"+
			"If you updated it yourself, trust it again: terok auth plugins trust %s", ErrChecksum, p.Name, p.Path, p.Path)
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

func (h *Host) track(c *goplugin.Client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients = append(h.clients, c)
	return true
}

// Close kills every plugin this host started, in parallel, and waits for
// them to exit. It is safe to call more than once.
func (h *Host) Close() {
	h.mu.Lock()
	clients := h.clients
	h.clients, h.closed = nil, true
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Kill()
		}()
	}
	wg.Wait()
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
	name    string
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
	if err == nil || isProviderError(err) {
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

func isProviderError(err error) bool {
	for _, s := range []error{sdk.ErrInvalidKey, sdk.ErrNothingCaptured, sdk.ErrUnsupportedMode, sdk.ErrUnimplemented} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

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
