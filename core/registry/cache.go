package registry

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/terok-ai/terok-auth/core/atomicfile"
	"github.com/terok-ai/terok-auth/sdk"
)

// DescribeCache remembers what plugin binaries said in Describe, so that
// listing providers does not start every plugin every time. An entry is
// keyed by the binary's identity on disk (device, inode, size, modification
// and change times): replacing or editing the binary changes the key. It
// only serves listings; opening a provider always starts it and asks again.
type DescribeCache struct {
	Path string

	mu      sync.Mutex
	entries map[string]*sdk.DescribeResponse
	dirty   bool
}

func identity(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	dev, ino, ctime, ok := fileIDs(fi)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s|%d|%d|%d|%d|%d", path, dev, ino, fi.Size(), fi.ModTime().UnixNano(), ctime), true
}

func (c *DescribeCache) load() {
	if c.entries != nil {
		return
	}
	c.entries = map[string]*sdk.DescribeResponse{}
	if data, err := os.ReadFile(c.Path); err == nil {
		_ = json.Unmarshal(data, &c.entries) // a bad cache is an empty one
	}
}

func (c *DescribeCache) get(path string) (*sdk.DescribeResponse, bool) {
	if c == nil {
		return nil, false
	}
	key, ok := identity(path)
	if !ok {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	d, ok := c.entries[key]
	return d, ok && d != nil
}

func (c *DescribeCache) put(path string, d *sdk.DescribeResponse) {
	if c == nil {
		return
	}
	key, ok := identity(path)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	c.entries[key] = d
	c.dirty = true
}

// save writes the cache if it changed, keeping only the plugins seen now.
func (c *DescribeCache) save(seen map[string]bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if !seen[k] {
			delete(c.entries, k)
			c.dirty = true
		}
	}
	if !c.dirty {
		return
	}
	if data, err := json.Marshal(c.entries); err == nil {
		_ = atomicfile.WriteFile(c.Path, data, 0o600)
	}
	c.dirty = false
}
