package providertest

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/internal/rpc"
	"github.com/terok-ai/terok-auth/sdk"
)

// RunBinary starts the plugin binary at path as terok would (go-plugin,
// gRPC, mutual TLS), runs every contract check against it, and checks that
// it wrote nothing to standard output: that stream carries the handshake,
// so a plugin that writes to it breaks before terok can say why.
func RunBinary(t *testing.T, path string) {
	t.Helper()
	p, stdout := StartBinary(t, path)
	runChecks(t, p)
	if stdout.Len() > 0 {
		t.Errorf("the plugin wrote to standard output: %q", stdout.String())
	}
}

// StartBinary starts the plugin binary at path and returns it as an
// sdk.Provider, with whatever it writes to standard output after the
// handshake. It is stopped when the test ends.
func StartBinary(t testing.TB, path string) (sdk.Provider, *syncBuffer) {
	t.Helper()
	stdout := &syncBuffer{}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  rpc.Handshake,
		VersionedPlugins: rpc.PluginSets(nil),
		Cmd:              exec.Command(path),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     20 * time.Second,
		SyncStdout:       stdout,
		SyncStderr:       os.Stderr,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Warn, Output: os.Stderr}),
	})
	t.Cleanup(client.Kill)
	rc, err := client.Client()
	if err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	raw, err := rc.Dispense(rpc.PluginName)
	if err != nil {
		t.Fatalf("dispense %s: %v", path, err)
	}
	return raw.(sdk.Provider), stdout
}

// syncBuffer is a bytes.Buffer safe for go-plugin's copying goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Len returns how many bytes were written.
func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
