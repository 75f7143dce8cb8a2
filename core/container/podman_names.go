package container

import (
	"strconv"
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

// knownNames is the last listing of every container name.
type knownNames struct {
	mu    sync.Mutex
	names map[string]bool
	at    time.Time
}

func (p *Podman) known() *knownNames { return &p.listing }

// psFormat lists every container: name, owner pid and terok label.
const psFormat = `{{.Names}}	{{index .Labels "` + LabelOwner + `"}}	{{index .Labels "` + Label + `"}}`

// staleFrom reads a listing in psFormat: it remembers every name and
// returns those of terok containers whose terok is gone.
func (p *Podman) staleFrom(out string) []string {
	names := map[string]bool{}
	var stale []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Split(strings.TrimSpace(line), "\t")
		name := fields[0]
		if name == "" {
			continue
		}
		names[name] = true
		if len(fields) < 3 || fields[2] == "" {
			continue // not terok's
		}
		if pid, err := strconv.Atoi(fields[1]); err == nil && ProcessAlive(pid) {
			continue
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
