// Package plugin serves an sdk.Provider as a terok provider plugin.
//
// It lives beside package sdk rather than in it because serving needs the
// wire adapters, and those need the sdk types: keeping Serve here keeps the
// import graph acyclic while sdk stays free of protocol code.
//
// A plugin's main is usually one line, plugin.Serve(myprovider.New()). To
// debug a plugin, start it by hand in debug mode (plugin.Debug, e.g. behind
// a -debug flag, or under a debugger): it prints a TEROK_REATTACH_PROVIDERS
// line, and terok started with that variable uses the running plugin
// instead of starting its own.
package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/internal/rpc"
)

// parentPoll is how often a plugin checks that the host is still alive.
const parentPoll = 500 * time.Millisecond

// Option configures Serve and Run.
type Option func(*options)

type options struct {
	logger     hclog.Logger
	setDefault bool
	debug      bool
	debugOut   io.Writer
	getenv     func(string) string
}

// WithLogger makes the plugin log through l instead of the logger Serve
// builds (JSON lines on standard error, at TEROK_LOG_LEVEL, warn by
// default). l must write JSON lines to standard error for terok to show its
// entries as the plugin's log: other lines still reach terok's debug log.
func WithLogger(l hclog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// SetDefaultLogger makes the plugin's logger hclog's default too, so
// hclog.L() logs through it. Serve does this unless told otherwise; Run
// does not, since a global belongs to the program, not a library.
func SetDefaultLogger(set bool) Option {
	return func(o *options) { o.setDefault = set }
}

// Debug, when on, serves in debug mode: for a plugin started by hand (under
// a debugger, or from a terminal), not by terok. The plugin prints how to
// attach terok to it — a TEROK_REATTACH_PROVIDERS=… line — and serves until
// the context of Run is cancelled or the process is interrupted, for as
// many terok commands as you run. There is no handshake cookie, no mutual
// TLS and no trust check in this mode: use it on your own machine only.
func Debug(on bool) Option {
	return func(o *options) { o.debug = on }
}

// DebugOutput sets where debug mode prints the line to attach with
// (standard output by default: in debug mode it carries no handshake).
func DebugOutput(w io.Writer) Option {
	return func(o *options) { o.debugOut = w }
}

// ErrNotStarted means the plugin was run by hand without debug mode: only
// terok can start it that way.
var ErrNotStarted = errors.New("this is a terok provider plugin: terok starts it (run it with debug mode on to attach terok to it by hand)")

// Serve runs p as a plugin until the host shuts it down, then exits the
// process; on an error it says why on standard error and exits with status
// 1. It never returns. Use Run to get the error instead.
//
// It speaks go-plugin over gRPC only, with the terok handshake and protocol
// version sdk.ProtocolVersion. Logs go to standard error as JSON lines,
// which the host forwards into its own log; Serve makes that logger hclog's
// default, so log through hclog.L() (SetDefaultLogger(false) turns this
// off). Standard output carries the handshake: never write to it. The
// plugin exits by itself when the host process dies, so a killed host
// leaves no plugin behind.
func Serve(p sdk.Provider, opts ...Option) {
	opts = append([]Option{SetDefaultLogger(true)}, opts...)
	err := Run(context.Background(), p, opts...)
	switch {
	case errors.Is(err, ErrHostGone):
		os.Exit(3) // as if killed along with the host
	case err != nil:
		fmt.Fprintf(os.Stderr, "%v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Run is Serve that returns: nil when the host shut the plugin down (or,
// in debug mode, when ctx is cancelled), an error when the plugin cannot
// serve, e.g. ErrNotStarted when it was run by hand without debug mode.
// Run never sets hclog's default logger unless SetDefaultLogger(true) is
// given.
//
// When the host process dies without shutting the plugin down, Run returns
// ErrHostGone (Serve then exits with status 3, as if killed along with
// the host); go-plugin's server is left to the process's exit, which should
// follow. One exit remains outside Run's control: go-plugin itself exits
// with status 1 if it cannot open its listener.
func Run(ctx context.Context, p sdk.Provider, opts ...Option) error {
	o := &options{debugOut: os.Stdout, getenv: os.Getenv}
	for _, opt := range opts {
		opt(o)
	}
	logger := o.logger
	if logger == nil {
		level := hclog.LevelFromString(o.getenv("TEROK_LOG_LEVEL"))
		if level == hclog.NoLevel {
			level = hclog.Warn
		}
		logger = hclog.New(&hclog.LoggerOptions{Level: level, Output: os.Stderr, JSONFormat: true})
	}
	if o.setDefault {
		hclog.SetDefault(logger)
	}
	if o.debug {
		return serveDebug(ctx, p, logger, o.debugOut)
	}
	if o.getenv(rpc.Handshake.MagicCookieKey) != rpc.Handshake.MagicCookieValue {
		// go-plugin would print its own message and os.Exit; say it our
		// way and let the caller decide.
		return ErrNotStarted
	}
	hostGone := make(chan struct{})
	go exitWithParent(os.Getppid(), parentPoll, func() { close(hostGone) })
	served := make(chan struct{})
	go func() {
		defer close(served)
		goplugin.Serve(&goplugin.ServeConfig{
			HandshakeConfig:  rpc.Handshake,
			VersionedPlugins: rpc.PluginSets(p),
			GRPCServer:       goplugin.DefaultGRPCServer,
			// The identity the host made for this start; without one (an
			// older host), go-plugin's AutoMTLS.
			TLSProvider: rpc.PluginTLS,
			Logger:      logger,
		})
	}()
	select {
	case <-served:
		return nil
	case <-hostGone:
		logger.Warn("host process is gone; stopping")
		return ErrHostGone
	}
}

// ErrHostGone means the host process died without shutting the plugin
// down: nobody is left to serve.
var ErrHostGone = errors.New("the terok process that started this plugin is gone")

// serveDebug serves p in go-plugin's test mode, which is what a process
// that terok attaches to rather than starts needs: no cookie, connection
// details handed over in-process instead of on stdout, and a context to
// stop it.
func serveDebug(ctx context.Context, p sdk.Provider, logger hclog.Logger, out io.Writer) error {
	d, err := p.Describe(ctx, &sdk.DescribeRequest{})
	if err != nil {
		return fmt.Errorf("debug mode: Describe: %w", err)
	}
	if !sdk.ValidName(d.Name) {
		return fmt.Errorf("debug mode: Describe.Name %q is not a valid provider name", d.Name)
	}
	// terok attaches only to a socket in a directory nobody else may
	// write (else another user could put their own in its place), so the
	// socket goes in a private directory of its own, not in /tmp itself.
	if os.Getenv(goplugin.EnvUnixSocketDir) == "" {
		dir, err := os.MkdirTemp("", "terok-debug-")
		if err != nil {
			return fmt.Errorf("debug mode: a private directory for the socket: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if err := os.Setenv(goplugin.EnvUnixSocketDir, dir); err != nil {
			return fmt.Errorf("debug mode: %w", err)
		}
		defer func() { _ = os.Unsetenv(goplugin.EnvUnixSocketDir) }()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reattach := make(chan *goplugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  rpc.Handshake,
		VersionedPlugins: rpc.PluginSets(p),
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           logger,
		Test: &goplugin.ServeTestConfig{
			Context:          ctx,
			ReattachConfigCh: reattach,
			CloseCh:          closed,
		},
	})
	select {
	case rc := <-reattach:
		if rc == nil {
			return errors.New("debug mode: the plugin server did not start")
		}
		line, err := reattachLine(d.Name, rc)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Provider plugin %q is running in debug mode (pid %d).\n"+
			"To make terok use it instead of starting its own, set in terok's environment:\n\n"+
			"\t%s\n\nStop the plugin with Ctrl-C.\n", d.Name, rc.Pid, line)
	case <-closed:
		return errors.New("debug mode: the plugin server stopped before it started")
	}
	<-closed
	return nil
}

// reattachLine formats the TEROK_REATTACH_PROVIDERS=… assignment for the
// plugin name served at rc, quoted for a POSIX shell.
func reattachLine(name string, rc *goplugin.ReattachConfig) (string, error) {
	r := map[string]host.Reattach{name: {
		Protocol:        string(rc.Protocol),
		ProtocolVersion: rc.ProtocolVersion,
		Addr:            host.ReattachAddr{Network: rc.Addr.Network(), String: rc.Addr.String()},
		Pid:             rc.Pid,
		Test:            rc.Test,
	}}
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	return host.ReattachEnv + "='" + strings.ReplaceAll(string(b), "'", `'\''`) + "'", nil
}

// exitWithParent calls exit once the parent with pid ppid is gone, i.e. the
// process has been re-parented. Polling getppid works on every Unix and
// needs no cooperation from the host.
func exitWithParent(ppid int, every time.Duration, exit func()) {
	for {
		time.Sleep(every)
		if os.Getppid() != ppid {
			exit()
			return
		}
	}
}
