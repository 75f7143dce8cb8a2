package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
)

// Leaser is a store shared by machines that coordinates a renewal through
// itself: before one machine asks a token endpoint to renew a credential,
// it takes that credential's renewal lease, and every other machine that
// finds the lease taken waits for the holder's write instead of asking
// the endpoint with the same refresh token (which a vendor that rotates
// refresh tokens refuses as a reuse). A local file lock cannot do this:
// it does not span machines. OpenBao implements it; the keyring and the
// file store are one machine's and keep the local lock alone.
type Leaser interface {
	// TakeLease takes the renewal lease of (set, provider) for ttl: the
	// longest the holder may take to ask the endpoint and store what it
	// answered. A lease that another process holds is an error wrapping
	// ErrLeaseHeld and a *LeaseHolder saying who, unless it is stale
	// (older than its holder's ttl by the server's clock, or held by a
	// process of this machine that no longer runs): then it is taken
	// over, with a check-and-set, so two machines that find it stale at
	// once get one holder.
	TakeLease(ctx context.Context, set names.Set, provider names.Provider, ttl time.Duration) (*Lease, error)
}

// ErrLeaseHeld means another process holds the renewal lease.
var ErrLeaseHeld = errors.New("another terok is renewing the credential")

// Lease is a renewal lease held. Release it once the renewed credential
// is confirmed in the store (or the renewal failed).
type Lease struct {
	release func(ctx context.Context) error
	once    bool
}

// Release gives the lease up. A lease that was taken over meanwhile (its
// holder took longer than its ttl) is left to its new holder.
func (l *Lease) Release(ctx context.Context) error {
	if l == nil || l.once || l.release == nil {
		return nil
	}
	l.once = true
	return l.release(ctx)
}

// LeaseHolder is who holds a renewal lease, as the lease says.
type LeaseHolder struct {
	Host   string
	PID    int
	Writer string        // e.g. "terok v1.2.0"
	Age    time.Duration // by the server's clock; 0 when unknown
	TTL    time.Duration
}

func (h *LeaseHolder) Error() string {
	who := h.Host
	if h.PID > 0 {
		who += fmt.Sprintf(" (pid %d)", h.PID)
	}
	if who == "" {
		who = "another machine"
	}
	msg := who + " is renewing it"
	if h.Age > 0 {
		msg += fmt.Sprintf(", for %s", h.Age.Round(time.Second))
	}
	if h.TTL > 0 {
		msg += fmt.Sprintf(" (its lease lasts %s)", h.TTL.Round(time.Second))
	}
	return msg
}
