package pluginhost

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/plugin"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// debugChildEnv makes TestDebugPluginChild serve a fake provider in debug
// mode, as a plugin author would start one by hand.
const debugChildEnv = "TEROK_TEST_DEBUG_PLUGIN_CHILD"

// TestDebugPluginChild is the plugin process of TestReattach when
// debugChildEnv is set; on its own it checks that debug mode refuses a
// provider with an invalid name before serving anything.
func TestDebugPluginChild(t *testing.T) {
	if os.Getenv(debugChildEnv) == "" {
		f := providertest.NewFake("Not A Name", sdk.ModeAPIKey)
		err := plugin.Run(context.Background(), f, plugin.Debug(true), plugin.DebugOutput(os.Stderr))
		if err == nil || !strings.Contains(err.Error(), "not a valid provider name") {
			t.Errorf("Run in debug mode with a bad name = %v", err)
		}
		return
	}
	var p sdk.Provider = providertest.NewFake("fake", sdk.ModeAPIKey)
	if name := os.Getenv(debugChildNameEnv); name != "" {
		p = recorder{providertest.NewFake(name, sdk.ModeAPIKey)}
	}
	if err := plugin.Run(context.Background(), p, plugin.Debug(true)); err != nil {
		t.Fatal(err)
	}
}

// debugChildNameEnv names the provider the debug child serves instead of
// "fake"; it then prints every key it is given, as a squatter would keep it.
const debugChildNameEnv = "TEROK_TEST_DEBUG_PLUGIN_NAME"

type recorder struct{ sdk.Provider }

func (r recorder) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	fmt.Println("received key: " + req.Key)
	return r.Provider.AcceptKey(ctx, req)
}

// debugChild starts the test binary as a plugin in debug mode (shaped by
// edit, if set) and returns the value of TEROK_REATTACH_PROVIDERS it
// printed, and every later line of its stdout.
func debugChild(t *testing.T, edit func(*exec.Cmd)) (*exec.Cmd, string, <-chan string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(self, "-test.run=^TestDebugPluginChild$")
	child.Env = append(os.Environ(), debugChildEnv+"=1")
	child.Stderr = os.Stderr
	if edit != nil {
		edit(child)
	}
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = child.Process.Kill()
		_ = child.Wait()
	})
	lines := make(chan string, 1)
	rest := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), host.ReattachEnv+"="); ok {
				lines <- strings.Trim(v, "'")
			} else {
				select {
				case rest <- sc.Text():
				default:
				}
			}
		}
		close(rest)
	}()
	select {
	case value := <-lines:
		return child, value, rest
	case <-time.After(30 * time.Second):
		t.Fatal("the debug-mode plugin printed no " + host.ReattachEnv + " line")
	}
	return nil, "", nil
}

// setReattach makes the host read TEROK_REATTACH_PROVIDERS as value (and
// the other variables in more, by pairs) for the rest of t.
func setReattach(t *testing.T, value string, more ...string) {
	env := map[string]string{host.ReattachEnv: value}
	for i := 0; i+1 < len(more); i += 2 {
		env[more[i]] = more[i+1]
	}
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = os.Getenv })
}

type refuseAll struct{}

func (refuseAll) Check(name, _ string) error { return errors.New("untrusted: " + name) }

func (refuseAll) Open(name, _ string) (*os.File, error) { return nil, errors.New("untrusted: " + name) }

// TestReattach starts a plugin by hand in debug mode, reads the line it
// prints, and attaches a Host to it through TEROK_REATTACH_PROVIDERS:
// trust is not consulted, no binary is started, and the plugin outlives
// the host, ready for the next command.
func TestReattach(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin process")
	}
	child, value, _ := debugChild(t, nil)
	setReattach(t, value)

	for round := 1; round <= 2; round++ {
		h := &Host{Trust: refuseAll{}}
		p, stop, err := h.Start(context.Background(), Plugin{Name: "fake", Path: "/nonexistent/terok-provider-fake"})
		if err != nil {
			t.Fatalf("round %d: attach: %v", round, err)
		}
		d, err := p.Describe(context.Background(), &sdk.DescribeRequest{})
		if err != nil || d.Name != "fake" {
			t.Fatalf("round %d: Describe = %+v, %v", round, d, err)
		}
		if _, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "fake-123"}); err != nil {
			t.Errorf("round %d: AcceptKey: %v", round, err)
		}
		stop()
		h.Close()
		if child.ProcessState != nil {
			t.Fatalf("round %d: closing the host stopped the plugin started by hand", round)
		}
	}

	// Another plugin's name is not reattached: it goes through trust.
	h := &Host{Trust: refuseAll{}}
	defer h.Close()
	if _, _, err := h.Start(context.Background(), Plugin{Name: "other", Path: "/nonexistent/terok-provider-other"}); err == nil || !strings.Contains(err.Error(), "untrusted: other") {
		t.Errorf("a plugin not named in %s skipped trust: %v", host.ReattachEnv, err)
	}
}

func TestParseReattach(t *testing.T) {
	good := `{"acme":{"protocol":"grpc","protocol_version":1,"addr":{"network":"unix","string":"/tmp/plugin1"},"pid":42,"test":true}}`
	m, err := ParseReattach(good)
	if err != nil || m["acme"] == nil || m["acme"].Pid != 42 || m["acme"].Addr.String() != "/tmp/plugin1" || !m["acme"].Test {
		t.Fatalf("ParseReattach(good) = %+v, %v", m, err)
	}
	if m, err := ParseReattach(""); err != nil || len(m) != 0 {
		t.Errorf("empty: %v %v", m, err)
	}
	for _, bad := range []struct{ value, want string }{
		{`not json`, "not the JSON a plugin prints"},
		{`[]`, "not the JSON"},
		{`{"acme":{"protocol":"grpc","addr":{"network":"unix","string":"/s"},"pid":1,"extra":1}}`, "unknown field"},
		{`{"Bad Name":{"protocol":"grpc","addr":{"network":"unix","string":"/s"},"pid":1}}`, "not a provider name"},
		{`{"acme":{"protocol":"netrpc","addr":{"network":"unix","string":"/s"},"pid":1}}`, "speaks only grpc"},
		{`{"acme":{"protocol":"grpc","addr":{"network":"unix","string":"/s"}}}`, "no pid"},
		{`{"acme":{"protocol":"grpc","addr":{"network":"udp","string":"1.2.3.4:5"},"pid":1}}`, "neither unix nor tcp"},
		{`{"acme":{"protocol":"grpc","addr":{"network":"tcp","string":"10.0.0.1:5"},"pid":1}}`, "not a loopback address"},
		{`{"acme":{"protocol":"grpc","addr":{"network":"unix","string":""},"pid":1}}`, "bad address"},
		{good + good, "more than one JSON value"},
	} {
		if _, err := ParseReattach(bad.value); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseReattach(%s) = %v, want %q", bad.value, err, bad.want)
		}
	}
}

func FuzzParseReattach(f *testing.F) {
	f.Add(`{"acme":{"protocol":"grpc","protocol_version":1,"addr":{"network":"tcp","string":"127.0.0.1:1234"},"pid":42,"test":true}}`)
	f.Add(`{"x":{}}`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseReattach(s)
		if err != nil {
			return
		}
		for name, rc := range m {
			if !sdk.ValidName(string(name)) || rc.Pid <= 0 || rc.Addr == nil || rc.Protocol != goplugin.ProtocolGRPC {
				t.Errorf("accepted %q: %+v", name, rc)
			}
		}
	})
}
