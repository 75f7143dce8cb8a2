package main

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/usage"
)

func runCmd(cmd *cobra.Command, args []string) error {
	cmd.SetArgs(args)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage.Wrap(err) })
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestExecFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    execOptions
		wantErr string
	}{
		{"one", []string{"gh", "--", "podman", "run", "-e", "GH_TOKEN", "img"}, execOptions{Providers: []names.Target{{Provider: "gh", Set: "default"}}, Command: []string{"podman", "run", "-e", "GH_TOKEN", "img"}, Set: "default"}, ""},
		{"several", []string{"--set", "work", "--allow-expired", "claude,gh", "codex", "--", "env"}, execOptions{Providers: []names.Target{{Provider: "claude", Set: "work"}, {Provider: "gh", Set: "work"}, {Provider: "codex", Set: "work"}}, Command: []string{"env"}, Set: "work", AllowExpired: true}, ""},
		{"per-provider sets", []string{"claude@work,gh@personal", "gh:ghe.example.com", "--", "env"}, execOptions{Providers: []names.Target{{Provider: "claude", Set: "work"}, {Provider: "gh", Set: "personal"}, {Provider: "gh:ghe.example.com", Set: "default"}}, Command: []string{"env"}, Set: "default"}, ""},
		{"proxy", []string{"--proxy", "--ttl", "1h", "--label", "job", "claude", "--", "env"}, execOptions{Providers: []names.Target{{Provider: "claude", Set: "default"}}, Command: []string{"env"}, Set: "default", Proxy: true, TTL: time.Hour, Label: "job"}, ""},
		{"ttl without proxy", []string{"--ttl", "1h", "claude", "--", "env"}, execOptions{}, "--ttl is for --proxy"},
		{"one provider from two sets", []string{"gh@a,gh@b", "--", "env"}, execOptions{}, "gh is named twice, from sets a and b; a command gets one credential per provider"},
		{"bad set", []string{"gh@-x", "--", "env"}, execOptions{}, `invalid credential set "-x" in "gh@-x": use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters`},
		{"no dash", []string{"gh", "env"}, execOptions{}, "put -- between the providers and the command: terok auth exec PROVIDER -- COMMAND"},
		{"no provider", []string{"--", "env"}, execOptions{}, "name the providers whose credentials the command gets, before --"},
		{"no command", []string{"gh", "--"}, execOptions{}, "no command after --"},
		{"bad provider", []string{"g h", "--", "env"}, execOptions{}, `invalid provider name "g h": use lower-case letters, digits, '-' and '_', starting with a letter, at most 63 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _, _ := iostreams.Test()
			var got *execOptions
			err := runCmd(newExecCmd(&factory{IO: io}, func(_ context.Context, o *execOptions) error { got = o; return nil }), tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || exitCode(context.Background(), err) != exitUsage {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.f = nil
			if tt.want.TTL == 0 {
				tt.want.TTL = 12 * time.Hour // --ttl's default, for --proxy
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestEnvFlags(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	var got *envOptions
	if err := runCmd(newEnvCmd(&factory{IO: io}, func(_ context.Context, o *envOptions) error { got = o; return nil }), []string{"gh,glab", "sonar", "--format", "json"}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Providers, []names.Target{{Provider: "gh", Set: "default"}, {Provider: "glab", Set: "default"}, {Provider: "sonar", Set: "default"}}) || got.Format != "json" || got.Set != "default" {
		t.Errorf("options = %+v", got)
	}
	for args, want := range map[string][]string{
		"unknown --format \"yaml\": choose shell, dotenv, env-file, json": {"gh", "--format", "yaml"},
		"name the providers whose variables to print":                     {},
	} {
		err := runCmd(newEnvCmd(&factory{IO: io}, nil), want)
		if err == nil || err.Error() != args || exitCode(context.Background(), err) != exitUsage {
			t.Errorf("%v: err = %v", want, err)
		}
	}
}

func TestExecExitCodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a Ctrl-C that the command handled: its code still wins
	for _, code := range []int{0, 3, 130} {
		if got := exitCode(ctx, &commandExit{code: code}); got != code {
			t.Errorf("command exit %d: terok exits %d", code, got)
		}
	}
	err := notAuthenticated{fmt.Errorf("x: %w", inject.ErrExpired)}
	if got := exitCode(context.Background(), err); got != exitNotAuthed || !errors.Is(err, inject.ErrExpired) || err.Error() != "x: credential expired" {
		t.Errorf("expired: exit %d, %v", got, err)
	}
}
