package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// echo returns fixed, fully populated answers, and fails with err when set,
// so every field and every sentinel can be checked across the wire.
type echo struct {
	err    error
	gotReq any
}

var (
	wantDescribe = &sdk.DescribeResponse{
		Name: "echo", Label: "Echo", Version: "1.2.3", Modes: []sdk.Mode{sdk.ModeOAuth, sdk.ModeAPIKey},
		Description: "d", KeyURL: "https://k", DocsURL: "https://d", HostDir: "_echo", ProtocolVersion: sdk.ProtocolVersion,
	}
	wantNegotiate = &sdk.NegotiateResponse{
		Modes: []sdk.Mode{sdk.ModeAPIKey}, Default: sdk.ModeAPIKey,
		Unavailable: []sdk.UnavailableMode{{Mode: sdk.ModeOAuth, Reason: "no podman"}},
	}
	wantKeyPrompt = &sdk.KeyPromptResponse{Label: "L", Hint: "H", URL: "U", EnvVar: "E", Secret: true, FormatHint: "F"}
	wantCred      = sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "a", "expires_at": int64(1767225600), "scopes": []any{"x", "y"}, "nested": map[string]any{"k": true},
	}}
	wantSpec = &sdk.ContainerSpecResponse{
		Image: "img", Command: []string{"tool", "login"}, ConfigPath: "/home/dev/.tool",
		RunArgs: []string{"-p", "127.0.0.1:1:1"}, Env: map[string]string{"A": "b"}, Banner: "hi",
		CallbackPorts: []int{1455, 7171}, SkipPaths: []string{"tmp/arg0-linux"}, User: "1001:1002",
	}
	wantState = map[string][]byte{"a.json": []byte("{}"), "dir/b": []byte("x")}
)

func (e *echo) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	if e.err != nil {
		return nil, e.err
	}
	d := *wantDescribe
	d.ProtocolVersion = 0 // the adapter fills it in
	return &d, nil
}

func (e *echo) Negotiate(_ context.Context, r *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	e.gotReq = r
	return wantNegotiate, e.err
}

func (e *echo) KeyPrompt(_ context.Context, r *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	e.gotReq = r
	return wantKeyPrompt, e.err
}

func (e *echo) AcceptKey(_ context.Context, r *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	e.gotReq = r
	if e.err != nil {
		return nil, e.err
	}
	return &sdk.AcceptKeyResponse{Credential: wantCred, KeyFiles: wantState}, nil
}

func (e *echo) ContainerSpec(_ context.Context, r *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	e.gotReq = r
	return wantSpec, e.err
}

func (e *echo) Capture(_ context.Context, r *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	e.gotReq = r
	if e.err != nil {
		return nil, e.err
	}
	return &sdk.CaptureResponse{Credential: wantCred, StateFiles: wantState}, nil
}

func TestRoundTrip(t *testing.T) {
	impl := &echo{}
	p := providertest.OverGRPC(t, impl)
	ctx := context.Background()

	d, err := p.Describe(ctx, &sdk.DescribeRequest{})
	if err != nil || !reflect.DeepEqual(d, wantDescribe) {
		t.Errorf("Describe = %+v, %v; want %+v", d, err, wantDescribe)
	}

	negReq := &sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true, OAuthAllowed: true, Requested: sdk.ModeDevice}
	n, err := p.Negotiate(ctx, negReq)
	if err != nil || !reflect.DeepEqual(n, wantNegotiate) || !reflect.DeepEqual(impl.gotReq, negReq) {
		t.Errorf("Negotiate = %+v, %v (provider got %+v)", n, err, impl.gotReq)
	}

	kp, err := p.KeyPrompt(ctx, &sdk.KeyPromptRequest{Mode: sdk.ModeSetupToken})
	if err != nil || !reflect.DeepEqual(kp, wantKeyPrompt) || impl.gotReq.(*sdk.KeyPromptRequest).Mode != sdk.ModeSetupToken {
		t.Errorf("KeyPrompt = %+v, %v (provider got %+v)", kp, err, impl.gotReq)
	}

	ak, err := p.AcceptKey(ctx, &sdk.AcceptKeyRequest{Key: "k", Mode: sdk.ModeSetupToken})
	if err != nil || impl.gotReq.(*sdk.AcceptKeyRequest).Key != "k" || impl.gotReq.(*sdk.AcceptKeyRequest).Mode != sdk.ModeSetupToken {
		t.Fatalf("AcceptKey: %v (provider got %+v)", err, impl.gotReq)
	}
	checkCred(t, ak.Credential)
	if !reflect.DeepEqual(ak.KeyFiles, wantState) {
		t.Errorf("KeyFiles = %v", ak.KeyFiles)
	}

	spec, err := p.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth, Host: "ghe.example.com"})
	if err != nil || !reflect.DeepEqual(spec, wantSpec) || *impl.gotReq.(*sdk.ContainerSpecRequest) != (sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth, Host: "ghe.example.com"}) {
		t.Errorf("ContainerSpec = %+v, %v", spec, err)
	}

	files := map[string][]byte{"auth.json": []byte(`{"a":1}`), "sub/x": {0, 1, 2}}
	c, err := p.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.ModeDevice, Files: files})
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	got := impl.gotReq.(*sdk.CaptureRequest)
	if got.Mode != sdk.ModeDevice || !reflect.DeepEqual(got.Files, files) {
		t.Errorf("provider got %+v", got)
	}
	checkCred(t, c.Credential)
	if !reflect.DeepEqual(c.StateFiles, wantState) {
		t.Errorf("StateFiles = %v", c.StateFiles)
	}
}

func checkCred(t *testing.T, c sdk.Credential) {
	t.Helper()
	if c.Type != sdk.TypeOAuth || c.Get("access_token") != "a" {
		t.Errorf("credential = %#v", c.Fields)
	}
	if exp, ok := c.ExpiresAt(); !ok || exp.Unix() != 1767225600 {
		t.Errorf("expires_at = %v (%v)", c.Fields["expires_at"], ok)
	}
	if !reflect.DeepEqual(c.Fields["scopes"], []any{"x", "y"}) || !reflect.DeepEqual(c.Fields["nested"], map[string]any{"k": true}) {
		t.Errorf("nested fields lost: %#v", c.Fields)
	}
}

func TestSentinelsCrossTheWire(t *testing.T) {
	for _, sentinel := range sdk.Sentinels() {
		t.Run(sentinel.Error(), func(t *testing.T) {
			p := providertest.OverGRPC(t, &echo{err: fmt.Errorf("%w: because reasons", sentinel)})
			_, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{})
			if !errors.Is(err, sentinel) {
				t.Fatalf("err = %v, does not match %v", err, sentinel)
			}
			if want := sentinel.Error() + ": because reasons"; err.Error() != want {
				t.Errorf("message = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestPlainErrorsMatchNoSentinel(t *testing.T) {
	p := providertest.OverGRPC(t, &echo{err: errors.New("disk on fire")})
	_, err := p.Capture(context.Background(), &sdk.CaptureRequest{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range sdk.Sentinels() {
		if errors.Is(err, s) {
			t.Errorf("%v matches %v", err, s)
		}
	}
}

// silent returns neither a response nor an error from every method: a
// provider bug the plugin must report, not die of.
type silent struct{}

func (silent) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return nil, nil
}
func (silent) Negotiate(context.Context, *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return nil, nil
}
func (silent) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return nil, nil
}
func (silent) AcceptKey(context.Context, *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	return nil, nil
}
func (silent) ContainerSpec(context.Context, *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return nil, nil
}
func (silent) Capture(context.Context, *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	return nil, nil
}
func (silent) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return nil, nil
}
func (silent) Renewal(context.Context, *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	return nil, nil
}
func (silent) ProxyRoutes(context.Context, *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	return nil, nil
}

func TestNilAnswerIsAnErrorNotACrash(t *testing.T) {
	p := providertest.OverGRPC(t, silent{})
	ctx := context.Background()
	calls := map[string]func() error{
		"Describe":  func() error { _, err := p.Describe(ctx, &sdk.DescribeRequest{}); return err },
		"Negotiate": func() error { _, err := p.Negotiate(ctx, &sdk.NegotiateRequest{}); return err },
		"KeyPrompt": func() error { _, err := p.KeyPrompt(ctx, &sdk.KeyPromptRequest{}); return err },
		"AcceptKey": func() error { _, err := p.AcceptKey(ctx, &sdk.AcceptKeyRequest{Key: "k"}); return err },
		"ContainerSpec": func() error {
			_, err := p.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth})
			return err
		},
		"Capture": func() error { _, err := p.Capture(ctx, &sdk.CaptureRequest{}); return err },
		"Injection": func() error {
			_, err := p.(sdk.Injector).Injection(ctx, &sdk.InjectionRequest{})
			return err
		},
		"Renewal": func() error {
			_, err := p.(sdk.Renewer).Renewal(ctx, &sdk.RenewalRequest{})
			return err
		},
		"ProxyRoutes": func() error {
			_, err := p.(sdk.Proxied).ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil {
				t.Fatal("no error for a provider that answered nothing")
			}
			want := "provider bug: " + name + " returned neither a response nor an error"
			if status.Code(err) != codes.Internal || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %q, want codes.Internal with %q", err, want)
			}
		})
	}
}
