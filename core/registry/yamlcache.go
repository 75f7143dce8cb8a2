package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/sdk"
)

// YAMLCache remembers, for each provider file on disk, the provider's name
// and description, so that a listing reads no file it has read before:
// parsing and checking 1000 files took about 0.25 ms each. An entry is keyed
// by the file's identity (path, device, inode, size, modification and
// change times), so an edited or replaced file is read again, and each
// directory's cache by the terok binary's identity, so a new terok (whose
// checks or descriptions may differ) starts afresh. Only files that loaded
// cleanly are remembered: a broken file is read, and reported, every time.
// Opening a provider always reads its file again.
//
// Each directory has a cache file of its own under Dir, so a listing reads
// only the caches of the directories it lists.
type YAMLCache struct {
	Dir string

	mu    sync.Mutex
	build string
	dirs  map[string]*dirCache // by root
}

// dirCache is one directory's cache.
type dirCache struct {
	entries map[string]yamlEntry
	seen    map[string]bool
	dirty   bool
}

type yamlEntry struct {
	Name names.Provider        `json:"name"` // decoding checks it
	Desc *sdk.DescribeResponse `json:"desc"`
}

type yamlCacheFile struct {
	Version int                  `json:"version"`
	Build   string               `json:"build"`
	Root    string               `json:"root"`
	Files   map[string]yamlEntry `json:"files"`
}

const yamlCacheVersion = 1

// buildIdentity is the identity of the running terok binary; "" when it
// cannot be known (then nothing is cached).
var buildIdentity = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	key, _ := identity(exe)
	return key
})

// file is where root's cache lives.
func (c *YAMLCache) file(root string) string {
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:12])+".json")
}

// dir returns root's cache, read on first use; nil when nothing can be
// cached. c.mu is held.
func (c *YAMLCache) dir(root string) *dirCache {
	if c.dirs == nil {
		c.build = buildIdentity()
		c.dirs = map[string]*dirCache{}
	}
	if c.build == "" {
		return nil
	}
	if d, ok := c.dirs[root]; ok {
		return d
	}
	d := &dirCache{entries: map[string]yamlEntry{}, seen: map[string]bool{}}
	c.dirs[root] = d
	data, err := os.ReadFile(c.file(root))
	if err != nil {
		return d
	}
	var f yamlCacheFile
	if json.Unmarshal(data, &f) != nil || f.Version != yamlCacheVersion || f.Build != c.build || f.Root != root {
		return d // a bad or foreign cache is an empty one
	}
	for k, e := range f.Files {
		if e.Desc != nil && e.Name != "" {
			d.entries[k] = e
		}
	}
	return d
}

// get returns what the file at path (under root) held, if it is unchanged.
// It returns the file's key for put either way ("" when it has none).
func (c *YAMLCache) get(root, path string) (key string, e yamlEntry, ok bool) {
	if c == nil {
		return "", yamlEntry{}, false
	}
	key, ok = identity(path)
	if !ok {
		return "", yamlEntry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.dir(root)
	if d == nil {
		return "", yamlEntry{}, false
	}
	d.seen[key] = true
	e, ok = d.entries[key]
	return key, e, ok
}

func (c *YAMLCache) put(key, root string, name names.Provider, desc *sdk.DescribeResponse) {
	if c == nil || key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.dir(root); d != nil {
		d.entries[key] = yamlEntry{Name: name, Desc: desc}
		d.dirty = true
	}
}

// save writes the cache of each directory read whose content changed,
// keeping only the files seen this time (the others are gone or changed).
func (c *YAMLCache) save() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for root, d := range c.dirs {
		for k := range d.entries {
			if !d.seen[k] {
				delete(d.entries, k)
				d.dirty = true
			}
		}
		if !d.dirty {
			continue
		}
		if data, err := json.Marshal(yamlCacheFile{Version: yamlCacheVersion, Build: c.build, Root: root, Files: d.entries}); err == nil {
			_ = safefile.WriteFile(c.file(root), data, 0o600)
		}
		d.dirty = false
	}
}
