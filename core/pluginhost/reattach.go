package pluginhost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
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
	var raw map[string]host.Reattach
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s is not the JSON a plugin prints in debug mode: %w; copy the line it printed, or unset %s", host.ReattachEnv, err, host.ReattachEnv)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s has more than one JSON value; copy the line the plugin printed", host.ReattachEnv)
	}
	out := map[names.Provider]*goplugin.ReattachConfig{}
	for key, r := range raw {
		name, err := names.ParseProvider(key)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a provider name", host.ReattachEnv, key)
		}
		if r.Protocol != string(goplugin.ProtocolGRPC) {
			return nil, fmt.Errorf("%s: plugin %s speaks %q; terok speaks only grpc", host.ReattachEnv, name, r.Protocol)
		}
		if r.Pid <= 0 {
			return nil, fmt.Errorf("%s: plugin %s has no pid", host.ReattachEnv, name)
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
			return nil, fmt.Errorf("%s: plugin %s: bad address: %w", host.ReattachEnv, name, err)
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

// ReattachTCPEnv is the second opt-in a reattach over tcp needs: on
// loopback tcp terok cannot tell who listens, so whichever local user binds
// the port (a stale one, left by a debug plugin that has stopped, is free
// for anyone) would get every key terok hands the plugin.
const ReattachTCPEnv = "TEROK_REATTACH_ALLOW_TCP"

var errNotRunning = errors.New("no such process")

// reattachFor returns how to reach the plugin called name if the user
// started it by hand in debug mode and named it in TEROK_REATTACH_PROVIDERS,
// or nil when terok is to start it itself.
//
// Trust does not apply to a reattached plugin: terok runs no binary, the
// user started the process themselves, and there is nothing to verify
// before it runs. What terok checks instead is that the process it talks to
// is the user's own (see checkTarget): the variable is for a plugin
// author's own machine, and a value copied from elsewhere, or left over,
// must not hand a key to another user's process.
func reattachFor(name names.Provider) (*goplugin.ReattachConfig, error) {
	all, err := ParseReattach(getenv(host.ReattachEnv))
	if err != nil {
		return nil, err
	}
	rc := all[name]
	if rc == nil {
		return nil, nil
	}
	if rc.ProtocolVersion != sdk.ProtocolVersion {
		return nil, fmt.Errorf("%w: the plugin %s attached through %s speaks plugin protocol %d, this terok speaks %d",
			ErrProtocol, name, host.ReattachEnv, rc.ProtocolVersion, sdk.ProtocolVersion)
	}
	if err := checkTarget(name, rc); err != nil {
		return nil, err
	}
	return rc, nil
}

// checkTarget refuses to attach to anything but a live process of the user
// listening where it says: the named pid must be running as the user; a
// Unix socket must be a socket of the user's in a directory nobody else may
// write, and the process that listens on it (SO_PEERCRED) must be that pid;
// tcp, where the listener cannot be known, needs ReattachTCPEnv=1 as well.
func checkTarget(name names.Provider, rc *goplugin.ReattachConfig) error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s: refusing to attach plugin %s: %s; start the debug plugin again as yourself and copy the line it prints, or unset %s",
			host.ReattachEnv, name, fmt.Sprintf(format, a...), host.ReattachEnv)
	}
	me := uint32(os.Geteuid())
	owner, err := processOwner(rc.Pid)
	switch {
	case errors.Is(err, errNotRunning):
		return fail("pid %d is not running (the debug plugin has stopped)", rc.Pid)
	case err != nil:
		return fail("cannot check pid %d: %v", rc.Pid, err)
	case owner != me:
		return fail("pid %d belongs to uid %d, not to you (uid %d)", rc.Pid, owner, me)
	}
	switch addr := rc.Addr.(type) {
	case *net.UnixAddr:
		fi, err := os.Lstat(addr.Name)
		if err != nil {
			return fail("%v", err)
		}
		if fi.Mode().Type() != fs.ModeSocket {
			return fail("%s is not a socket", addr.Name)
		}
		if err := trust.CheckDir(filepath.Dir(addr.Name)); err != nil {
			return fail("the socket's directory is not yours alone: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := dialChecked(ctx, rc)
		if err != nil {
			return fail("%v", err)
		}
		_ = conn.Close()
	case *net.TCPAddr:
		if getenv(ReattachTCPEnv) != "1" {
			return fmt.Errorf("%s: refusing to attach plugin %s over tcp %s: terok cannot tell which user listens on a tcp port, "+
				"so another local user could get what terok sends it; serve the debug plugin on a unix socket (debug mode's default), "+
				"or, on a machine no one else uses, set %s=1 as well", host.ReattachEnv, name, addr, ReattachTCPEnv)
		}
	}
	return nil
}

// dialChecked connects to rc and, on a Unix socket, checks that the
// process listening there is rc's pid, running as the user. It is the
// dialer of every connection to a reattached plugin, so a socket swapped
// after checkTarget achieves nothing.
func dialChecked(ctx context.Context, rc *goplugin.ReattachConfig) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, rc.Addr.Network(), rc.Addr.String())
	if err != nil {
		return nil, err
	}
	if rc.Addr.Network() != "unix" {
		return conn, nil
	}
	uid, pid, err := peerOf(conn)
	if err == nil && (uid != uint32(os.Geteuid()) || int(pid) != rc.Pid) {
		err = fmt.Errorf("the process listening on %s is pid %d of uid %d, not pid %d of yours (uid %d)",
			rc.Addr, pid, uid, rc.Pid, os.Geteuid())
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// Attachment is one provider that TEROK_REATTACH_PROVIDERS points at a
// plugin started by hand, for doctor and providers to show.
type Attachment struct {
	Name names.Provider
	Pid  int
	Addr net.Addr
	Err  error // why terok refuses to attach to it, if it does
}

// String says where the provider is attached, for a user to read.
func (a Attachment) String() string {
	return fmt.Sprintf("debug plugin pid %d on %s %s (%s)", a.Pid, a.Addr.Network(), a.Addr, host.ReattachEnv)
}

// Attachments lists, by name, every provider TEROK_REATTACH_PROVIDERS
// names, each with the result of the checks attaching to it would make.
func Attachments() ([]Attachment, error) {
	all, err := ParseReattach(getenv(host.ReattachEnv))
	if err != nil {
		return nil, err
	}
	out := make([]Attachment, 0, len(all))
	for name, rc := range all {
		a := Attachment{Name: name, Pid: rc.Pid, Addr: rc.Addr}
		_, a.Err = reattachFor(name)
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// attachedNotice is what every command that uses an attached provider
// says on stderr, so a debug setting left in a shell never goes unseen.
func attachedNotice(name names.Provider, rc *goplugin.ReattachConfig) string {
	return fmt.Sprintf("terok: provider %s is not the installed plugin: %s attaches it to the debug plugin pid %d on %s %s\n",
		name, host.ReattachEnv, rc.Pid, rc.Addr.Network(), rc.Addr)
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
	cfg.GRPCDialOptions = append(cfg.GRPCDialOptions, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return dialChecked(ctx, rc)
	}))
	return cfg
}
