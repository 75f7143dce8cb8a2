package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/config"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/paths"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/prompt"
	"github.com/terok-ai/terok-auth/core/redact"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/termtext"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/core/usage"
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
	// Inventory is what Providers found, for the doctor; call it after
	// Providers.
	Inventory func() providerInventory
	// Accounts returns the credential manager.
	Accounts func() (*account.Accounts, error)
	// Runner runs login containers; Relayer relays a login's browser
	// callback into them, and Prefetch, if set, starts the runtime's
	// slow first call early (podman's storage setup).
	Runner   container.Runner
	Relayer  auth.CallbackRelayer
	Prefetch func(context.Context)
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
	// ConfigErr is what was wrong with the settings; the defaults stand in
	// for the bad ones.
	ConfigErr error

	registry *registry.Registry // loaded once per command
	openBao  *store.OpenBao     // made once per command (see openBaoStore)
	// changed lists what this run stored or removed, for the message when
	// it is interrupted.
	changed []string
}

// providerSource is what commands need of the registry.
type providerSource interface {
	Names() []names.Provider
	Open(ctx context.Context, name names.Provider) (*registry.Provider, error)
	List(ctx context.Context) []registry.Entry
	ShadowedProviders() []registry.Shadowed
	SearchPath() (pluginDirs, yamlDirs []string)
}

// providerInventory is what the doctor checks of what was found: the plugin
// binaries, the provider files that did not load, and how many YAML
// providers did.
type providerInventory struct {
	Plugins  []pluginhost.Plugin
	Problems []error
	Skipped  []error // upstream agent files that describe no login
	YAML     int
}

// Main runs terok with args and returns its exit code. Every plugin it
// started is stopped before it returns, also when ctx is cancelled (Ctrl-C).
func Main(ctx context.Context, io *iostreams.IOStreams, args []string, getenv func(string) string) int {
	code, _ := runMain(ctx, io, args, getenv)
	return code
}

// runMain is Main, and also says whether code is the exit code of a command
// terok ran for the user (exec): that code is final, whatever signal terok
// saw, since the command got the signal too and answered it as it chose.
func runMain(ctx context.Context, io *iostreams.IOStreams, args []string, getenv func(string) string) (code int, commands bool) {
	f := &factory{IO: io, Getenv: getenv, Host: &pluginhost.Host{AdoptOrphans: true, Notices: io.ErrOut}}
	defer f.flushLog() // after Close: plugins log until they are gone
	defer f.Host.Close()
	cmd := newRootCmd(f)
	cmd.SetArgs(args)
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[argsAnnotation] = strings.Join(args, "\x00")
	err := cmd.ExecuteContext(ctx)
	var ran *commandExit
	return reportExit(ctx, f, err), errors.As(err, &ran)
}

// reportExit says what went wrong, if anything, and returns the exit code.
func reportExit(ctx context.Context, f *factory, err error) int {
	io := f.IO
	code := exitCode(ctx, err)
	var ran *commandExit
	switch {
	case errors.As(err, &ran):
		if ran.err != nil {
			fmt.Fprintf(io.ErrOut, "terok: %s\n", termtext.Text(remedy.Text(ran.err)))
		}
	case errors.Is(err, auth.ErrStopped):
		fmt.Fprintf(io.ErrOut, "terok: %s\n", termtext.Text(err.Error()))
	case code == exitInterrupted && len(f.changed) > 0:
		fmt.Fprintf(io.ErrOut, "Interrupted. Done before that: %s; nothing else was changed.\n", strings.Join(f.changed, "; "))
	case code == exitInterrupted:
		fmt.Fprintln(io.ErrOut, "Interrupted; nothing was changed.")
	case err != nil:
		// An error may quote what a provider said (a plugin's own error
		// message): it is shown, never obeyed.
		fmt.Fprintf(io.ErrOut, "terok: %s\n", termtext.Text(remedy.Text(err)))
		if code == exitUsage && strings.HasPrefix(err.Error(), "unknown command") && !strings.Contains(err.Error(), "--help") {
			fmt.Fprintln(io.ErrOut, "Run 'terok --help' for usage.")
		}
	}
	return code
}

// flushLog writes out the end of the log the redactor held back.
func (f *factory) flushLog() {
	if f.Redact != nil {
		_ = f.Redact.Flush()
	}
}

// setup resolves the configuration and builds what commands use. A config
// that does not load leaves the defaults in place and its error in
// f.ConfigErr; the caller decides whether that stops the command.
func (f *factory) setup(flags map[string]string) error {
	dirs, err := paths.FromEnv(f.Getenv)
	if err != nil {
		return err
	}
	cfg, err := config.Load(filepath.Join(dirs.Config, "config.yml"), f.Getenv, flags,
		map[string]string{"mounts_dir": filepath.Join(dirs.Data, "mounts")})
	if err != nil {
		f.ConfigErr = err
	}
	level := hclog.LevelFromString(cfg.Get("log_level"))
	// Every log line, the plugins' forwarded ones included, passes the
	// redactor, which learns each secret as the login sees it.
	// The redactor sees the lines as written, then control characters in
	// them (a plugin's log line) are escaped for the terminal.
	f.Redact = &redact.Writer{W: termtext.Writer(f.IO.ErrOut)}
	logger := hclog.New(&hclog.LoggerOptions{Name: "terok", Level: level, Output: f.Redact})
	f.Config, f.Dirs, f.Logger = cfg, dirs, logger
	f.Host.Logger = logger
	f.Host.StartTimeout = cfg.Duration("plugin_start_timeout")
	f.Host.CallTimeout = cfg.Duration("plugin_timeout")
	// Plugins log at the level the host shows, wherever it was set.
	f.Host.Env = []string{"TEROK_LOG_LEVEL=" + cfg.Get("log_level")}
	f.SearchPath = paths.PluginDirs(f.Getenv, dirs, exeDir())
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
	f.Inventory = func() providerInventory {
		if f.registry == nil {
			return providerInventory{}
		}
		return providerInventory{Plugins: f.registry.Plugins, Problems: f.registry.Problems, Skipped: f.registry.Skipped, YAML: len(f.registry.YAML)}
	}
	f.Accounts = func() (*account.Accounts, error) {
		a := &account.Accounts{
			Backend: cfg.Get("store"),
			Env:     &store.Env{Getenv: f.Getenv},
			Index:   &account.Index{Path: filepath.Join(dirs.State, "index.json")},
			Warnf:   func(format string, args ...any) { fmt.Fprintf(f.IO.ErrOut, "warning: "+format+"\n", args...) },
		}
		// A credential stored with --store is found where the index says
		// it is; only --store itself pins the backend. Each backend is
		// opened once, when first needed.
		if a.Backend == "vault" {
			a.Backend = "openbao"
		}
		opened := map[string]store.Store{}
		var openErr error
		open := func(backend string) store.Store {
			if s, ok := opened[backend]; ok {
				return s
			}
			var s store.Store
			switch backend {
			case "file":
				s = &store.File{Dir: filepath.Join(dirs.Data, "credentials")}
			case "keyring":
				s = &store.Keyring{Timeout: cfg.Duration("keyring_timeout")}
			case "openbao", "vault":
				bao, err := openBaoStore(f)
				if err != nil {
					openErr = err
					return nil
				}
				s = bao
			default:
				return nil
			}
			opened[backend] = s
			return s
		}
		a.Store, a.Open = open(a.Backend), open
		if openErr != nil {
			return nil, openErr
		}
		if a.Store == nil {
			a.Store = open("keyring")
		}
		a.Chosen = strings.HasPrefix(configSource(cfg, "store"), "flag ")
		a.Permanent = func(backend string) string {
			return fmt.Sprintf("to make the %s store the default, put `store: %s` in %s (or set TEROK_CREDENTIAL_STORE=%s)", backend, backend, cfg.File, backend)
		}
		return a, nil
	}
	podman := &container.Podman{Path: f.Getenv("TEROK_PODMAN")}
	f.Runner, f.Relayer, f.Prefetch = podman, auth.PodmanRelay{Podman: podman.Path}, podman.Prefetch
	f.HasContainerRuntime = func() bool { return f.Runner.Check(context.Background()) == nil }
	f.MountsDir = cfg.Get("mounts_dir")
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

// Command annotations.
const (
	// noSetup marks a command that needs no configuration (version, help,
	// completion): it runs even when the config file is broken.
	noSetup = "terok/no-setup"
	// toleratesConfigErr marks a command that runs with a broken config and
	// reports it itself (doctor).
	toleratesConfigErr = "terok/tolerates-config-error"
	// helpTopic marks a help topic: `terok help NAME` shows it.
	helpTopic = "terok/help-topic"
)

// extraCommands are added by files built with a tag (gendocs.go).
var extraCommands []func(*factory) *cobra.Command

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "terok",
		Short: "Authenticate AI coding agents and developer tools for sandboxed containers",
		Long: "terok stores credentials for AI coding agents and developer tools (Claude, Codex, …)\n" +
			"in the OS keyring, by asking for an API key or by running the vendor's own login\n" +
			"in a container, so they can later run inside sandboxes.\n\n" +
			"See 'terok help environment' for the variables terok reads and\n" +
			"'terok help exit-codes' for what its exit codes mean.",
		Example: "  terok auth login claude\n" +
			"  terok auth status\n" +
			"  terok completion bash > ~/.local/share/bash-completion/completions/terok",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if annotated(cmd, noSetup) {
				return nil
			}
			if err := f.setup(settingFlags(cmd)); err != nil {
				return err
			}
			if f.ConfigErr != nil && !annotated(cmd, toleratesConfigErr) {
				return usage.Errorf("%w\n(fix the setting, or run 'terok auth doctor' to see every problem)", f.ConfigErr)
			}
			return nil
		},
	}
	// --version prints cobra's own "terok version X". A version template
	// would bring in text/template, whose reflection keeps the linker from
	// dropping unused methods (3 MB of the binary).
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newAuthCmd(f), newConfigCmd(f), newVersionCmd(f))
	root.AddCommand(helpTopics()...)
	for _, c := range extraCommands {
		root.AddCommand(c(f))
	}
	// Cobra adds the completion command on Execute; make it now, so it can
	// be told it needs no configuration.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			markNoSetup(c)
			c.Example = "  terok completion bash > ~/.local/share/bash-completion/completions/terok\n" +
				"  terok completion zsh > \"${fpath[1]}/_terok\"\n" +
				"  terok completion fish > ~/.config/fish/completions/terok.fish"
		}
	}
	return root
}

// storeFlag adds --store to the commands that use the credential store.
func storeFlag(cmd *cobra.Command) {
	cmd.PersistentFlags().String("store", "", "where credentials are kept: keyring, file or openbao (alias vault) (default from config, else keyring)")
	_ = cmd.RegisterFlagCompletionFunc("store", cobra.FixedCompletions(
		[]string{"keyring\tthe OS keyring", "file\tplain JSON files, not encrypted", "openbao\tan OpenBao or Vault KV v2 engine (BAO_ADDR)", "vault\tthe same as openbao"},
		cobra.ShellCompDirectiveNoFileComp))
}

// settingFlags are the flags that override a setting, wherever the command
// defines them, that the user set.
func settingFlags(cmd *cobra.Command) map[string]string {
	flags := map[string]string{}
	for _, s := range config.Settings() {
		if fl := cmd.Flags().Lookup(s.Flag); s.Flag != "" && fl != nil && fl.Changed {
			flags[s.Flag] = fl.Value.String()
		}
	}
	return flags
}

// annotated reports whether cmd or a command above it carries key.
func annotated(cmd *cobra.Command, key string) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[key] != "" {
			return true
		}
	}
	return false
}

func markNoSetup(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[noSetup] = "true"
}

// flagError makes a flag error a usage error, and answers the mistakes a
// user makes most: a key given as a flag.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if cmd.Flags().Lookup("with-key") != nil && strings.HasPrefix(msg, "unknown flag: --key") || strings.HasPrefix(msg, "unknown flag: --api-key") || strings.HasPrefix(msg, "unknown flag: --token") {
		// The suggestion is a command that works: with the provider named,
		// if it was (terok auth login PROVIDER --with-key).
		line := cmd.CommandPath()
		if p := firstPositional(cmd); p != "" {
			line += " " + p
		} else if cmd.Name() == "login" {
			line += " PROVIDER"
		}
		return usage.Errorf("%v: a key is never taken from the command line, where other users could see it; "+
			"pipe it to standard input instead: printf '%%s' \"$KEY\" | %s --with-key", err, line)
	}
	return usage.Wrap(err)
}

// firstPositional is the first argument of the command line that is not a
// flag and comes after cmd's own name, for a suggestion; "" if none. The
// flags failed to parse, so the raw arguments are read.
func firstPositional(cmd *cobra.Command) string {
	args := strings.Split(cmd.Root().Annotations[argsAnnotation], "\x00")
	seen := false
	for i, a := range args {
		switch {
		case a == cmd.Name():
			seen = true
		case i > 0 && slices.Contains([]string{"--key", "--api-key", "--token"}, args[i-1]):
			// the key itself, given to the flag
		case seen && !strings.HasPrefix(a, "-"):
			if _, err := names.ParseProvider(a); err == nil {
				return a
			}
		}
	}
	return ""
}

// argsAnnotation holds, on the root command, the arguments it was run
// with, NUL-separated, for suggestions made after parsing failed.
const argsAnnotation = "terok/args"

// exactArgs is cobra.ExactArgs, as a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usage.Errorf("expected %s, got %d arguments", what, len(args))
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		// A mistyped subcommand lands here as an argument.
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		cmd.SuggestionsMinimumDistance = 2
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf("; did you mean %q?", s[0])
		}
		return usage.Errorf("%s\nRun '%s --help' for usage.", msg, cmd.CommandPath())
	}
	return usage.Errorf("unexpected arguments: %s", strings.Join(args, " "))
}

// configSource is where a setting's value comes from ("default", a file,
// "env VAR", "flag --NAME").
func configSource(cfg *config.Config, key string) string {
	for _, v := range cfg.Values() {
		if v.Key == key {
			return v.Source
		}
	}
	return ""
}

// named is the logger of one part of terok; a factory without a logger (a
// test's) logs nothing.
func (f *factory) named(name string) hclog.Logger {
	if f.Logger == nil {
		return hclog.NewNullLogger()
	}
	return f.Logger.Named(name)
}
