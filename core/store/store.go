// Package store keeps credentials. The Store interface is what the auth flow
// needs; Keyring implements it over the OS keyring (go-keyring), with every
// call bounded by a timeout and every failure classified with a remedy.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// Store keeps one credential per (credential set, provider).
type Store interface {
	// Get returns the stored credential, or an error wrapping ErrNotFound.
	Get(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, error)
	// Set stores c, replacing what was there. On error the previous value
	// is left as it was, except for an error wrapping ErrUnsettled: the
	// store did not answer and may or may not have stored c.
	Set(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error
	// Delete removes the credential; an absent one wraps ErrNotFound.
	Delete(ctx context.Context, set names.Set, provider names.Provider) error
}

// Error kinds, for errors.Is. Each Error names one of them.
var (
	ErrNotFound  = errors.New("no credential stored")
	ErrNoService = errors.New("no keyring service")
	ErrLocked    = errors.New("keyring is locked")
	ErrTooBig    = errors.New("credential too big for the keyring")
	ErrTimeout   = errors.New("keyring did not answer")
	ErrUnsettled = errors.New("whether the credential was stored is unknown")
	ErrCorrupt   = errors.New("stored credential is unreadable")
	ErrBackend   = errors.New("keyring failed")
)

// Account is the keyring account of a credential: "<set>/<provider>".
// Both names are checked (see package names), so the account is
// unambiguous: a set has no '/'.
func Account(set names.Set, provider names.Provider) string {
	return string(set) + "/" + string(provider)
}

// Error is a store failure: what was being done, to which account, of which
// kind, and what to do about it.
type Error struct {
	Op      string // "read", "store" or "delete"
	Account string
	Kind    error // one of the Err* kinds above
	// Fix is what to do about it (see Remedy), one or more lines.
	Fix string
	Err error // the backend's own error, if any
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s credential %s: %v", e.Op, e.Account, e.Kind)
	if e.Err != nil {
		msg += fmt.Sprintf(" (%v)", e.Err)
	}
	return msg
}

// Remedy says what to do about it (package remedy): the CLI prints it
// under the error, a JSON answer carries it apart.
func (e *Error) Remedy() string { return e.Fix }

// Unwrap lets errors.Is match both the kind and the backend's error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}
