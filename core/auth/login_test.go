package auth_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/plugins/claude/provider"
	codex "github.com/terok-ai/terok-auth/plugins/codex/provider"
	"github.com/terok-ai/terok-auth/sdk"
)

const goodKey = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345"

type fakePrompter struct {
	choice    int
	secret    string
	err       error
	titles    []string
	options   [][]string
	defaults  []int
	secretLbl string
}

func (f *fakePrompter) Select(_ context.Context, title string, options []string, def int) (int, error) {
	f.titles, f.options, f.defaults = append(f.titles, title), append(f.options, options), append(f.defaults, def)
	return f.choice, f.err
}

func (f *fakePrompter) Input(context.Context, string) (string, error) { return "", f.err }

func (f *fakePrompter) Secret(_ context.Context, label string) (string, error) {
	f.secretLbl = label
	return f.secret, f.err
}

type memStore struct {
	m   map[string]sdk.Credential
	err error
}

func (s *memStore) Save(_ context.Context, set names.Set, p names.Provider, c sdk.Credential) error {
	if s.err != nil {
		return s.err
	}
	s.m[string(set)+"/"+string(p)] = c
	return nil
}

type env struct {
	login    *auth.Login
	prompter *fakePrompter
	store    *memStore
	errOut   *bytes.Buffer
	req      auth.LoginRequest
}

func newEnv(t *testing.T, tty bool) *env {
	t.Helper()
	io, _, _, errOut := iostreams.Test()
	io.InTTY, io.OutTTY = tty, tty
	p := provider.New()
	desc, err := p.Describe(context.Background(), &sdk.DescribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{prompter: &fakePrompter{}, store: &memStore{m: map[string]sdk.Credential{}}, errOut: errOut}
	e.login = &auth.Login{IO: io, Prompter: e.prompter, Store: e.store}
	e.req = auth.LoginRequest{Name: names.Provider(desc.Name), Provider: p, Desc: desc, Set: "default", ContainerRuntime: true}
	return e
}

func ptr(s string) *string { return &s }

// A request whose set is the zero value stores nothing: no set was parsed.
func TestLoginNeedsASet(t *testing.T) {
	e := newEnv(t, false)
	e.req.Key = ptr(goodKey)
	e.req.Set = ""
	if err := e.login.Run(context.Background(), e.req); err == nil || len(e.store.m) != 0 {
		t.Errorf("err = %v, stored %v", err, e.store.m)
	}
}

// The credential is stored under req.Name: a request whose name is not the
// provider that was opened (or has none) stores nothing anywhere.
func TestLoginStoresOnlyUnderTheOpenedName(t *testing.T) {
	for _, name := range []names.Provider{"", "codex"} {
		e := newEnv(t, false)
		e.req.Key = ptr(goodKey)
		e.req.Name = name
		err := e.login.Run(context.Background(), e.req)
		if err == nil || !strings.Contains(remedy.Text(err), "not the one opened") {
			t.Errorf("Name %q: err = %v", name, err)
		}
		if len(e.store.m) != 0 {
			t.Errorf("Name %q: stored %v", name, e.store.m)
		}
	}
}

func TestPipedKeyIsStored(t *testing.T) {
	e := newEnv(t, false)
	e.req.Key = ptr(goodKey + "\n")
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	if got := e.store.m["default/claude"]; got.Get("key") != goodKey {
		t.Errorf("stored %#v", got.Fields)
	}
	if len(e.prompter.titles) != 0 {
		t.Error("asked a question although the key was piped")
	}
	if got := e.errOut.String(); got != "API key stored for claude (set: default)\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestTerminalMenuThenMaskedPrompt(t *testing.T) {
	e := newEnv(t, true)
	e.prompter.choice = 0 // Enter: api key comes first, as no image is set
	e.prompter.secret = goodKey
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	if len(e.prompter.options) != 1 {
		t.Fatalf("menu shown %d times", len(e.prompter.options))
	}
	opts := e.prompter.options[0]
	if len(opts) != 3 || !strings.HasPrefix(opts[0], "API key") || !strings.HasPrefix(opts[1], "Setup token") || !strings.HasPrefix(opts[2], "OAuth") ||
		!strings.Contains(opts[2], "cannot run yet: no login image") || e.prompter.defaults[0] != 0 {
		t.Errorf("menu = %q default %d", opts, e.prompter.defaults[0])
	}
	if e.prompter.secretLbl != "Claude API key: " {
		t.Errorf("prompt label = %q", e.prompter.secretLbl)
	}
	if e.store.m["default/claude"].Get("key") != goodKey {
		t.Error("key not stored")
	}
}

func TestNoMenuWhenOnlyOneModeIsPossible(t *testing.T) {
	e := newEnv(t, true)
	// codex without podman has only its API key.
	e.req.Provider = codex.New()
	desc, _ := e.req.Provider.Describe(context.Background(), &sdk.DescribeRequest{})
	e.req.Desc, e.req.Name = desc, "codex"
	e.req.ContainerRuntime = false
	e.prompter.secret = "sk-proj-" + strings.Repeat("a", 40)
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	if len(e.prompter.titles) != 0 {
		t.Errorf("menu shown: %v", e.prompter.options)
	}
}

func TestFailuresStoreNothing(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		setup func(*env)
		check func(error) bool
		want  string
	}{
		{"empty piped key", false, func(e *env) { e.req.Key = ptr(" \n") }, nil, "no API key entered"},
		{"invalid key", false, func(e *env) { e.req.Key = ptr("hunter2") }, func(err error) bool { return errors.Is(err, sdk.ErrInvalidKey) }, "sk-ant-"},
		{"no terminal, no --with-key", false, func(*env) {}, func(err error) bool { return errors.Is(err, usage.Err) }, "--with-key"},
		{"empty typed key", true, func(e *env) { e.req.Mode = sdk.ModeAPIKey }, nil, "no API key entered"},
		{"unsupported mode", false, func(e *env) { e.req.Mode = sdk.ModeDevice }, func(err error) bool { return errors.Is(err, usage.Err) }, "does not support mode device"},
		{"mode impossible here", false, func(e *env) { e.req.Mode = sdk.ModeOAuth; e.req.ContainerRuntime = false }, nil, "podman"},
		{"--with-key with --mode oauth", false, func(e *env) { e.req.Key = ptr(goodKey); e.req.Mode = sdk.ModeOAuth }, func(err error) bool { return errors.Is(err, usage.Err) }, "--with-key"},
		{"prompt interrupted", true, func(e *env) { e.req.Mode = sdk.ModeAPIKey; e.prompter.err = context.Canceled }, func(err error) bool { return errors.Is(err, context.Canceled) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.tty)
			e.store.m["default/claude"] = sdk.APIKey("previous")
			tt.setup(e)
			err := e.login.Run(context.Background(), e.req)
			if err == nil || !strings.Contains(remedy.Text(err), tt.want) || (tt.check != nil && !tt.check(err)) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if got := e.store.m["default/claude"].Get("key"); got != "previous" {
				t.Errorf("previous credential replaced by %q", got)
			}
		})
	}
}

func TestStoreErrorIsReported(t *testing.T) {
	e := newEnv(t, false)
	e.store.err = &store.Error{Op: "store", Account: "default/claude", Kind: store.ErrLocked, Fix: "unlock it"}
	e.req.Key = ptr(goodKey)
	err := e.login.Run(context.Background(), e.req)
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(remedy.Text(err), "unlock it") {
		t.Errorf("err = %v", err)
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]sdk.Mode{"": "", "api-key": sdk.ModeAPIKey, "api_key": sdk.ModeAPIKey, "OAuth": sdk.ModeOAuth, "device": sdk.ModeDevice} {
		if got, err := auth.ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := auth.ParseMode("password"); !errors.Is(err, usage.Err) {
		t.Errorf("ParseMode(password) = %v", err)
	}
}

const setupToken = "sk-ant-oat01-abcdefghijklmnopqrstuvwxyz012345"

// A setup token given with --mode setup-token is stored as an OAuth token
// (the provider learns the mode); given as an API key it is refused with
// the mode that takes it, and nothing is stored.
func TestSetupTokenLogin(t *testing.T) {
	e := newEnv(t, false)
	e.req.Mode, e.req.Key = sdk.ModeSetupToken, ptr(setupToken+"\n")
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	c := e.store.m["default/claude"]
	if c.Type != sdk.TypeOAuthToken || c.Get("token") != setupToken || c.Get("key") != "" {
		t.Errorf("stored %v (token %q)", c, c.Get("token"))
	}
	if got := e.errOut.String(); got != "Setup token stored for claude (set: default)\n" {
		t.Errorf("stderr = %q", got)
	}

	e = newEnv(t, false)
	e.req.Key = ptr(setupToken) // --with-key, no --mode: an API key
	err := e.login.Run(context.Background(), e.req)
	if !errors.Is(err, sdk.ErrInvalidKey) || !strings.Contains(err.Error(), "--mode setup-token") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Errorf("a setup token as an API key: %v, want a refusal naming --mode setup-token", err)
	}
	if strings.Contains(err.Error(), setupToken) {
		t.Errorf("the error shows the token: %v", err)
	}
	if _, ok := e.store.m["default/claude"]; ok {
		t.Error("something was stored")
	}
}

// With no terminal and no key, the setup token mode says how to pipe one.
func TestSetupTokenNeedsAPipeWithoutATerminal(t *testing.T) {
	e := newEnv(t, false)
	e.req.Mode = sdk.ModeSetupToken
	err := e.login.Run(context.Background(), e.req)
	if err == nil || !strings.Contains(err.Error(), "--mode setup-token --with-key") || !strings.Contains(err.Error(), "setup token") {
		t.Errorf("err = %v", err)
	}
}

// At a terminal the prompt is the provider's for the mode.
func TestSetupTokenPrompt(t *testing.T) {
	e := newEnv(t, true)
	e.req.Mode = sdk.ModeSetupToken
	e.prompter.secret = setupToken
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	if e.prompter.secretLbl != "Claude setup token: " || !strings.Contains(e.errOut.String(), "claude setup-token") {
		t.Errorf("prompt %q, hint %q", e.prompter.secretLbl, e.errOut.String())
	}
	if e.login.Chosen != sdk.ModeSetupToken {
		t.Errorf("Chosen = %q", e.login.Chosen)
	}
}
