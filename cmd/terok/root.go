package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/prompt"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// factory carries what commands need from the outside world, so tests can
// replace any of it.
type factory struct {
	IO       *iostreams.IOStreams
	Getenv   func(string) string
	Logger   hclog.Logger
	Host     *pluginhost.Host
	Prompter prompt.Prompter
	// Providers finds and opens providers.
	Providers func() (providerSource, error)
	// Store returns the credential store.
	Store func() (store.Store, error)
	// HasContainerRuntime reports whether podman is available.
	HasContainerRuntime func() bool
	// SearchPath is where plugins are looked for, for messages.
	SearchPath []string
}

// providerSource is what commands need of the registry.
type providerSource interface {
	Names() []string
	Open(ctx context.Context, name string) (*registry.Provider, error)
	List(ctx context.Context) []registry.Entry
}

// Main runs terok with args and returns its exit code. Every plugin it
// started is stopped before it returns, also when ctx is cancelled (Ctrl-C).
func Main(ctx context.Context, io *iostreams.IOStreams, args []string, getenv func(string) string) int {
	f, err := newFactory(io, getenv)
	if err != nil {
		fmt.Fprintf(io.ErrOut, "terok: %v\n", err)
		return exitUsage
	}
	defer f.Host.Close()
	cmd := newRootCmd(f)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(ctx)
	code := exitCode(ctx, err)
	switch {
	case code == exitInterrupted:
		fmt.Fprintln(io.ErrOut, "Interrupted; nothing was changed.")
	case err != nil:
		fmt.Fprintf(io.ErrOut, "terok: %v\n", err)
		if code == exitUsage && strings.HasPrefix(err.Error(), "unknown command") {
			fmt.Fprintln(io.ErrOut, "Run 'terok --help' for usage.")
		}
	}
	return code
}

func newFactory(io *iostreams.IOStreams, getenv func(string) string) (*factory, error) {
	logger, err := newLogger(io, getenv)
	if err != nil {
		return nil, err
	}
	startTimeout, err := durationEnv(getenv, "TEROK_PLUGIN_START_TIMEOUT", pluginhost.DefaultStartTimeout)
	if err != nil {
		return nil, err
	}
	callTimeout, err := durationEnv(getenv, "TEROK_PLUGIN_TIMEOUT", pluginhost.DefaultCallTimeout)
	if err != nil {
		return nil, err
	}
	keyringTimeout, err := durationEnv(getenv, "TEROK_KEYRING_TIMEOUT", store.DefaultKeyringTimeout)
	if err != nil {
		return nil, err
	}
	host := &pluginhost.Host{Logger: logger, StartTimeout: startTimeout, CallTimeout: callTimeout}
	dirs := pluginhost.SearchPath(getenv, exeDir())
	f := &factory{
		IO: io, Getenv: getenv, Logger: logger, Host: host, SearchPath: dirs,
		Prompter: prompt.New(io),
		Providers: func() (providerSource, error) {
			reg, err := registry.Load(host, dirs)
			if err != nil {
				logger.Warn("some plugin directories could not be read", "error", err)
			}
			return reg, nil
		},
		Store: func() (store.Store, error) {
			return &store.Keyring{Timeout: keyringTimeout}, nil
		},
		HasContainerRuntime: func() bool {
			if p := getenv("TEROK_PODMAN"); p != "" {
				_, err := exec.LookPath(p)
				return err == nil
			}
			_, err := exec.LookPath("podman")
			return err == nil
		},
	}
	return f, nil
}

func newLogger(io *iostreams.IOStreams, getenv func(string) string) (hclog.Logger, error) {
	level := hclog.Warn
	if s := getenv("TEROK_LOG_LEVEL"); s != "" {
		level = hclog.LevelFromString(s)
		if level == hclog.NoLevel {
			return nil, fmt.Errorf("TEROK_LOG_LEVEL=%q: use trace, debug, info, warn, error or off", s)
		}
	}
	return hclog.New(&hclog.LoggerOptions{Name: "terok", Level: level, Output: io.ErrOut}), nil
}

func durationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive duration (e.g. 10s, 500ms)", name, s)
	}
	return d, nil
}

// exeDir is the directory of the running terok binary, where bundled plugins
// live; "" when it cannot be found.
func exeDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return filepath.Dir(exe)
}

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "terok",
		Short: "Authenticate AI coding agents and developer tools for sandboxed containers",
		Long: "terok stores credentials for AI coding agents and developer tools (Claude, Codex, …)\n" +
			"in the OS keyring, by asking for an API key or by running the vendor's own login\n" +
			"in a container, so they can later run inside sandboxes.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr{err} })
	root.AddCommand(newAuthCmd(f), newVersionCmd(f))
	return root
}

// exactArgs is cobra.ExactArgs, as a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("expected %s, got %d arguments", what, len(args))
		}
		return nil
	}
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected arguments: %s", strings.Join(args, " "))
	}
	return nil
}
