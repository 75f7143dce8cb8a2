package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/usage"
)

type envOptions struct {
	f            *factory
	Providers    []names.Target
	Set          names.Set
	Format       string
	AllowExpired bool
	// Proxy prints stand-ins of a new grant for the running proxy.
	Proxy bool
	TTL   time.Duration
	Label string
}

func newEnvCmd(f *factory, runF func(context.Context, *envOptions) error) *cobra.Command {
	opts := &envOptions{f: f}
	var set string
	cmd := &cobra.Command{
		Use:   "env [--set S] [--format shell|dotenv|env-file|json] PROVIDER...",
		Short: "Print providers' credentials as environment variables, for scripts",
		Long: "Print the variables the named providers declare, with their credentials, to standard\n" +
			"output, in the format of their consumer:\n\n" +
			"    shell     export NAME='value' lines, for eval or . in sh, dash or bash (the default)\n" +
			"    dotenv    NAME=value lines, quoted so that godotenv and python-dotenv read them back\n" +
			"    env-file  NAME=value lines taken literally, for podman or docker run --env-file\n" +
			"    json      one object of name to value, for jq and the like\n\n" +
			"A value a format cannot carry (a line break in env-file, ${…} in dotenv, a NUL in any)\n" +
			"is refused, with the formats that carry it; nothing is written then. The output holds\n" +
			"secrets: read it into a process, never into a shared file. A provider that hands its\n" +
			"credential over in files (codex's ChatGPT login) needs `terok auth exec`.\n" +
			"TEROK_<PROVIDER>_API_KEY, when set, wins. Exits 4 when a credential is missing or expired.\n\n" +
			"With --proxy no credential is printed: a new grant's stand-ins instead, in each tool's\n" +
			"key variable, and the running `terok auth proxy` in its base-URL variable (when it\n" +
			"listens on TCP) and in TEROK_PROXY_SOCKET. End the grant with terok auth revoke.",
		Example: "  eval \"$(terok auth env gh)\"\n" +
			"  terok auth env claude gh --format json | jq -r .GH_TOKEN\n" +
			"  podman run --rm --env-file <(terok auth env gh --format env-file) IMAGE gh pr list\n" +
			"  podman run --rm --network=host --env-file <(terok auth env --proxy claude --format env-file) IMAGE claude -p hi",
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage.Errorf("name the providers whose variables to print")
			}
			var err error
			if opts.Providers, opts.Set, err = parseSetTargets(splitProviders(args), setArg(f, cmd, set)); err != nil {
				return err
			}
			if !slices.Contains(inject.Formats, opts.Format) {
				return usage.Errorf("unknown --format %q: choose %s", opts.Format, strings.Join(inject.Formats, ", "))
			}
			if err := checkProxyFlags(cmd, opts.Proxy, opts.TTL); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if opts.Proxy {
				return envProxyRun(cmd.Context(), opts)
			}
			return envRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set")
	cmd.Flags().StringVar(&opts.Format, "format", "shell", "output format: shell, dotenv, env-file or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(inject.Formats, cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().BoolVar(&opts.AllowExpired, "allow-expired", false, "use an expired OAuth credential anyway")
	proxyFlags(cmd, &opts.Proxy, &opts.TTL, &opts.Label, "for the running terok auth proxy: a new grant's stand-ins")
	return cmd
}

func envRun(ctx context.Context, opts *envOptions) error {
	plan, err := resolvePlan(ctx, opts.f, opts.Providers, opts.Set, opts.AllowExpired)
	if err != nil {
		return err
	}
	out, err := plan.Format(opts.Format)
	// Both mean: this output cannot be had; another command or format can.
	var nf *inject.ErrNeedsFiles
	var cc *inject.ErrCannotCarry
	if errors.As(err, &nf) || errors.As(err, &cc) {
		return usage.Errorf("%v", err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(opts.f.IO.Out, out)
	return err
}
