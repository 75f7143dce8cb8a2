package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// Versioned is a Store that numbers what it holds and writes only over the
// version the writer saw (a check-and-set), so that two machines changing
// one credential at once never overwrite each other silently. OpenBao
// implements it; the keyring and the file store do not.
//
// A refresh that must not lose a rotated token reads with GetVersioned,
// asks the token endpoint, and writes the rotated token with PutCAS at the
// version it read. On an error wrapping ErrConflict another machine has
// written first: it reads again with GetVersioned and uses that token
// instead of asking the token endpoint again.
type Versioned interface {
	// GetVersioned returns the credential and its version (1 for the
	// first write, then one more per write). A missing credential is an
	// error wrapping ErrNotFound, with version 0.
	GetVersioned(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, int, error)
	// PutCAS stores c only if the credential's version is still version
	// (0: only if there is none), and returns the new version. If someone
	// else wrote first, nothing is stored and the error wraps ErrConflict
	// and a *CASConflict saying what is there now.
	PutCAS(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential, version int) (int, error)
}

// ErrConflict means a check-and-set write lost: the credential changed
// since it was read.
var ErrConflict = errors.New("the credential was changed by someone else meanwhile")

// CASConflict is what a check-and-set write that lost found: the version
// it expected and the one there now, and who wrote that one, if known.
type CASConflict struct {
	Expected  int
	Current   int    // 0: it was removed
	WrittenBy string // "" when unknown
}

func (c *CASConflict) Error() string {
	if c.Current == 0 {
		return fmt.Sprintf("expected version %d, but it was removed", c.Expected)
	}
	by := ""
	if c.WrittenBy != "" {
		by = " by " + c.WrittenBy
	}
	return fmt.Sprintf("expected version %d, found version %d written%s", c.Expected, c.Current, by)
}
