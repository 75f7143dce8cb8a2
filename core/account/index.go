package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/core/store"
)

// maxIndexSize bounds the index file: an entry is about 200 bytes.
const maxIndexSize = 16 << 20

// Entry is what the index knows of one stored credential. It holds no
// secret.
type Entry struct {
	Set       names.Set      `json:"set"`
	Provider  names.Provider `json:"provider"`
	Type      string         `json:"type"`
	Backend   string         `json:"backend"`
	StoredAt  *time.Time     `json:"stored_at,omitempty"`
	ExpiresAt *time.Time     `json:"expires_at,omitempty"`
	// Version and WrittenBy: of a versioned store's credential (openbao),
	// as this terok last wrote or read it.
	Version   int    `json:"version,omitempty"`
	WrittenBy string `json:"written_by,omitempty"`
	// Renews says the provider declares how this credential is renewed
	// (sdk.Renewer), so status can say it renews itself without starting
	// the provider. RefreshRefused is the OAuth error code of the last
	// renewal the endpoint refused (invalid_grant): a new login is needed.
	Renews         bool   `json:"renews,omitempty"`
	RefreshRefused string `json:"refresh_refused,omitempty"`
	// Details are what status shows of the credential besides its type
	// and expiry, as Describe read them when terok last wrote or read it;
	// nil: not known, the next status reads the credential.
	Details *Details `json:"details,omitempty"`
	// Items are the store's names of the credential's items (the Secret
	// Service's object paths, see store.ItemLister), as of Details. Status
	// asks the store only which items exist, and answers from the index
	// for a credential whose items are all there and have no new
	// company; nil: not known yet, the next status learns them.
	Items []string `json:"items,omitempty"`
}

func (e Entry) key() string { return store.Account(e.Set, e.Provider) }

// Index is the non-secret record of what is stored where, so status can
// answer without enumerating the keyring (which go-keyring cannot do). The
// keyring stays the truth: status repairs the index when they disagree.
type Index struct {
	Path string
}

type indexFile struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// Load reads the index. A missing file is empty. An unreadable one is
// reported with ErrIndexCorrupt and read as empty; an entry whose names
// are not names (decoding checks them; a missing or null one is "") is
// dropped, reported the same way, and the others are kept. Either way the
// next update rewrites the file from what is left.
func (ix *Index) Load() ([]Entry, error) {
	data, err := safefile.ReadFile(ix.Path, maxIndexSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f struct {
		Version int               `json:"version"`
		Entries []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 {
		return nil, fmt.Errorf("%w: %s; it will be rebuilt", ErrIndexCorrupt, ix.Path)
	}
	entries := make([]Entry, 0, len(f.Entries))
	dropped := 0
	for _, raw := range f.Entries {
		var e Entry
		if err := json.Unmarshal(raw, &e); err != nil || e.Set == "" || e.Provider == "" {
			dropped++
			continue
		}
		if e.Details != nil {
			// Shown on a terminal as they are: only what Describe
			// itself could have written.
			d := e.Details.clean()
			e.Details = &d
		}
		entries = append(entries, e)
	}
	switch dropped {
	case 0:
		return entries, nil
	case 1:
		return entries, fmt.Errorf("%w: %s: dropped an entry that names no valid credential", ErrIndexCorrupt, ix.Path)
	default:
		return entries, fmt.Errorf("%w: %s: dropped %d entries that name no valid credential", ErrIndexCorrupt, ix.Path, dropped)
	}
}

// ErrIndexCorrupt means the index file, or some of its entries, could not
// be read.
var ErrIndexCorrupt = errors.New("credential index is damaged")

// Update changes the index under its lock and writes it atomically, so
// concurrent terok processes never lose each other's changes.
func (ix *Index) Update(ctx context.Context, change func(map[string]Entry)) error {
	return safefile.Locked(ctx, ix.Path, func() error {
		entries, err := ix.Load()
		if err != nil && !errors.Is(err, ErrIndexCorrupt) {
			return err
		}
		m := make(map[string]Entry, len(entries))
		for _, e := range entries {
			m[e.key()] = e
		}
		change(m)
		out := indexFile{Version: 1, Entries: make([]Entry, 0, len(m))}
		for _, e := range m {
			out.Entries = append(out.Entries, e)
		}
		sort.Slice(out.Entries, func(i, j int) bool { return out.Entries[i].key() < out.Entries[j].key() })
		data, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		return safefile.WriteFile(ix.Path, append(data, '\n'), 0o600)
	})
}
