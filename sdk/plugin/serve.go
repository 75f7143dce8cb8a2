// Package plugin serves an sdk.Provider as a terok provider plugin.
//
// It lives beside package sdk rather than in it because serving needs the
// wire adapters, and those need the sdk types: keeping Serve here keeps the
// import graph acyclic while sdk stays free of protocol code.
package plugin

import (
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/internal/rpc"
	"github.com/terok-ai/terok-auth/sdk"
)

// parentPoll is how often a plugin checks that the host is still alive.
const parentPoll = 500 * time.Millisecond

// Serve runs p as a plugin until the host kills it, and never returns.
//
// It speaks go-plugin over gRPC only, with the terok handshake and protocol
// version sdk.ProtocolVersion. Logs go to standard error as JSON lines, which
// the host forwards into its own log; log through hclog.L(). Standard output
// carries the handshake: never write to it. The plugin exits by itself when
// the host process dies, so a killed host leaves no plugin behind.
func Serve(p sdk.Provider) {
	level := hclog.LevelFromString(os.Getenv("TEROK_LOG_LEVEL"))
	if level == hclog.NoLevel {
		level = hclog.Warn
	}
	logger := hclog.New(&hclog.LoggerOptions{
		Level:      level,
		Output:     os.Stderr,
		JSONFormat: true,
	})
	hclog.SetDefault(logger)

	go exitWithParent(os.Getppid(), parentPoll, func() {
		logger.Warn("host process is gone; exiting")
		os.Exit(3)
	})

	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  rpc.Handshake,
		VersionedPlugins: rpc.PluginSets(p),
		GRPCServer:       goplugin.DefaultGRPCServer,
		// The identity the host made for this start; without one (an
		// older host), go-plugin's AutoMTLS.
		TLSProvider: rpc.PluginTLS,
		Logger:      logger,
	})
	// go-plugin returns when the host shut the plugin down, and exits by
	// itself (after saying why on stderr) when the handshake cannot start.
	os.Exit(0)
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
