package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// Result is one credential of a batch read: what Get would have returned
// for Provider.
type Result struct {
	Provider   names.Provider
	Credential sdk.Credential
	Err        error
	// Version and WrittenBy are what a versioned store (OpenBao) knows of
	// the credential: its version, and who wrote that version ("" when
	// unknown). Other stores leave them empty.
	Version   int
	WrittenBy string
	// Items are the store's names of the items the credential was read
	// from, sorted, where it names them (the Secret Service's object
	// paths, see ItemLister); nil elsewhere.
	Items []string
}

// BatchGetter is a Store that reads many credentials of a set at once,
// cheaper than one Get each. Each Result must be what Get would return.
type BatchGetter interface {
	GetMany(ctx context.Context, set names.Set, providers []names.Provider) []Result
}

// GetMany reads the credential of each provider in set, in the order given:
// in one batch when s is a BatchGetter, else one Get after another.
func GetMany(ctx context.Context, s Store, set names.Set, providers []names.Provider) []Result {
	if b, ok := s.(BatchGetter); ok {
		return b.GetMany(ctx, set, providers)
	}
	return getEach(ctx, s, set, providers)
}

func getEach(ctx context.Context, s Store, set names.Set, providers []names.Provider) []Result {
	out := make([]Result, len(providers))
	for i, p := range providers {
		c, err := s.Get(ctx, set, p)
		out[i] = Result{Provider: p, Credential: c, Err: err}
	}
	return out
}

var _ BatchGetter = (*Keyring)(nil)

// GetMany implements BatchGetter. Against the OS keyring on Linux it reads
// every credential in a fixed number of Secret Service round trips, however
// many there are (see keyring_batch_linux.go); any credential the batch
// cannot answer for exactly as Get would (a chunked value, two items of one
// account, a locked item) is read again with Get. Elsewhere, and with a
// Backend set, it is one Get per provider.
func (k *Keyring) GetMany(ctx context.Context, set names.Set, providers []names.Provider) []Result {
	if k.Backend == nil {
		if out, ok := k.getManyOS(ctx, set, providers); ok {
			return out
		}
	}
	return getEach(ctx, k, set, providers)
}

// errChunked marks a value that is a chunked value's header.
var errChunked = errors.New("chunked value")

// decodeValue reads a keyring value as Get does; a chunked value's header
// is an error (Get joins the chunks).
func decodeValue(v string) (sdk.Credential, error) {
	var c sdk.Credential
	if _, chunked := parseHeader(v); chunked {
		return c, errChunked
	}
	err := json.Unmarshal([]byte(v), &c)
	return c, err
}

// Warmer is a store whose connection is worth opening before it is
// needed.
type Warmer interface {
	// Warm starts opening the connection in the background and returns.
	Warm()
}

// Warm warms s if it is a Warmer: a command that stores or reads a
// credential after other work (a login starting its plugin) then finds the
// connection open. Other stores need nothing.
func Warm(s Store) {
	if w, ok := s.(Warmer); ok {
		w.Warm()
	}
}

var _ Warmer = (*Keyring)(nil)

// Warm implements Warmer: the OS keyring's session bus and Secret Service.
// A Backend given for tests needs none.
func (k *Keyring) Warm() {
	if k.Backend == nil {
		go k.warmOS()
	}
}
