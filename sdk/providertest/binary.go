package providertest

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/internal/rpc"
)

// RunBinary starts the plugin binary at path as terok would (go-plugin,
// gRPC, mutual TLS), runs every contract check against it, and checks that
// it wrote nothing to standard output: that stream carries the handshake,
// so a plugin that writes to it breaks before terok can say why. It also
// checks that the binary's name is terok-provider-NAME for the NAME its
// Describe gives, and, with TEROK_LOG_LEVEL=trace set for the plugin, that
// nothing it wrote to standard error holds a key or a captured secret.
func RunBinary(t *testing.T, path string, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	rec := &logRecorder{}
	p, stdout, client := startBinary(t, path, rec)
	d := runChecks(t, p, cfg, rec)
	if err := CheckName(path, d.Name); err != nil {
		t.Error(err)
	}
	// Stop the plugin first, so every line it logged has been read.
	client.Kill()
	if stdout.Len() > 0 {
		t.Errorf("the plugin wrote to standard output: %q", stdout.String())
	}
	rec.check(t)
}

// StartBinary starts the plugin binary at path and returns it as an
// sdk.Provider, with whatever it writes to standard output after the
// handshake. It is stopped when the test ends.
func StartBinary(t testing.TB, path string) (sdk.Provider, *syncBuffer) {
	t.Helper()
	p, stdout, _ := startBinary(t, path, nil)
	return p, stdout
}

func startBinary(t testing.TB, path string, rec *logRecorder) (sdk.Provider, *syncBuffer, *goplugin.Client) {
	t.Helper()
	stdout := &syncBuffer{}
	cmd := exec.Command(path)
	stderr := io.Discard // the Logger below shows the log lines already
	syncStderr := io.Writer(os.Stderr)
	if rec != nil {
		// Record every log line, whatever level the plugin's default is,
		// and whatever the environment of the test says.
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "TEROK_LOG_LEVEL=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "TEROK_LOG_LEVEL=trace")
		stderr = rec
		syncStderr = io.MultiWriter(rec, os.Stderr)
	}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  rpc.Handshake,
		VersionedPlugins: rpc.PluginSets(nil),
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     20 * time.Second,
		SyncStdout:       stdout,
		SyncStderr:       syncStderr,
		Stderr:           stderr,
		SkipHostEnv:      rec != nil,
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
	return raw.(sdk.Provider), stdout, client
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
