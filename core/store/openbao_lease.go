package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/terok-ai/terok-auth/core/names"
)

var _ Leaser = (*OpenBao)(nil)

// leaseDir is the folder of a set's renewal leases, beside its
// credentials: <prefix>/<set>/.renewing/<provider>. A policy that grants
// a set's credentials grants its leases too, and no provider name starts
// with a dot, so a LIST of the set never takes a lease for a credential.
const leaseDir = ".renewing"

// The lease's fields. A lease holds no secret: who holds it and for how
// long.
const (
	leaseState    = "state" // "held" or "released"
	leaseHost     = "host"
	leasePID      = "pid"
	leasePIDSpace = "pid_space" // boot id and pid namespace, where known
	leaseID       = "id"
	leaseWriter   = "writer"
	leaseTTL      = "ttl_seconds"
	leaseTaken    = "taken_at" // the holder's clock, for people reading it
)

// LeaseDataPath is the API path of the renewal lease of a credential,
// e.g. secret/data/terok/default/.renewing/claude.
func (o *OpenBao) LeaseDataPath(set names.Set, provider names.Provider) string {
	return o.mount() + "/data/" + o.prefix() + "/" + string(set) + "/" + leaseDir + "/" + string(provider)
}

// maxLeaseSeconds bounds the ttl a lease may claim (a renewal through
// every endpoint a provider may declare takes minutes), so a lease that
// claims more cannot hold other machines off for longer.
const maxLeaseSeconds = 3600

// leaseEntry is a lease as read: version 0 when there is none.
type leaseEntry struct {
	version int
	held    bool
	holder  LeaseHolder
	pidSpc  string
	created time.Time // the server's clock
}

func (o *OpenBao) readLease(ctx context.Context, set names.Set, provider names.Provider) (leaseEntry, error) {
	path := o.LeaseDataPath(set, provider)
	var sec *vault.Secret
	err := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.readPath(ctx, path, nil)
		return err
	})
	if err != nil {
		return leaseEntry{}, o.classify(ctx, "renew", Account(set, provider), path, "read", err)
	}
	return decodeLease(sec), nil
}

// decodeLease reads a lease's KV v2 answer. What it cannot read is a
// lease held by someone unknown: its ttl then decides when it is stale.
func decodeLease(sec *vault.Secret) leaseEntry {
	var e leaseEntry
	if sec == nil || sec.Data == nil {
		return e
	}
	if md, ok := sec.Data["metadata"].(map[string]any); ok {
		e.version = intOf(md["version"])
		if s, ok := md["created_time"].(string); ok {
			e.created, _ = time.Parse(time.RFC3339Nano, s)
		}
	}
	data, ok := sec.Data["data"].(map[string]any)
	if !ok || data == nil {
		return e // removed (bao kv delete): free
	}
	str := func(k string) string { s, _ := data[k].(string); return s }
	if str(leaseState) == "released" {
		return e
	}
	e.held = true
	e.holder = LeaseHolder{Host: str(leaseHost), PID: max(0, intOf(data[leasePID])), Writer: str(leaseWriter),
		TTL: time.Duration(min(max(0, intOf(data[leaseTTL])), maxLeaseSeconds)) * time.Second}
	e.pidSpc = str(leasePIDSpace)
	return e
}

// stale reports whether a held lease may be taken over: its holder is a
// process of this machine that is gone, or the lease is older than its
// ttl by the server's clock (so two machines whose clocks disagree still
// agree). A lease whose age cannot be told is not stale.
func (o *OpenBao) stale(ctx context.Context, e *leaseEntry, fallbackTTL time.Duration) bool {
	if spc := pidSpace(); spc != "" && e.pidSpc == spc && e.holder.PID > 0 && pidGone(e.holder.PID) {
		return true
	}
	ttl := e.holder.TTL
	if ttl <= 0 {
		ttl = fallbackTTL
	}
	if e.created.IsZero() {
		return false
	}
	now, ok := o.serverNow(ctx)
	if !ok {
		return false
	}
	e.holder.Age = now.Sub(e.created)
	// The server's time is in whole seconds: a lease is stale one second
	// late rather than one second early.
	return e.holder.Age > ttl+time.Second
}

// serverNow is the server's clock now: asked once (sys/health), then
// carried forward by this process's monotonic clock, so a machine that
// waits for a lease does not ask the time at every look.
func (o *OpenBao) serverNow(ctx context.Context) (time.Time, bool) {
	o.mu.Lock()
	at, local := o.serverAt, o.serverAtLocal
	o.mu.Unlock()
	if !at.IsZero() {
		return at.Add(time.Since(local)), true
	}
	cctx, cancel := context.WithTimeout(ctx, o.timeout())
	health, err := o.Client.Sys().HealthWithContext(cctx)
	cancel()
	if err != nil || health == nil || health.ServerTimeUTC <= 0 {
		return time.Time{}, false
	}
	at, local = time.Unix(health.ServerTimeUTC, 0), time.Now()
	o.mu.Lock()
	o.serverAt, o.serverAtLocal = at, local
	o.mu.Unlock()
	return at, true
}

// TakeLease implements Leaser.
func (o *OpenBao) TakeLease(ctx context.Context, set names.Set, provider names.Provider, ttl time.Duration) (*Lease, error) {
	account := Account(set, provider)
	if err := o.CheckMount(ctx); err != nil {
		return nil, err
	}
	e, err := o.readLease(ctx, set, provider)
	if err != nil {
		return nil, err
	}
	if e.held && !o.stale(ctx, &e, ttl) {
		h := e.holder
		return nil, &Error{Op: "renew", Account: account, Kind: ErrLeaseHeld, Err: &h}
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	mine := map[string]any{
		leaseState: "held", leaseHost: o.Host, leasePID: strconv.Itoa(os.Getpid()), leasePIDSpace: pidSpace(),
		leaseID: hex.EncodeToString(id), leaseWriter: o.Writer, leaseTTL: strconv.Itoa(int(ttl.Round(time.Second) / time.Second)),
		leaseTaken: time.Now().UTC().Format(time.RFC3339),
	}
	v, err := o.writeLease(ctx, set, provider, mine, e.version)
	if isCASMismatch(err) {
		// Another machine took it between the read and the write.
		h := LeaseHolder{}
		if again, rerr := o.readLease(ctx, set, provider); rerr == nil && again.held {
			h = again.holder
		}
		return nil, &Error{Op: "renew", Account: account, Kind: ErrLeaseHeld, Err: &h}
	}
	if err != nil {
		capability := "update"
		if e.version == 0 {
			capability = "create"
		}
		ce := o.classify(ctx, "renew", account, o.LeaseDataPath(set, provider), capability, err)
		var se *Error
		if errors.As(ce, &se) {
			se.Fix = "Nothing was renewed, and the refresh token was not used: terok takes a renewal lease in the store\n" +
				"before it asks the token endpoint, so that one machine renews at a time.\n" + se.Fix
		}
		return nil, ce
	}
	return &Lease{release: func(ctx context.Context) error {
		// At the version taken: if another took it over meanwhile, it
		// is theirs, and stays so.
		_, err := o.writeLease(ctx, set, provider, map[string]any{
			leaseState: "released", leaseHost: o.Host, leaseID: mine[leaseID], leaseWriter: o.Writer,
		}, v)
		if err != nil && !isCASMismatch(err) {
			return o.classify(ctx, "renew", account, o.LeaseDataPath(set, provider), "update", err)
		}
		return nil
	}}, nil
}

// writeLease writes a lease over version (0: only if there is none) and
// returns the new version.
func (o *OpenBao) writeLease(ctx context.Context, set names.Set, provider names.Provider, data map[string]any, version int) (int, error) {
	path := o.LeaseDataPath(set, provider)
	var sec *vault.Secret
	err := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.Client.Logical().WriteWithContext(ctx, path,
			map[string]any{"options": map[string]any{"cas": version}, "data": data})
		return err
	})
	if err != nil {
		return 0, err
	}
	if sec == nil {
		return 0, fmt.Errorf("write %s: the server's answer holds no version", path)
	}
	return intOf(sec.Data["version"]), nil
}
