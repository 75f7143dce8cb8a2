// Package registry knows every provider terok can use and where each comes
// from, and opens one by name: plugin binaries on the plugin path, and YAML
// providers served in-process by the generic provider. A plugin beats a
// YAML provider of the same name.
package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/yamlprov"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// Registry lists providers and opens them.
type Registry struct {
	Host    *pluginhost.Host
	Plugins []pluginhost.Plugin
	// YAML are the YAML providers no plugin shadows.
	YAML map[names.Provider]YAMLProvider
	// Shadowed are providers hidden by another of the same name.
	Shadowed []Shadowed
	// Problems are provider files that did not load; each is skipped.
	Problems []error
	// Skipped are upstream agent files that describe no login (a runtime,
	// a bridge): not problems, noted where providers are listed.
	Skipped []error
	// Cache, if set, lets List skip starting plugins it has described before.
	Cache *DescribeCache
	// PluginDirs and YAMLDirs are where Load looked, for messages.
	PluginDirs, YAMLDirs []string
}

// Load discovers the plugins in pluginDirs and reads the YAML sources. A
// plugin dir that cannot be read is an error, but what was found elsewhere
// is still returned; broken YAML files are in Problems.
func Load(host *pluginhost.Host, pluginDirs []string, yamlSources []YAMLSource) (*Registry, error) {
	return LoadCached(host, pluginDirs, yamlSources, nil)
}

// LoadCached is Load with the YAML providers' names and descriptions kept
// in cache (nil: none), so that files read before are not read again.
func LoadCached(host *pluginhost.Host, pluginDirs []string, yamlSources []YAMLSource, cache *YAMLCache) (*Registry, error) {
	found, shadowedPlugins, err := pluginhost.Discover(pluginDirs)
	r := &Registry{Host: host, Plugins: found, PluginDirs: pluginDirs, YAMLDirs: sourceLabels(yamlSources)}
	byName := map[names.Provider]string{}
	for _, p := range found {
		byName[p.Name] = p.Path
	}
	for _, s := range shadowedPlugins {
		r.Shadowed = append(r.Shadowed, Shadowed{Name: s.Name, Kind: "plugin", Source: s.Path, By: byName[s.Name]})
	}
	yaml, shadowedYAML, problems := loadYAMLCached(yamlSources, cache)
	cache.save()
	r.Shadowed = append(r.Shadowed, shadowedYAML...)
	for _, p := range problems {
		if errors.Is(p, yamlprov.ErrNoLogin) {
			r.Skipped = append(r.Skipped, p)
		} else {
			r.Problems = append(r.Problems, p)
		}
	}
	for name, y := range yaml {
		if path, ok := byName[name]; ok {
			r.Shadowed = append(r.Shadowed, Shadowed{Name: name, Kind: "yaml", Source: y.Source, By: path})
			delete(yaml, name)
		}
	}
	r.YAML = yaml
	return r, err
}

// ShadowedProviders returns the providers hidden by others of their name.
func (r *Registry) ShadowedProviders() []Shadowed { return r.Shadowed }

// Names returns the provider names, sorted.
func (r *Registry) Names() []names.Provider {
	out := make([]names.Provider, 0, len(r.Plugins)+len(r.YAML))
	for _, p := range r.Plugins {
		out = append(out, p.Name)
	}
	for name := range r.YAML {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// UnknownProviderError names a provider that is not on the plugin path,
// lists the ones that are, and says where terok looked.
type UnknownProviderError struct {
	Name      names.Provider
	Available []names.Provider
	// PluginDirs and YAMLDirs are where terok looked.
	PluginDirs, YAMLDirs []string
}

func (e *UnknownProviderError) Error() string {
	if len(e.Available) == 0 {
		return fmt.Sprintf("unknown provider %q: no providers are installed. %s", e.Name, Looked(e.PluginDirs, e.YAMLDirs))
	}
	return fmt.Sprintf("unknown provider %q; available: %s. %s", e.Name, strings.Join(names.Strings(e.Available), ", "), Looked(e.PluginDirs, e.YAMLDirs))
}

// Provider is an opened provider.
type Provider struct {
	sdk.Provider
	// Name is the name it was opened by; Desc.Name is the same.
	Name   names.Provider
	Desc   *sdk.DescribeResponse
	Source string // the plugin binary's path
	Close  func()
}

// Open starts the named provider and checks its description.
func (r *Registry) Open(ctx context.Context, name names.Provider) (*Provider, error) {
	for _, p := range r.Plugins {
		if p.Name == name {
			return r.open(ctx, p)
		}
	}
	if y, ok := r.YAML[name]; ok {
		return openYAML(y)
	}
	return nil, &UnknownProviderError{Name: name, Available: r.Names(), PluginDirs: r.PluginDirs, YAMLDirs: r.YAMLDirs}
}

func openYAML(y YAMLProvider) (*Provider, error) {
	f, err := y.file()
	if err != nil {
		return nil, err
	}
	y.File, y.desc = f, nil
	return &Provider{Provider: termSafe{yamlprov.New(f)}, Name: y.Name, Desc: cleanDesc(y.describe()), Source: y.Source, Close: func() {}}, nil
}

func (r *Registry) open(ctx context.Context, p pluginhost.Plugin) (*Provider, error) {
	prov, stop, err := r.Host.Start(ctx, p)
	if err != nil {
		return nil, err
	}
	desc, err := prov.Describe(ctx, &sdk.DescribeRequest{})
	if err == nil {
		if err = checkDescription(p, desc); err != nil {
			err = &refusal{err}
		}
	}
	if err != nil {
		stop()
		return nil, err
	}
	return &Provider{Provider: termSafe{prov}, Name: p.Name, Desc: cleanDesc(desc), Source: p.Path, Close: stop}, nil
}

func checkDescription(p pluginhost.Plugin, d *sdk.DescribeResponse) error {
	if err := host.ValidateDescription(d); err != nil {
		return fmt.Errorf("plugin %s (%s) describes itself wrongly: %w", p.Name, p.Path, err)
	}
	if d.Name != string(p.Name) {
		return fmt.Errorf("plugin %s (%s) says its name is %q; the binary must be named %s%s", p.Name, p.Path, d.Name, pluginhost.Prefix, d.Name)
	}
	if d.ProtocolVersion != sdk.ProtocolVersion {
		return fmt.Errorf("plugin %s (%s) speaks protocol %d, terok speaks %d", p.Name, p.Path, d.ProtocolVersion, sdk.ProtocolVersion)
	}
	return nil
}

// Entry is one provider in a listing.
type Entry struct {
	Name   names.Provider
	Kind   string // "plugin" or "yaml"
	Source string
	Desc   *sdk.DescribeResponse // nil when Err is set
	Err    error
}

// maxParallelStarts bounds how many plugins a listing starts at once.
const maxParallelStarts = 8

// List describes every provider, starting plugins in parallel and stopping
// each once it has answered. A plugin that fails is listed with its error;
// it does not hide the others.
func (r *Registry) List(ctx context.Context) []Entry {
	entries := make([]Entry, len(r.Plugins), len(r.Plugins)+len(r.YAML))
	sem := make(chan struct{}, maxParallelStarts)
	var wg sync.WaitGroup
	for i, p := range r.Plugins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			e := Entry{Name: p.Name, Kind: "plugin", Source: p.Path}
			if r.Host.Trust != nil {
				// Listing must not run what may not run; the hash is checked
				// when the plugin starts.
				if err := r.Host.Trust.Check(string(p.Name), p.Path); err != nil {
					e.Err = err
					entries[i] = e
					return
				}
			}
			if d, ok := r.Cache.get(p.Path); ok {
				e.Desc = cleanDesc(d) // an older terok cached it as it came
				entries[i] = e
				return
			}
			if err := r.Cache.refusalOf(p.Path); err != nil {
				e.Err = err
				entries[i] = e
				return
			}
			opened, err := r.open(ctx, p)
			if err != nil {
				e.Err = err
				r.Cache.putRefusal(p.Path, err)
			} else {
				e.Desc = opened.Desc
				r.Cache.put(p.Path, opened.Desc)
				opened.Close()
			}
			entries[i] = e
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, p := range r.Plugins {
		if key, ok := identity(p.Path); ok {
			seen[key] = true
		}
	}
	r.Cache.save(seen)
	for _, y := range r.YAML {
		entries = append(entries, Entry{Name: y.Name, Kind: "yaml", Source: y.Source, Desc: cleanDesc(y.describe())})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries
}
