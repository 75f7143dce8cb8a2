package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/config"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/paths"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/prompt"
	"github.com/terok-ai/terok-auth/core/redact"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/trust"
	providersd "github.com/terok-ai/terok-auth/providers.d"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// factory carries what commands need from the outside world, so tests can
// replace any of it. setup fills it in once flags are parsed, since the
// config depends on them.
type factory struct {
	IO       *iostreams.IOStreams
	Getenv   func(string) string
	Config   *config.Config
	Dirs     paths.Dirs
	Logger   hclog.Logger
	Host     *pluginhost.Host
	Prompter prompt.Prompter
	// Providers finds and opens providers.
	Providers func() (providerSource, error)
	// Accounts returns the credential manager.
	Accounts func() (*account.Accounts, error)
	// Runner runs login containers.
	Runner container.Runner
	// HasContainerRuntime reports whether podman is available.
	HasContainerRuntime func() bool
	// MountsDir holds the providers' shared config dirs.
	MountsDir string
	// Trust pins plugin binaries.
	Trust *trust.Store
	// Redact masks secrets in the log.
	Redact *redact.Writer
	// SearchPath is where plugins are looked for, for messages.
	SearchPath []string

	registry *registry.Registry // loaded once per command
}

// providerSource is what commands need of the registry.
type providerSource interface {
	Names() []string
	Open(ctx context.Context, name string) (*registry.Provider, error)
	List(ctx context.Context) []registry.Entry
	ShadowedProviders() []registry.Shadowed
}

// Main runs terok with args and returns its exit code. Every plugin it
// started is stopped before it returns, also when ctx is cancelled (Ctrl-C).
func Main(ctx context.Context, io *iostreams.IOStreams, args []string, getenv func(string) string) int {
	f := &factory{IO: io, Getenv: getenv, Host: &pluginhost.Host{}}
	defer f.Host.Close()
	cmd := newRootCmd(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	code := exitCode(ctx, err)
	switch {
	case errors.Is(err, auth.ErrStopped):
		fmt.Fprintf(io.ErrOut, "terok: %v\n", err)
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

// setup resolves the configuration and builds what commands use.
func (f *factory) setup(flags map[string]string) error {
	dirs, err := paths.FromEnv(f.Getenv)
	if err != nil {
		return err
	}
	cfg, err := config.Load(filepath.Join(dirs.Config, "config.yml"), f.Getenv, flags)
	if err != nil {
		return usageErr{err}
	}
	level := hclog.LevelFromString(cfg.Get("log_level"))
	// Every log line, the plugins' forwarded ones included, passes the
	// redactor, which learns each secret as the login sees it.
	f.Redact = &redact.Writer{W: f.IO.ErrOut}
	logger := hclog.New(&hclog.LoggerOptions{Name: "terok", Level: level, Output: f.Redact})
	f.Config, f.Dirs, f.Logger = cfg, dirs, logger
	f.Host.Logger = logger
	f.Host.StartTimeout = cfg.Duration("plugin_start_timeout")
	f.Host.CallTimeout = cfg.Duration("plugin_timeout")
	// Plugins log at the level the host shows, wherever it was set.
	f.Host.Env = []string{"TEROK_LOG_LEVEL=" + cfg.Get("log_level")}
	f.SearchPath = pluginhost.SearchPath(f.Getenv, exeDir())
	f.Trust = &trust.Store{Path: filepath.Join(dirs.Config, "plugins.lock"), BundledDir: exeDir()}
	f.Host.Trust = f.Trust
	f.Prompter = prompt.New(f.IO)
	f.Providers = func() (providerSource, error) {
		if f.registry != nil {
			return f.registry, nil
		}
		reg, err := registry.LoadCached(f.Host, f.SearchPath, registry.YAMLSources(providersd.FS, dirs.Config, f.Getenv),
			&registry.YAMLCache{Dir: filepath.Join(dirs.Cache, "yaml-providers")})
		if err != nil {
			logger.Warn("some plugin directories could not be read", "error", err)
		}
		reg.Cache = &registry.DescribeCache{Path: filepath.Join(dirs.Cache, "plugin-descriptions.json")}
		for _, p := range reg.Problems {
			fmt.Fprintf(f.IO.ErrOut, "warning: skipped a provider file: %v\n", p)
		}
		f.registry = reg
		return reg, nil
	}
	f.Accounts = func() (*account.Accounts, error) {
		a := &account.Accounts{
			Backend: cfg.Get("store"),
			Env:     &store.Env{Getenv: f.Getenv},
			Index:   &account.Index{Path: filepath.Join(dirs.State, "index.json")},
			Warnf:   func(format string, args ...any) { fmt.Fprintf(f.IO.ErrOut, "warning: "+format+"\n", args...) },
		}
		switch a.Backend {
		case "file":
			a.Store = &store.File{Dir: filepath.Join(dirs.Data, "credentials")}
		default:
			a.Store = &store.Keyring{Timeout: cfg.Duration("keyring_timeout")}
		}
		return a, nil
	}
	f.Runner = &container.Podman{Path: f.Getenv("TEROK_PODMAN")}
	f.HasContainerRuntime = func() bool { return f.Runner.Check(context.Background()) == nil }
	f.MountsDir = cfg.Get("mounts_dir")
	if f.MountsDir == "" {
		f.MountsDir = filepath.Join(dirs.Data, "mounts")
	}
	return nil
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
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// Flags that override a setting, wherever the command defines them.
			flags := map[string]string{}
			for _, s := range config.Settings {
				if fl := cmd.Flags().Lookup(s.Flag); s.Flag != "" && fl != nil && fl.Changed {
					flags[s.Flag] = fl.Value.String()
				}
			}
			return f.setup(flags)
		},
	}
	root.PersistentFlags().String("store", "", "where credentials are kept: keyring or file (default from config, else keyring)")
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr{err} })
	root.AddCommand(newAuthCmd(f), newConfigCmd(f), newVersionCmd(f))
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
