// Package inject carries out what providers declare about using a stored
// credential (sdk.Injector): it renders each provider's declaration over its
// credential into one plan of environment variables and private files, runs
// a command with them, and formats them for `terok auth env`. Secrets travel
// only in the child's environment and in a private directory (0700, on the
// user's runtime tmpfs where there is one) that is removed when the command
// ends, however it ends.
//
// Start with Resolve, then Plan.Exec or Plan.Format.
package inject

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// Errors a caller maps to exit codes: both mean "log in first" (exit 4).
var (
	ErrNotStored = errors.New("not logged in")
	ErrExpired   = errors.New("credential expired")
)

// Source gives the credential a tool should use: the environment override
// (TEROK_<PROVIDER>_API_KEY) if set, else the stored one. account.Accounts
// is the real one.
type Source interface {
	Token(ctx context.Context, set names.Set, provider names.Provider) (c sdk.Credential, source string, err error)
}

// Target is one opened provider to inject.
type Target struct {
	// Name is the provider's slot: its name, or PROVIDER:HOST for a
	// credential stored with --host (names.OnHost).
	Name     names.Provider
	Provider sdk.Provider
	// Set is the credential set to read from; "" is Options.Set.
	Set names.Set
}

// Options say how to resolve.
type Options struct {
	Set names.Set
	// AllowExpired uses an expired credential anyway.
	AllowExpired bool
	Now          func() time.Time
	// Renew, if set, is given each stored credential (not an override)
	// before it is used, and returns the one to use: the same, or one
	// it renewed because it was about to expire.
	Renew func(ctx context.Context, t Target, set names.Set, c sdk.Credential) (sdk.Credential, error)
}

// Plan is what a command gets: variables, and per provider the files of
// its private directory.
type Plan struct {
	// Env is every injected variable, by name.
	Env map[string]string
	// Dirs are the providers that need a private directory, in order.
	Dirs []DirPlan
	// Secrets are the credential values, for checks and log masking.
	Secrets []string
}

// DirPlan is one provider's private directory: the variable that points at
// it and the files in it.
type DirPlan struct {
	Provider names.Provider
	Var      string
	Files    map[string][]byte
	// Set and Credential are where the files' credential came from and
	// what it was, so what the tool left there can be compared with it
	// (ExecConfig.WriteBack). Credential is zero for an override.
	Set        names.Set
	Credential sdk.Credential
}

// Resolve reads each target's credential and declaration and renders them
// into one plan. It fails, naming the provider, when a credential is not
// stored or expired, when a provider declares no injection for its type
// or one host.ValidateInjectionOf refuses, or when two providers set
// variables of the same family (GH_*).
func Resolve(ctx context.Context, src Source, targets []Target, opts Options) (*Plan, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if opts.Set == "" {
		// The zero value: no caller parsed a set (names.ParseSet).
		return nil, errors.New("resolve: no credential set")
	}
	plan := &Plan{Env: map[string]string{}}
	owner := map[string]names.Provider{} // variable family -> provider
	for _, t := range targets {
		r, err := resolveOne(ctx, src, t, opts, now())
		if err != nil {
			return nil, err
		}
		if err := claimFamilies(owner, t.Name, r.Rendered); err != nil {
			return nil, err
		}
		plan.Secrets = append(plan.Secrets, r.secrets...)
		for k, v := range r.Env {
			plan.Env[k] = v
		}
		if r.DirEnv != "" {
			plan.Dirs = append(plan.Dirs, DirPlan{Provider: t.Name, Var: r.DirEnv, Files: r.Files, Set: r.set, Credential: r.stored})
		}
	}
	return plan, nil
}

// claimFamilies gives provider the variable families (GH for GH_TOKEN and
// GH_HOST) of what it sets, and fails when another provider of the same
// run holds one: otherwise one provider could point another's credential
// elsewhere (GH_HOST beside gh's GH_TOKEN), or set a variable the other's
// tool reads beside its credential.
func claimFamilies(owner map[string]names.Provider, provider names.Provider, r *sdk.Rendered) error {
	vars := make([]string, 0, len(r.Env)+1)
	for k := range r.Env {
		vars = append(vars, k)
	}
	if r.DirEnv != "" {
		vars = append(vars, r.DirEnv)
	}
	sort.Strings(vars)
	mine := map[string]bool{}
	for _, k := range vars {
		fam := host.EnvFamily(k)
		if owner := host.FamilyOwner(fam); owner != "" {
			// ANTHROPIC_* and CLAUDE_* are one tool's: whoever sets one
			// holds both.
			fam = "tool " + owner
		}
		if o, ok := owner[fam]; ok && o != provider {
			return fmt.Errorf("%s and %s both set %s_* variables (%s); a variable family belongs to one provider per command, "+
				"so run them in separate terok auth exec (or env) calls", o, provider, host.EnvFamily(k), k)
		}
		mine[fam] = true
	}
	for fam := range mine {
		owner[fam] = provider
	}
	return nil
}

type resolved struct {
	*sdk.Rendered
	secrets []string
	set     names.Set
	stored  sdk.Credential // the stored credential used; zero for an override
}

func resolveOne(ctx context.Context, src Source, t Target, opts Options, now time.Time) (*resolved, error) {
	decl, err := declaration(ctx, t)
	if err != nil {
		return nil, err
	}
	if t.Set != "" {
		opts.Set = t.Set
	}
	cred, from, err := src.Token(ctx, opts.Set, t.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: nothing stored for %s (set: %s); log in with: %s", ErrNotStored, t.Name, opts.Set, LoginCommand(t.Name, opts.Set))
	}
	if err != nil {
		return nil, err
	}
	if opts.Renew != nil && from != "env" {
		if cred, err = opts.Renew(ctx, t, opts.Set, cred); err != nil {
			return nil, err
		}
	}
	in, ok := decl.For(cred.Type)
	if !ok && from == "env" {
		// The override is a bare key; the provider knows what a key of its
		// stores as (gh: an oauth_token for github.com).
		if cred, err = fromOverride(ctx, t, cred); err != nil {
			return nil, err
		}
		in, ok = decl.For(cred.Type)
	}
	if !ok {
		return nil, fmt.Errorf("%s declares no injection for its stored %s credential, so terok does not know how a tool takes it; "+
			"print it for your own use with: terok auth token %s", t.Name, cred.Type, t.Name)
	}
	if exp, ok := cred.ExpiresAt(); ok && !exp.After(now) && !opts.AllowExpired {
		return nil, fmt.Errorf("%w: the %s credential of %s (set: %s) expired at %s; log in again with: %s (or pass --allow-expired to use it anyway)",
			ErrExpired, cred.Type, t.Name, opts.Set, exp.UTC().Format(time.RFC3339), LoginCommand(t.Name, opts.Set))
	}
	r, err := in.Render(cred)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	out := &resolved{Rendered: r, secrets: secret.Values(cred.Fields), set: opts.Set}
	if from != "env" {
		out.stored = cred
	}
	return out, nil
}

// declaration asks the provider how its credentials are used.
func declaration(ctx context.Context, t Target) (*sdk.InjectionResponse, error) {
	inj, ok := t.Provider.(sdk.Injector)
	if !ok {
		return nil, noDeclaration(t.Name)
	}
	decl, err := inj.Injection(ctx, &sdk.InjectionRequest{})
	if errors.Is(err, sdk.ErrUnimplemented) {
		return nil, noDeclaration(t.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	// The answer is the provider's, so it is checked here whatever the
	// provider's own tests said: a plugin's answer is untrusted.
	if err := host.ValidateInjectionOf(string(t.Name.Base()), decl); err != nil {
		return nil, fmt.Errorf("%s declares an injection terok will not carry out: %w", t.Name, err)
	}
	return decl, nil
}

func noDeclaration(name names.Provider) error {
	return fmt.Errorf("%s declares no injection (a plugin built for an older terok, or a provider file without an inject: block); "+
		"print its secret for your own use with: terok auth token %s", name, name)
}

func fromOverride(ctx context.Context, t Target, c sdk.Credential) (sdk.Credential, error) {
	resp, err := t.Provider.AcceptKey(ctx, &sdk.AcceptKeyRequest{Key: c.Get("key")})
	if err != nil {
		return c, fmt.Errorf("%s: the key in %s is not one %s accepts: %w", t.Name, store.EnvVar(t.Name), t.Name, err)
	}
	// As at login: a secret under a name terok does not know as secret
	// would not be masked in the log.
	if err := resp.Credential.Validate(); err != nil {
		return c, fmt.Errorf("%s made an unusable credential of the key in %s: %w", t.Name, store.EnvVar(t.Name), err)
	}
	if err := sdk.CheckSecretField(resp.Credential); err != nil {
		return c, fmt.Errorf("%s made an unusable credential of the key in %s: %w", t.Name, store.EnvVar(t.Name), err)
	}
	return resp.Credential, nil
}

// LoginCommand is the command that stores a fresh credential.
func LoginCommand(provider names.Provider, set names.Set) string {
	cmd := "terok auth login " + string(provider.Base())
	if h := provider.Host(); h != "" {
		cmd += " --host " + string(h)
	}
	if set == "" || set == names.DefaultSet {
		return cmd
	}
	return cmd + " --set " + string(set)
}

// FileInjections names the providers of the plan that need files, for
// messages.
func (p *Plan) FileInjections() []names.Provider {
	var out []names.Provider
	for _, d := range p.Dirs {
		out = append(out, d.Provider)
	}
	return out
}

// Names returns the injected variable names, sorted.
func (p *Plan) Names() []string {
	names := make([]string, 0, len(p.Env))
	for k := range p.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
