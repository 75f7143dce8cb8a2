// Package providertest checks that a provider keeps the terok provider
// contract. Call Run from a test of your provider:
//
//	func TestConformance(t *testing.T) { providertest.Run(t, myprovider.New()) }
//
// Run checks the provider in-process and again over a real gRPC connection,
// so anything that does not survive the wire shows up in your own tests;
// RunBinary checks a built plugin binary the way terok starts it.
// CaptureGolden tests Capture against files in testdata. Fake is a
// ready-made provider for testing code that drives providers.
package providertest

import (
	"context"
	"errors"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/internal/rpc"
	"github.com/terok-ai/terok-auth/sdk"
)

// Run runs every contract check against p, in-process and over gRPC.
func Run(t *testing.T, p sdk.Provider) {
	t.Helper()
	t.Run("in-process", func(t *testing.T) { runChecks(t, quiet{fail: t.Errorf, p: p}) })
	t.Run("grpc", func(t *testing.T) { runChecks(t, OverGRPC(t, p)) })
}

// OverGRPC serves p on an in-memory gRPC connection and returns the host's
// view of it, as terok sees a plugin. The connection closes with the test.
func OverGRPC(t testing.TB, p sdk.Provider) sdk.Provider {
	t.Helper()
	client, server := goplugin.TestPluginGRPCConn(t, false, map[string]goplugin.Plugin{
		rpc.PluginName: &rpc.GRPCPlugin{Impl: p},
	})
	t.Cleanup(func() {
		_ = client.Close()
		server.Stop()
	})
	raw, err := client.Dispense(rpc.PluginName)
	if err != nil {
		t.Fatalf("dispense provider over gRPC: %v", err)
	}
	return raw.(sdk.Provider)
}

func runChecks(t *testing.T, p sdk.Provider) {
	ctx := context.Background()
	d, err := p.Describe(ctx, &sdk.DescribeRequest{})
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	t.Run("Describe", func(t *testing.T) { checkDescribe(t, p, d) })
	t.Run("Negotiate", func(t *testing.T) { checkNegotiate(t, p, d.Modes) })
	if has(d.Modes, sdk.ModeAPIKey) {
		t.Run("KeyPrompt", func(t *testing.T) { checkKeyPrompt(t, p) })
		t.Run("AcceptKey", func(t *testing.T) { checkAcceptKey(t, p) })
	}
	t.Run("ContainerSpec", func(t *testing.T) { checkContainerSpec(t, p, d.Modes) })
	t.Run("Capture", func(t *testing.T) { checkCapture(t, p, d.Modes) })
}

func checkDescribe(t *testing.T, p sdk.Provider, first *sdk.DescribeResponse) {
	if err := sdk.ValidateDescription(first); err != nil {
		t.Errorf("Describe is not valid: %v", err)
	}
	again, err := p.Describe(context.Background(), &sdk.DescribeRequest{})
	if err != nil {
		t.Fatalf("second Describe: %v", err)
	}
	if !reflect.DeepEqual(first, again) {
		t.Errorf("Describe is not stable:\nfirst  %+v\nsecond %+v", first, again)
	}
}

func checkNegotiate(t *testing.T, p sdk.Provider, supported []sdk.Mode) {
	requests := append([]sdk.Mode{""}, supported...)
	for _, requested := range requests {
		for bits := 0; bits < 8; bits++ {
			req := &sdk.NegotiateRequest{
				Interactive:      bits&1 != 0,
				ContainerRuntime: bits&2 != 0,
				OAuthAllowed:     bits&4 != 0,
				Requested:        requested,
			}
			resp, err := p.Negotiate(context.Background(), req)
			if err != nil {
				t.Errorf("Negotiate(%+v): %v", req, err)
				continue
			}
			for _, m := range resp.Modes {
				if !has(supported, m) {
					t.Errorf("Negotiate(%+v) offers %q, which Describe does not list", req, m)
				}
				if m.NeedsContainer() && (!req.ContainerRuntime || !req.OAuthAllowed) {
					t.Errorf("Negotiate(%+v) offers container mode %q without a runtime or policy", req, m)
				}
			}
			if len(resp.Modes) > 0 && !has(resp.Modes, resp.Default) {
				t.Errorf("Negotiate(%+v): default %q is not among the offered modes %v", req, resp.Default, resp.Modes)
			}
		}
	}
	for _, m := range []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth, sdk.ModeDevice, "telepathy"} {
		if has(supported, m) {
			continue
		}
		_, err := p.Negotiate(context.Background(), &sdk.NegotiateRequest{Requested: m, ContainerRuntime: true, OAuthAllowed: true})
		if !errors.Is(err, sdk.ErrUnsupportedMode) {
			t.Errorf("Negotiate(requested %q, unsupported) = %v, want an error wrapping sdk.ErrUnsupportedMode", m, err)
		}
	}
}

func checkKeyPrompt(t *testing.T, p sdk.Provider) {
	kp, err := p.KeyPrompt(context.Background(), &sdk.KeyPromptRequest{})
	if err != nil {
		t.Fatalf("KeyPrompt: %v", err)
	}
	if strings.TrimSpace(kp.Label) == "" {
		t.Error("KeyPrompt has no label")
	}
}

func checkAcceptKey(t *testing.T, p sdk.Provider) {
	for _, key := range []string{"", "   ", "\n"} {
		_, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: key})
		if !errors.Is(err, sdk.ErrInvalidKey) {
			t.Errorf("AcceptKey(%q) = %v, want an error wrapping sdk.ErrInvalidKey", key, err)
		}
	}
}

func checkContainerSpec(t *testing.T, p sdk.Provider, supported []sdk.Mode) {
	for _, m := range []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth, sdk.ModeDevice} {
		spec, err := p.ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: m})
		if !m.NeedsContainer() || !has(supported, m) {
			if !errors.Is(err, sdk.ErrUnsupportedMode) {
				t.Errorf("ContainerSpec(%q) = %v, want an error wrapping sdk.ErrUnsupportedMode", m, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ContainerSpec(%q): %v", m, err)
			continue
		}
		if !path.IsAbs(spec.ConfigPath) || path.Clean(spec.ConfigPath) != spec.ConfigPath || spec.ConfigPath == "/" {
			t.Errorf("ContainerSpec(%q).ConfigPath = %q, want a clean absolute path below /", m, spec.ConfigPath)
		}
		if len(spec.Command) == 0 {
			t.Errorf("ContainerSpec(%q) has no command", m)
		}
		if err := sdk.CheckConfigPath(spec.ConfigPath); err != nil {
			t.Errorf("ContainerSpec(%q): %v", m, err)
		}
		if err := sdk.CheckRunArgs(spec.RunArgs); err != nil {
			t.Errorf("ContainerSpec(%q): terok would refuse to run it: %v", m, err)
		}
	}
}

func checkCapture(t *testing.T, p sdk.Provider, supported []sdk.Mode) {
	for _, m := range supported {
		if !m.NeedsContainer() {
			continue
		}
		_, err := p.Capture(context.Background(), &sdk.CaptureRequest{Mode: m})
		if !errors.Is(err, sdk.ErrNothingCaptured) {
			t.Errorf("Capture(%q, no files) = %v, want an error wrapping sdk.ErrNothingCaptured", m, err)
		}
		_, err = p.Capture(context.Background(), &sdk.CaptureRequest{Mode: m, Files: map[string][]byte{"unrelated.txt": []byte("hello")}})
		if !errors.Is(err, sdk.ErrNothingCaptured) {
			t.Errorf("Capture(%q, unrelated file) = %v, want an error wrapping sdk.ErrNothingCaptured", m, err)
		}
	}
}

func has(ms []sdk.Mode, m sdk.Mode) bool {
	return slices.Contains(ms, m)
}
