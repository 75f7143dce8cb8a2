package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/refresh"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

type tokenOptions struct {
	f        *factory
	Provider names.Provider
	Set      names.Set
	Field    string
}

func newTokenCmd(f *factory, runF func(context.Context, *tokenOptions) error) *cobra.Command {
	opts := &tokenOptions{f: f}
	var set string
	cmd := &cobra.Command{
		Use:   "token PROVIDER",
		Short: "Print a stored secret, for scripts",
		Long: "Print the provider's secret to standard output and nothing else: the API key, the\n" +
			"access token or the token, depending on the credential type; --field picks another\n" +
			"field. TEROK_<PROVIDER>_API_KEY, when set, wins. Exits 4 when nothing is stored.",
		Example: "  export ANTHROPIC_API_KEY=\"$(terok auth token claude)\"\n" +
			"  terok auth token codex --field refresh_token\n" +
			"  terok auth token gh --set work",
		Args:              exactArgs(1, "one provider name"),
		ValidArgsFunction: completeProviders(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			providers, s, err := parseTargets(args, setArg(f, cmd, set))
			if err != nil {
				return err
			}
			opts.Provider, opts.Set = providers[0], s
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set")
	cmd.Flags().StringVar(&opts.Field, "field", "", "the credential field to print (e.g. refresh_token)")
	completeSets(cmd, f)
	completeFields(cmd, f)
	return cmd
}

func tokenRun(ctx context.Context, opts *tokenOptions) error {
	f := opts.f
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	if err := checkKnown(ctx, f, []names.Provider{opts.Provider}, opts.Set); err != nil {
		return err
	}
	c, from, err := accounts.Token(ctx, opts.Set, opts.Provider)
	if errors.Is(err, store.ErrNotFound) {
		if uerr := unknownSet(ctx, f, opts.Set, opts.Provider); uerr != nil {
			return uerr
		}
		return fmt.Errorf("%w: nothing stored for %s (set: %s); log in with: %s", errNotAuthenticated, opts.Provider, opts.Set, inject.LoginCommand(opts.Provider, opts.Set))
	}
	if err != nil {
		return err
	}
	if from != "env" && refresh.Due(c, time.Now(), f.Config.Duration("refresh_margin")) {
		if c, err = renewForToken(ctx, f, accounts, opts.Set, opts.Provider, c); err != nil {
			return err
		}
	}
	field := opts.Field
	if field == "" {
		if field = secret.MainField(c.Type); field == "" {
			return fmt.Errorf("%s holds a %q credential; choose what to print with --field (%s)", opts.Provider, c.Type, fieldNames(c))
		}
	}
	v, ok := c.Fields[field]
	if !ok {
		return fmt.Errorf("the %s credential has no field %q; it has: %s", opts.Provider, field, fieldNames(c))
	}
	_, err = fmt.Fprintln(f.IO.Out, v)
	return err
}

func fieldNames(c sdk.Credential) string {
	names := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// renewForToken opens the provider only for a credential that is about to
// expire: token reads no provider otherwise.
func renewForToken(ctx context.Context, f *factory, accounts *account.Accounts, set names.Set, name names.Provider, c sdk.Credential) (sdk.Credential, error) {
	providers, err := f.Providers()
	if err != nil {
		return c, err
	}
	p, err := providers.Open(ctx, name.Base())
	if err != nil {
		return c, err
	}
	defer p.Close()
	return renewDue(ctx, f, accounts, p.Provider, set, name, c, false)
}
