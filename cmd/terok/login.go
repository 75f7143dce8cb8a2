package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// maxKeyBytes bounds what --with-key reads from stdin: keys are short, and a
// mistaken pipe of a large file should fail rather than be stored.
const maxKeyBytes = 64 << 10

type loginOptions struct {
	f *factory

	Provider names.Provider
	Mode     sdk.Mode
	WithKey  bool
	Set      names.Set
	Project  container.Project
	Host     names.Host
}

func newLoginCmd(f *factory, runF func(context.Context, *loginOptions) error) *cobra.Command {
	opts := &loginOptions{f: f}
	var mode, set, project, host string
	cmd := &cobra.Command{
		Use:   "login PROVIDER",
		Short: "Authenticate a provider and store its credential",
		Long: "Authenticate a provider and store its credential in the OS keyring.\n\n" +
			"On a terminal you are asked how to log in and, for an API key, prompted for it\n" +
			"without echo. In scripts, pipe the key to standard input with --with-key; a key\n" +
			"is never taken from the command line, where other users could see it.",
		Example: "  terok auth login claude\n" +
			"  printf '%s' \"$ANTHROPIC_API_KEY\" | terok auth login claude --with-key\n" +
			"  terok auth login codex --mode api-key --set work\n" +
			"  printf '%s' \"$GHE_TOKEN\" | terok auth login gh --host ghe.example.com --with-key",
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usage.Errorf("name the provider to log in to (see terok auth providers)")
			case len(args) > 1:
				return usage.Errorf("expected one provider name, got %d arguments; a key is never taken from the command line, "+
					"where other users could see it: pipe it to standard input instead: printf '%%s' \"$KEY\" | terok auth login %s --with-key", len(args), args[0])
			}
			return nil
		},
		ValidArgsFunction: completeProviders(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := parseSetFlag(f, cmd, set)
			if err != nil {
				return err
			}
			providers, err := names.ParseProviders(args)
			if err != nil {
				return err
			}
			opts.Provider, opts.Set = providers[0], s
			if host != "" {
				if opts.Host, err = names.ParseHost(host); err != nil {
					return err
				}
			}
			if opts.Mode, err = auth.ParseMode(mode); err != nil {
				return err
			}
			if opts.WithKey && opts.Mode != "" && !opts.Mode.TakesKey() {
				return usage.Errorf("--with-key gives an API key or a setup token, but --mode is %s", mode)
			}
			if opts.Project, err = container.ParseProject(project); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&mode, "mode", "", "how to log in: api-key, oauth, device or setup-token (default: ask on a terminal, else the provider's default)")
	cmd.Flags().BoolVar(&opts.WithKey, "with-key", false, "read the API key (or, with --mode setup-token, the setup token) from standard input")
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set to store into")
	cmd.Flags().StringVar(&host, "host", "", "the server the credential is for (GitHub Enterprise, self-managed GitLab); stored beside the default host's")
	cmd.Flags().StringVar(&project, "project", "", "the project the login is for (names the container); default: host-wide")
	cmd.Flags().String("image", "", "container image for an OAuth or device login (default: TEROK_AUTH_IMAGE, the config, the provider's)")
	cmd.Flags().String("mounts-dir", "", "where providers' shared config dirs live (default: TEROK_MOUNTS_DIR, the config, ~/.local/share/terok/mounts)")
	completeModes(cmd, f)
	completeSets(cmd, f)
	_ = cmd.MarkFlagDirname("mounts-dir")
	return cmd
}

func loginRun(ctx context.Context, opts *loginOptions) error {
	f := opts.f
	// Read a piped key before any plugin starts: plugins inherit stdin, and
	// none of them should get a chance to read the key off it.
	var key *string
	if opts.WithKey {
		k, err := readKey(f.IO.In)
		if err != nil {
			return err
		}
		k = strings.TrimSpace(k)
		f.Redact.Add(k)
		key = &k
	}
	// The keyring's connection opens, and a container login's listing of
	// containers runs, while the plugin starts.
	if accounts, err := f.Accounts(); err == nil {
		store.Warm(accounts.Store)
	}
	if f.Prefetch != nil && opts.Mode.NeedsContainer() {
		f.Prefetch(ctx)
	}
	providers, err := f.Providers()
	if err != nil {
		return err
	}
	return loginOne(ctx, f, providers, opts, key)
}

// loginOne logs in to one provider (auth.Login.Session: at a terminal it
// asks before replacing a stored credential, and lets a mistyped key be
// typed again).
func loginOne(ctx context.Context, f *factory, providers providerSource, opts *loginOptions, key *string) error {
	p, err := providers.Open(ctx, opts.Provider)
	var unknown *registry.UnknownProviderError
	if errors.As(err, &unknown) {
		return unknownProvider(unknown.Name, unknown.Available, registry.Looked(unknown.PluginDirs, unknown.YAMLDirs))
	}
	if err != nil {
		return err
	}
	defer p.Close()
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	login := &auth.Login{IO: f.IO, Prompter: f.Prompter, Store: accounts, Current: accounts, Log: f.named("login"),
		Runner: f.Runner, Relayer: f.Relayer, MountsDir: f.MountsDir, Secrets: f.Redact, Written: writtenLog(f)}
	req := auth.LoginRequest{
		Name:             p.Name,
		Provider:         p,
		Desc:             p.Desc,
		Set:              opts.Set,
		Mode:             opts.Mode,
		Key:              key,
		ContainerRuntime: f.HasContainerRuntime(),
		Project:          opts.Project,
		Image:            f.Config.Get("auth_image"),
		Host:             opts.Host,
	}
	out, err := login.Session(ctx, req, accounts, accounts)
	if err != nil || !out.Stored {
		return err
	}
	slot := names.OnHost(opts.Provider, opts.Host)
	f.changed = append(f.changed, fmt.Sprintf("stored %s (set: %s)", slot, opts.Set))
	if accounts.Chosen {
		// Other commands find it there without the flag; say how to make
		// the choice the default for new logins too.
		fmt.Fprintf(f.IO.ErrOut, "Other commands find it in the %s store without --store; %s.\n", accounts.Backend, accounts.PermanentHint(accounts.Backend))
	}
	return nil
}

func readKey(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxKeyBytes+1))
	if err != nil {
		return "", fmt.Errorf("read key from standard input: %w", err)
	}
	if len(b) > maxKeyBytes {
		return "", errors.New("standard input is larger than any API key (64 KiB); nothing was stored")
	}
	return string(b), nil
}
