package rpc

import (
	"crypto/tls"
	"net"
	"os"
	"strings"
	"testing"
)

// pluginSide sets the plugin's environment from env as the host would and
// returns the plugin's TLS config.
func pluginSide(t *testing.T, env []string) *tls.Config {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := PluginTLS()
	if err != nil || cfg == nil {
		t.Fatalf("PluginTLS = %v, %v", cfg, err)
	}
	return cfg
}

func handshake(client, server *tls.Config) (clientErr, serverErr error) {
	a, b := net.Pipe()
	defer func() { _ = a.Close() }()
	defer func() { _ = b.Close() }()
	done := make(chan error, 1)
	go func() { done <- tls.Server(b, server).Handshake() }()
	clientErr = tls.Client(a, client).Handshake()
	// In TLS 1.3 the client is done before the server has checked the
	// client's certificate; closing lets a refusing server's alert go.
	_ = a.Close()
	return clientErr, <-done
}

func TestHostAndPluginTrustOnlyEachOther(t *testing.T) {
	host, env, err := HostTLS()
	if err != nil {
		t.Fatal(err)
	}
	plugin := pluginSide(t, env)
	if cerr, serr := handshake(host, plugin); cerr != nil || serr != nil {
		t.Fatalf("handshake: host %v, plugin %v", cerr, serr)
	}

	// Another start's identities: neither side accepts them.
	otherHost, otherEnv, err := HostTLS()
	if err != nil {
		t.Fatal(err)
	}
	if cerr, serr := handshake(otherHost, plugin); cerr == nil && serr == nil {
		t.Error("the plugin accepted a host certificate it was not given")
	}
	otherPlugin := pluginSide(t, otherEnv)
	if cerr, serr := handshake(host, otherPlugin); cerr == nil && serr == nil {
		t.Error("the host accepted a plugin certificate it did not make")
	}
	// A client without a certificate is refused.
	anon := host.Clone()
	anon.Certificates = nil
	if cerr, serr := handshake(anon, plugin); cerr == nil && serr == nil {
		t.Error("the plugin accepted a client without a certificate")
	}
}

func TestPluginTLSWithoutHostIdentityFallsBackToAutoMTLS(t *testing.T) {
	t.Setenv(EnvPluginTLS, "")
	t.Setenv(envClientCert, "something")
	if cfg, err := PluginTLS(); cfg != nil || err != nil {
		t.Errorf("PluginTLS = %v, %v; want nil, nil so go-plugin's AutoMTLS applies", cfg, err)
	}
	t.Setenv(EnvPluginTLS, "not PEM")
	if _, err := PluginTLS(); err == nil {
		t.Error("a damaged identity was accepted")
	}
}

func TestPluginTLSLeavesNoKeyToChildren(t *testing.T) {
	_, env, err := HostTLS()
	if err != nil {
		t.Fatal(err)
	}
	pluginSide(t, env)
	if v, ok := lookupEnv(EnvPluginTLS); ok {
		t.Errorf("%s still set after PluginTLS (%d bytes)", EnvPluginTLS, len(v))
	}
}

func lookupEnv(k string) (string, bool) { return os.LookupEnv(k) }
