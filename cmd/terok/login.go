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
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// maxKeyBytes bounds what --with-key reads from stdin: keys are short, and a
// mistaken pipe of a large file should fail rather than be stored.
const maxKeyBytes = 64 << 10

type loginOptions struct {
	f *factory

	Provider string
	Mode     sdk.Mode
	WithKey  bool
	Set      string
	Project  string
}

func newLoginCmd(f *factory, runF func(context.Context, *loginOptions) error) *cobra.Command {
	opts := &loginOptions{f: f}
	var mode string
	cmd := &cobra.Command{
		Use:   "login PROVIDER",
		Short: "Authenticate a provider and store its credential",
		Long: "Authenticate a provider and store its credential in the OS keyring.\n\n" +
			"On a terminal you are asked how to log in and, for an API key, prompted for it\n" +
			"without echo. In scripts, pipe the key to standard input with --with-key; a key\n" +
			"is never taken from the command line, where other users could see it.",
		Example: "  terok auth login claude\n" +
			"  printf '%s' \"$ANTHROPIC_API_KEY\" | terok auth login claude --with-key\n" +
			"  terok auth login codex --mode api-key --set work",
		Args: exactArgs(1, "one provider name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			m, err := auth.ParseMode(mode)
			if err != nil {
				return err
			}
			opts.Mode = m
			if opts.WithKey && m != "" && m != sdk.ModeAPIKey {
				return usageErrorf("--with-key gives an API key, but --mode is %s", mode)
			}
			if !store.ValidSet(opts.Set) {
				return usageErrorf("invalid --set %q: use letters, digits, '.', '_' and '-'", opts.Set)
			}
			if opts.Project != "" && !container.ValidProject(opts.Project) {
				return usageErrorf("invalid --project %q: use letters, digits, '.', '_' and '-'", opts.Project)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&mode, "mode", "", "how to log in: api-key, oauth or device (default: ask on a terminal, else the provider's default)")
	cmd.Flags().BoolVar(&opts.WithKey, "with-key", false, "read the API key from standard input")
	cmd.Flags().StringVar(&opts.Set, "set", store.DefaultSet, "credential set to store into")
	cmd.Flags().StringVar(&opts.Project, "project", "", "the project the login is for (names the container); default: host-wide")
	cmd.Flags().String("image", "", "container image for an OAuth or device login (default: TEROK_AUTH_IMAGE, the config, the provider's)")
	cmd.Flags().String("mounts-dir", "", "where providers' shared config dirs live (default: TEROK_MOUNTS_DIR, the config, ~/.local/share/terok/mounts)")
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
	if pf, ok := f.Runner.(interface{ Prefetch(context.Context) }); ok && opts.Mode.NeedsContainer() {
		pf.Prefetch(ctx)
	}
	providers, err := f.Providers()
	if err != nil {
		return err
	}
	return loginOne(ctx, f, providers, opts, key)
}

// loginOne logs in to one provider.
func loginOne(ctx context.Context, f *factory, providers providerSource, opts *loginOptions, key *string) error {
	p, err := providers.Open(ctx, opts.Provider)
	if err != nil {
		return err
	}
	defer p.Close()
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	login := &auth.Login{IO: f.IO, Prompter: f.Prompter, Store: accounts, Runner: f.Runner, MountsDir: f.MountsDir, Secrets: f.Redact}
	return login.Run(ctx, auth.LoginRequest{
		Provider:         p,
		Desc:             p.Desc,
		Set:              opts.Set,
		Mode:             opts.Mode,
		Key:              key,
		ContainerRuntime: f.HasContainerRuntime(),
		Project:          opts.Project,
		Image:            f.Config.Get("auth_image"),
	})
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
