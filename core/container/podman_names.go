package container

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// A login asks podman twice before it runs the container: which terok
// containers a killed terok left (Stale), and whether a container of the
// login's name exists (Remove). Each podman call costs 30-80 ms, about a
// sixth of the whole login, so Stale lists every container once and Remove
// uses that list, while it is fresh, to skip asking again for a name that
// was not there. A name that was there is still checked and removed as
// before.

// namesFresh is how long a listing answers for a name's absence.
const namesFresh = 2 * time.Second

// knownNames is the last listing of every container name, and a listing
// under way (Prefetch).
type knownNames struct {
	mu      sync.Mutex
	names   map[string]bool
	at      time.Time
	pending chan prefetched
}

type prefetched struct {
	out string
	err error
	at  time.Time
}

// Prefetch starts listing the containers in the background, for a login
// that is about to run one: the listing overlaps the plugin's start, and
// Stale takes it if it is still fresh.
func (p *Podman) Prefetch(ctx context.Context) {
	k := p.known()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pending != nil {
		return
	}
	ch := make(chan prefetched, 1)
	k.pending = ch
	go func() {
		at := time.Now()
		out, err := p.output(ctx, "ps", "--all", "--format", psFormat)
		ch <- prefetched{out: out, err: err, at: at}
	}()
}

// prefetched waits for a listing Prefetch started, if any, and returns it
// if it succeeded and is fresh.
func (p *Podman) prefetched() (string, bool) {
	k := p.known()
	k.mu.Lock()
	ch := k.pending
	k.pending = nil
	k.mu.Unlock()
	if ch == nil {
		return "", false
	}
	r := <-ch
	return r.out, r.err == nil && time.Since(r.at) < namesFresh
}

func (p *Podman) known() *knownNames { return &p.listing }

// psFormat lists every container: its name and labels.
const psFormat = `{{.Names}}	{{json .Labels}}`

// staleFrom reads a listing in psFormat: it remembers every name and
// returns those of terok containers whose terok is gone.
func (p *Podman) staleFrom(out string) []string {
	names := map[string]bool{}
	var stale []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, labelsJSON, _ := strings.Cut(strings.TrimSpace(line), "\t")
		if name == "" {
			continue
		}
		names[name] = true
		var labels map[string]string
		if json.Unmarshal([]byte(labelsJSON), &labels) != nil || labels[Label] == "" || OwnerOf(labels).Alive {
			continue // not terok's, or its terok still runs (see OwnerOf)
		}
		stale = append(stale, name)
	}
	k := p.known()
	k.mu.Lock()
	k.names, k.at = names, time.Now()
	k.mu.Unlock()
	return stale
}

// surelyAbsent reports whether a fresh listing did not have name.
func (p *Podman) surelyAbsent(name string) bool {
	k := p.known()
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.names != nil && time.Since(k.at) < namesFresh && !k.names[name]
}

// forgetListing drops the last listing: what runs next changes the names.
func (p *Podman) forgetListing() {
	k := p.known()
	k.mu.Lock()
	k.names = nil
	k.mu.Unlock()
}
