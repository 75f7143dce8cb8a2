// Package rpc is the wire between the terok host and a provider plugin: the
// go-plugin handshake, a gRPC server around an sdk.Provider (used by
// sdk/plugin.Serve) and a gRPC client that is an sdk.Provider (used by the
// host). Protobuf types never leave this package and internal/proto: hosts use
// the exported wrappers in sdk/host (Handshake, Dispense, PluginSets).
package rpc

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// PluginName is the key of the provider in go-plugin's plugin set.
const PluginName = "provider"

// Handshake is shared by host and plugins. The cookie only keeps a plugin
// from being run by hand by mistake; it is not a security measure.
var Handshake = plugin.HandshakeConfig{
	MagicCookieKey:   "TEROK_PROVIDER_PLUGIN",
	MagicCookieValue: "8b0f3c1e-terok-auth-provider",
}

// GRPCPlugin implements plugin.GRPCPlugin for the provider service. On the
// plugin side Impl is set; on the host side it is nil.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl sdk.Provider
}

var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the provider with the plugin's gRPC server.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("rpc: GRPCPlugin has no provider to serve")
	}
	pb.RegisterProviderServer(s, &server{p: p.Impl})
	return nil
}

// GRPCClient returns an sdk.Provider talking to the plugin.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewClient(pb.NewProviderClient(c)), nil
}

// PluginSets returns the versioned plugin sets for VersionedPlugins: one
// entry per protocol version this build speaks.
func PluginSets(impl sdk.Provider) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		sdk.ProtocolVersion: {PluginName: &GRPCPlugin{Impl: impl}},
	}
}
