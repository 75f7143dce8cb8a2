// Package host is for terok itself, and for test kits that start plugins
// as terok does: the go-plugin handshake, the plugin sets, the mutual-TLS
// identities of one plugin start, the format in which a plugin started
// by hand in debug mode says how to reach it, and the host's rules for
// what a provider may answer (CheckContainerSpec, ValidateDescription,
// ValidateInjectionOf, ValidateRenewal and the Check functions they are
// made of). A provider never imports it (it serves itself with package
// plugin, and package providertest applies these rules in its tests), and
// the host's needs may change it in any minor release of the SDK.
package host

import (
	"crypto/tls"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/sdk/internal/rpc"
)

// What a host (terok, or a test kit) needs to start or attach to a plugin
// with go-plugin. The protocol itself stays inside this module: a host gets
// an sdk.Provider from Dispense, never a protobuf type.

// Handshake returns the go-plugin handshake terok and every plugin share,
// as a copy: no importer can change what every other one sends. Its cookie
// only keeps a plugin from being run by hand by mistake; it is not a
// security measure.
func Handshake() goplugin.HandshakeConfig { return rpc.Handshake }

// Dispense is the name a host dispenses the provider by.
const Dispense = rpc.PluginName

// PluginSets returns the versioned plugin sets a host passes to
// go-plugin's ClientConfig.VersionedPlugins: one entry per protocol
// version this SDK speaks. What it dispenses is an sdk.Provider.
func PluginSets() map[int]goplugin.PluginSet { return rpc.PluginSets(nil) }

// TLS makes the mutual-TLS identities for one plugin start, as go-plugin's
// AutoMTLS does but with cheaper keys: the host's tls.Config
// (ClientConfig.TLSConfig) and the environment entries that give the
// plugin its side. A plugin built with an older SDK ignores them and falls
// back to AutoMTLS.
func TLS() (*tls.Config, []string, error) { return rpc.HostTLS() }

// ReattachEnv is the environment variable through which terok attaches to
// plugins started by hand in debug mode (package plugin prints it). Its
// value is a JSON object from provider name to a Reattach.
const ReattachEnv = "TEROK_REATTACH_PROVIDERS"

// Reattach is how to reach one plugin started in debug mode: go-plugin's
// ReattachConfig in JSON.
type Reattach struct {
	Protocol        string       `json:"protocol"`
	ProtocolVersion int          `json:"protocol_version"`
	Addr            ReattachAddr `json:"addr"`
	Pid             int          `json:"pid"`
	Test            bool         `json:"test"`
}

// ReattachAddr is a net.Addr in JSON.
type ReattachAddr struct {
	Network string `json:"network"` // "unix" or "tcp"
	String  string `json:"string"`  // socket path or host:port
}
