package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/relay"
	"github.com/terok-ai/terok-auth/core/usage"
	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
	codex "github.com/terok-ai/terok-auth/plugins/codex/provider"
	"github.com/terok-ai/terok-auth/sdk"
)

// fakeRunner plays the vendor's CLI: it writes files into the mounted dir
// and exits with code.
type fakeRunner struct {
	files    map[string]string
	code     int
	block    bool          // run until the context ends
	started  chan struct{} // closed when Run starts, if set
	checkErr error
	existing map[string]bool
	// labels and running describe an existing container, by name.
	labels  map[string]map[string]string
	running map[string]bool
	stale   []string

	// takenBy, when set, are the labels of another login's container that
	// takes the name first: podman refuses the run with 125.
	takenBy map[string]string

	ran     []container.Spec
	removed []string
	hostDir string
}

func (f *fakeRunner) Check(context.Context) error { return f.checkErr }

func (f *fakeRunner) Existing(_ context.Context, name string) (*container.Existing, error) {
	if !f.existing[name] {
		return nil, nil
	}
	return &container.Existing{Labels: f.labels[name], Running: f.running[name]}, nil
}

func (f *fakeRunner) Remove(_ context.Context, name string) (bool, error) {
	f.removed = append(f.removed, name)
	existed := f.existing[name]
	delete(f.existing, name)
	return existed, nil
}

func (f *fakeRunner) Run(ctx context.Context, spec container.Spec, _ container.Stdio) (int, error) {
	f.ran = append(f.ran, spec)
	f.hostDir = spec.HostDir
	if f.takenBy != nil {
		f.existing[spec.Name], f.labels = true, map[string]map[string]string{spec.Name: f.takenBy}
		return 125, nil
	}
	// The container exists while it runs; --rm removes it when it ends,
	// unless the run was stopped.
	f.existing[spec.Name] = true
	if f.labels == nil {
		f.labels = map[string]map[string]string{}
	}
	f.labels[spec.Name] = spec.Labels
	defer func() {
		if ctx.Err() == nil {
			delete(f.existing, spec.Name)
		}
	}()
	for p, data := range f.files {
		full := filepath.Join(spec.HostDir, p)
		_ = os.MkdirAll(filepath.Dir(full), 0o700)
		if err := os.WriteFile(full, []byte(data), 0o600); err != nil {
			return 0, err
		}
	}
	if f.started != nil {
		close(f.started)
	}
	if f.block {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return f.code, nil
}

func (f *fakeRunner) Stale(context.Context) ([]string, error) { return f.stale, nil }

func (f *fakeRunner) CommandLine(spec container.Spec) []string {
	return append([]string{"podman"}, container.RunArgs(spec)...)
}

const claudeCreds = `{"claudeAiOauth":{"accessToken":"sk-ant-oat01-AAA","refreshToken":"sk-ant-ort01-BBB","expiresAt":1767225600000,"scopes":["user:inference"]}}`

// fakeRelayer stands in for the callback relay: it records what it was
// asked to relay, and whether the login closed it.
type fakeRelayer struct {
	ports     []int
	container string
	closed    bool
	err       error
}

func (r *fakeRelayer) RelayCallbacks(ports []int, containerName string) (io.Closer, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.ports, r.container = ports, containerName
	return r, nil
}

func (r *fakeRelayer) Close() error { r.closed = true; return nil }

type cenv struct {
	login   *auth.Login
	runner  *fakeRunner
	relayer *fakeRelayer
	store   *memStore
	errOut  *bytes.Buffer
	req     auth.LoginRequest
	mounts  string
}

func newContainerEnv(t *testing.T, p sdk.Provider, mode sdk.Mode) *cenv {
	t.Helper()
	io, _, _, errOut := iostreams.Test()
	desc, err := p.Describe(context.Background(), &sdk.DescribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	e := &cenv{runner: &fakeRunner{existing: map[string]bool{}}, relayer: &fakeRelayer{}, store: &memStore{m: map[string]sdk.Credential{}}, errOut: errOut, mounts: t.TempDir()}
	e.login = &auth.Login{IO: io, Prompter: &fakePrompter{}, Store: e.store, Runner: e.runner, Relayer: e.relayer, MountsDir: e.mounts, TempDir: t.TempDir()}
	e.req = auth.LoginRequest{Name: names.Provider(desc.Name), Provider: p, Desc: desc, Set: "default", Mode: mode, ContainerRuntime: true, Image: "localhost/vendor:test"}
	return e
}

func (e *cenv) assertTempGone(t *testing.T) {
	t.Helper()
	if e.runner.hostDir == "" {
		return
	}
	if _, err := os.Stat(e.runner.hostDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the private login dir %s is still there", e.runner.hostDir)
	}
}

func TestClaudeOAuthLogin(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{".credentials.json": claudeCreds, "statsig/cache": "x"}
	e.runner.existing["host-auth-claude"] = true
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	c := e.store.m["default/claude"]
	if exp, _ := c.ExpiresAt(); c.Type != "oauth" || c.Get("access_token") != "sk-ant-oat01-AAA" || c.Get("refresh_token") != "sk-ant-ort01-BBB" || exp.Unix() != 1767225600 {
		t.Errorf("stored %#v", c.Fields)
	}
	state, err := os.ReadFile(filepath.Join(e.mounts, "_claude-config", ".claude.json"))
	if err != nil || !strings.Contains(string(state), "hasCompletedOnboarding") {
		t.Errorf("state file: %q, %v", state, err)
	}
	spec := e.runner.ran[0]
	if spec.Name != "host-auth-claude" || spec.ConfigPath != "/home/dev/.claude" || spec.Image != "localhost/vendor:test" ||
		spec.Labels[container.Label] != "1" || spec.Labels[container.LabelOwner] != strconv.Itoa(os.Getpid()) || spec.TTY {
		t.Errorf("spec = %+v", spec)
	}
	out := e.errOut.String()
	for _, want := range []string{"Removing existing auth container: host-auth-claude", "Authenticating Claude (host-wide)", "/exit",
		"$ podman run --rm -i --name host-auth-claude", "Credentials captured for claude (set: default)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sk-ant-oat01-AAA") {
		t.Error("the token was printed")
	}
	e.assertTempGone(t)
}

func TestCodexModesAndProject(t *testing.T) {
	for _, tt := range []struct {
		mode    sdk.Mode
		cmd     string
		runArgs string
	}{
		{sdk.ModeOAuth, `codex -c cli_auth_credentials_store="file" login`, ""}, // the callback port is relayed, not published
		{sdk.ModeDevice, `codex -c cli_auth_credentials_store="file" login --device-auth`, ""},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			e := newContainerEnv(t, codex.New(), tt.mode)
			e.req.Project = "myproj"
			e.runner.files = map[string]string{"auth.json": `{"tokens":{"access_token":"at","refresh_token":"rt","id_token":"it","account_id":"acc"}}`}
			if err := e.login.Run(context.Background(), e.req); err != nil {
				t.Fatalf("%v\n%s", err, e.errOut)
			}
			spec := e.runner.ran[0]
			if strings.Join(spec.Command, " ") != tt.cmd || strings.Join(spec.RunArgs, " ") != tt.runArgs || spec.Name != "myproj-auth-codex" {
				t.Errorf("spec = %+v", spec)
			}
			if c := e.store.m["default/codex"]; c.Get("refresh_token") != "rt" || c.Get("account_id") != "acc" {
				t.Errorf("stored %#v", c.Fields)
			}
			if !strings.Contains(e.errOut.String(), "Authenticating Codex for project: myproj") {
				t.Errorf("output: %s", e.errOut)
			}
		})
	}
}

func TestContainerFailuresStoreNothing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*cenv)
		is    error
		want  string
	}{
		{"stopped with 130", func(e *cenv) { e.runner.code = 130 }, auth.ErrStopped, "nothing was captured"},
		{"exit 1", func(e *cenv) { e.runner.code = 1 }, nil, "exited with code 1"},
		{"exit 125", func(e *cenv) { e.runner.code = 125 }, nil, "If the image localhost/vendor:test is missing"},
		{"exit 127", func(e *cenv) { e.runner.code = 127 }, nil, `login command "claude" could not be run`},
		{"garbage", func(e *cenv) { e.runner.files = map[string]string{".credentials.json": "garbage", "notes.txt": "x"} }, sdk.ErrNothingCaptured, "not valid JSON"},
		{"nothing", func(*cenv) {}, sdk.ErrNothingCaptured, "nothing was stored"},
		{"no podman", func(e *cenv) { e.runner.checkErr = container.ErrNoRuntime }, container.ErrNoRuntime, "podman"},
		{"no image", func(e *cenv) { e.req.Image = "" }, usage.Err, "--image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
			e.store.m["default/claude"] = sdk.APIKey("previous")
			tt.setup(e)
			err := e.login.Run(context.Background(), e.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("err = %v, want %q\n%s", err, tt.want, e.errOut)
			}
			if got := e.store.m["default/claude"].Get("key"); got != "previous" {
				t.Errorf("previous credential replaced: %v", e.store.m["default/claude"])
			}
			e.assertTempGone(t)
		})
	}
}

func TestNothingCapturedListsTheFiles(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{}
	for i := 0; i < 25; i++ {
		e.runner.files[filepath.Join("cache", strconv.Itoa(100+i))] = "x"
	}
	_ = e.login.Run(context.Background(), e.req)
	out := e.errOut.String()
	if !strings.Contains(out, "Files found: cache/100, cache/101") || !strings.Contains(out, "(and 5 more)") || strings.Contains(out, "cache/124") {
		t.Errorf("output: %s", out)
	}
}

func TestInterruptRemovesTheContainer(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.block = true
	e.runner.started = make(chan struct{})
	e.runner.files = map[string]string{".credentials.json": claudeCreds}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-e.runner.started
		cancel()
	}()
	err := e.login.Run(ctx, e.req)
	if !errors.Is(err, context.Canceled) || !strings.Contains(e.errOut.String(), "Authentication interrupted.") {
		t.Fatalf("err = %v\n%s", err, e.errOut)
	}
	if last := e.runner.removed[len(e.runner.removed)-1]; last != "host-auth-claude" {
		t.Errorf("removed %v", e.runner.removed)
	}
	if _, ok := e.store.m["default/claude"]; ok {
		t.Error("stored a credential from an interrupted login")
	}
	e.assertTempGone(t)
}

// unsafe is a provider whose container spec tries to reach the host.
type unsafe struct {
	sdk.Provider
	args []string
	path string
}

func (u unsafe) ContainerSpec(context.Context, *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return &sdk.ContainerSpecResponse{Command: []string{"x"}, ConfigPath: u.path, RunArgs: u.args}, nil
}

func TestUnsafeSpecsAreRefused(t *testing.T) {
	for _, u := range []unsafe{
		{args: []string{"-v", "/:/host"}, path: "/home/dev/.x"},
		{args: []string{"--privileged"}, path: "/home/dev/.x"},
		{args: []string{"--network=host"}, path: "/home/dev/.x"},
		{args: []string{"-p", "0.0.0.0:1455:1455"}, path: "/home/dev/.x"},
		{args: []string{"--publish=1455:1455"}, path: "/home/dev/.x"},
		{args: []string{"-e"}, path: "/home/dev/.x"},
		{path: "relative"},
		{path: "/"},
		{path: "/home/dev/../../etc"},
		{path: "/x:/y"},
	} {
		u.Provider = claude.New()
		e := newContainerEnv(t, u, sdk.ModeOAuth)
		err := e.login.Run(context.Background(), e.req)
		if err == nil || !strings.Contains(err.Error(), "terok will not run") {
			t.Errorf("%v %q: err = %v", u.args, u.path, err)
		}
		if len(e.runner.ran) != 0 {
			t.Errorf("%v %q: the container ran", u.args, u.path)
		}
	}
}

func TestSweepRemovesWhatAKilledTerokLeft(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.stale = []string{"old-auth-claude"}
	e.runner.existing["old-auth-claude"] = true
	// A private dir of a process that no longer exists (pid 0x7ffffffe is
	// never a live pid here).
	dead := filepath.Join(e.login.TempDir, "terok-auth-2147483646-claude-123")
	if err := os.MkdirAll(dead, 0o700); err != nil {
		t.Fatal(err)
	}
	e.runner.files = map[string]string{".credentials.json": claudeCreds}
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	if e.runner.removed[0] != "old-auth-claude" || !strings.Contains(e.errOut.String(), "Removed auth container old-auth-claude") {
		t.Errorf("removed %v\n%s", e.runner.removed, e.errOut)
	}
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Error("a dead terok's private dir was not removed")
	}
}

// The browser callback goes through the relayer the login was given: codex's
// port 1455, for the login's own container, closed when the login ends.
func TestCallbackIsRelayedIntoTheLoginContainer(t *testing.T) {
	e := newContainerEnv(t, codex.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{"auth.json": `{"tokens":{"access_token":"at","refresh_token":"rt","id_token":"it","account_id":"acc"}}`}
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	if !slices.Equal(e.relayer.ports, []int{1455}) || e.relayer.container != e.runner.ran[0].Name || !e.relayer.closed {
		t.Errorf("relayed %v into %q (closed: %v); want [1455] into %q, closed", e.relayer.ports, e.relayer.container, e.relayer.closed, e.runner.ran[0].Name)
	}
	if !strings.Contains(e.errOut.String(), "Browser callback: localhost:1455") {
		t.Errorf("the user is not told where the callback goes: %s", e.errOut)
	}

	// A device-code login needs no port: nothing is relayed.
	e = newContainerEnv(t, codex.New(), sdk.ModeDevice)
	e.runner.files = map[string]string{"auth.json": `{"tokens":{"access_token":"at","refresh_token":"rt","id_token":"it","account_id":"acc"}}`}
	if err := e.login.Run(context.Background(), e.req); err != nil || e.relayer.ports != nil {
		t.Errorf("device login: %v, relayed %v", err, e.relayer.ports)
	}
}

// Without a relayer, or with its port taken, a login that needs the callback
// stops before any container runs, and says what to do.
func TestCallbackLoginWithoutARelayStartsNothing(t *testing.T) {
	for name, set := range map[string]func(*cenv){
		"no relayer":  func(e *cenv) { e.login.Relayer = nil },
		"port in use": func(e *cenv) { e.relayer.err = fmt.Errorf("127.0.0.1:1455: %w", relay.ErrPortInUse) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newContainerEnv(t, codex.New(), sdk.ModeOAuth)
			set(e)
			err := e.login.Run(context.Background(), e.req)
			if err == nil || !strings.Contains(err.Error(), "--mode") {
				t.Errorf("err = %v; want one that names another --mode", err)
			}
			if len(e.runner.ran) != 0 || len(e.store.m) != 0 {
				t.Errorf("ran %d containers, stored %d", len(e.runner.ran), len(e.store.m))
			}
		})
	}
}
