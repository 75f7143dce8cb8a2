package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/refresh"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

type refreshOptions struct {
	f         *factory
	Providers []names.Provider
	Set       names.Set
}

func newRefreshCmd(f *factory, runF func(context.Context, *refreshOptions) error) *cobra.Command {
	opts := &refreshOptions{f: f}
	var set string
	cmd := &cobra.Command{
		Use:   "refresh [PROVIDER...] [--set S]",
		Short: "Renew OAuth credentials now, with their refresh tokens",
		Long: "Renew the stored OAuth credentials of the named providers (all that renew themselves,\n" +
			"without names) now, the way each provider declares: terok asks the provider's token\n" +
			"endpoint for a new access token, stores it (and a rotated refresh token) and reads it\n" +
			"back. exec, env and token do the same by themselves when a credential expires within\n" +
			"refresh_margin (default 5m). One renewal at a time per provider and set, across\n" +
			"processes. Exits 4 when the endpoint refused the refresh token (log in again), 5 when\n" +
			"the store did not confirm the write.",
		Example: "  terok auth refresh claude\n" +
			"  terok auth refresh --set work",
		ValidArgsFunction: completeProviders(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Set, err = names.ParseSet(setArg(f, cmd, set)); err != nil {
				return usage.Errorf("%v", err)
			}
			for _, a := range splitProviders(args) {
				p, err := names.ParseProvider(a)
				if err != nil {
					return usage.Errorf("%v", err)
				}
				opts.Providers = append(opts.Providers, p)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return refreshRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set")
	return cmd
}

func refreshRun(ctx context.Context, opts *refreshOptions) error {
	f := opts.f
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	named := opts.Providers
	if len(named) == 0 {
		if named, err = renewable(accounts, opts.Set); err != nil {
			return err
		}
		if len(named) == 0 {
			fmt.Fprintf(f.IO.ErrOut, "Nothing stored in set %s renews itself; name a provider to try.\n", opts.Set)
			return nil
		}
	}
	providers, err := f.Providers()
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range named {
		c, err := renewNamed(ctx, f, accounts, providers, opts.Set, name)
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintf(f.IO.ErrOut, "%s: %s\n", name, remedy.Text(err))
			continue
		}
		fmt.Fprintf(f.IO.Out, "%s: renewed%s\n", name, expiresIn(c, time.Now()))
	}
	switch {
	case len(errs) == 0:
		return nil
	case len(errs) == 1:
		return errs[0]
	}
	return &silentErr{errors.Join(errs...)}
}

// silentErr has been said already, line by line; it only sets the exit code.
type silentErr struct{ err error }

func (e *silentErr) Error() string   { return e.err.Error() }
func (e *silentErr) Unwrap() []error { return []error{e.err} }

func renewNamed(ctx context.Context, f *factory, accounts *account.Accounts, providers providerSource, set names.Set, name names.Provider) (sdk.Credential, error) {
	p, err := providers.Open(ctx, name.Base())
	if err != nil {
		return sdk.Credential{}, err
	}
	defer p.Close()
	holder, _ := accounts.Holder(set, name)
	c, err := holder.Get(ctx, set, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, notAuthenticated{fmt.Errorf("nothing stored for %s (set: %s); log in with: %s", name, set, inject.LoginCommand(name, set))}
	}
	if err != nil {
		return c, err
	}
	decl, ok, err := renewalOf(ctx, f, p.Provider, name, c.Type)
	if err != nil {
		return c, err
	}
	if !ok {
		return c, fmt.Errorf("%s declares no renewal of its %s credential; it lasts as long as it lasts (see docs/credential-lifetime.md)", name, c.Type)
	}
	nc, _, err := renewWith(ctx, f, accounts, set, name, decl, nil)
	return nc, explainRenewal(name, set, err)
}

// renewable lists the providers of set whose stored credential renews
// itself, as the index knows it.
func renewable(accounts *account.Accounts, set names.Set) ([]names.Provider, error) {
	entries, err := accounts.Index.Load()
	if err != nil {
		return nil, err
	}
	var out []names.Provider
	for _, e := range entries {
		if e.Set == set && e.Renews {
			out = append(out, e.Provider)
		}
	}
	return out, nil
}

// renewalOf is the provider's renewal of credType, with the test
// override of its endpoints applied; ok is false when it declares none.
func renewalOf(ctx context.Context, f *factory, p sdk.Provider, name names.Provider, credType string) (sdk.Renewal, bool, error) {
	rn, ok := p.(sdk.Renewer)
	if !ok {
		return sdk.Renewal{}, false, nil
	}
	resp, err := rn.Renewal(ctx, &sdk.RenewalRequest{})
	if errors.Is(err, sdk.ErrUnimplemented) {
		return sdk.Renewal{}, false, nil
	}
	if err != nil {
		return sdk.Renewal{}, false, fmt.Errorf("%s: %w", name, err)
	}
	// The declaration is the provider's, so it is checked here whatever
	// its own tests said.
	if err := host.ValidateRenewal(resp); err != nil {
		return sdk.Renewal{}, false, fmt.Errorf("%s declares a renewal terok will not carry out: %w", name, err)
	}
	decl, ok := resp.For(credType)
	if !ok {
		return decl, false, nil
	}
	decl, err = refresh.WithOverride(f.Getenv, name, decl)
	return decl, err == nil, err
}

// renewWith renews (set, name) under the lock; due nil forces it.
func renewWith(ctx context.Context, f *factory, accounts *account.Accounts, set names.Set, name names.Provider, decl sdk.Renewal, due func(sdk.Credential) bool) (sdk.Credential, bool, error) {
	r := renewerFor(f, accounts, set, name)
	c, renewed, err := r.Renew(ctx, set, name, decl, due)
	if err == nil && f.Redact != nil {
		f.Redact.Add(secret.Values(c.Fields)...)
	}
	return c, renewed, err
}

// renewerFor is the Renewer of (set, name)'s credential, in the store that
// holds it, recording what it does in the index.
func renewerFor(f *factory, accounts *account.Accounts, set names.Set, name names.Provider) *refresh.Renewer {
	holder, backend := accounts.Holder(set, name)
	return &refresh.Renewer{
		Store:     holder,
		LockDir:   filepath.Join(f.Dirs.State, "locks"),
		UserAgent: "terok/" + version,
		Waiting: func(_ context.Context, set names.Set, p names.Provider, h *store.LeaseHolder) {
			fmt.Fprintf(f.IO.ErrOut, "%s (set: %s): %v; waiting for its new token\n", p, set, h)
		},
		Saved: func(ctx context.Context, set names.Set, p names.Provider, c sdk.Credential) {
			accounts.Renewed(ctx, set, p, backend, c)
		},
		Refused: func(ctx context.Context, set names.Set, p names.Provider, ref *refresh.Refusal) {
			accounts.RefreshRefused(ctx, set, p, ref.Code)
		},
		Step: crashStep(f.Getenv),
	}
}

// explainRenewal words a renewal's failure for the user: a refusal means
// a new login (exit 4).
func explainRenewal(name names.Provider, set names.Set, err error) error {
	var ref *refresh.Refusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ref):
		return notAuthenticated{fmt.Errorf("the refresh of %s (set: %s) was refused (%s): log in again with: %s",
			name, set, ref.Code, inject.LoginCommand(name, set))}
	case errors.Is(err, refresh.ErrNeedsLogin):
		return notAuthenticated{fmt.Errorf("%w; log in again with: %s", err, inject.LoginCommand(name, set))}
	}
	return err
}

// renewDue is exec's, env's and token's renewal: a credential that
// expires within refresh_margin is renewed, if its provider declares
// how. A renewal that fails for a reason that may pass leaves a
// credential that is still valid in use, with a warning.
func renewDue(ctx context.Context, f *factory, accounts *account.Accounts, p sdk.Provider, set names.Set, name names.Provider, c sdk.Credential, allowExpired bool) (sdk.Credential, error) {
	margin := f.Config.Duration("refresh_margin")
	now := time.Now()
	if !refresh.Due(c, now, margin) || c.Get("refresh_token") == "" {
		// Nothing to renew with: the expiry check says what to do.
		return c, nil
	}
	decl, ok, err := renewalOf(ctx, f, p, name, c.Type)
	if err != nil || !ok {
		if err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: %v\n", err)
		}
		return c, nil
	}
	due := func(c sdk.Credential) bool { return refresh.Due(c, time.Now(), margin) }
	nc, _, err := renewWith(ctx, f, accounts, set, name, decl, due)
	if err == nil {
		return nc, nil
	}
	if errors.Is(err, refresh.ErrNeedsLogin) || errors.Is(err, store.ErrUnsettled) {
		return c, explainRenewal(name, set, err)
	}
	if exp, _ := c.ExpiresAt(); exp.After(now) || allowExpired {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s; the current credential is used, valid until %s\n", remedy.Text(err), exp.Local().Format(time.RFC3339))
		return c, nil
	}
	return c, fmt.Errorf("the %s credential of %s (set: %s) has expired, and renewing it failed: %w", c.Type, name, set, err)
}

// expiresIn is ", expires in 3h" for a credential with an expiry.
func expiresIn(c sdk.Credential, now time.Time) string {
	exp, ok := c.ExpiresAt()
	if !ok {
		return ""
	}
	return ", expires in " + roughDuration(exp.Sub(now))
}

// roughDuration is d the way a person says it: 3h, 45m, 2d.
func roughDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
