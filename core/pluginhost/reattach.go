package pluginhost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/plugin"
)

// getenv is os.Getenv; tests replace it.
var getenv = os.Getenv

// ParseReattach reads the value of TEROK_REATTACH_PROVIDERS: a JSON object
// from provider name to how to reach a plugin started by hand in debug mode
// (see plugin.Debug). An empty value is no plugins.
func ParseReattach(value string) (map[names.Provider]*goplugin.ReattachConfig, error) {
	if value == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.DisallowUnknownFields()
	var raw map[string]plugin.Reattach
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s is not the JSON a plugin prints in debug mode: %w; copy the line it printed, or unset %s", plugin.ReattachEnv, err, plugin.ReattachEnv)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s has more than one JSON value; copy the line the plugin printed", plugin.ReattachEnv)
	}
	out := map[names.Provider]*goplugin.ReattachConfig{}
	for key, r := range raw {
		name, err := names.ParseProvider(key)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a provider name", plugin.ReattachEnv, key)
		}
		if r.Protocol != string(goplugin.ProtocolGRPC) {
			return nil, fmt.Errorf("%s: plugin %s speaks %q; terok speaks only grpc", plugin.ReattachEnv, name, r.Protocol)
		}
		if r.Pid <= 0 {
			return nil, fmt.Errorf("%s: plugin %s has no pid", plugin.ReattachEnv, name)
		}
		var addr net.Addr
		switch r.Addr.Network {
		case "unix":
			addr, err = net.ResolveUnixAddr("unix", r.Addr.String)
		case "tcp":
			var ta *net.TCPAddr
			ta, err = net.ResolveTCPAddr("tcp", r.Addr.String)
			if err == nil && !ta.IP.IsLoopback() {
				err = fmt.Errorf("%s is not a loopback address", r.Addr.String)
			}
			addr = ta
		default:
			err = fmt.Errorf("network %q is neither unix nor tcp", r.Addr.Network)
		}
		if err == nil && r.Addr.String == "" {
			err = errors.New("it is empty")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: plugin %s: bad address: %w", plugin.ReattachEnv, name, err)
		}
		out[name] = &goplugin.ReattachConfig{
			Protocol:        goplugin.ProtocolGRPC,
			ProtocolVersion: r.ProtocolVersion,
			Addr:            addr,
			Pid:             r.Pid,
			Test:            r.Test,
		}
	}
	return out, nil
}

// reattachFor returns how to reach the plugin called name if the user
// started it by hand in debug mode and named it in TEROK_REATTACH_PROVIDERS,
// or nil when terok is to start it itself.
//
// Trust does not apply to a reattached plugin: terok runs no binary, the
// user started the process themselves, and there is nothing to verify
// before it runs. The variable is for a plugin author's own machine.
func reattachFor(name names.Provider) (*goplugin.ReattachConfig, error) {
	all, err := ParseReattach(getenv(plugin.ReattachEnv))
	if err != nil {
		return nil, err
	}
	rc := all[name]
	if rc != nil && rc.ProtocolVersion != sdk.ProtocolVersion {
		return nil, fmt.Errorf("%w: the plugin %s attached through %s speaks plugin protocol %d, this terok speaks %d",
			ErrProtocol, name, plugin.ReattachEnv, rc.ProtocolVersion, sdk.ProtocolVersion)
	}
	return rc, nil
}

// withReattach turns cfg into a config that attaches to the running plugin
// at rc instead of starting one, when rc is set: no command, no checksum,
// no automatic TLS (a debug-mode plugin serves without it).
func withReattach(rc *goplugin.ReattachConfig, cfg *goplugin.ClientConfig) *goplugin.ClientConfig {
	if rc == nil {
		return cfg
	}
	cfg.Reattach = rc
	// go-plugin picks the plugin set from the handshake line, which a
	// reattached plugin never sends.
	cfg.Plugins = cfg.VersionedPlugins[rc.ProtocolVersion]
	cfg.Cmd = nil
	cfg.RunnerFunc = nil
	cfg.SecureConfig = nil
	cfg.AutoMTLS = false
	cfg.TLSConfig = nil
	return cfg
}
