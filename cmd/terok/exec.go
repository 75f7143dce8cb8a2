package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

type execOptions struct {
	f            *factory
	Providers    []names.Target
	Command      []string
	Set          names.Set
	AllowExpired bool
	// Proxy runs the command behind a proxy of its own, with stand-ins.
	Proxy bool
	TTL   time.Duration
	Label string
}

func newExecCmd(f *factory, runF func(context.Context, *execOptions) error) *cobra.Command {
	opts := &execOptions{f: f}
	var set string
	cmd := &cobra.Command{
		Use:   "exec [--set S] PROVIDER[:HOST][@SET][,...] -- COMMAND [ARGS...]",
		Short: "Run a command with providers' credentials in its environment",
		Long: "Run COMMAND with the credentials of the named providers, handed over the way each\n" +
			"provider declares: environment variables (e.g. GH_TOKEN) and, for tools that only read\n" +
			"files, files in a private directory (0700) that a variable points at (e.g. CODEX_HOME)\n" +
			"and that is removed when the command ends, however it ends.\n\n" +
			"Signals are passed on to the command, and its exit code is terok's. Nothing secret\n" +
			"is put on a command line or in a shared directory. For a container, name the\n" +
			"variables podman should pass in: terok auth exec gh -- podman run -e GH_TOKEN IMAGE.\n" +
			"TEROK_<PROVIDER>_API_KEY, when set, wins over the stored credential. Exits 4 when a\n" +
			"credential is missing or expired.\n\n" +
			"PROVIDER@SET takes that provider's credential from another set (claude@work,gh@personal),\n" +
			"and PROVIDER:HOST the one stored with login --host (gh:ghe.example.com).\n\n" +
			"With --proxy the command gets no credential at all: terok starts a proxy of its own\n" +
			"(a Unix socket, TEROK_PROXY_SOCKET, and a loopback port, TEROK_PROXY_URL) and a grant\n" +
			"that ends with the command, and the command gets the grant's stand-ins in each tool's\n" +
			"key variable and the proxy in its base-URL variable (ANTHROPIC_BASE_URL, …); a tool that\n" +
			"reads its login only from a file (codex's ChatGPT login) gets the file with a stand-in in\n" +
			"it, and one that points it at the proxy. When the command ends, the grant is revoked and\n" +
			"the socket removed. See docs/proxy.md.",
		Example: "  terok auth exec gh -- gh pr list\n" +
			"  terok auth exec claude,gh -- podman run --rm -it -e ANTHROPIC_API_KEY -e GH_TOKEN IMAGE\n" +
			"  terok auth exec claude@work,gh@personal -- my-agent\n" +
			"  terok auth exec gh:ghe.example.com -- gh pr list\n" +
			"  terok auth exec codex -- sh -c 'podman run --rm -v \"$CODEX_HOME:/home/dev/.codex:Z\" IMAGE codex'\n" +
			"  terok auth exec --proxy claude -- podman run --rm --network=host -e ANTHROPIC_API_KEY -e ANTHROPIC_BASE_URL IMAGE claude -p hi",
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			switch {
			case dash < 0:
				return usage.Errorf("put -- between the providers and the command: terok auth exec PROVIDER -- COMMAND")
			case dash == 0:
				return usage.Errorf("name the providers whose credentials the command gets, before --")
			case dash == len(args):
				return usage.Errorf("no command after --")
			}
			opts.Command = args[dash:]
			var err error
			if opts.Providers, opts.Set, err = parseSetTargets(splitProviders(args[:dash]), setArg(f, cmd, set)); err != nil {
				return err
			}
			if err := checkProxyFlags(cmd, opts.Proxy, opts.TTL); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if opts.Proxy {
				return execProxyRun(cmd.Context(), opts)
			}
			return execRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set")
	cmd.Flags().BoolVar(&opts.AllowExpired, "allow-expired", false, "use an expired OAuth credential anyway")
	proxyFlags(cmd, &opts.Proxy, &opts.TTL, &opts.Label, "behind a proxy of its own that ends with it")
	return cmd
}

func execRun(ctx context.Context, opts *execOptions) error {
	f := opts.f
	plan, err := resolvePlan(ctx, f, opts.Providers, opts.Set, opts.AllowExpired)
	if err != nil {
		return err
	}
	code, err := plan.Exec(opts.Command, inject.ExecConfig{
		Stdin: f.IO.In, Stdout: f.IO.Out, Stderr: f.IO.ErrOut, InTTY: f.IO.InTTY, Getenv: f.Getenv,
		Debug: func(msg string, args ...any) {
			if f.Logger != nil {
				f.Logger.Debug(msg, args...)
			}
		},
		WriteBack: func(d inject.DirPlan, dir string) { writeBack(ctx, f, d, dir) },
	})
	return &commandExit{code: code, err: err}
}

// resolvePlan opens each provider, resolves what it injects, and stops the
// plugins again before anything runs.
func resolvePlan(ctx context.Context, f *factory, named []names.Target, set names.Set, allowExpired bool) (*inject.Plan, error) {
	providers, err := f.Providers()
	if err != nil {
		return nil, err
	}
	accounts, err := f.Accounts()
	if err != nil {
		return nil, err
	}
	// An override's key reaches the provider (AcceptKey turns it into the
	// credential it stands for) before the plan says what its secrets are:
	// the log must mask it from the start.
	for _, t := range named {
		if v := strings.TrimSpace(f.Getenv(store.EnvVar(t.Provider))); v != "" {
			f.Redact.Add(v)
		}
	}
	var targets []inject.Target
	for _, t := range named {
		p, err := providers.Open(ctx, t.Provider.Base())
		if err != nil {
			return nil, err
		}
		defer p.Close()
		targets = append(targets, inject.Target{Name: t.Provider, Provider: p.Provider, Set: t.Set})
	}
	renew := func(ctx context.Context, t inject.Target, set names.Set, c sdk.Credential) (sdk.Credential, error) {
		return renewDue(ctx, f, accounts, t.Provider, set, t.Name, c, allowExpired)
	}
	plan, err := inject.Resolve(ctx, accounts, targets, inject.Options{Set: set, AllowExpired: allowExpired, Renew: renew})
	if errors.Is(err, inject.ErrNotStored) {
		// A set that holds nothing at all is a usage error (exit 2), for
		// the command's --set and a target's own @SET alike.
		for _, t := range named {
			s := set
			if t.Set != "" {
				s = t.Set
			}
			if uerr := unknownSet(ctx, f, s, t.Provider); uerr != nil {
				return nil, uerr
			}
		}
	}
	if errors.Is(err, inject.ErrNotStored) || errors.Is(err, inject.ErrExpired) {
		return nil, notAuthenticated{err}
	}
	if err != nil {
		return nil, err
	}
	f.Redact.Add(plan.Secrets...)
	return plan, nil
}

// splitProviders reads "a,b c" as a, b, c, each once.
func splitProviders(args []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range args {
		for _, p := range strings.Split(a, ",") {
			if p = strings.TrimSpace(p); p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// notAuthenticated keeps a message as it is and makes terok exit 4.
type notAuthenticated struct{ err error }

func (e notAuthenticated) Error() string   { return e.err.Error() }
func (e notAuthenticated) Unwrap() []error { return []error{errNotAuthenticated, e.err} }

// commandExit is how a command terok ran ended: terok exits with its code,
// and says something only when terok itself failed around it.
type commandExit struct {
	code int
	err  error
}

func (e *commandExit) Error() string {
	if e.err == nil {
		return fmt.Sprintf("the command exited with code %d", e.code)
	}
	return e.err.Error()
}
