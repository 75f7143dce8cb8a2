package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/leftover"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"

	"github.com/terok-ai/terok-auth/sdk/secret"
)

// Logout removes stored credentials and what their logins left in the
// providers' shared config dirs. It starts no provider: what it cleans is
// recorded at login (account.Written), so a provider uninstalled since is
// cleaned up as well as one installed.
type Logout struct {
	Accounts *account.Accounts
	Written  *account.Written
	// MountsDir holds the providers' shared config dirs; "" cleans none.
	MountsDir string
	// HostDir, if set, asks a provider for its shared config dir, only for
	// a credential whose login recorded none (an earlier terok, or a
	// credential stored by another machine).
	HostDir func(ctx context.Context, provider names.Provider) (string, error)
	// Getenv reads the environment, to warn of an override that still
	// applies; nil reads none.
	Getenv func(string) string
	// Log, if set, learns each step at debug level.
	Log hclog.Logger
}

// LogoutRequest names what to log out of.
type LogoutRequest struct {
	Set names.Set
	// Providers are the providers named, or with All every provider the
	// caller knows of in the set (installed, or in the index).
	Providers []names.Provider
	// All: the set's whole content; a store that lists a set (openbao)
	// adds what it holds that Providers do not name.
	All bool
}

// LogoutResult is what happened to one provider.
type LogoutResult struct {
	Provider names.Provider
	// Removed: a credential was stored, and is gone.
	Removed bool
	// Files are the files removed from the provider's shared config dir.
	Files []RemovedFile
	// Warnings are what was not done, and why; the credential is gone all
	// the same.
	Warnings []string
	// EnvOverride names the variable that still gives the provider a
	// credential, "" for none.
	EnvOverride string
}

// RemovedFile is one file logout removed, and why.
type RemovedFile struct {
	Path string
	// HeldSecret: the file held the credential's secret in plain text
	// (else the login created it).
	HeldSecret bool
}

// Run logs out of every provider of req, in order. It stops at the first
// store error (the credentials before it are gone, those after it are
// kept) and returns what it did so far with it.
func (l *Logout) Run(ctx context.Context, req LogoutRequest) ([]LogoutResult, error) {
	providers := req.Providers
	// held is what a store that lists a set in one call (openbao) holds
	// in it; nil: not asked.
	var held map[names.Provider]bool
	if req.All {
		// One LIST says what the set holds: what it names is removed
		// (also what another machine stored that this one never saw),
		// and nothing else is read.
		if sl, ok := l.Accounts.Store.(store.SetLister); ok {
			start := time.Now()
			listed, err := sl.ListSet(ctx, req.Set)
			l.debug("logout: list", start, "set", req.Set, "items", len(listed), "failed", err != nil)
			if err != nil {
				return nil, err
			}
			held = map[names.Provider]bool{}
			for _, p := range listed {
				held[p] = true
			}
			providers = append(slices.Clone(providers), listed...)
			slices.Sort(providers)
			providers = slices.Compact(providers)
		}
	}
	var out []LogoutResult
	for _, p := range providers {
		r, err := l.one(ctx, req.Set, p, held != nil && !held[p])
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// one logs out of provider; absent says a LIST has shown the store does
// not hold it, so it is not asked again.
func (l *Logout) one(ctx context.Context, set names.Set, provider names.Provider, absent bool) (LogoutResult, error) {
	r := LogoutResult{Provider: provider}
	var secrets []string
	if absent {
		l.Accounts.Forget(ctx, set, provider)
	} else {
		// The secret is read first: files holding it are found by
		// content.
		start := time.Now()
		c, err := l.Accounts.Store.Get(ctx, set, provider)
		l.debug("logout: read", start, "provider", provider, "found", err == nil)
		if err == nil {
			secrets = secret.Values(c.Fields)
		}
		start = time.Now()
		removed, err := l.Accounts.Logout(ctx, set, provider)
		l.debug("logout: delete", start, "provider", provider, "removed", removed, "failed", err != nil)
		if err != nil {
			return r, err
		}
		r.Removed = removed
	}
	l.clean(ctx, set, provider, secrets, &r)
	if l.Getenv != nil {
		if v := store.EnvVar(provider); l.Getenv(v) != "" {
			r.EnvOverride = v
		}
	}
	return r, nil
}

// clean removes what the login of set and provider created in its shared
// config dir, and any file in that dir that holds one of secrets. It
// removes nothing in another provider's dir, and nothing through a
// symbolic link below the mounts dir (a container could plant one pointing
// at the user's files): what it does not remove, it names, with why.
func (l *Logout) clean(ctx context.Context, set names.Set, provider names.Provider, secrets []string, r *LogoutResult) {
	var rec account.Cleanup
	if l.Written != nil {
		var err error
		if rec, err = l.Written.Take(ctx, set, provider); err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("could not read the record of the files the %s login created: %v", provider, err))
		}
	}
	if l.MountsDir == "" || len(rec.Created) == 0 && len(secrets) == 0 {
		return
	}
	hostDir, herr := rec.HostDir, error(nil)
	if !rec.Known {
		hostDir, herr = l.askHostDir(ctx, provider)
	}
	removed, err := leftover.RemoveCreated(l.MountsDir, hostDir, rec.Created)
	for _, p := range removed {
		r.Files = append(r.Files, RemovedFile{Path: p})
	}
	r.Warnings = append(r.Warnings, notRemoved(err)...)
	switch {
	case len(secrets) == 0:
	case herr != nil:
		r.Warnings = append(r.Warnings, fmt.Sprintf("could not learn %s's shared config dir (%v), so files there holding its secret were not looked for; run terok auth doctor",
			provider, herr))
	case hostDir != "":
		removed, err := leftover.RemoveHolding(l.MountsDir, hostDir, secrets)
		for _, p := range removed {
			r.Files = append(r.Files, RemovedFile{Path: p, HeldSecret: true})
		}
		r.Warnings = append(r.Warnings, notRemoved(err)...)
	}
}

// askHostDir asks the provider for its shared config dir, for a login
// that recorded none.
func (l *Logout) askHostDir(ctx context.Context, provider names.Provider) (string, error) {
	if l.HostDir == nil {
		return "", errors.New("no record of it")
	}
	start := time.Now()
	dir, err := l.HostDir(ctx, provider.Base())
	l.debug("logout: ask the provider for its shared dir", start, "provider", provider, "failed", err != nil)
	return dir, err
}

// notRemoved says which files were left and why.
func notRemoved(err error) []string {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		var nr leftover.NotRemoved
		if errors.As(e, &nr) {
			out = append(out, fmt.Sprintf("did not remove %s: %v", nr.Path, nr.Err))
			continue
		}
		out = append(out, fmt.Sprintf("%v; run terok auth doctor", e))
	}
	return out
}

func (l *Logout) debug(msg string, start time.Time, kv ...any) {
	if l.Log == nil {
		return
	}
	l.Log.Debug(msg, append(kv, "took", time.Since(start).Round(time.Microsecond))...)
}
