package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// A session is one login as a user at a terminal expects it: it asks
// before replacing a stored credential, lets a mistyped key be typed
// again, and records what status needs to know afterwards. The store is
// read once before the write (ExistingReader), and what that read found is
// what the login replaces.

// ExistingReader says what a login would replace; account.Accounts is one.
type ExistingReader interface {
	Existing(ctx context.Context, set names.Set, provider names.Provider) (account.Status, *sdk.Credential)
}

// RenewalNoter records which credential types a provider renews, so status
// can say so without starting it; account.Accounts is one.
type RenewalNoter interface {
	NoteRenews(ctx context.Context, set names.Set, provider names.Provider, renewable []string)
}

// KeyTries is how many keys a user may type at a terminal before a session
// gives up.
const KeyTries = 3

// Outcome is what a session did.
type Outcome struct {
	// Stored: a new credential is stored. Replaced: it replaced one.
	Stored, Replaced bool
	// Kept: the user chose to keep the stored credential.
	Kept bool
}

// Session runs one login through l.Run. Existing, if set, is asked first;
// Renewals, if set, learns afterwards what the provider renews.
func (l *Login) Session(ctx context.Context, req LoginRequest, existing ExistingReader, renewals RenewalNoter) (Outcome, error) {
	var out Outcome
	slot := req.slot()
	if existing != nil {
		done := l.step("read existing", "set", req.Set, "slot", slot)
		st, c := existing.Existing(ctx, req.Set, slot)
		done(nil, "stored", st.Authenticated, "read", c != nil)
		switch {
		case c != nil:
			// The only read of the store before the write: files an
			// earlier terok wrote with this secret are found from it.
			l.secret(*c)
			req.old, req.oldKnown = secret.Values(c.Fields), true
		case !st.Authenticated && st.Error == "":
			req.oldKnown = true // nothing is stored: nothing to read again
		}
		if st.Authenticated && st.EnvOverride == "" && st.Error == "" {
			out.Replaced = true
			if req.Key == nil && l.IO.CanPrompt() {
				i, err := l.Prompter.Select(ctx, fmt.Sprintf("%s is already logged in (set: %s, %s).", slot, req.Set, modeWord(sdk.Mode(st.Type))),
					[]string{"Log in again and replace it", "Keep it"}, 1)
				if err != nil {
					return Outcome{}, err
				}
				if i == 1 {
					fmt.Fprintf(l.IO.ErrOut, "Kept the stored credential of %s (set: %s)\n", slot, req.Set)
					return Outcome{Kept: true}, nil
				}
			}
		}
	}
	for try := 1; ; try++ {
		err := l.Run(ctx, req)
		if err == nil {
			out.Stored = true
			if renewals != nil {
				renewals.NoteRenews(ctx, req.Set, slot, l.renewableTypes(ctx, req))
			}
			if out.Replaced {
				fmt.Fprintf(l.IO.ErrOut, "This replaced the credential %s had before (set: %s).\n", slot, req.Set)
			}
			return out, nil
		}
		if req.Key != nil || !l.IO.CanPrompt() || !errors.Is(err, sdk.ErrInvalidKey) || try == KeyTries || ctx.Err() != nil {
			return Outcome{}, err
		}
		// The key was refused before anything was stored: ask again, for
		// a key this time, rather than end the login on a typo.
		fmt.Fprintf(l.IO.ErrOut, "%v\nTry again (%d of %d):\n", err, try+1, KeyTries)
		req.Mode = sdk.ModeAPIKey
		if l.Chosen.TakesKey() {
			req.Mode = l.Chosen // a setup token again, not an API key
		}
	}
}

// renewableTypes lists the credential types the provider declares a
// renewal for.
func (l *Login) renewableTypes(ctx context.Context, req LoginRequest) []string {
	rn, ok := req.Provider.(sdk.Renewer)
	if !ok {
		return nil
	}
	done := l.step("renewal", "provider", req.Name)
	resp, err := rn.Renewal(ctx, &sdk.RenewalRequest{})
	if err == nil {
		err = host.ValidateRenewal(resp)
	}
	done(err)
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range resp.Renewals {
		out = append(out, r.CredentialType)
	}
	return out
}

// modeWord is how a message names a mode: api-key, oauth.
func modeWord(m sdk.Mode) string { return strings.ReplaceAll(string(m), "_", "-") }
