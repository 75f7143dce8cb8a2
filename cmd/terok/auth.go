package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/registry"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/usage"
)

func newAuthCmd(f *factory) *cobra.Command {
	opts := &loginOptions{f: f}
	var set, project string
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Log in to providers, see and manage stored credentials",
		Long: "Log in to providers, see and manage stored credentials.\n\n" +
			"Without a command, on a terminal: choose providers to log in to from a menu.",
		Example: "  terok auth                     # on a terminal: pick providers from a menu\n" +
			"  terok auth --set work          # the same, storing into the set \"work\"\n" +
			"  terok auth login claude\n" +
			"  terok auth status",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				msg := fmt.Sprintf("unknown command %q for \"terok auth\"", args[0])
				if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
					msg += fmt.Sprintf("; did you mean %q?", s[0])
				}
				return usage.Errorf("%s\nRun 'terok auth --help' for usage.", msg)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.Set, err = parseSetFlag(f, cmd, set); err != nil {
				return err
			}
			if opts.Project, err = container.ParseProject(project); err != nil {
				return err
			}
			return authMenuRun(cmd.Context(), opts)
		},
	}
	cmd.SuggestionsMinimumDistance = 2
	storeFlag(cmd)
	completeSets(cmd, f)
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set to store into")
	cmd.Flags().StringVar(&project, "project", "", "the project the logins are for")
	cmd.AddCommand(newLoginCmd(f, nil), newLogoutCmd(f, nil), newStatusCmd(f, nil), newTokenCmd(f, nil),
		newSetsCmd(f), newProvidersCmd(f, nil), newPluginsCmd(f), newDoctorCmd(f), newStoreCmd(f))
	cmd.AddCommand(newGitCredentialCmd(f, nil), newSetupGitCmd(f, nil))
	cmd.AddCommand(newExecCmd(f, nil), newEnvCmd(f, nil), newRefreshCmd(f, nil))
	cmd.AddCommand(newGrantCmd(f, nil), newGrantsCmd(f, nil), newRevokeCmd(f, nil), newProxyCmd(f, nil))
	return cmd
}

// authMenuRun shows every provider, with its modes and whether it is
// logged in, and logs in to the ones the user picks, one after another.
func authMenuRun(ctx context.Context, opts *loginOptions) error {
	f := opts.f
	if !f.IO.CanPrompt() {
		return usage.Errorf("`terok auth` without a command shows a menu, which needs a terminal; name the provider instead: terok auth login PROVIDER")
	}
	providers, err := f.Providers()
	if err != nil {
		return err
	}
	var usable []registry.Entry
	for _, e := range providers.List(ctx) {
		if e.Err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: provider %s is unusable: %v\n", e.Name, e.Err)
			continue
		}
		usable = append(usable, e)
	}
	if len(usable) == 0 {
		return errors.New("no usable providers are installed (see `terok auth providers`)")
	}
	menu := make([]names.Provider, len(usable))
	for i, e := range usable {
		menu[i] = e.Name
	}
	authed := map[names.Provider]bool{}
	if accounts, err := f.Accounts(); err == nil {
		if statuses, err := accounts.Status(ctx, opts.Set, menu); err == nil {
			for _, s := range statuses {
				authed[s.Provider] = s.Authenticated
			}
		}
	}
	w := f.IO.ErrOut
	fmt.Fprintf(w, "Providers (set: %s):\n", opts.Set)
	for i, e := range usable {
		mark := ""
		if authed[e.Name] {
			mark = "  ✓ logged in"
		}
		fmt.Fprintf(w, "  %d. %s (%s): %s%s\n", i+1, e.Desc.Label, e.Name, joinModes(e.Desc.Modes), mark)
	}
	var chosen []names.Provider
	for attempt := 0; ; attempt++ {
		answer, err := f.Prompter.Input(ctx, "Log in to (numbers or names, comma-separated): ")
		if err != nil {
			return err
		}
		chosen, err = pickProviders(answer, menu)
		if err == nil {
			break
		}
		fmt.Fprintf(w, "%v\n", err)
		if attempt == 2 {
			return usage.Errorf("no valid choice after 3 tries")
		}
	}
	var failed []names.Provider
	for _, name := range chosen {
		one := *opts
		one.Provider = name
		if err := loginOne(ctx, f, providers, &one, nil); err != nil {
			if ctx.Err() != nil {
				return err
			}
			fmt.Fprintf(w, "terok: %s: %s\n", name, remedy.Text(err))
			failed = append(failed, name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d logins failed: %s", len(failed), len(chosen), strings.Join(names.Strings(failed), ", "))
	}
	return nil
}

// pickProviders reads a menu answer: numbers (1-based) or names, separated
// by commas or spaces, each at most once.
func pickProviders(answer string, menu []names.Provider) ([]names.Provider, error) {
	fields := strings.FieldsFunc(answer, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return nil, errors.New("choose at least one provider")
	}
	var out []names.Provider
	seen := map[names.Provider]bool{}
	for _, fld := range fields {
		var name names.Provider
		if n, err := strconv.Atoi(fld); err == nil {
			if n < 1 || n > len(menu) {
				return nil, fmt.Errorf("%d is not in the menu (1-%d)", n, len(menu))
			}
			name = menu[n-1]
		} else {
			for _, candidate := range menu {
				if strings.EqualFold(string(candidate), fld) {
					name = candidate
				}
			}
			if name == "" {
				return nil, fmt.Errorf("%q is not in the menu", fld)
			}
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}
