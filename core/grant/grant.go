// Package grant keeps the credential proxy's grants: who may use which
// providers' credentials through the proxy, until when. A grant hands out
// one stand-in per provider; only the SHA-256 of each is kept, in a 0600
// file under the state dir, so the registry holds nothing a reader could
// use. The proxy reads the file again on every request (Lookup): there is
// no cache a revoke could miss.
package grant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/core/safefile"
)

// StandInPrefix starts every stand-in, so a scan of a container can tell
// one from a real credential (and the proxy find it in a header).
const StandInPrefix = "terok-sa-"

// standInBytes is a stand-in's randomness: 256 bits.
const standInBytes = 32

// maxFile bounds the registry file; ~1 KiB a grant.
const maxFile = 8 << 20

// Errors of Lookup, for errors.Is; each says why a stand-in is refused.
var (
	ErrUnknown = errors.New("unknown stand-in")
	ErrExpired = errors.New("the grant has expired")
	ErrRevoked = errors.New("the grant was revoked")
)

// Grant is one grant as stored: no stand-in, only hashes.
type Grant struct {
	ID        string    `json:"id"`
	Label     string    `json:"label,omitempty"`
	Set       string    `json:"set"`
	Providers []string  `json:"providers"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	// Revoked is when it was revoked; the grant is kept until it would
	// have expired, so a stand-in used after a revoke is told so.
	Revoked *time.Time `json:"revoked,omitempty"`
	// Hashes maps provider to the hex SHA-256 of its stand-in.
	Hashes map[string]string `json:"hashes"`
}

// Live reports whether g lets requests through at now.
func (g *Grant) Live(now time.Time) bool { return g.Revoked == nil && now.Before(g.Expires) }

// State is "active", "expired" or "revoked".
func (g *Grant) State(now time.Time) string {
	switch {
	case g.Revoked != nil:
		return "revoked"
	case !now.Before(g.Expires):
		return "expired"
	}
	return "active"
}

// Issued is a new grant with its stand-ins, which exist only here: they
// are shown once and never stored.
type Issued struct {
	Grant
	StandIns map[string]string `json:"stand_ins"`
}

// Registry is the grants file.
type Registry struct {
	Path string
	Now  func() time.Time
}

// New returns the registry kept at path.
func New(path string) *Registry { return &Registry{Path: path, Now: time.Now} }

type file struct {
	Version int     `json:"version"`
	Grants  []Grant `json:"grants"`
}

// Hash is the hex SHA-256 of a stand-in, as stored.
func Hash(standIn string) string {
	sum := sha256.Sum256([]byte(standIn))
	return hex.EncodeToString(sum[:])
}

// NewStandIn is a fresh stand-in from crypto/rand.
func NewStandIn() (string, error) {
	b := make([]byte, standInBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a stand-in: %w", err)
	}
	return StandInPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// LooksLikeStandIn reports whether s has a stand-in's shape.
func LooksLikeStandIn(s string) bool {
	rest, ok := strings.CutPrefix(s, StandInPrefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(standInBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

func (r *Registry) read() (file, error) {
	var f file
	data, err := safefile.ReadFile(r.Path, maxFile)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read the grants: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("read the grants: %s is not a grants file (%w); move it away to start afresh", r.Path, err)
	}
	return f, nil
}

func (r *Registry) write(f file) error {
	f.Version = 1
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := safefile.WriteFile(r.Path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write the grants: %w", err)
	}
	return nil
}

// update runs fn on the grants under the registry's lock, dropping grants
// that ended more than a day ago, and writes the result.
func (r *Registry) update(ctx context.Context, fn func(f *file) error) error {
	return safefile.Locked(ctx, r.Path, func() error {
		f, err := r.read()
		if err != nil {
			return err
		}
		if err := fn(&f); err != nil {
			return err
		}
		now := r.Now()
		kept := f.Grants[:0]
		for _, g := range f.Grants {
			if now.Sub(g.Expires) < 24*time.Hour {
				kept = append(kept, g)
			}
		}
		f.Grants = kept
		return r.write(f)
	})
}

// Issue makes a grant of providers' credentials in set for ttl, and
// returns it with its stand-ins.
func (r *Registry) Issue(ctx context.Context, set string, providers []string, ttl time.Duration, label string) (*Issued, error) {
	if len(providers) == 0 {
		return nil, errors.New("a grant needs at least one provider")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("--ttl %s: a grant must last a positive time", ttl)
	}
	if strings.IndexFunc(label, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 || len(label) > 200 {
		return nil, errors.New("--label: at most 200 characters, no control characters")
	}
	idb := make([]byte, 6)
	if _, err := rand.Read(idb); err != nil {
		return nil, err
	}
	now := r.Now().UTC().Truncate(time.Second)
	out := &Issued{Grant: Grant{
		ID: "g" + hex.EncodeToString(idb), Label: label, Set: set, Created: now, Expires: now.Add(ttl),
		Hashes: map[string]string{},
	}, StandIns: map[string]string{}}
	for _, p := range providers {
		if _, dup := out.StandIns[p]; dup {
			continue
		}
		s, err := NewStandIn()
		if err != nil {
			return nil, err
		}
		out.Providers = append(out.Providers, p)
		out.StandIns[p] = s
		out.Hashes[p] = Hash(s)
	}
	err := r.update(ctx, func(f *file) error {
		f.Grants = append(f.Grants, out.Grant)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// List returns every grant the file holds, newest first.
func (r *Registry) List() ([]Grant, error) {
	f, err := r.read()
	if err != nil {
		return nil, err
	}
	sort.SliceStable(f.Grants, func(i, j int) bool { return f.Grants[i].Created.After(f.Grants[j].Created) })
	return f.Grants, nil
}

// Get returns the grant id, live or not.
func (r *Registry) Get(id string) (*Grant, error) {
	gs, err := r.List()
	if err != nil {
		return nil, err
	}
	for i := range gs {
		if gs[i].ID == id {
			return &gs[i], nil
		}
	}
	return nil, fmt.Errorf("no grant %s: terok auth grants lists them", id)
}

// Revoke revokes the grant id, or every live grant when id is "" (all);
// it returns the ids revoked. The next request with a revoked stand-in is
// refused, and a proxy cuts the ones in flight.
func (r *Registry) Revoke(ctx context.Context, id string) ([]string, error) {
	var done []string
	err := r.update(ctx, func(f *file) error {
		now := r.Now().UTC()
		found := false
		for i := range f.Grants {
			g := &f.Grants[i]
			if id != "" && g.ID != id {
				continue
			}
			found = true
			if g.Revoked == nil && (id != "" || g.Live(now)) {
				g.Revoked = &now
				done = append(done, g.ID)
			}
		}
		if id != "" && !found {
			return fmt.Errorf("no grant %s: terok auth grants lists them", id)
		}
		return nil
	})
	return done, err
}

// Lookup finds the grant and provider of a stand-in, reading the file
// afresh. Every stored hash is compared in constant time, so the time
// taken says nothing about how close a guess was. An error says why a
// stand-in is refused (ErrUnknown, ErrExpired, ErrRevoked) or that the
// registry could not be read.
func (r *Registry) Lookup(standIn string) (*Grant, string, error) {
	f, err := r.read()
	if err != nil {
		return nil, "", err
	}
	want := []byte(Hash(standIn))
	var hit *Grant
	var provider string
	for i := range f.Grants {
		g := &f.Grants[i]
		for p, h := range g.Hashes {
			if subtle.ConstantTimeCompare([]byte(h), want) == 1 {
				hit, provider = g, p
			}
		}
	}
	if hit == nil {
		return nil, "", ErrUnknown
	}
	switch hit.State(r.Now()) {
	case "revoked":
		return hit, provider, ErrRevoked
	case "expired":
		return hit, provider, ErrExpired
	}
	return hit, provider, nil
}
