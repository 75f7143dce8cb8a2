package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/gitcred"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// gitProviders are the providers whose credentials git may be given: their
// tokens are meant for the forge's git over https. A credential of another
// provider is never handed to git, whatever host it names.
var gitProviders = []names.Provider{"gh", "glab"}

type gitCredentialOptions struct {
	f         *factory
	Operation string
	Set       names.Set
	now       func() time.Time
}

func newGitCredentialCmd(f *factory, runF func(context.Context, *gitCredentialOptions) error) *cobra.Command {
	opts := &gitCredentialOptions{f: f, now: time.Now}
	var set string
	cmd := &cobra.Command{
		Use:   "git-credential [--set S] get|store|erase",
		Short: "Give git the stored gh and glab tokens (a git credential helper)",
		Long: "A git credential helper (git-credential(1)): for `get`, git writes the protocol and\n" +
			"host it needs a password for to standard input, and terok answers with the stored gh or\n" +
			"glab token whose host is that host. Only https is answered: a token is never sent over\n" +
			"plain http. `store` and `erase` do nothing, as with gh: git would store a token terok\n" +
			"already holds, and erase it after one failed request, which must not log anyone out.\n\n" +
			"Set it up with `terok auth setup-git`; git runs it, not you.",
		Example: "  terok auth setup-git\n" +
			"  printf 'protocol=https\\nhost=github.com\\n\\n' | terok auth git-credential get",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage.Errorf("expected one operation: get, store or erase (git passes it)")
			}
			return nil
		},
		ValidArgs: []string{"get", "store", "erase"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Operation = args[0]
			var err error
			if opts.Set, err = parseSetFlag(f, cmd, set); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return gitCredentialRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set to answer from")
	completeSets(cmd, f)
	return cmd
}

func gitCredentialRun(ctx context.Context, opts *gitCredentialOptions) error {
	f := opts.f
	switch opts.Operation {
	case "store", "erase":
		// Read what git sends, so it never sees a closed pipe, and keep
		// none of it: it holds the password.
		_, _ = gitcred.Parse(f.IO.In)
		return nil
	case "get":
	default:
		return usage.Errorf("unknown operation %q: git asks a helper to get, store or erase", opts.Operation)
	}
	req, err := gitcred.Parse(f.IO.In)
	if err != nil {
		return err
	}
	if req.Protocol != "https" {
		return nil // nothing to say: git asks the next helper, or the user
	}
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	creds, err := gitCredentials(ctx, accounts, opts.Set)
	if err != nil {
		return err
	}
	host := req.Host
	match := pickGitCredential(creds, host, req.Username)
	if match == nil && strings.HasPrefix(string(host), "gist.") {
		// gh's helper answers gist.HOST with HOST's token, as setup-git
		// configures both.
		host = names.Host(strings.TrimPrefix(string(host), "gist."))
		match = pickGitCredential(creds, host, req.Username)
	}
	if match == nil {
		return nil
	}
	if t, ok := match.cred.ExpiresAt(); ok && !opts.now().Before(t) {
		fmt.Fprintf(f.IO.ErrOut, "terok: the %s credential for %s (set: %s) expired; log in again: terok auth login %s\n",
			match.slot.Base(), host, opts.Set, loginArgs(match.slot, opts.Set))
		return nil
	}
	f.Redact.Add(match.token)
	return gitcred.Answer{Protocol: "https", Host: req.Host, Username: match.user, Password: match.token}.Write(f.IO.Out)
}

// gitCredential is a stored gh or glab credential as git would use it.
type gitCredential struct {
	slot  names.Provider
	host  names.Host
	user  string
	token string
	cred  sdk.Credential
}

// gitCredentials reads every gh and glab credential of set, on every host.
func gitCredentials(ctx context.Context, accounts *account.Accounts, set names.Set) ([]gitCredential, error) {
	sets, err := accounts.Sets(ctx)
	if err != nil {
		return nil, err
	}
	var slots []names.Provider
	for _, s := range sets {
		if s.Name != set {
			continue
		}
		for _, p := range s.Providers {
			if slices.Contains(gitProviders, p.Base()) {
				slots = append(slots, p)
			}
		}
	}
	// The default host's slot (gh) before the others (gh:HOST).
	slices.SortFunc(slots, func(a, b names.Provider) int {
		if c := strings.Compare(string(a.Base()), string(b.Base())); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	var out []gitCredential
	for i, r := range store.GetMany(ctx, accounts.Store, set, slots) {
		if errors.Is(r.Err, store.ErrNotFound) {
			continue
		}
		if r.Err != nil {
			return nil, r.Err
		}
		c := r.Credential
		h, _ := c.Fields["host"].(string)
		if !names.ValidHost(h) {
			continue
		}
		token := firstString(c.Fields, "token", "access_token")
		if token == "" {
			continue
		}
		user := firstString(c.Fields, "user")
		if user == "" {
			// GitHub takes any user name beside a token and documents
			// x-access-token; GitLab wants oauth2 beside an OAuth token and
			// takes any name beside a personal access token.
			user = "x-access-token"
			if c.Type == sdk.TypeOAuth {
				user = "oauth2"
			}
		}
		out = append(out, gitCredential{slot: slots[i], host: names.Host(h), user: user, token: token, cred: c})
	}
	return out, nil
}

// pickGitCredential is the credential for host: the one of the user git
// names, if there is one, else the first.
func pickGitCredential(creds []gitCredential, host names.Host, user string) *gitCredential {
	var first *gitCredential
	for i := range creds {
		c := &creds[i]
		if c.host != host {
			continue
		}
		if user != "" && c.user == user {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

func firstString(fields map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := fields[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// loginArgs is what to type after `terok auth login` for slot in set.
func loginArgs(slot names.Provider, set names.Set) string {
	s := string(slot.Base())
	if h := slot.Host(); h != "" {
		s += " --host " + string(h)
	}
	if set != names.DefaultSet {
		s += " --set " + string(set)
	}
	return s
}

type setupGitOptions struct {
	f    *factory
	Host names.Host
	Set  names.Set
	// Git is the git binary; "" finds it on PATH.
	Git string
	// Self is the terok binary git is to run; "" is this one.
	Self string
}

func newSetupGitCmd(f *factory, runF func(context.Context, *setupGitOptions) error) *cobra.Command {
	opts := &setupGitOptions{f: f}
	var host, set string
	cmd := &cobra.Command{
		Use:   "setup-git [--host H] [--set S]",
		Short: "Make git use terok's stored gh and glab tokens for https",
		Long: "Configure git (your global ~/.gitconfig) to ask terok for the password of every host\n" +
			"a gh or glab credential is stored for, as `gh auth setup-git` does: for each host it sets\n" +
			"credential.https://HOST.helper to an empty value, which stops git from asking the\n" +
			"helpers configured before it, and then to `terok auth git-credential`.\n\n" +
			"With --host, only that host, which must have a stored credential. Nothing secret is\n" +
			"written to git's config: git asks terok each time.",
		Example: "  terok auth setup-git\n" +
			"  terok auth setup-git --host ghe.example.com\n" +
			"  git config --global --get-regexp '^credential\\.'",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if host != "" {
				if opts.Host, err = names.ParseHost(host); err != nil {
					return err
				}
			}
			if opts.Set, err = parseSetFlag(f, cmd, set); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return setupGitRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&host, "host", "", "configure git for this host only")
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set whose hosts git is configured for, and that the helper answers from")
	completeSets(cmd, f)
	return cmd
}

func setupGitRun(ctx context.Context, opts *setupGitOptions) error {
	f := opts.f
	accounts, err := f.Accounts()
	if err != nil {
		return err
	}
	creds, err := gitCredentials(ctx, accounts, opts.Set)
	if err != nil {
		return err
	}
	var hosts []names.Host
	for _, c := range creds {
		if !slices.Contains(hosts, c.host) {
			hosts = append(hosts, c.host)
		}
	}
	if opts.Host != "" {
		if !slices.Contains(hosts, opts.Host) {
			return usage.Errorf("no gh or glab credential for %s is stored (set: %s); log in first: terok auth login gh --host %s (or glab)", opts.Host, opts.Set, opts.Host)
		}
		hosts = []names.Host{opts.Host}
	}
	if len(hosts) == 0 {
		return fmt.Errorf("%w: no gh or glab credential is stored (set: %s), so there is no host to set git up for; log in first: terok auth login gh", errNotAuthenticated, opts.Set)
	}
	gitBin := opts.Git
	if gitBin == "" {
		if gitBin, err = exec.LookPath("git"); err != nil {
			return errors.New("git is not installed (not found on PATH); install it, then run this again")
		}
	}
	self := opts.Self
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return fmt.Errorf("find the terok binary git should run: %w", err)
		}
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
	}
	helper := "!" + shellQuote(self) + " auth git-credential"
	if opts.Set != names.DefaultSet {
		helper += " --set " + string(opts.Set)
	}
	for _, h := range hosts {
		keys := []string{"credential.https://" + string(h) + ".helper"}
		if h == "github.com" {
			keys = append(keys, "credential.https://gist.github.com.helper")
		}
		for _, key := range keys {
			// First an empty value, which tells git to forget the helpers
			// configured before this one for the host; then ours.
			for _, args := range [][]string{{"--replace-all", key, ""}, {"--add", key, helper}} {
				cmd := exec.CommandContext(ctx, gitBin, append([]string{"config", "--global"}, args...)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					return fmt.Errorf("git config --global %s: %w: %s", strings.Join(args[:2], " "), err, strings.TrimSpace(string(out)))
				}
			}
		}
		fmt.Fprintf(f.IO.ErrOut, "git now asks terok for the password of https://%s\n", h)
	}
	return nil
}

// shellQuote quotes s for the shell git runs a `!` helper with.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
