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
// implements it; the keyring and the file store do not. The suite
// storetest.RunVersioned states this contract as tests.
//
// Versions. The first write of a credential is version 1; each write
// after it is one more. Delete removes every version, and numbering starts
// again at 1: a version names one write only while the credential lives,
// so a caller holds one no longer than one operation (a read, the network
// call it decides, the write). Within that operation a logout and a fresh
// login elsewhere would bring the version back to the one held, and a
// PutCAS at it would win over the fresh login (KV v2 checks the version
// only); a refresh that cares reads again just before writing and writes
// only if the refresh token it used is still the one stored.
//
// A refresh that must not lose a rotated token (or use one twice), with
// the asking of the endpoint kept to one machine at a time by the
// store's renewal lease (Leaser) where it has one (core/refresh does
// both):
//
//	c, v, err := s.GetVersioned(ctx, set, p)   // v: what the token endpoint is asked about
//	rotated := ask the token endpoint with c's refresh token
//	_, err = s.PutCAS(ctx, set, p, rotated, v)
//	switch {
//	case err == nil:                        // stored; the new version is returned
//	case errors.Is(err, ErrConflict):       // another machine refreshed first: nothing of
//	    c, v, err = s.GetVersioned(...)     // ours was stored; read its token and use it,
//	                                        // never ask the token endpoint again with ours
//	case errors.Is(err, ErrUnsettled):      // no answer, and the read-back failed too: it
//	                                        // may or may not be stored; rotated is perhaps
//	                                        // the only copy: use it for this command, and
//	                                        // PutCAS it again at v (a conflict then says
//	                                        // what is there; version v+1 holding rotated
//	                                        // means the first write landed)
//	default:                                // the server said no (sealed, denied, ...):
//	}                                       // nothing was stored; *Error says what to do
//
// A write that gets no answer is read back before PutCAS returns: if the
// version after v holds exactly what was written, PutCAS returns it as
// stored; if v is still there, the error is the write's own (nothing
// stored). Only when that read fails too is it ErrUnsettled.
//
// A Versioned store's Set is itself a check-and-set at the version the
// store last read or wrote of that credential (within one command), so a
// caller that only uses Get and Set gets the same protection, with the
// lost write reported as ErrConflict.
type Versioned interface {
	// GetVersioned returns the credential and its version. A missing
	// credential is an error wrapping ErrNotFound, and the version is
	// the one a create must be written over: 0 when nothing was ever
	// there (or after Delete), or, on OpenBao, the version whose data
	// was removed by a soft delete (bao kv delete) and can still be
	// undeleted.
	GetVersioned(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, int, error)
	// PutCAS stores c only if the credential's version is still version
	// (0: only if there is none), and returns the new version (always
	// version+1). If someone else wrote first (or removed it), nothing is
	// stored and the error wraps ErrConflict and a *CASConflict saying
	// what is there now. Other errors: see the type's comment.
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
