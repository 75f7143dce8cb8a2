package auth_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/usage"
	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
	"github.com/terok-ai/terok-auth/sdk"
)

// spying records whether the provider was asked to accept a key.
type spying struct {
	sdk.Provider
	accepted []string
}

func (s *spying) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	s.accepted = append(s.accepted, req.Key)
	return s.Provider.AcceptKey(ctx, req)
}

func TestNonUTF8KeyIsRefusedBeforeTheProviderSeesIt(t *testing.T) {
	e := newEnv(t, false)
	spy := &spying{Provider: e.req.Provider}
	e.req.Provider = spy
	e.req.Key = ptr("sk-ant-api03-abc\xff\xfedefghijklmnopqrstuvwxyz")
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "not UTF-8") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "abc") {
		t.Error("the error quotes the key")
	}
	if len(spy.accepted) != 0 || len(e.store.m) != 0 {
		t.Errorf("the provider saw %q, the store holds %v", spy.accepted, e.store.m)
	}
}

func TestImageThatIsAnOptionIsRefused(t *testing.T) {
	for _, image := range []string{"--volume=/etc:/host", "--privileged", "oci-archive:/etc/shadow"} {
		e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
		e.req.Image = image
		err := e.login.Run(context.Background(), e.req)
		if !errors.Is(err, usage.Err) || !errors.Is(err, err) || !strings.Contains(err.Error(), "--image, TEROK_AUTH_IMAGE or auth_image") {
			t.Errorf("--image %s: err = %v", image, err)
		}
		if len(e.runner.ran) != 0 || len(e.runner.removed) != 0 {
			t.Errorf("--image %s: ran %v, removed %v", image, e.runner.ran, e.runner.removed)
		}
	}
}

// withImage is a provider whose spec names an image of its own.
type withImage struct {
	sdk.Provider
	image string
	args  []string
}

func (p withImage) ContainerSpec(context.Context, *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return &sdk.ContainerSpecResponse{Image: p.image, Command: []string{"claude"}, ConfigPath: "/home/dev/.claude", RunArgs: p.args}, nil
}

func TestProviderSpecThatReachesTheHostIsRefused(t *testing.T) {
	for _, p := range []withImage{
		{image: "--volume=/etc:/host"},
		{image: "--privileged"},
		{image: "dir:/etc"},
		{image: "localhost/ok", args: []string{"-e", "SECRET_NAME"}},
		{image: "localhost/ok", args: []string{"--env-host"}},
		{image: "localhost/ok", args: []string{"--env-file=/etc/environment"}},
	} {
		p.Provider = claude.New()
		e := newContainerEnv(t, p, sdk.ModeOAuth)
		e.req.Image = ""
		err := e.login.Run(context.Background(), e.req)
		if err == nil || !strings.Contains(err.Error(), "terok will not run") {
			t.Errorf("image %q args %q: err = %v", p.image, p.args, err)
		}
		if len(e.runner.ran) != 0 {
			t.Errorf("image %q args %q: the container ran", p.image, p.args)
		}
	}
}

func TestASecondLoginNeverRemovesARunningOnesContainer(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.req.Project = "web"
	e.runner.existing["web-auth-claude"] = true
	e.runner.labels = map[string]map[string]string{"web-auth-claude": container.OwnerLabels()} // a terok that runs
	e.runner.running = map[string]bool{"web-auth-claude": true}
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "a login for claude (project web) is already running (pid ") {
		t.Fatalf("err = %v", err)
	}
	if len(e.runner.removed) != 0 || len(e.runner.ran) != 0 {
		t.Errorf("removed %v, ran %v", e.runner.removed, e.runner.ran)
	}
}

func TestAContainerWhoseTerokIsGoneIsReplaced(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{".credentials.json": claudeCreds}
	e.runner.existing["host-auth-claude"] = true
	host, _ := os.Hostname()
	e.runner.labels = map[string]map[string]string{"host-auth-claude": {container.Label: "1", container.LabelOwner: "2147483646", container.LabelHost: host}}
	e.runner.running = map[string]bool{"host-auth-claude": true}
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	if len(e.runner.removed) != 1 || !strings.Contains(e.errOut.String(), "Removing existing auth container: host-auth-claude") {
		t.Errorf("removed %v\n%s", e.runner.removed, e.errOut)
	}
}

func TestARunningContainerTerokDidNotStartIsLeftAlone(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.existing["host-auth-claude"] = true
	e.runner.running = map[string]bool{"host-auth-claude": true}
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "which terok did not start, is running") || len(e.runner.removed) != 0 {
		t.Errorf("err = %v, removed %v", err, e.runner.removed)
	}
}

func TestStateFilesAreNotWrittenThroughASymlinkedConfigDir(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{".credentials.json": claudeCreds}
	target := t.TempDir()
	if err := os.Symlink(target, filepath.Join(e.mounts, "_claude-config")); err != nil {
		t.Fatal(err)
	}
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	if e.store.m["default/claude"].Get("access_token") != "sk-ant-oat01-AAA" {
		t.Error("the credential was not stored")
	}
	if !strings.Contains(e.errOut.String(), "symbolic link, which terok does not follow") {
		t.Errorf("no warning:\n%s", e.errOut)
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("state files were written at the link's target: %v", entries)
	}
}

func TestUnprintableFileNamesAreQuotedInTheWarnings(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{"x\x1b]0;owned\x07": "x"}
	_ = e.login.Run(context.Background(), e.req)
	if strings.Contains(e.errOut.String(), "\x1b") {
		t.Errorf("a control sequence from the container reached the terminal: %q", e.errOut)
	}
}

// otherLogin are the labels of a container started by another terok that
// still runs (the test's parent process).
func otherLogin() map[string]string {
	host, _ := os.Hostname()
	return map[string]string{container.Label: "1", container.LabelOwner: strconv.Itoa(os.Getppid()), container.LabelHost: host}
}

func TestALoginThatLosesTheRaceForTheNameSaysWhoHasIt(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.takenBy = otherLogin()
	err := e.login.Run(context.Background(), e.req)
	want := "a login for claude (host-wide) is already running (pid " + strconv.Itoa(os.Getppid()) + ")"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
	if len(e.runner.removed) != 0 {
		t.Errorf("removed %v: another login's container", e.runner.removed)
	}
}

func TestAnInterruptedLoginRemovesOnlyItsOwnContainer(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.block = true
	e.runner.started = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-e.runner.started
		cancel()
	}()
	if err := e.login.Run(ctx, e.req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(e.runner.removed) != 1 || e.runner.removed[0] != "host-auth-claude" {
		t.Errorf("its own container: removed %v", e.runner.removed)
	}

	// The name now belongs to another login (ours went, theirs came).
	e = newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.block = true
	e.runner.started = make(chan struct{})
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		<-e.runner.started
		e.runner.labels["host-auth-claude"] = otherLogin()
		cancel()
	}()
	_ = e.login.Run(ctx, e.req)
	if len(e.runner.removed) != 0 {
		t.Errorf("another login's container: removed %v", e.runner.removed)
	}
}

func TestSweepNeverFollowsALinkNamedLikeALoginDir(t *testing.T) {
	e := newContainerEnv(t, claude.New(), sdk.ModeOAuth)
	e.runner.files = map[string]string{".credentials.json": claudeCreds}
	victim := t.TempDir()
	if err := os.WriteFile(filepath.Join(victim, "precious"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Another local user plants a link where a dead terok's dir would be.
	if err := os.Symlink(victim, filepath.Join(e.login.TempDir, "terok-auth-2147483646-claude-1")); err != nil {
		t.Fatal(err)
	}
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(victim, "precious")); err != nil || string(got) != "keep" {
		t.Errorf("the sweep followed the link: %q, %v", got, err)
	}
}

// oddFields is a provider whose credentials keep the secret under a name
// terok does not know as secret: masking and the shared-dir checks find
// secrets by field name, so such a credential is refused, not stored.
type oddFields struct{ sdk.Provider }

func (p oddFields) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	return &sdk.AcceptKeyResponse{Credential: sdk.Credential{Type: sdk.TypeAPIKey, Fields: map[string]any{"apikey": req.Key}}}, nil
}

func (p oddFields) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	return &sdk.CaptureResponse{Credential: sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"blob": "sess-0123456789abcdef"}}}, nil
}

func TestCredentialWithoutASecretFieldIsRefused(t *testing.T) {
	e := newEnv(t, false)
	e.req.Provider = oddFields{e.req.Provider}
	e.req.Key = ptr(goodKey)
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "no secret field (fields: apikey)") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Errorf("api key: err = %v", err)
	}
	if strings.Contains(fmt.Sprint(err), goodKey) || len(e.store.m) != 0 {
		t.Errorf("api key: the error quotes the key, or the store holds %v", e.store.m)
	}

	c := newContainerEnv(t, oddFields{claude.New()}, sdk.ModeOAuth)
	c.runner.files = map[string]string{".credentials.json": claudeCreds}
	err = c.login.Run(context.Background(), c.req)
	if err == nil || !strings.Contains(err.Error(), "no secret field (fields: blob)") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Errorf("capture: err = %v", err)
	}
	if strings.Contains(fmt.Sprint(err), "sess-0123456789abcdef") || len(c.store.m) != 0 {
		t.Errorf("capture: the error quotes the secret, or the store holds %v", c.store.m)
	}
	c.assertTempGone(t)
}

// sink records what the login tells the log's masker.
type sink struct{ got []string }

func (s *sink) Add(v ...string) { s.got = append(s.got, v...) }
func (s *sink) Hold()           {}
func (s *sink) Release()        {}

// nested is a provider whose captured credential keeps secrets below the
// top level, as a vendor's JSON copied as it is would.
type nested struct{ sdk.Provider }

func (p nested) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	return &sdk.CaptureResponse{Credential: sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "nested-access-0123",
		"extra":        map[string]any{"refresh_token": "nested-refresh-0123", "list": []any{"nested-in-list-0123"}},
		"host":         "github.example.com",
	}}}, nil
}

// Every string of a credential reaches the masker before anything can log
// it, however deep; its host does not.
func TestLoginMasksNestedSecrets(t *testing.T) {
	e := newContainerEnv(t, nested{claude.New()}, sdk.ModeOAuth)
	e.runner.files = map[string]string{".credentials.json": claudeCreds}
	s := &sink{}
	e.login.Secrets = s
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	for _, want := range []string{"nested-access-0123", "nested-refresh-0123", "nested-in-list-0123"} {
		if !slices.Contains(s.got, want) {
			t.Errorf("the masker was not told %s: %q", want, s.got)
		}
	}
	if slices.Contains(s.got, "github.example.com") {
		t.Errorf("the masker was told the host: %q", s.got)
	}
}
