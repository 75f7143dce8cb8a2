package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/store"
	providersd "github.com/terok-ai/terok-auth/providers.d"
	"github.com/terok-ai/terok-auth/sdk"
)

// Each test here is a rough edge a new user found (issue 12), run through
// Main as a user would, with HOME in a temp dir and no keyring needed.

// isolated is an environment with its own HOME, no plugins, and the file
// store.
func isolated(t *testing.T, extra ...string) map[string]string {
	t.Helper()
	home := t.TempDir()
	env := map[string]string{"HOME": home, "TEROK_PLUGIN_PATH": t.TempDir(), "TEROK_CREDENTIAL_STORE": "file", "TEROK_PODMAN": "/nonexistent/podman"}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

func writeConfig(t *testing.T, env map[string]string, content string) string {
	t.Helper()
	dir := filepath.Join(env["HOME"], ".config", "terok")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestUnknownProviderIsAUsageError(t *testing.T) {
	env := isolated(t)
	for _, args := range [][]string{
		{"auth", "status", "ghh"},
		{"auth", "token", "ghh"},
		{"auth", "logout", "ghh"},
		{"auth", "login", "ghh"},
	} {
		code, _, stderr := run(t, env, args...)
		if code != exitUsage || !strings.Contains(stderr, `unknown provider "ghh"; did you mean "gh"?`) || strings.Contains(stderr, "log in with") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	// A known provider with nothing stored is still exit 4, and logging out
	// of it still succeeds.
	if code, _, stderr := run(t, env, "auth", "status", "gh"); code != exitNotAuthed {
		t.Errorf("status gh: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, env, "auth", "logout", "gh"); code != exitOK || !strings.Contains(stderr, "was not logged in") {
		t.Errorf("logout gh: exit %d, %s", code, stderr)
	}
	// An API key in the environment makes a provider known.
	if code, out, stderr := run(t, isolated(t, "TEROK_ACME_API_KEY", "k-123"), "auth", "token", "acme"); code != exitOK || out != "k-123\n" {
		t.Errorf("token acme from env: exit %d, %q %s", code, out, stderr)
	}
}

func TestBrokenConfigLeavesVersionAndDoctorWorking(t *testing.T) {
	env := isolated(t)
	file := writeConfig(t, env, "store: file\nlog_level [debug\n")
	if code, out, stderr := run(t, env, "version"); code != exitOK || !strings.HasPrefix(out, "terok ") {
		t.Errorf("version: exit %d, %q %q", code, out, stderr)
	}
	code, out, _ := run(t, env, "auth", "doctor", "--json")
	var checks []check
	if err := json.Unmarshal([]byte(out), &checks); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, out)
	}
	if code != exitError || len(checks) == 0 || checks[0].Name != "settings" || checks[0].Status != "fail" || !strings.Contains(checks[0].Detail, file+":2:") {
		t.Errorf("doctor: exit %d, %+v", code, checks)
	}
	// Any other command stops on it, naming the line.
	if code, _, stderr := run(t, env, "auth", "status"); code != exitUsage || !strings.Contains(stderr, file+":2:") || !strings.Contains(stderr, "terok auth doctor") {
		t.Errorf("status: exit %d, %q", code, stderr)
	}
	writeConfig(t, env, "\tstore: file\n")
	if code, _, stderr := run(t, env, "config"); code != exitUsage || !strings.Contains(stderr, file+":1:1: a tab character") {
		t.Errorf("tab: exit %d, %q", code, stderr)
	}
}

func TestVersionFlagAndJSON(t *testing.T) {
	if code, out, stderr := run(t, nil, "--version"); code != exitOK || out != "terok version "+version+"\n" {
		t.Errorf("--version: exit %d, %q %q", code, out, stderr)
	}
	code, out, _ := run(t, nil, "version", "--json")
	var v versionJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || v.Version != version || v.Protocol != sdk.ProtocolVersion || v.OS == "" {
		t.Errorf("version --json: exit %d, %v, %q", code, err, out)
	}
}

func TestStoreFlagOnlyWhereItMatters(t *testing.T) {
	for _, args := range [][]string{{"version", "--store", "file"}, {"completion", "bash", "--store", "file"}} {
		if code, _, stderr := run(t, nil, args...); code != exitUsage || !strings.Contains(stderr, "unknown flag: --store") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	code, out, stderr := run(t, isolated(t), "config", "--store", "file", "--json")
	if code != exitOK || !strings.Contains(out, `"source": "flag --store"`) {
		t.Errorf("config --store: exit %d, %s %s", code, out, stderr)
	}
	if code, _, stderr := run(t, isolated(t), "auth", "status", "--store", "file"); code != exitOK {
		t.Errorf("auth status --store: exit %d, %s", code, stderr)
	}
}

func TestDidYouMean(t *testing.T) {
	for args, want := range map[string]string{
		"auth loginn":            `did you mean "login"?`,
		"auth plugins trus":      `unknown command "trus" for "terok auth plugins"; did you mean "trust"?`,
		"auth providers validat": `did you mean "validate"?`,
		"confg":                  "config",
	} {
		code, _, stderr := run(t, isolated(t), strings.Fields(args)...)
		if code != exitUsage || !strings.Contains(stderr, want) || strings.Count(stderr, "--help' for usage") != 1 {
			t.Errorf("%s: exit %d, %q", args, code, stderr)
		}
	}
}

func TestKeyOnTheCommandLineSaysUseStdin(t *testing.T) {
	for _, args := range [][]string{{"auth", "login", "gh", "--key", "abc"}, {"auth", "login", "gh", "ghp_0123456789abcdefghij"}} {
		code, _, stderr := run(t, isolated(t), args...)
		if code != exitUsage || !strings.Contains(stderr, "pipe it to standard input") || !strings.Contains(stderr, "--with-key") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
		if strings.Contains(stderr, "ghp_0123456789abcdefghij") || strings.Contains(stderr, "abc\"") {
			t.Errorf("%v: the key was echoed: %q", args, stderr)
		}
	}
}

func TestConfigShowsTheMountsDirInUse(t *testing.T) {
	env := isolated(t)
	code, out, _ := run(t, env, "config")
	want := filepath.Join(env["HOME"], ".local", "share", "terok", "mounts")
	if code != exitOK || !regexp.MustCompile(`(?m)^mounts_dir +`+regexp.QuoteMeta(want)+`  default$`).MatchString(out) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestValidateADirectory(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"gh.yaml", "glab.yaml"} {
		data, err := providersd.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := run(t, isolated(t), "auth", "providers", "validate", dir)
	if code != exitOK || !strings.Contains(out, "gh.yaml: ok") || !strings.Contains(out, "glab.yaml: ok") || strings.Contains(stderr, "is a directory") {
		t.Errorf("exit %d, %q %q", code, out, stderr)
	}
	if code, _, stderr := run(t, isolated(t), "auth", "providers", "validate", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "holds no provider files") {
		t.Errorf("empty dir: exit %d, %q", code, stderr)
	}
}

func TestPluginsTrustJSON(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "terok-provider-acme")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, isolated(t), "auth", "plugins", "trust", bin, "--json")
	var got []trustJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK || len(got) != 1 || got[0].Name != "acme" || len(got[0].SHA256) != 64 {
		t.Errorf("exit %d, %v: %q %q", code, err, out, stderr)
	}
}

func TestModesAreSpeltAsTheFlagTakesThem(t *testing.T) {
	code, out, _ := run(t, isolated(t), "auth", "providers")
	if code != exitOK || strings.Contains(out, "api_key") || !strings.Contains(out, "api-key") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestHelpTopics(t *testing.T) {
	for topic, want := range map[string]string{"environment": "TEROK_CREDENTIAL_STORE", "exit-codes": "130 Ctrl-C"} {
		code, out, stderr := run(t, nil, "help", topic)
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("help %s: exit %d, %q %q", topic, code, out, stderr)
		}
	}
	_, out, _ := run(t, nil, "--help")
	if !strings.Contains(out, "Additional help topics") || !strings.Contains(out, "exit-codes") {
		t.Errorf("--help does not list the topics:\n%s", out)
	}
}

// Every exit code terok has is explained in help exit-codes.
func TestExitCodesHelpNamesEveryCode(t *testing.T) {
	_, out, _ := run(t, nil, "help", "exit-codes")
	for _, code := range []int{exitOK, exitError, exitUsage, exitNotAuthed, exitUnsettled} {
		if !strings.Contains(out, fmt.Sprintf("\n    %d  ", code)) {
			t.Errorf("help exit-codes does not explain %d:\n%s", code, out)
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM} {
		if want := fmt.Sprint(signalExitCode(exitError, sig)); !strings.Contains(out, want+" ") {
			t.Errorf("help exit-codes does not give %s's code %s", sig, want)
		}
	}
}

// Every command says what it does at length and shows examples.
func TestEveryCommandHasLongHelpAndExamples(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	root := newRootCmd(&factory{IO: io})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Annotations[helpTopic] != "" || sub.Name() == "help" {
				continue
			}
			if sub.Name() != "completion" && sub.Parent().Name() != "completion" {
				if sub.Long == "" || sub.Example == "" {
					t.Errorf("%s: long help %t, examples %t", sub.CommandPath(), sub.Long != "", sub.Example != "")
				}
			}
			walk(sub)
		}
	}
	walk(root)
}

func TestInterruptSaysWhatWasDone(t *testing.T) {
	io, _, _, errOut := iostreams.Test()
	f := &factory{IO: io, changed: []string{"stored openrouter (set: default)"}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	reportExit(ctx, f, context.Canceled)
	if !strings.Contains(errOut.String(), "stored openrouter (set: default)") || strings.Contains(errOut.String(), "nothing was changed.") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestCompletion(t *testing.T) {
	env := isolated(t)
	code, out, _ := run(t, env, "__complete", "auth", "login", "")
	if code != exitOK || !strings.Contains(out, "gh\tGitHub CLI\n") || !strings.Contains(out, "openrouter\t") {
		t.Errorf("providers: exit %d\n%s", code, out)
	}
	_, out, _ = run(t, env, "__complete", "auth", "login", "gh", "--mode", "")
	if !strings.HasPrefix(out, "oauth\t") || !strings.Contains(out, "api-key\t") || strings.Contains(out, "device") {
		t.Errorf("modes of gh:\n%s", out)
	}
	_, out, _ = run(t, env, "__complete", "auth", "status", "--set", "")
	if !strings.HasPrefix(out, "default\n") {
		t.Errorf("sets:\n%s", out)
	}
	_, out, _ = run(t, isolated(t, "TEROK_GH_API_KEY", "ghp_x"), "__complete", "auth", "token", "gh", "--field", "")
	if !strings.Contains(out, "key\n") {
		t.Errorf("fields:\n%s", out)
	}
	_, out, _ = run(t, env, "__complete", "auth", "env", "gh", "--format", "")
	if !strings.HasPrefix(out, "shell\ndotenv\nenv-file\njson\n") {
		t.Errorf("formats of env:\n%s", out)
	}
}

// A store error is reported with what to do under it: the remedy comes
// from the error's Remedy method through any wrapping, not from taking the
// message apart.
func TestStoreErrorRemedyIsPrinted(t *testing.T) {
	io, _, _, errOut := iostreams.Test()
	se := &store.Error{Op: "store", Account: "default/openrouter", Kind: store.ErrNoService,
		Fix: "No Secret Service answered.\nOr use --store file.", Err: errors.New(`exec: "dbus-launch": executable file not found in $PATH`)}
	code := reportExit(context.Background(), &factory{IO: io}, fmt.Errorf("openrouter: %w; nothing was stored", se))
	want := "terok: openrouter: store credential default/openrouter: no keyring service (exec: \"dbus-launch\": executable file not found in $PATH); nothing was stored\n" +
		"No Secret Service answered.\nOr use --store file.\n"
	if got := errOut.String(); got != want || code == 0 {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", code, got, want)
	}
}

// The key checks agree with their hints: openrouter refuses what does not
// start with sk-or-, and gh's hint says why a short token is refused.
func TestKeyChecksMatchTheirHints(t *testing.T) {
	for _, tt := range []struct{ provider, key, want string }{
		{"openrouter", "wrongkey", "starts with sk-or-"},
		{"gh", "ghp_newcomerGH0003", "followed by at least 16"},
	} {
		io, in, _, errOut := iostreams.Test()
		in.WriteString(tt.key)
		env := isolated(t)
		code := Main(context.Background(), io, []string{"auth", "login", tt.provider, "--with-key"}, func(k string) string { return env[k] })
		if code != exitError || !strings.Contains(errOut.String(), tt.want) || !strings.Contains(errOut.String(), "nothing was stored") {
			t.Errorf("%s %q: exit %d, %q", tt.provider, tt.key, code, errOut)
		}
	}
}

// An unknown key does not hide a bad name or a bad mode in the same file.
func TestValidateShowsEveryProblem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("version: 1\nname: Bad Name\nlabel: Bad\nmodes: [api_key, sso]\ncolour: blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, isolated(t), "auth", "providers", "validate", file)
	for _, want := range []string{file + `:5:1: unknown key "colour"`, file + `:2:7: name "Bad Name" is not valid`, file + `:4:18: unknown mode "sso"`} {
		if code != exitError || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
}

// In a script, a login that replaces a stored credential says so.
func TestScriptedLoginSaysItReplaced(t *testing.T) {
	env := isolated(t)
	login := func() string {
		io, in, _, errOut := iostreams.Test()
		in.WriteString("sk-or-v1-0123456789abcdef0123456789abcdef")
		if code := Main(context.Background(), io, []string{"auth", "login", "openrouter", "--with-key"}, func(k string) string { return env[k] }); code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return errOut.String()
	}
	if first := login(); strings.Contains(first, "replaced") {
		t.Errorf("first login: %q", first)
	}
	if second := login(); !strings.Contains(second, "This replaced the credential openrouter had before (set: default).") {
		t.Errorf("second login: %q", second)
	}
}

// fakeRunner is a container runtime that is installed; info fails when
// infoErr is set.
type fakeRunner struct {
	container.Runner
	infoErr error
}

func (fakeRunner) Check(context.Context) error             { return nil }
func (fakeRunner) Stale(context.Context) ([]string, error) { return nil, nil }
func (r fakeRunner) Version(context.Context) (string, error) {
	if r.infoErr != nil {
		return "", r.infoErr
	}
	return "9.9.9", nil
}

// The doctor asks the runner, not a podman binary of its own finding.
func TestDoctorAsksTheRunner(t *testing.T) {
	for _, tt := range []struct {
		r          fakeRunner
		status     string
		detailPart string
	}{
		{fakeRunner{}, "ok", "podman 9.9.9"},
		{fakeRunner{infoErr: errors.New("podman info: exit status 125:\nError: cannot set up namespace")}, "fail", "Error: cannot set up namespace"},
	} {
		checks := doctorPodman(context.Background(), &factory{Runner: tt.r})
		if len(checks) == 0 || checks[0].Status != tt.status || !strings.Contains(checks[0].Detail, tt.detailPart) {
			t.Errorf("%+v", checks)
		}
	}
}
