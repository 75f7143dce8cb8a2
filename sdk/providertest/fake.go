package providertest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/terok-ai/terok-auth/sdk"
)

// Fake is a ready-made provider for testing code that drives providers
// (a host, a tool built on terok): every answer is a field you set, and
// every call is recorded. The zero value is not usable; use NewFake.
type Fake struct {
	Desc sdk.DescribeResponse
	// KeyPrefix: AcceptKey takes keys with this prefix, refuses others.
	KeyPrefix string
	// Spec is ContainerSpec's answer for container modes.
	Spec sdk.ContainerSpecResponse
	// Captured is Capture's answer; a zero Credential means
	// ErrNothingCaptured.
	Captured sdk.CaptureResponse
	// Err, if set, is returned by every method.
	Err error

	mu    sync.Mutex
	calls []string
}

var _ sdk.Provider = (*Fake)(nil)

// NewFake returns a fake provider named name offering modes.
func NewFake(name string, modes ...sdk.Mode) *Fake {
	if len(modes) == 0 {
		modes = []sdk.Mode{sdk.ModeAPIKey}
	}
	return &Fake{
		Desc:      sdk.DescribeResponse{Name: name, Label: "Fake " + name, Modes: modes, HostDir: "_" + name + "-config"},
		KeyPrefix: "fake-",
		Spec:      sdk.ContainerSpecResponse{Command: []string{name, "login"}, ConfigPath: "/home/dev/." + name},
	}
}

// Calls returns the methods called so far, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *Fake) record(m string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, m)
	return f.Err
}

// Describe implements sdk.Provider.
func (f *Fake) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	if err := f.record("Describe"); err != nil {
		return nil, err
	}
	d := f.Desc
	return &d, nil
}

// Negotiate implements sdk.Provider.
func (f *Fake) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	if err := f.record("Negotiate"); err != nil {
		return nil, err
	}
	return sdk.NegotiateModes(f.Desc.Modes, req)
}

// KeyPrompt implements sdk.Provider.
func (f *Fake) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	if err := f.record("KeyPrompt"); err != nil {
		return nil, err
	}
	return &sdk.KeyPromptResponse{Label: f.Desc.Label + " key", Secret: true, FormatHint: "starts with " + f.KeyPrefix}, nil
}

// AcceptKey implements sdk.Provider.
func (f *Fake) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	if err := f.record("AcceptKey"); err != nil {
		return nil, err
	}
	key := strings.TrimSpace(req.Key)
	if key == "" || !strings.HasPrefix(key, f.KeyPrefix) {
		return nil, fmt.Errorf("%w: fake keys start with %s", sdk.ErrInvalidKey, f.KeyPrefix)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(key)}, nil
}

func (f *Fake) container(m sdk.Mode) bool {
	for _, x := range f.Desc.Modes {
		if x == m && m.NeedsContainer() {
			return true
		}
	}
	return false
}

// ContainerSpec implements sdk.Provider.
func (f *Fake) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if err := f.record("ContainerSpec"); err != nil {
		return nil, err
	}
	if !f.container(req.Mode) {
		return nil, fmt.Errorf("%w: %s", sdk.ErrUnsupportedMode, req.Mode)
	}
	s := f.Spec
	return &s, nil
}

// Capture implements sdk.Provider.
func (f *Fake) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	if err := f.record("Capture"); err != nil {
		return nil, err
	}
	if !f.container(req.Mode) {
		return nil, fmt.Errorf("%w: %s", sdk.ErrUnsupportedMode, req.Mode)
	}
	if f.Captured.Credential.Type == "" || len(req.Files) == 0 {
		return nil, fmt.Errorf("%w: the fake has nothing to capture", sdk.ErrNothingCaptured)
	}
	c := f.Captured
	return &c, nil
}
