package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/sdk"
)

type statusOptions struct {
	f         *factory
	Providers []names.Provider
	Set       names.Set
	JSON      bool
	now       func() time.Time
}

func newStatusCmd(f *factory, runF func(context.Context, *statusOptions) error) *cobra.Command {
	opts := &statusOptions{f: f, now: time.Now}
	var set string
	cmd := &cobra.Command{
		Use:   "status [PROVIDER...]",
		Short: "Show which providers are authenticated",
		Long: "Show, for every provider (or the ones named), whether a credential is stored, its type,\n" +
			"where it is kept, when it was stored and when it expires.\n\n" +
			"Exits 4 when a provider named on the command line is not authenticated, 2 when it is\n" +
			"not a provider terok knows, and 1 when the credential store cannot be read.",
		Example: "  terok auth status\n" +
			"  terok auth status claude || terok auth login claude\n" +
			"  terok auth status --set work --json | jq -r '.[] | select(.authenticated) | .provider'",
		ValidArgsFunction: completeProviders(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Providers, opts.Set, err = parseTargets(args, setArg(f, cmd, set)); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set to show")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	completeSets(cmd, f)
	return cmd
}

func statusRun(ctx context.Context, opts *statusOptions) error {
	f := opts.f
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	providers := opts.Providers
	if len(providers) > 0 {
		if err := checkKnown(ctx, f, providers, opts.Set); err != nil {
			return err
		}
	} else {
		providers, err = knownProviders(f, opts.Set)
		if err != nil {
			return err
		}
	}
	statuses, err := accounts.Status(ctx, opts.Set, providers)
	if err != nil {
		return err
	}
	if opts.JSON {
		if statuses == nil {
			statuses = []account.Status{}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(statuses); err != nil {
			return err
		}
	} else {
		printStatus(f, statuses, opts.now())
	}
	if err := storeUnreadable(statuses); err != nil {
		return err
	}
	if len(opts.Providers) > 0 {
		var missing []names.Provider
		for _, s := range statuses {
			if !s.Authenticated {
				missing = append(missing, s.Provider)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: %s (set: %s); log in with: %s", errNotAuthenticated, strings.Join(names.Strings(missing), ", "), opts.Set, inject.LoginCommand(missing[0], opts.Set))
		}
	}
	return nil
}

func printStatus(f *factory, statuses []account.Status, now time.Time) {
	if len(statuses) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No providers installed and nothing stored.")
		return
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSET\tSTATUS\tTYPE\tSTORE\tSTORED\tEXPIRES")
	var notes []string
	for _, s := range statuses {
		state := "not logged in"
		if s.Authenticated {
			state = "logged in"
		}
		typ, backend, stored, exp := modeName(sdk.Mode(s.Type)), s.Backend, when(s.StoredAt, now), expires(s, now)
		if s.EnvOverride != "" {
			// What is used comes from the environment: what the store holds
			// (its date, its expiry) does not apply.
			typ, backend, stored, exp = modeName(sdk.TypeAPIKey), "env", "-", "-"
			notes = append(notes, fmt.Sprintf("%s: %s is set and wins over what is stored", s.Provider, s.EnvOverride))
		}
		if s.Warning != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", s.Provider, s.Warning))
		}
		if s.Version > 0 && s.EnvOverride == "" {
			backend += fmt.Sprintf(" v%d", s.Version)
			if s.WrittenBy != "" {
				backend += " by " + s.WrittenBy
			}
		}
		if s.Error != "" && s.EnvOverride == "" {
			state = "unknown"
			if s.Unverified {
				state = "logged in (unverified)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Provider, s.Set, state, dash(typ), dash(backend), stored, exp)
	}
	_ = tw.Flush()
	printDetails(f.IO.Out, statuses)
	for _, n := range notes {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", n)
	}
}

// storeUnreadable is the one error for every credential the store could
// not read: the same keyring failure, once, with what to do.
func storeUnreadable(statuses []account.Status) error {
	var failed []string
	var first *account.Status
	for i, s := range statuses {
		if s.Error == "" || s.EnvOverride != "" {
			continue
		}
		failed = append(failed, string(s.Provider))
		if first == nil {
			first = &statuses[i]
		}
	}
	if len(failed) == 0 {
		return nil
	}
	err := fmt.Errorf("could not read the credential store for %s, so their status is unknown: %s", strings.Join(failed, ", "), first.Error)
	return remedy.With(err, first.Remedy)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func when(t *time.Time, now time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + ago(now.Sub(*t)) + ")"
}

// expires says when the credential expires and whether it renews itself:
// "in 3h, renews itself", "expired: the refresh was refused
// (invalid_grant): log in again", or for a long-lived token with no
// refresh (a setup token) "does not renew itself". It comes from the
// index: status asks no endpoint.
func expires(s account.Status, now time.Time) string {
	if s.ExpiresAt == nil {
		if s.Type == sdk.TypeOAuthToken {
			// A long-lived OAuth token (Claude's setup token, gh's login)
			// has no refresh token: when its vendor ends it, only a new
			// login helps.
			return "does not renew itself"
		}
		return "-"
	}
	d := s.ExpiresAt.Sub(now)
	if s.RefreshRefused != "" {
		refused := "the refresh was refused (" + s.RefreshRefused + "): log in again"
		if s.Expired {
			return "expired: " + refused
		}
		return "in " + span(d) + "; " + refused
	}
	renews := ""
	if s.Renews {
		renews = ", renews itself"
	}
	switch {
	case s.Expired && s.Renews:
		return "expired " + ago(-d) + ", renews itself at next use"
	case s.Expired:
		return "EXPIRED " + ago(-d)
	case s.ExpiringSoon && !s.Renews:
		return "in " + span(d) + " (soon)"
	}
	return "in " + span(d) + renews
}

func ago(d time.Duration) string { return span(d) + " ago" }

func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
