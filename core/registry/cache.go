package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/sdk"
)

// DescribeCache remembers what plugin binaries said in Describe, so that
// listing providers does not start every plugin every time. An entry is
// keyed by the binary's identity on disk (device, inode, size, modification
// and change times): replacing or editing the binary changes the key. It
// only serves listings; opening a provider always starts it and asks again.
//
// A plugin that was refused for what it said of itself (a wrong name, a bad
// description, another protocol) is remembered the same way, so a listing
// does not start it again to be refused again. A plugin that failed for
// any other reason (it crashed, hung, or its checksum no longer matches)
// is not: that may be over next time.
type DescribeCache struct {
	Path string

	mu       sync.Mutex
	entries  map[string]*sdk.DescribeResponse
	refusals map[string]refusalRecord
	dirty    bool
}

// cacheFile is the cache on disk. Any other content (an older layout, a
// damaged file) reads as an empty cache.
type cacheFile struct {
	Version      int                              `json:"version"`
	Descriptions map[string]*sdk.DescribeResponse `json:"descriptions"`
	Refusals     map[string]refusalRecord         `json:"refusals,omitempty"`
}

const cacheVersion = 2

// refusalRecord is a remembered refusal: its message, and whether it was a
// protocol mismatch (so errors.Is still finds pluginhost.ErrProtocol).
type refusalRecord struct {
	Msg      string `json:"msg"`
	Protocol bool   `json:"protocol,omitempty"`
}

// refusal marks an error that refuses a plugin for what it said of itself.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// cachedRefusal is a refusal read back from the cache.
type cachedRefusal struct{ rec refusalRecord }

func (c *cachedRefusal) Error() string { return c.rec.Msg }
func (c *cachedRefusal) Unwrap() error {
	if c.rec.Protocol {
		return pluginhost.ErrProtocol
	}
	return nil
}

// refused reports whether err refuses the plugin for good (until the
// binary changes), and how to remember it.
func refused(err error) (refusalRecord, bool) {
	var r *refusal
	protocol := errors.Is(err, pluginhost.ErrProtocol)
	if !errors.As(err, &r) && !protocol {
		return refusalRecord{}, false
	}
	return refusalRecord{Msg: err.Error(), Protocol: protocol}, true
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
	c.entries, c.refusals = map[string]*sdk.DescribeResponse{}, map[string]refusalRecord{}
	data, err := os.ReadFile(c.Path)
	if err != nil {
		return
	}
	var f cacheFile
	if json.Unmarshal(data, &f) != nil || f.Version != cacheVersion {
		return // a bad cache is an empty one
	}
	for k, d := range f.Descriptions {
		if d != nil {
			c.entries[k] = d
		}
	}
	for k, r := range f.Refusals {
		c.refusals[k] = r
	}
}

// refusalOf returns the refusal remembered for the binary at path, or nil.
func (c *DescribeCache) refusalOf(path string) error {
	if c == nil {
		return nil
	}
	key, ok := identity(path)
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	if r, ok := c.refusals[key]; ok {
		return &cachedRefusal{rec: r}
	}
	return nil
}

// putRefusal remembers err for the binary at path if it is a refusal.
func (c *DescribeCache) putRefusal(path string, err error) {
	rec, ok := refused(err)
	if c == nil || !ok {
		return
	}
	key, ok := identity(path)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.load()
	c.refusals[key] = rec
	c.dirty = true
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
	for k := range c.refusals {
		if !seen[k] {
			delete(c.refusals, k)
			c.dirty = true
		}
	}
	if !c.dirty {
		return
	}
	if data, err := json.Marshal(cacheFile{Version: cacheVersion, Descriptions: c.entries, Refusals: c.refusals}); err == nil {
		_ = safefile.WriteFile(c.Path, data, 0o600)
	}
	c.dirty = false
}
