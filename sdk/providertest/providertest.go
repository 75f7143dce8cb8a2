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
//
// The suite checks failure paths on its own. Success paths need inputs only
// you have: give a valid key with WithKey and login files with WithCapture
// or WithGolden, and the suite checks what comes back — expires_at in
// plausible Unix seconds, state and key file paths relative and clean, a
// refresh token in the files kept in the credential — and that nothing the
// provider logged during the suite contains the key or a captured secret:
//
//	providertest.Run(t, New(),
//		providertest.WithKey("acme_0123456789abcdef0123456789abcdef"),
//		providertest.WithGolden(sdk.ModeOAuth, "testdata/capture"))
//
// Logs are recorded from hclog's default logger (hclog.L()), the standard
// log package and standard error; RunBinary records everything the plugin
// process writes to standard error.
package providertest

import (
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/internal/rpc"
)

// Run runs every contract check against p, in-process and over gRPC.
func Run(t *testing.T, p sdk.Provider, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	rec := &logRecorder{}
	restore := recordLogs(rec)
	defer restore()
	t.Run("in-process", func(t *testing.T) { runChecks(t, quiet{fail: t.Errorf, p: p, rec: rec}, cfg, rec) })
	t.Run("grpc", func(t *testing.T) { runChecks(t, quiet{fail: t.Errorf, p: OverGRPC(t, p), rec: rec}, cfg, rec) })
	t.Run("logs", func(t *testing.T) { rec.check(t) })
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

func runChecks(t *testing.T, p sdk.Provider, cfg *config, rec *logRecorder) *sdk.DescribeResponse {
	for _, err := range cfg.errs {
		t.Error(err)
	}
	ctx := context.Background()
	d, err := p.Describe(ctx, &sdk.DescribeRequest{})
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	t.Run("Describe", func(t *testing.T) { checkDescribe(t, p, d) })
	t.Run("Negotiate", func(t *testing.T) { checkNegotiate(t, p, d.Modes) })
	if has(d.Modes, sdk.ModeAPIKey) {
		t.Run("KeyPrompt", func(t *testing.T) { checkKeyPrompt(t, p, "") })
		t.Run("AcceptKey", func(t *testing.T) { checkAcceptKey(t, p, "") })
		t.Run("AcceptKey/success", func(t *testing.T) { checkAcceptKeySuccess(t, p, cfg.keys, rec) })
	}
	if has(d.Modes, sdk.ModeSetupToken) {
		t.Run("KeyPrompt/setup_token", func(t *testing.T) { checkKeyPrompt(t, p, sdk.ModeSetupToken) })
		t.Run("AcceptKey/setup_token", func(t *testing.T) { checkAcceptKey(t, p, sdk.ModeSetupToken) })
	}
	t.Run("ContainerSpec", func(t *testing.T) { checkContainerSpec(t, p, d.Modes) })
	t.Run("Capture", func(t *testing.T) { checkCapture(t, p, d.Modes) })
	t.Run("Injection", func(t *testing.T) { checkInjection(t, p, d) })
	if hasContainerMode(d.Modes) || len(cfg.captures) > 0 {
		t.Run("Capture/success", func(t *testing.T) { checkCaptureSuccess(t, p, d.Modes, cfg.captures, rec) })
	}
	return d
}

func hasContainerMode(ms []sdk.Mode) bool {
	for _, m := range ms {
		if m.NeedsContainer() {
			return true
		}
	}
	return false
}

func checkAcceptKeySuccess(t *testing.T, p sdk.Provider, keys []string, rec *logRecorder) {
	if len(keys) == 0 {
		t.Log("no valid key given: AcceptKey's success path, its key files and whether the key is logged are unchecked; pass providertest.WithKey")
		return
	}
	for i, key := range keys {
		rec.addSecret(fmt.Sprintf("the key given to AcceptKey (WithKey #%d)", i+1), key)
		resp, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: key})
		if err != nil {
			t.Errorf("AcceptKey(WithKey #%d) = %v, want success", i+1, err)
			continue
		}
		for _, s := range credentialSecrets(resp.Credential) {
			rec.addSecret("the stored credential's "+s.name, s.value)
		}
		for _, err := range CheckAcceptKey(resp) {
			t.Error(err)
		}
	}
}

func checkCaptureSuccess(t *testing.T, p sdk.Provider, supported []sdk.Mode, samples []sample, rec *logRecorder) {
	if len(samples) == 0 {
		t.Log("no login files given: Capture's success path (expiry, state files, refresh token, secrets in logs) is unchecked; pass providertest.WithCapture or WithGolden")
		return
	}
	for _, s := range samples {
		if !has(supported, s.mode) {
			t.Errorf("%s: mode %q is not one Describe lists", s.name, s.mode)
			continue
		}
		addInputSecrets(rec, s.files)
		resp, err := p.Capture(context.Background(), &sdk.CaptureRequest{Mode: s.mode, Files: s.files})
		if err != nil {
			t.Errorf("Capture(%q, %s) = %v, want a credential", s.mode, s.name, err)
			continue
		}
		for _, sec := range credentialSecrets(resp.Credential) {
			rec.addSecret("the captured "+sec.name, sec.value)
		}
		for _, err := range CheckCapture(s.files, resp) {
			t.Errorf("Capture(%q, %s): %v", s.mode, s.name, err)
		}
	}
}

// addInputSecrets records the refresh tokens of login files, which a
// provider must not log even when it drops them.
func addInputSecrets(rec *logRecorder, files map[string][]byte) {
	for _, rt := range refreshTokens(files) {
		rec.addSecret("the refresh token in "+rt.file, rt.value)
	}
}

func checkDescribe(t *testing.T, p sdk.Provider, first *sdk.DescribeResponse) {
	if err := host.ValidateDescription(first); err != nil {
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
	for _, m := range []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeSetupToken, "telepathy"} {
		if has(supported, m) {
			continue
		}
		_, err := p.Negotiate(context.Background(), &sdk.NegotiateRequest{Requested: m, ContainerRuntime: true, OAuthAllowed: true})
		if !errors.Is(err, sdk.ErrUnsupportedMode) {
			t.Errorf("Negotiate(requested %q, unsupported) = %v, want an error wrapping sdk.ErrUnsupportedMode", m, err)
		}
	}
}

func checkKeyPrompt(t *testing.T, p sdk.Provider, m sdk.Mode) {
	kp, err := p.KeyPrompt(context.Background(), &sdk.KeyPromptRequest{Mode: m})
	if err != nil {
		t.Fatalf("KeyPrompt: %v", err)
	}
	if strings.TrimSpace(kp.Label) == "" {
		t.Error("KeyPrompt has no label")
	}
}

func checkAcceptKey(t *testing.T, p sdk.Provider, m sdk.Mode) {
	for _, key := range []string{"", "   ", "\n"} {
		_, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: key, Mode: m})
		if !errors.Is(err, sdk.ErrInvalidKey) {
			t.Errorf("AcceptKey(%q, mode %q) = %v, want an error wrapping sdk.ErrInvalidKey", key, m, err)
		}
	}
}

func checkContainerSpec(t *testing.T, p sdk.Provider, supported []sdk.Mode) {
	for _, m := range []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeSetupToken} {
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
		if err := host.CheckContainerSpec(spec); err != nil {
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
