package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

func TestLoginFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    loginOptions
		wantErr string
	}{
		{"defaults", []string{"claude"}, loginOptions{Provider: "claude", Set: "default"}, ""},
		{"all flags", []string{"codex", "--mode", "api-key", "--with-key", "--set", "work"}, loginOptions{Provider: "codex", Mode: sdk.ModeAPIKey, WithKey: true, Set: "work"}, ""},
		{"device", []string{"codex", "--mode=device"}, loginOptions{Provider: "codex", Mode: sdk.ModeDevice, Set: "default"}, ""},
		{"setup token from stdin", []string{"claude", "--mode", "setup-token", "--with-key"}, loginOptions{Provider: "claude", Mode: sdk.ModeSetupToken, WithKey: true, Set: "default"}, ""},
		{"no provider", nil, loginOptions{}, "name the provider to log in to"},
		{"a key as an argument", []string{"claude", "sk-ant-secret"}, loginOptions{}, "expected one provider name, got 2 arguments; a key is never taken from the command line"},
		{"unknown mode", []string{"claude", "--mode", "sso"}, loginOptions{}, `unknown mode "sso": choose api-key, oauth, device or setup-token`},
		{"with-key and oauth", []string{"claude", "--with-key", "--mode", "oauth"}, loginOptions{}, "--with-key gives an API key or a setup token, but --mode is oauth"},
		{"bad set", []string{"claude", "--set", "a b"}, loginOptions{}, `invalid --set "a b": use letters, digits, '.', '_' and '-'`},
		{"project", []string{"claude", "--project", "web.1"}, loginOptions{Provider: "claude", Set: "default", Project: "web.1"}, ""},
		{"bad project", []string{"claude", "--project", "../x"}, loginOptions{}, `invalid --project "../x": use letters, digits, '.', '_' and '-'`},
		{"bad provider", []string{"Claude"}, loginOptions{}, `invalid provider name "Claude": use lower-case letters, digits, '-' and '_', starting with a letter, at most 63 characters`},
		{"a key as a flag", []string{"claude", "--key", "x"}, loginOptions{}, "unknown flag: --key: a key is never taken from the command line, where other users could see it; pipe it to standard input instead"},
		{"unknown flag", []string{"claude", "--frob"}, loginOptions{}, "unknown flag: --frob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _, _ := iostreams.Test()
			var got *loginOptions
			cmd := newLoginCmd(&factory{IO: io}, func(_ context.Context, o *loginOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.args)
			cmd.SetFlagErrorFunc(flagError)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.ExecuteContext(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if code := exitCode(context.Background(), err); code != exitUsage {
					t.Errorf("exit code %d, want %d", code, exitUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.f = nil
			if *got != tt.want {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		ctx  context.Context
		err  error
		want int
	}{
		{ctx, nil, exitOK},
		{ctx, errors.New("boom"), exitError},
		{ctx, usage.Errorf("bad flag"), exitUsage},
		{ctx, fmt.Errorf("login: %w", usage.Errorf("a usage error from core, wrapped")), exitUsage},
		{ctx, usage.Wrap(errors.New("unknown flag: --x")), exitUsage},
		{ctx, fmt.Errorf("open: %w", &registry.UnknownProviderError{Name: "x"}), exitUsage},
		{ctx, errors.New(`unknown command "x" for "terok"`), exitUsage},
		{ctx, errNotAuthenticated, exitNotAuthed},
		{ctx, context.Canceled, exitInterrupted},
		{cancelled, errors.New("plugin stopped answering"), exitInterrupted},
	}
	for _, tt := range tests {
		if got := exitCode(tt.ctx, tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestReadKeyBounds(t *testing.T) {
	if k, err := readKey(bytesReader("sk-x\n")); err != nil || k != "sk-x\n" {
		t.Errorf("readKey = %q, %v", k, err)
	}
	if _, err := readKey(bytesReader(string(make([]byte, maxKeyBytes+1)))); err == nil {
		t.Error("accepted more than maxKeyBytes")
	}
}
